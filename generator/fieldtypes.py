"""Field types: how one value of each declared type is checked, read, shown and written.

Each checker takes the raw (located) YAML value and returns the normalised value; what is wrong
goes to `report(message, hint, container, key)` so that the message points at the exact line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from markupsafe import Markup, escape

from generator.dates import normalize_date
from generator.model import SAFE_CODE, is_blank
from generator.problems import did_you_mean
from generator.safeurl import SAFE_SCHEMES, UNSAFE_HINT, safe_href, unsafe_message, url_scheme
from generator.siteconfig import FieldDef, SiteConfig
from generator.tabular import normalize as norm
from generator.yamlsource import LocatedList, LocatedMap, scalar_text

if TYPE_CHECKING:
    from generator.model import Catalog

Report = Callable[..., None]  # report(message, hint="", container=None, key=None, warning=False)

PLACEHOLDER_CODES = {"待定", "无", "暂无", "/", "-", "—", "——", "未编码", "空"}
_TRUE = {"是", "有", "yes", "true", "y"}
_FALSE = {"否", "无", "no", "false", "n"}


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _text(value: Any, fdef: FieldDef, report: Report) -> str | None:
    if not _is_scalar(value):
        report(f"字段“{fdef.label}”应当是一段文字，而不是{'列表' if isinstance(value, list) else '映射'}",
               "多段内容请合并为一段，或改用 | 写多行文字")
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return scalar_text(value).strip()  # `9:00` stays 9:00, not the 540 YAML 1.1 reads


def _odd_integer(value: Any) -> bool:
    """True for an integer YAML read from another spelling: 020 (octal 16), 0x14, 1_000, 3:20."""
    return hasattr(value, "source")


def _integer(value: Any, fdef: FieldDef, report: Report) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        report(f"字段“{fdef.label}”应当是整数，而不是“{scalar_text(value)}”", "只写阿拉伯数字，例如 20")
        return None
    if _odd_integer(value):
        report(f"字段“{fdef.label}”写成了“{value.source}”，YAML 会把它读成 {int(value)}",
               "只写阿拉伯数字，开头不要加 0，例如 20")
        return None
    return int(value)


def _boolean(value: Any, fdef: FieldDef, report: Report) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    report(f"字段“{fdef.label}”应当是“是”或“否”，而不是“{value}”", "写 true / false，或 是 / 否")
    return None


def _date(value: Any, fdef: FieldDef, report: Report) -> str | None:
    """A date as YYYY-MM-DD; read the way trailers and site_config.yml read dates (generator.dates),
    so 2024/1/31 and 2024年1月31日 are accepted and a day that does not exist (2026-02-30) is not."""
    if isinstance(value, dt.date):
        return value.isoformat()
    day = normalize_date(value) if isinstance(value, str) else None
    if day is not None:
        return day
    report(f"字段“{fdef.label}”应当是日期，而不是“{value}”", "按 2024-01-31 的格式书写（YYYY-MM-DD），并确认这一天存在")
    return None


def _enum_one(value: Any, fdef: FieldDef, config: SiteConfig, report: Report, container=None, key=None):
    """The published value, kept as published; the standard value is derived (config.enum_standard)."""
    allowed = config.enum_values(fdef.enum)
    text = scalar_text(value).strip() if _is_scalar(value) else None
    if text is None:
        report(f"字段“{fdef.label}”的值应当是一段文字", "只写一个取值", container, key)
        return None
    if config.enum_standard(fdef.enum, text) is not None:
        return text
    hint = did_you_mean(text, allowed, what="值") if text else "可用的值：" + "、".join(allowed)
    if fdef.strict:
        report(f"字段“{fdef.label}”的值“{text}”不在规定范围内", hint, container, key)
        return None
    report(f"字段“{fdef.label}”的值“{text}”不是标准取值，已按原文保留", hint, container, key, warning=True)
    return text


_MULTI_SEPARATORS = re.compile(r"\s*[、，,；;/]\s*|\n+")


def _enum(value: Any, fdef: FieldDef, config: SiteConfig, report: Report) -> Any:
    if fdef.multi:
        if isinstance(value, str) and config.enum_standard(fdef.enum, value) is None:
            value = [v for v in _MULTI_SEPARATORS.split(value) if v.strip()]  # 市、县 / 2,3,4
        values = value if isinstance(value, list) else [value]
        out = []
        for i, v in enumerate(values):
            norm = _enum_one(v, fdef, config, report, values if isinstance(values, LocatedList) else None, i)
            if norm is not None:
                out.append(norm)
        return out
    if isinstance(value, list):
        report(f"字段“{fdef.label}”只能有一个值", "删除多余的值")
        return None
    return _enum_one(value, fdef, config, report)


def _list(value: Any, fdef: FieldDef, report: Report) -> list[str] | None:
    if _is_scalar(value):
        return [scalar_text(value).strip()]
    if isinstance(value, dict):
        report(f"字段“{fdef.label}”应当是列表", "每一项单独一行，以“- ”开头")
        return None
    out = []
    for i, v in enumerate(value):
        if not _is_scalar(v):
            report(f"字段“{fdef.label}”的第 {i + 1} 项应当是一段文字",
                   "每一项只写一段文字；文字中含有“: ”时请给它加引号", value, i)
            continue
        out.append(scalar_text(v).strip())
    return out


BASIS_KEYS = ["law", "article", "note"]
BASIS_LABELS = {"law": "法律法规名称", "article": "条款", "note": "说明"}


def _part(mapping: dict, key: str, label: str, report: Report) -> str | None:
    """One text part of a composite field (fee.basis, a basis' article, a time limit's note)."""
    value = mapping.get(key)
    if value is None:
        return None
    if not _is_scalar(value):
        report(f"{label}（{key}）应当是一段文字，而不是{'列表' if isinstance(value, list) else '映射'}",
               "多项内容请写在一段文字里，用顿号或分号隔开", mapping, key)
        return None
    return scalar_text(value).strip()


def _basis(value: Any, fdef: FieldDef, report: Report) -> str | list[dict[str, str]] | None:
    """A basis as published (one text, kept verbatim), or as written by hand: [{law, article, note}].

    The published text is the record: structure (instruments, articles, clause text) is derived
    from it where it is shown (generator/legaltext.py), never stored in its place.
    """
    if isinstance(value, str):
        return value.strip("\n") if value.strip() else None
    entries = value if isinstance(value, list) else [value]
    out = []
    for i, entry in enumerate(entries):
        container = entries if isinstance(entries, LocatedList) else None
        if _is_scalar(entry):
            out.append({"law": scalar_text(entry).strip()})
            continue
        if isinstance(entry, list):
            report(f"字段“{fdef.label}”的第 {i + 1} 条不应是列表", "每条依据写成 law: 《…》 和 article: 第…条", container, i)
            continue
        for key in entry:
            if key not in BASIS_KEYS:
                report(f"依据中有未知的字段“{key}”", did_you_mean(key, BASIS_KEYS, BASIS_LABELS), entry, key)
        law = entry.get("law")
        if law is None or not str(law).strip():
            report(f"字段“{fdef.label}”的第 {i + 1} 条缺少法律法规名称（law）", "例如 law: 《中华人民共和国食品安全法》",
                   container, i)
            continue
        parts = {k: _part(entry, k, BASIS_LABELS[k], report) for k in BASIS_KEYS}
        out.append({k: v for k, v in parts.items() if v is not None})
    return out


def _time_limit(value: Any, fdef: FieldDef, config: SiteConfig, report: Report) -> dict | None:
    if not isinstance(value, dict):
        report(
            f"字段“{fdef.label}”应当写成 {{statutory: 法定天数, promised: 承诺天数, unit: 工作日}}",
            "例如 time_limit: {statutory: 20, promised: 5, unit: 工作日}；即办件写 promised: 0",
        )
        return None
    out: dict[str, Any] = {}
    for key in value:
        if key not in ("statutory", "promised", "unit", "note"):
            report(f"时限中有未知的字段“{key}”",
                   did_you_mean(key, ["statutory", "promised", "unit", "note"],
                                {"statutory": "法定时限", "promised": "承诺时限", "unit": "单位", "note": "说明"}),
                   value, key)
    for key, label in (("statutory", "法定时限"), ("promised", "承诺时限")):
        raw = value.get(key)
        if isinstance(raw, str) and raw.strip().isdigit():  # "20", quoted as spreadsheets often are
            raw = int(raw.strip())
        if raw is None:
            out[key] = None
        elif isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            report(f"{label}应当是不小于 0 的整数，而不是“{scalar_text(raw)}”",
                   "只写天数，例如 20；没有法定时限时省略这一项", value, key)
            out[key] = None
        elif _odd_integer(raw):
            report(f"{label}写成了“{raw.source}”，YAML 会把它读成 {int(raw)}", "只写阿拉伯数字，开头不要加 0，例如 20",
                   value, key)
            out[key] = None
        else:
            out[key] = int(raw)
    unit = _part(value, "unit", "时限单位", report) if "unit" in value else "工作日"
    if unit is not None and unit not in config.enum_values("time_unit"):
        report(f"时限单位“{unit}”不在规定范围内", "可用的单位：" + "、".join(config.enum_values("time_unit")), value, "unit")
    out["unit"] = unit or "工作日"
    note = _part(value, "note", "时限说明", report)
    if note is not None:
        out["note"] = note
    if out["statutory"] is None and out["promised"] is None and not out.get("note"):
        report(f"字段“{fdef.label}”既没有法定时限也没有承诺时限", "至少写一项；确无时限请写 note: 无时限要求")
    return out


def _fee(value: Any, fdef: FieldDef, report: Report) -> dict | None:
    if not isinstance(value, dict):
        report(
            f"字段“{fdef.label}”应当写成 {{basis: 收费依据, standard: 收费标准}}",
            "不收费时写 fee: {basis: 无, standard: 不收费}",
        )
        return None
    for key in value:
        if key not in ("basis", "standard"):
            report(f"收费信息中有未知的字段“{key}”",
                   did_you_mean(key, ["basis", "standard"], {"basis": "收费依据", "standard": "收费标准"}),
                   value, key)
    parts = {k: _part(value, k, label, report) for k, label in (("basis", "收费依据"), ("standard", "收费标准"))}
    return {k: v for k, v in parts.items() if v is not None}


def _url(value: Any, fdef: FieldDef, report: Report) -> str | None:
    text = _text(value, fdef, report)
    if text and safe_href(text) is None:
        report(unsafe_message(f"字段“{fdef.label}”的", text), UNSAFE_HINT)
        return text  # kept as published (an old edition still shows it), but never as a link
    if text and not re.match(r"^(https?://|www\.)\S+$", text, re.IGNORECASE):
        report(f"字段“{fdef.label}”的“{text}”不像网址，已按原文保留", "网址以 http:// 或 https:// 开头",
               warning=True)
    return text


def _extra(value: Any, fdef: FieldDef, report: Report) -> dict[str, str] | None:
    """Columns a department published that map to no field: {header as published: cell text}."""
    if not isinstance(value, dict):
        report(f"字段“{fdef.label}”应当写成“表头: 内容”的映射", "例如 extra: {设立级次: 中央}")
        return None
    out = {}
    for key, item in value.items():
        if not _is_scalar(item):
            report(f"其他信息“{key}”应当是一段文字", "多段内容请用 | 写成多行文字", value, key)
            continue
        out[str(key)] = scalar_text(item).strip() if item is not None else ""
    return {k: v for k, v in out.items() if v}


def _code(value: Any, fdef: FieldDef, report: Report) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and _odd_integer(value):
        report(
            f"编码 {value.source} 没有加引号，YAML 会把它当作数字读成 {int(value)}，开头的 0 会丢失",
            f'请给编码加引号：{fdef.name}: "{value.source}"',
        )
        return value.source  # what the author meant: later checks (duplicates, references) use it
    text = _text(value, fdef, report)
    if text is None:
        return None
    if fdef.name == "code":  # the published code, kept as published; load checks it can be an address
        return text
    if not SAFE_CODE.match(text):
        report(
            f"编码“{text}”不能用于网址和文件名",
            "编码只能包含字母、数字、- 和 _，以字母或数字开头，最长 128 个字符；不能有空格、斜杠或中文",
        )
        return None
    return text


# --- Field types: one home each ---------------------------------------------------------------
#
# Declared the way MkDocs declares its config options (mkdocs/config/config_options.py): one class
# per type knows how to check and normalise a value from YAML (normalize), how it is read from an
# imported spreadsheet row (read, from_cell), how the value reads as text (the same words and
# numbers on the site, in `qingdan diff`, in `qingdan history` and in feeds), how it is written to a
# spreadsheet cell (the inverse of what `qingdan import` reads) and its HTML on an item page (html,
# escaped; a link only where safe). A new type is one class and one entry in FIELD_TYPES below.


class Page(NamedTuple):
    """What the HTML of a value needs from the page it is on."""

    root: str  # relative path from the page to the site root ("../../")
    catalog: Catalog  # references resolve to items; enumerations to their standard values


MISSING = Markup('<span class="qd-missing">未公开</span>')


class Cells(Protocol):
    """One data row of an imported sheet, as a field type reads it (tabular/convert.py provides it)."""

    config: SiteConfig

    def cells(self, path: str) -> list[tuple[Any, int]]:
        """The non-blank cells of a field ("fee") or of a part of it ("fee.standard"): (value, column)."""

    def column(self, path: str) -> int | None:
        """The column of a field, blank or not (where a message about it points)."""

    def header_unit(self, path: str) -> str:
        """The time unit the column's header names (法定时限（工作日）), or ''."""

    def loose(self, col: int, text: str) -> None:
        """Note a "20日" read as calendar days (reported once per column)."""

    def numeric(self, col: int) -> bool:
        """True when the sheet stored this cell as a number (a code's leading 0 may be lost)."""

    def warn(self, message: str, col: int, hint: str, rule: str) -> None:
        """A warning at this row's cell."""

    def ref(self, fdef: FieldDef, text: str, col: int | None) -> str:
        """A reference as the code it names (a name is looked up in the catalog)."""


Read = tuple[Any, "int | None", "set[str] | None"]  # (value shaped as YAML holds it, column, parts given)


def _at(col: int | None, func: Callable[[Any], Any], value: Any) -> Any:
    """func(value); a CellError it raises points at `col`."""
    try:
        return func(value)
    except norm.CellError as exc:
        exc.column = col  # type: ignore[attr-defined]
        raise


class FieldType:
    """A kind of field. Subclasses override what differs from plain text."""

    name = ""
    words = "文字"  # what a value of this type is, in words for the person writing one
    documented = ""  # what a value of this type looks like, for people reusing the open data
    # Whether the site's settings can change how a value reads (text() with a config): the API
    # writes those readings beside the values, and asks only the types that say so.
    reads_settings = False

    def normalize(self, fdef: FieldDef, value: Any, config: SiteConfig, report: Report) -> Any:
        return _text(value, fdef, report)

    def text(self, fdef: FieldDef | None, value: Any, config: SiteConfig | None = None) -> str:
        """The value as one text, '' when blank."""
        if _blank(value):
            return ""
        if isinstance(value, list):
            return "\n".join(str(v) for v in value if not _blank(v))
        return str(value)

    def cell(self, fdef: FieldDef | None, value: Any) -> Any:
        """The value as one spreadsheet cell (None when blank)."""
        return self.text(fdef, value) or None

    def read(self, fdef: FieldDef, row: Cells) -> Read:
        """The field's value from an imported row, shaped as YAML holds it; normalize() checks it next.

        Raises norm.CellError (with .column) for a cell that cannot be read at all.
        """
        cells = row.cells(fdef.name)
        if not cells:
            return None, row.column(fdef.name), None
        value, col = cells[0]
        return self.from_cell(fdef, value, row, col), col, None

    @staticmethod
    def read_each(fdef: FieldDef, row: Cells, one: Callable[[str, int], Any]) -> Read:
        """A multi-valued field: every value of every cell of its column, each read by `one(text, col)`."""
        cells = row.cells(fdef.name)
        if not cells:
            return None, row.column(fdef.name), None
        col = cells[0][1]
        return [one(v, col) for cell, _ in cells for v in norm.split_values(cell)], col, None

    def from_cell(self, fdef: FieldDef, value: Any, row: Cells, col: int | None) -> Any:
        """One published cell: its text exactly as published."""
        return norm.published_text(value)

    def html(self, fdef: FieldDef, value: Any, page: Page) -> Markup:
        """The value on an item page, never blank (field_html shows 未公开 for that): escaped text."""
        if isinstance(value, dict):
            return escape(plain_text(value))
        if isinstance(value, (list, tuple)):
            return _tag_list("ul", value)
        return escape(value)


def _tag_list(tag: str, values: Any, attributes: str = "") -> Markup:
    return Markup(f"<{tag}{attributes}>") + Markup("").join(Markup("<li>%s</li>") % v for v in values) \
        + Markup(f"</{tag}>")


def _blank(value: Any) -> bool:
    return is_blank(value)


class CodeType(FieldType):
    name = "code"
    words = "编码"
    documented = "编码（文字）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _code(value, fdef, report)

    def from_cell(self, fdef, value, row, col):
        if col is not None and row.numeric(col):
            row.warn(f"编码 {value} 在表格中是数字格式，开头的 0 可能已经丢失", col,
                     "在 WPS/Excel 中把编码列设为“文本”格式后重新填写，或核对编码位数", "import-numeric-code")
        return norm.clean_code(value)


class TextType(FieldType):
    name = "text"
    documented = "文字"  # for the 数据开放 page


class LongTextType(FieldType):
    name = "longtext"
    documented = "文字（可多行）"  # for the 数据开放 page


class UrlType(FieldType):
    name = "url"
    words = "网址"
    documented = "网址"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _url(value, fdef, report)

    def html(self, fdef, value, page):
        """A link only to a web address, checked again here (a template or a value that bypassed
        `qingdan check`, such as an old edition's, never turns javascript: into a link). No schema
        allows relative links in list data: "www.example.gov.cn/…" (a warning in check) would
        link to a page of this site that does not exist, so it is shown as text."""
        if safe_href(value) is None or url_scheme(value) not in SAFE_SCHEMES:
            return escape(value)
        return Markup('<a href="{}" class="qd-url">{}</a>').format(value, value)


class IntegerType(FieldType):
    name = "integer"
    words = "整数"
    documented = "整数"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _integer(value, fdef, report)

    def from_cell(self, fdef, value, row, col):
        return _at(col, norm.parse_int, value)

    def cell(self, fdef, value):
        return None if _blank(value) else value


class BooleanType(FieldType):
    name = "boolean"
    words = "是/否"
    documented = "是/否"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _boolean(value, fdef, report)

    def from_cell(self, fdef, value, row, col):
        return _at(col, norm.parse_bool, value)

    def text(self, fdef, value, config=None):
        return "" if value is None else ("是" if value else "否")

    def html(self, fdef, value, page):
        return Markup("是" if value else "否")


class DateType(FieldType):
    name = "date"
    words = "日期"
    documented = "日期（YYYY-MM-DD）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _date(value, fdef, report)


class EnumType(FieldType):
    """Stored as published; read as the standard value with the published spelling beside it."""

    name = "enum"
    words = "规定取值之一"
    reads_settings = True  # the standard wording (site_config.yml enum_standards)
    documented = "规定取值之一（按公布原文保存）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _enum(value, fdef, config, report)

    def read(self, fdef, row):
        if not fdef.multi:
            return super().read(fdef, row)
        return self.read_each(fdef, row, lambda text, _col: self.one_value(fdef, text, row.config))

    def from_cell(self, fdef, value, row, col):
        return self.one_value(fdef, norm.clean_text(value), row.config)

    @staticmethod
    def one_value(fdef: FieldDef, text: str, config: SiteConfig) -> str:
        """A clerk's short form of a standard value: 许可 → 行政许可."""
        if config.enum_standard(fdef.enum, text) is None and f"行政{text}" in config.enum_values(fdef.enum):
            return f"行政{text}"
        return text

    def text(self, fdef, value, config=None):
        if _blank(value):
            return ""
        values = value if isinstance(value, list) else [value]
        return "、".join(self.one(fdef, str(v), config) for v in values if not _blank(v))

    @staticmethod
    def one(fdef: FieldDef | None, value: str, config: SiteConfig | None) -> str:
        standard = config.enum_standard(fdef.enum, value) if config is not None and fdef is not None else None
        return f"{standard}（原文：{value}）" if standard and standard != value else value

    def cell(self, fdef, value):
        if _blank(value):
            return None
        return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)  # as published

    def html(self, fdef, value, page):
        if fdef.multi:
            return Markup("、").join(enum_html(page.catalog.config, fdef.enum, v) for v in value)
        return enum_html(page.catalog.config, fdef.enum, value)


def enum_html(config: SiteConfig, enum: str, value: Any) -> Markup:
    """The standard value, with the published spelling beside it when it differs."""
    standard = config.enum_standard(enum, value)
    if standard and standard != value:
        return Markup('{}<span class="qd-published-as">（原文：{}）</span>').format(standard, value)
    return escape(value)


class ListType_(FieldType):  # noqa: N801 - "ListType" is the list type of config
    name = "list"
    words = "列表"
    documented = "文字列表"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _list(value, fdef, report)

    def read(self, fdef, row):
        """Every line of every cell, each as published (numbering kept)."""
        cells = row.cells(fdef.name)
        if not cells:
            return None, row.column(fdef.name), None
        return [v for cell, _ in cells for v in norm.published_lines(cell)], cells[0][1], None

    def html(self, fdef, value, page):
        if fdef.name == "procedure":  # steps are done in order
            return steps_html(value)
        return super().html(fdef, value, page)


def steps_html(value: Any) -> Markup:
    return _tag_list("ol", value, ' class="qd-steps"')


class RefType(FieldType):
    name = "ref"
    words = "事项编码"
    documented = "引用另一清单的事项（编码或名称）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _list(value, fdef, report) if fdef.multi else _text(value, fdef, report)

    def read(self, fdef, row):
        if not fdef.multi:
            return super().read(fdef, row)
        return self.read_each(fdef, row, lambda text, col: row.ref(fdef, text, col))

    def from_cell(self, fdef, value, row, col):
        return row.ref(fdef, norm.clean_code(value), col)

    def text(self, fdef, value, config=None):
        if _blank(value):
            return ""
        return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)

    cell = text  # type: ignore[assignment]

    def html(self, fdef, value, page):
        """Each referenced item linked by name, its code beside it; a code that names nothing, as text."""
        out = []
        for code in [value] if isinstance(value, str) else value:
            target = page.catalog.resolve(fdef.ref, code)
            code_html = Markup('<span translate="no">{}</span>').format(code)
            out.append(Markup("{}（{}）").format(item_link(page.root, target), code_html) if target else code_html)
        return Markup("；").join(out)


def item_link(root: str, item: Any) -> Markup:
    """A link to an item's page: its address comes from its list and code, its text is its name.
    Each part escaped on its own: Markup.format took half the time of a 拼音索引 page of 6,000 links."""
    return Markup(f'<a href="{escape(root)}{escape(item.list_id)}/{escape(item.code)}/">{escape(item.name)}</a>')


class BasisType(FieldType):
    """The published text verbatim, or hand-written entries {law, article, note}."""

    name = "basis"
    words = "依据列表"
    documented = "依据：公布原文，或列表（law 法律法规名称，article 条款）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _basis(value, fdef, report)

    def text(self, fdef, value, config=None):
        if _blank(value):
            return ""
        if isinstance(value, str):
            return value
        return "\n".join(basis_entry_text(entry) for entry in value)

    def cell(self, fdef, value):
        if _blank(value):
            return None
        if isinstance(value, str):
            return value
        from generator.tabular.normalize import format_basis  # import reads this form back

        return "\n".join(format_basis(entry) for entry in value)

    def html(self, fdef, value, page):
        return basis_html(value)

    def read(self, fdef, row):
        """The published cell text verbatim; structure only from columns that give it (法律法规名称, 条款)."""
        name = fdef.name
        cells = row.cells(name)
        col = cells[0][1] if cells else row.column(name)
        laws = row.cells(f"{name}.law")
        if cells and not laws:  # the published text is the record; its structure is derived when shown
            return "\n".join(norm.published_text(value) for value, _ in cells), col, None
        entries = [e for value, _ in cells for e in norm.split_bases(value)]
        articles = row.cells(f"{name}.article")
        notes = row.cells(f"{name}.note")
        if laws:
            col = col or laws[0][1]
            entries.extend(_basis_of_parts(laws, articles, notes))
        elif articles:
            raise _cell_error("有条款但没有对应的法律法规名称", "在同一行的“法律法规名称”列写明法律法规", articles[0][1])
        return (entries or None), col, None


def _cell_error(message: str, hint: str, column: int) -> norm.CellError:
    err = norm.CellError(message, hint)
    err.column = column  # type: ignore[attr-defined]
    return err


def _basis_of_parts(laws: list[tuple[Any, int]], articles: list[tuple[Any, int]],
                    notes: list[tuple[Any, int]]) -> list[dict[str, str]]:
    """法律法规名称, 条款 and 说明 columns: one entry per instrument, its article and note on the same line."""
    entries = [e for value, _ in laws for e in norm.split_bases(value)]
    for extra, key in ((articles, "article"), (notes, "note")):
        if not extra:
            continue
        lines = [line for value, _ in extra for line in norm.split_list(value)]
        if len(lines) != len(entries):
            raise _cell_error(
                f"{'条款' if key == 'article' else '说明'}有 {len(lines)} 行，而法律法规有 {len(entries)} 部，无法一一对应",
                "每部法律法规单独一行，对应的条款也单独一行，行数相同", extra[0][1],
            )
        for entry, line in zip(entries, lines, strict=True):
            if line not in ("无", "/", "—") and (key != "article" or not entry.get("article")):
                entry[key] = line
    return entries


def basis_html(value: Any) -> Markup:
    """First what Qingdan reads from a published basis (each instrument it cites, with level, 文号 and
    articles: an addition), then the published text itself, whole and unchanged; long text is folded
    by qingdan.js and unfolds on request. Hand-written entries ({law, article}) as a list."""
    if not isinstance(value, str):
        return Markup('<ul class="qd-basis">') + Markup("").join(
            Markup("<li>%s</li>") % basis_entry_text(entry) for entry in value) + Markup("</ul>\n")
    from generator.legaltext import split_instruments

    instruments = split_instruments(value)
    out = [Markup('<div class="qd-basis">\n')]
    if len(instruments) > 1 or (instruments and (instruments[0].articles or instruments[0].title)):
        out.append(Markup('<ul class="qd-instruments" aria-label="引用的依据">\n'))
        for inst in instruments:
            tag = Markup('<span class="qd-tag">{}</span> ').format(inst.level) if inst.level else ""
            numbers = [d for d in inst.doc_numbers if d not in inst.name] + [a.number for a in inst.articles]
            out.append(Markup("<li>{}{}{}</li>\n").format(tag, inst.name, "".join(f" {n}" for n in numbers)))
        out.append(Markup("</ul>\n"))
    long = " qd-long" if len(value) > 240 else ""
    out.append(Markup('<div class="qd-published{}" role="group" aria-label="公布原文">{}</div>\n</div>\n').format(long, value))
    return Markup("").join(out)


def basis_entry_text(entry: Any) -> str:
    """A hand-written basis entry as read: 《law》article（note）."""
    if not isinstance(entry, dict):
        return str(entry)
    text = "".join(str(entry.get(k) or "") for k in ("law", "article"))
    return text + (f"（{entry['note']}）" if entry.get("note") else "")


class TimeLimitType(FieldType):
    name = "time_limit"
    words = "时限"
    documented = "时限（statutory 法定，promised 承诺，unit 单位）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _time_limit(value, fdef, config, report)

    def text(self, fdef, value, config=None):
        """法定时限 20 工作日；承诺时限 5 工作日 (承诺时限 即办; the note last)."""
        if not isinstance(value, dict):
            return "" if _blank(value) else str(value)
        unit = value.get("unit") or "工作日"
        parts = []
        if value.get("statutory") is not None:
            parts.append(f"法定时限 {value['statutory']} {unit}")
        if value.get("promised") is not None:
            parts.append(f"承诺时限 {value['promised']} {unit}" if value["promised"] else "承诺时限 即办")
        if value.get("note"):
            parts.append(f"说明：{value['note']}")
        return "；".join(parts)

    def html(self, fdef, value, page):
        return escape(self.text(fdef, value))

    def read(self, fdef, row):
        """A whole 办理时限 cell, or separate 法定/承诺/单位/说明 columns. Only what the cells say is
        returned as given (`parts`): "5个工作日" keeps a statutory limit the file already has."""
        name = fdef.name
        cells = row.cells(name)
        if cells:
            return _whole_time_limit(row, name, *cells[0])
        col = row.column(name)
        value: dict[str, Any] = {}
        parts: set[str] = set()
        units_seen: list[tuple[str, int]] = []
        for part in ("statutory", "promised"):
            for cell, c in row.cells(f"{name}.{part}"):
                col = col or c
                _time_limit_part(row, f"{name}.{part}", cell, c, value, parts, units_seen)
        for cell, c in row.cells(f"{name}.unit"):
            col = col or c
            units_seen.append((norm.clean_text(cell), c))
        for cell, c in row.cells(f"{name}.note"):
            col = col or c
            value["note"] = norm.clean_text(cell)
            parts.add("note")
        return _time_limit_of_parts(value, parts, units_seen, col)


def _whole_time_limit(row: Cells, name: str, cell: Any, c: int) -> tuple[dict[str, Any], int, set[str]]:
    """One 办理时限 cell ("法定20个工作日，承诺5个工作日"): what it says, and which parts it said."""
    units = row.config.enum_values("time_unit")
    header_unit = row.header_unit(name)
    parsed, warnings = _at(c, lambda v: norm.parse_time_limit(v, units, header_unit), cell)
    for w in warnings:
        row.loose(c, w)
    said = set(parsed) - {"unit"}
    if header_unit or any(word in norm.clean_text(cell) for word, _ in norm.UNIT_WORDS):
        said.add("unit")
    return dict(parsed), c, said


def _time_limit_part(row: Cells, path: str, cell: Any, c: int, value: dict[str, Any], parts: set[str],
                     units_seen: list[tuple[str, int]]) -> None:
    """A 法定时限 or 承诺时限 column's cell; the header's unit （工作日） wins over a loose "20日"."""
    part = path.rsplit(".", 1)[1]
    amount, unit, loose = _at(c, lambda v: norm.parse_duration(v, row.config.enum_values("time_unit")), cell)
    header_part_unit = row.header_unit(path)
    if header_part_unit and (loose or not unit):
        unit = header_part_unit
    if loose and not header_part_unit:
        row.loose(c, norm._loose_warning(norm.clean_text(cell)))
    if amount is not None:
        value[part] = amount
        parts.add(part)
    if unit:
        units_seen.append((unit, c))


def _time_limit_of_parts(value: dict[str, Any], parts: set[str], units_seen: list[tuple[str, int]],
                         col: int | None) -> tuple[dict[str, Any] | None, int | None, set[str] | None]:
    if len({u for u, _ in units_seen}) > 1:
        err = norm.CellError(
            f"法定时限和承诺时限的单位不同（{'、'.join(u for u, _ in units_seen)}）", "请换算成同一单位"
        )
        err.column = units_seen[-1][1]  # type: ignore[attr-defined]
        raise err
    if units_seen:
        value["unit"] = units_seen[0][0]
        parts.add("unit")
    if not value:
        return None, col, None
    value.setdefault("unit", "工作日")
    return value, col, parts


class FeeType(FieldType):
    name = "fee"
    words = "收费信息"
    documented = "收费（basis 收费依据，standard 收费标准）"  # for the 数据开放 page
    PARTS = (("basis", "收费依据"), ("standard", "收费标准"))

    def normalize(self, fdef, value, config, report):
        return _fee(value, fdef, report)

    NO_FEE = {"不收费", "免费", "无", "否", "无收费", "不涉及", "不收取"}

    def text(self, fdef, value, config=None):
        if not isinstance(value, dict):
            return "" if _blank(value) else str(value)
        return "；".join(f"{label}：{value[key]}" for key, label in self.PARTS if not _blank(value.get(key)))

    def read(self, fdef, row):
        """A 收费 cell (不收费, or the standard as published) and/or 收费依据/收费标准 columns."""
        name = fdef.name
        cells = row.cells(name)
        col = cells[0][1] if cells else row.column(name)
        value: dict[str, str] = {}
        parts: set[str] = set()
        for cell, c in cells:
            text = norm.published_text(cell)
            col = col or c
            if text in self.NO_FEE:
                value.update({"basis": "无", "standard": "不收费"})
                parts.update(("basis", "standard"))
            elif text not in ("是", "收费", "√"):
                value["standard"] = text
                parts.add("standard")
        for part in ("basis", "standard"):
            for cell, c in row.cells(f"{name}.{part}"):
                col = col or c
                value[part] = norm.published_text(cell)
                parts.add(part)
                break
        if not value:
            return None, col, None
        return value, col, parts if parts != {"basis", "standard"} else None


class ExtraType(FieldType):
    """Columns a department published that map to no field, under their own headers."""

    name = "extra"
    words = "其他信息"
    documented = "其他信息（原表头：内容）"  # for the 数据开放 page

    def normalize(self, fdef, value, config, report):
        return _extra(value, fdef, report)

    def text(self, fdef, value, config=None):
        if not isinstance(value, dict):
            return ""
        return "；".join(f"{k}：{v}" for k, v in value.items() if not _blank(v))


# The registry: a new field type is one class above and one entry here (schema.yml then names it).
FIELD_TYPES: dict[str, FieldType] = {t.name: t for t in (
    CodeType(), TextType(), LongTextType(), IntegerType(), BooleanType(), DateType(), EnumType(), ListType_(),
    BasisType(), TimeLimitType(), FeeType(), RefType(), UrlType(), ExtraType(),
)}


TYPE_NAMES = {name: t.words for name, t in FIELD_TYPES.items()}


def field_type(fdef: FieldDef | None, value: Any = None) -> FieldType:
    """The type of a field; for a value of no declared field, the type its shape suggests."""
    if fdef is not None:
        return FIELD_TYPES[fdef.type]
    if isinstance(value, dict) and {"statutory", "promised"} & set(value):
        return FIELD_TYPES["time_limit"]
    if isinstance(value, dict) and value and {"basis", "standard"} >= set(value):
        return FIELD_TYPES["fee"]
    if isinstance(value, list) and value and all(isinstance(v, dict) and "law" in v for v in value):
        return FIELD_TYPES["basis"]
    if isinstance(value, bool):
        return FIELD_TYPES["boolean"]
    if isinstance(value, (int, float)):
        return FIELD_TYPES["integer"]
    if isinstance(value, dict):
        return FIELD_TYPES["extra"]
    return FIELD_TYPES["text"]


def field_text(fdef: FieldDef | None, value: Any, config: SiteConfig | None = None) -> str:
    """A field value as read everywhere it is shown: site, review, history, feeds ('' when blank)."""
    return field_type(fdef, value).text(fdef, value, config)


def plain_text(value: Any) -> str:
    """Any field value as one line of text (tables, feeds): each part as its field type reads it."""
    if isinstance(value, list) and not (value and all(isinstance(v, dict) for v in value)):
        return "；".join(plain_text(v) for v in value)
    return field_text(None, value)


def field_html(fdef: FieldDef, value: Any, root: str, catalog: Catalog) -> Markup:
    """A field value on an item page, as its type shows it; 未公开 when blank."""
    if value is None or value == "" or value == []:
        return MISSING + "\n"
    if fdef.type != "basis" and fdef.name.endswith("phone"):
        return phone_links(value) + "\n"
    shown = FIELD_TYPES[fdef.type].html(fdef, value, Page(root, catalog))
    inline = fdef.type == "ref" or (fdef.type == "enum" and fdef.multi)  # pages have always had them so
    return shown if inline else shown + "\n"


def disclosure_html(key: str, value: Any) -> Markup:
    """One of the eight disclosures on an item page, as its type shows it; 未公开 when missing.
    A call from the template, not a macro: Jinja's macro calls were a tenth of an item page's time."""
    if value is None:
        return MISSING + "\n"
    if key == "basis":
        shown = basis_html(value)
    elif key == "procedure":
        shown = steps_html(value)
    elif key == "time_limit":
        shown = escape(FIELD_TYPES["time_limit"].text(None, value))
    else:
        shown = escape(plain_text(value))
    return shown + "\n"


# Telephone numbers as published: 0797-1234567, (0797)1234567, 13912345678, 12345, 12315.
PHONE = re.compile(r"(?<![\d-])(?:\(?0\d{2,3}\)?[-\s]?\d{7,8}(?:-\d{1,4})?|1[3-9]\d{9}|12\d{3})(?![\d])")


def tel_href(number: str) -> str:
    """A tel: address for a published number: digits only (and the + of a country code)."""
    return "tel:" + re.sub(r"[^\d+]", "", number)


def phone_links(value: Any) -> Markup:
    """Text with each telephone number a tap-to-call link (phones: one tap instead of copying)."""
    text = plain_text(value) if not isinstance(value, str) else value
    out, last = [], 0
    for match in PHONE.finditer(text):
        out += [escape(text[last:match.start()]),
                Markup('<a href="{}">{}</a>').format(tel_href(match.group(0)), match.group(0))]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def field_cell(fdef: FieldDef | None, value: Any) -> Any:
    """A field value as one spreadsheet cell (None when blank)."""
    return field_type(fdef, value).cell(fdef, value)


def normalize(fdef: FieldDef, value: Any, config: SiteConfig, report: Report) -> Any:
    """Return the normalised value of one field (None when it cannot be used)."""
    return FIELD_TYPES[fdef.type].normalize(fdef, value, config, report)


__all__ = ["normalize", "field_text", "field_cell", "FIELD_TYPES", "TYPE_NAMES", "SAFE_CODE", "LocatedMap"]
