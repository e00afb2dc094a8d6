"""One data row → one item's field values, normalised the way `qingdan check` normalises YAML.

Each field's type reads its cells into the value YAML would hold (generator/fieldtypes.py, with the
clerks' spellings of normalize.py), then checks it with the same checker the YAML loader uses;
anything wrong is reported at its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.config import FieldDef, ListType, SiteConfig
from generator.fieldtypes import FIELD_TYPES, normalize
from generator.model import Catalog, is_blank
from generator.tabular import normalize as norm
from generator.tabular.mapping import Header, header_note
from generator.tabular.read import Sheet
from generator.tabular.report import Messages, Where
from generator.tabular.rows import NOTE_ROW, RowRecord

NOT_A_PARENT = {"未分类", "无", "/", "-", "—", "其他", "其它"}  # 主项 cells that group nothing


@dataclass
class Converted:
    record: RowRecord
    where: Where  # the row
    data: dict[str, Any] = field(default_factory=dict)  # field → normalised value (only what the sheet says)
    parts: dict[str, set[str]] = field(default_factory=dict)  # compound field given only in parts → parts
    columns: dict[str, int] = field(default_factory=dict)  # field → 1-based column
    ok: bool = True  # False when a cell of this row could not be read
    soft: set[str] = field(default_factory=set)  # guessed (type from the sheet name): never overwrites

    def at(self, field_name: str | None) -> Where:
        col = self.columns.get(field_name or "")
        row, col = self.record.place(col)
        return Where(self.where.file, self.where.sheet, row, col)


class RowConverter:
    def __init__(
        self, config: SiteConfig, list_type: ListType, catalog: Catalog | None, file: str, sheet: Sheet,
        header: Header, sheet_label: str, messages: Messages,
    ) -> None:
        self.config = config
        self.list_type = list_type
        self.catalog = catalog
        self.file = file
        self.sheet = sheet
        self.sheet_label = sheet_label  # "" for CSV
        self.messages = messages
        self.department_is_extra = False  # --department given: a 部门 column is published content…
        self.own_department_names: set[str] = set()  # …unless it names that department (the site's own download)
        self.title = " ".join(  # the title and section lines above the header
            str(v) for row in sheet.rows[: header.first_row] for v in row if v is not None)
        self.headers = {t.path: t.header for t in header.columns.values()}  # path → header as published
        self.department_header = self.headers.get("department", "部门")
        self.units = config.enum_values("time_unit")
        self.header_units = {}
        self.loose: dict[int, list[tuple[int, str]]] = {}
        for target in header.columns.values():
            unit = _unit_word(header_note(target.header), self.units)
            if unit:
                self.header_units[target.path] = unit

    # -- locating -------------------------------------------------------------------------------

    def _where(self, record: RowRecord, col: int | None) -> Where:
        row, col = record.place(col)
        return Where(self.file, self.sheet_label, row, col)

    def _error(self, out: Converted, col: int | None, message: str, hint: str = "", code: str = "") -> None:
        self.messages.error(message, self._where(out.record, col), hint=hint, list=self.list_type.id,
                            code=code or str(out.data.get("code", "")), rule="import-value")
        out.ok = False

    def _loose(self, record: RowRecord, col: int, text: str) -> None:
        """"20日" read as calendar days: one warning per column, not one per cell."""
        row, col = record.place(col)
        self.loose.setdefault(col, []).append((row, text))

    def finish(self) -> None:
        """Report what was collected per column while converting the rows."""
        for col, hits in sorted(self.loose.items()):
            if len(hits) == 1:
                row, text = hits[0]
                self.messages.warning(text, Where(self.file, self.sheet_label, row, col), list=self.list_type.id,
                                      rule="import-loose-unit")
                continue
            numbers = list(dict.fromkeys(r for r, _ in hits))
            rows = "、".join(str(r) for r in numbers[:8]) + ("…" if len(numbers) > 8 else "")
            self.messages.warning(
                f"这一列有 {len(hits)} 个时限只写了“日/天”（第{rows}行），已按自然日导入；如果是工作日，请写“个工作日”",
                Where(self.file, self.sheet_label, hits[0][0], col), list=self.list_type.id, rule="import-loose-unit",
                hint="也可以在表头注明单位，例如“法定时限（工作日）”",
            )
        self.loose.clear()

    # -- one row ---------------------------------------------------------------------------------

    def convert(self, record: RowRecord) -> Converted:
        out = Converted(record, self._where(record, None))
        code_field = self.list_type.field("code")
        if code_field is not None:  # the code first, so that later messages can name the item
            self._convert_field(code_field, record, out)
        for fdef in self.list_type.fields:
            if fdef.name != "code":
                self._convert_field(fdef, record, out)
        self._hierarchy(record, out)
        self._extras(record, out)
        self._type_from_heading(record, out)
        return out

    def _hierarchy(self, record: RowRecord, out: Converted) -> None:
        """主项/子项: a filled 子项 is the item under its 主项 (the 主项名称 column, else the name column
        beside it); an empty one leaves the 主项 as the item."""
        sub = record.first("sub_name")
        main = out.data.get("parent_name")
        if sub is not None:
            if main is None and out.data.get("name"):  # 职权名称 | 子项名称: the name column holds the 主项
                out.data["parent_name"] = out.data["name"]
                out.columns["parent_name"] = out.columns.get("name")
            out.data["name"] = norm.published_text(sub[0])
            out.columns["name"] = sub[1]
        elif main is not None and "name" not in out.data:
            out.data["name"] = out.data.pop("parent_name")
            out.columns["name"] = out.columns.pop("parent_name", None)
        if out.data.get("parent_name") in NOT_A_PARENT:  # 未分类 groups nothing: kept as published, not a 主项
            out.data.setdefault("extra", {})[self.headers.get("parent_name", "主项名称")] = out.data.pop("parent_name")

    def _extras(self, record: RowRecord, out: Converted) -> None:
        """Columns no field maps to are published content too: kept under their header."""
        extra: dict[str, str] = out.data.get("extra", {})
        if record.group and not NOTE_ROW.match(record.group):  # the group row above (一、公安部门): published too
            extra["分组"] = record.group
        for header, value, col in record.extras:
            text = norm.published_text(value)
            if text:
                extra[header] = text
                out.columns.setdefault("extra", col)
        if self.department_is_extra:
            hit = record.first("department")
            text = norm.published_text(hit[0]) if hit is not None else ""
            if text and norm.clean_text(hit[0]) not in self.own_department_names:
                extra[self.department_header] = text
                out.columns.setdefault("extra", hit[1])
        if extra:
            out.data["extra"] = extra

    def _convert_field(self, fdef: FieldDef, record: RowRecord, out: Converted) -> None:
        try:
            raw, col, parts = self._raw_value(fdef, record, out)
        except norm.CellError as exc:
            self._error(out, getattr(exc, "column", None) or record.column(fdef.name), exc.message, exc.hint)
            return
        if raw is None or is_blank(raw):
            return
        out.columns[fdef.name] = col

        def report(
            message: str, hint: str = "", container: Any = None, key: Any = None, warning: bool = False
        ) -> None:
            if warning:
                self.messages.warning(message, self._where(out.record, col), hint=hint, list=self.list_type.id,
                                      code=str(out.data.get("code", "")), rule="import-value")
            else:
                self._error(out, col, message, hint)

        value = normalize(fdef, raw, self.config, report)
        if value is None or is_blank(value):
            return
        if fdef.type == "time_limit":
            value = {k: v for k, v in value.items() if v is not None}
        out.data[fdef.name] = value
        if parts is not None:
            out.parts[fdef.name] = parts

    def _raw_value(self, fdef: FieldDef, record: RowRecord, out: Converted) -> tuple[Any, int | None, set | None]:
        """(value shaped as YAML would hold it, column, parts given) for one field: its type reads it."""
        return FIELD_TYPES[fdef.type].read(fdef, _RowCells(self, record))

    def ref_value(self, fdef: FieldDef, text: str, record: RowRecord, col: int | None) -> str:
        """A reference written as the item's name instead of its code is looked up by name."""
        if self.catalog is None or self.catalog.get(fdef.ref, text) is not None:
            return text
        matches = [i for i in self.catalog.items(fdef.ref) if i.name == norm.clean_text(text)]
        if len(matches) == 1:
            self.messages.info(
                f"“{text}”按名称对应到{self.config.list_type(fdef.ref).title}事项 {matches[0].code}",
                self._where(record, col), list=self.list_type.id, rule="import-ref-by-name",
            )
            return matches[0].code
        return text

    def _type_from_heading(self, record: RowRecord, out: Converted) -> None:
        """What a heading says for every row under it: the type (工作表“行政许可”, a heading row
        一、行政许可), or a required value such as 保留 in a title 保留证明事项清单."""
        wanted = [f for f in self.list_type.fields if f.type == "enum" and not f.multi
                  and (f.name == self.list_type.type_field or f.required)]
        for fdef in wanted:
            if fdef.name in out.data or record.cells.get(fdef.name):
                continue
            for source in (record.group, self.sheet.name, self.title):
                found = [v for v in self.config.enum_values(fdef.enum) if v in source]
                if len(found) == 1:
                    out.data[fdef.name] = found[0]
                    out.soft.add(fdef.name)
                    break


class _RowCells:
    """One row as field types read it (fieldtypes.Cells): its cells, the sheet's units and formats,
    and where warnings about it go."""

    def __init__(self, converter: RowConverter, record: RowRecord) -> None:
        self.converter, self.record = converter, record
        self.config = converter.config

    def cells(self, path: str) -> list[tuple[Any, int]]:
        return [(v, c) for v, c in self.record.cells.get(path, []) if not is_blank(v)]

    def column(self, path: str) -> int | None:
        return self.record.column(path)

    def header_unit(self, path: str) -> str:
        return self.converter.header_units.get(path, "")

    def loose(self, col: int, text: str) -> None:
        self.converter._loose(self.record, col, text)

    def numeric(self, col: int) -> bool:
        row, real_col = self.record.place(col)
        return (row - 1, (real_col or 1) - 1) in self.converter.sheet.numeric

    def warn(self, message: str, col: int, hint: str, rule: str) -> None:
        c = self.converter
        c.messages.warning(message, c._where(self.record, col), list=c.list_type.id, rule=rule, hint=hint)

    def ref(self, fdef: FieldDef, text: str, col: int | None) -> str:
        return self.converter.ref_value(fdef, text, self.record, col)


def _unit_word(note: str, units: list[str]) -> str:
    for word, unit in norm.UNIT_WORDS:
        if note == word or note == word.lstrip("个"):
            return unit if unit in units else ""
    return ""
