"""One data row → one item's field values, normalised the way `qingdan check` normalises YAML.

Clerks' spellings are turned into YAML values first (normalize.py), then every field goes through
generator.fieldtypes, the same checker the YAML loader uses; anything wrong is reported at its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.config import FieldDef, ListType, SiteConfig
from generator.fieldtypes import normalize
from generator.model import Catalog, is_blank
from generator.tabular import normalize as norm
from generator.tabular.mapping import Header, header_note
from generator.tabular.read import Sheet
from generator.tabular.report import Messages, Where
from generator.tabular.rows import NOTE_ROW, RowRecord

NO_FEE = {"不收费", "免费", "无", "否", "无收费", "不涉及", "不收取"}
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

    def _cells(self, record: RowRecord, path: str) -> list[tuple[Any, int]]:
        return [(v, c) for v, c in record.cells.get(path, []) if not is_blank(v)]

    def _raw_value(self, fdef: FieldDef, record: RowRecord, out: Converted) -> tuple[Any, int | None, set | None]:
        """(value shaped as YAML would hold it, column, parts given) for one field."""
        name = fdef.name
        cells = self._cells(record, name)
        col = cells[0][1] if cells else record.column(name)
        if fdef.type == "basis":
            return self._basis(record, cells, name, col)
        if fdef.type == "time_limit":
            return self._time_limit(record, cells, name, col, out)
        if fdef.type == "fee":
            return self._fee(record, cells, name, col)
        if not cells:
            return None, col, None
        if fdef.type == "list" or (fdef.type in ("enum", "ref") and fdef.multi):
            split = norm.published_lines if fdef.type == "list" else norm.split_values
            values = [v for cell, _ in cells for v in split(cell)]
            if fdef.type == "enum":
                values = [self._enum_value(fdef, v) for v in values]
            if fdef.type == "ref":
                values = [self._ref_value(fdef, v, record, col) for v in values]
            return values, col, None
        value, col = cells[0]
        if fdef.type == "code":
            row, real_col = record.place(col)
            if (row - 1, (real_col or 1) - 1) in self.sheet.numeric:
                self.messages.warning(
                    f"编码 {value} 在表格中是数字格式，开头的 0 可能已经丢失",
                    self._where(record, col), list=self.list_type.id, rule="import-numeric-code",
                    hint="在 WPS/Excel 中把编码列设为“文本”格式后重新填写，或核对编码位数",
                )
            return norm.clean_code(value), col, None
        if fdef.type == "ref":
            return self._ref_value(fdef, norm.clean_code(value), record, col), col, None
        if fdef.type == "boolean":
            return _cell(norm.parse_bool, value, col), col, None
        if fdef.type == "integer":
            return _cell(norm.parse_int, value, col), col, None
        if fdef.type == "enum":
            return self._enum_value(fdef, norm.clean_text(value)), col, None
        return norm.published_text(value), col, None

    def _enum_value(self, fdef: FieldDef, text: str) -> str:
        allowed = self.config.enum_values(fdef.enum)
        if self.config.enum_standard(fdef.enum, text) is None and f"行政{text}" in allowed:
            return f"行政{text}"  # 许可 → 行政许可
        return text

    def _ref_value(self, fdef: FieldDef, text: str, record: RowRecord, col: int | None) -> str:
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

    def _basis(self, record, cells, name, col):
        laws = self._cells(record, f"{name}.law")
        if cells and not laws:  # the published text is the record; its structure is derived when shown
            text = "\n".join(norm.published_text(value) for value, _ in cells)
            return text, col, None
        entries = [e for value, _ in cells for e in norm.split_bases(value)]
        articles = self._cells(record, f"{name}.article")
        notes = self._cells(record, f"{name}.note")
        if laws:
            law_col = laws[0][1]
            col = col or law_col
            part_entries = [e for value, _ in laws for e in norm.split_bases(value)]
            for extra, key in ((articles, "article"), (notes, "note")):
                if not extra:
                    continue
                lines = [line for value, _ in extra for line in norm.split_list(value)]
                if len(lines) != len(part_entries):
                    err = norm.CellError(
                        f"{'条款' if key == 'article' else '说明'}有 {len(lines)} 行，而法律法规有 {len(part_entries)} 部，无法一一对应",
                        "每部法律法规单独一行，对应的条款也单独一行，行数相同",
                    )
                    err.column = extra[0][1]  # type: ignore[attr-defined]
                    raise err
                for entry, line in zip(part_entries, lines, strict=True):
                    if line not in ("无", "/", "—") and (key != "article" or not entry.get("article")):
                        entry[key] = line
            entries.extend(part_entries)
        elif articles:
            err = norm.CellError("有条款但没有对应的法律法规名称", "在同一行的“法律法规名称”列写明法律法规")
            err.column = articles[0][1]  # type: ignore[attr-defined]
            raise err
        return (entries or None), col, None

    def _time_limit(self, record, cells, name, col, out):
        value: dict[str, Any] = {}
        parts: set[str] = set()
        header_unit = self.header_units.get(name, "")
        for cell, c in cells:
            try:
                parsed, warnings = norm.parse_time_limit(cell, self.units, header_unit)
            except norm.CellError as exc:
                exc.column = c  # type: ignore[attr-defined]
                raise
            for w in warnings:
                self._loose(record, c, w)
            value.update(parsed)
            # Only what the cell says replaces what the file has: "5个工作日" keeps a statutory limit.
            said = set(parsed) - {"unit"}
            if header_unit or any(word in norm.clean_text(cell) for word, _ in norm.UNIT_WORDS):
                said.add("unit")
            return value, c, said
        units_seen = []
        for part in ("statutory", "promised"):
            for cell, c in self._cells(record, f"{name}.{part}"):
                col = col or c
                try:
                    amount, unit, loose = norm.parse_duration(cell, self.units)
                except norm.CellError as exc:
                    exc.column = c  # type: ignore[attr-defined]
                    raise
                header_part_unit = self.header_units.get(f"{name}.{part}", "")
                if header_part_unit and (loose or not unit):  # the header says （工作日）; the cell "20日"
                    unit = header_part_unit
                if loose and not self.header_units.get(f"{name}.{part}"):
                    self._loose(record, c, norm._loose_warning(norm.clean_text(cell)))
                if amount is not None:
                    value[part] = amount
                    parts.add(part)
                if unit:
                    units_seen.append((unit, c))
        for cell, c in self._cells(record, f"{name}.unit"):
            col = col or c
            units_seen.append((norm.clean_text(cell), c))
        for cell, c in self._cells(record, f"{name}.note"):
            col = col or c
            value["note"] = norm.clean_text(cell)
            parts.add("note")
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

    def _fee(self, record, cells, name, col):
        value: dict[str, str] = {}
        parts: set[str] = set()
        for cell, c in cells:
            text = norm.published_text(cell)
            col = col or c
            if text in NO_FEE:
                value.update({"basis": "无", "standard": "不收费"})
                parts.update(("basis", "standard"))
            elif text not in ("是", "收费", "√"):
                value["standard"] = text
                parts.add("standard")
        for part in ("basis", "standard"):
            for cell, c in self._cells(record, f"{name}.{part}"):
                col = col or c
                value[part] = norm.published_text(cell)
                parts.add(part)
                break
        if not value:
            return None, col, None
        return value, col, parts if parts != {"basis", "standard"} else None

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


def _cell(func, value, col):
    try:
        return func(value)
    except norm.CellError as exc:
        exc.column = col  # type: ignore[attr-defined]
        raise


def _unit_word(note: str, units: list[str]) -> str:
    for word, unit in norm.UNIT_WORDS:
        if note == word or note == word.lstrip("个"):
            return unit if unit in units else ""
    return ""
