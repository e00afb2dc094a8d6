"""Check and normalise one field value by its declared type.

Each checker takes the raw (located) YAML value and returns the normalised value; what is wrong
goes to `report(message, hint, container, key)` so that the message points at the exact line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from generator.config import FieldDef, SiteConfig, did_you_mean
from generator.yamlsource import LocatedList, LocatedMap, scalar_text

Report = Callable[..., None]  # report(message, hint="", container=None, key=None, warning=False)

# Published codes run to 50+ characters (实施编码); 128 leaves room and still makes a sane address.
SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
PLACEHOLDER_CODES = {"待定", "无", "暂无", "/", "-", "—", "——", "未编码", "空"}
TYPE_NAMES = {
    "code": "编码", "text": "文字", "longtext": "文字", "integer": "整数", "boolean": "是/否", "date": "日期",
    "enum": "规定取值之一", "list": "列表", "basis": "依据列表", "time_limit": "时限", "fee": "收费信息",
    "ref": "事项编码", "url": "网址", "extra": "其他信息",
}
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
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    report(f"字段“{fdef.label}”应当是日期，而不是“{value}”", "按 2024-01-31 的格式书写")
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


def normalize(fdef: FieldDef, value: Any, config: SiteConfig, report: Report) -> Any:
    """Return the normalised value of one field (None when it cannot be used)."""
    kind = fdef.type
    if kind == "code":
        return _code(value, fdef, report)
    if kind in ("text", "longtext"):
        return _text(value, fdef, report)
    if kind == "integer":
        return _integer(value, fdef, report)
    if kind == "boolean":
        return _boolean(value, fdef, report)
    if kind == "date":
        return _date(value, fdef, report)
    if kind == "enum":
        return _enum(value, fdef, config, report)
    if kind == "list":
        return _list(value, fdef, report)
    if kind == "basis":
        return _basis(value, fdef, report)
    if kind == "time_limit":
        return _time_limit(value, fdef, config, report)
    if kind == "fee":
        return _fee(value, fdef, report)
    if kind == "url":
        return _url(value, fdef, report)
    if kind == "extra":
        return _extra(value, fdef, report)
    if kind == "ref":
        if fdef.multi:
            return _list(value, fdef, report)
        return _text(value, fdef, report)
    raise AssertionError(f"unhandled field type {kind}")  # config validation rejects unknown types


__all__ = ["normalize", "TYPE_NAMES", "SAFE_CODE", "LocatedMap"]
