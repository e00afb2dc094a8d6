"""The catalog → XLSX (one sheet per list), CSV (UTF-8 with BOM) and JSON downloads.

Columns carry the fields' Chinese labels, so an exported sheet imports back with no change.
Output is deterministic: the same lists give the same bytes (the XLSX's zip entries and document
dates are fixed to SOURCE_DATE_EPOCH, or to 1980-01-01 without it, as XlsxWriter writes them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.fieldtypes import field_cell
from generator.model import Catalog, Item
from generator.siteconfig import FieldDef, ListType, SiteConfig
from generator.tabular.mapping import Synonyms
from generator.tabular.normalize import protect_formula

SCHEMA_ID = "qingdan-export/1"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "defaults" / "export.schema.json"
PART_LABELS = {
    "time_limit": [("statutory", "法定时限"), ("promised", "承诺时限"), ("unit", "时限单位"), ("note", "时限说明")],
    "fee": [("basis", "收费依据"), ("standard", "收费标准")],
}
WIDTHS = {  # characters; A4 landscape holds about 150 at the default font
    "department": 12, "code": 15, "name": 24, "text": 16, "longtext": 40, "list": 30, "basis": 34,
    "enum": 10, "enum_multi": 14, "boolean": 8, "integer": 8, "date": 11, "ref": 15, "part": 9, "fee": 16,
    "url": 30, "extra": 16,
}
A4_LANDSCAPE_CHARS = 150
EXCEL_CELL_LIMIT = 32_767  # characters Excel (and XlsxWriter) keep in one cell
# What closes a longer text in a workbook cell; import knows it and refuses such a cell.
CUT_NOTE = "……【以上是前 {kept} 字；全文共 {total} 字，超出 Excel 单元格上限 32767 字，完整文字见 JSON 或 CSV 下载】"
CUT_MARK = re.compile(r"……【以上是前 \d+ 字；全文共 (\d+) 字，超出 Excel 单元格上限 32767 字，完整文字见 JSON 或 CSV 下载】$")


def excel_text(text: str) -> str:
    """A text as one workbook cell: whole when it fits, else its beginning and a note that says where
    the rest is (XlsxWriter would cut it at 32,767 characters without a word)."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    room = EXCEL_CELL_LIMIT - len(CUT_NOTE.format(kept=EXCEL_CELL_LIMIT, total=len(text)))
    return text[:room] + CUT_NOTE.format(kept=room, total=len(text))


@dataclass(frozen=True)
class Overlong:
    """A cell too long for Excel: where it is, so the person exporting is told."""

    list_id: str
    code: str
    column: str
    length: int

    def message(self, config: SiteConfig) -> str:
        list_type = config.list_type(self.list_id)
        title = list_type.title if list_type else self.list_id
        return (f"警告：{title}事项 {self.code} 的“{self.column}”有 {self.length} 字，超出 Excel 单元格上限 "
                f"{EXCEL_CELL_LIMIT} 字；Excel 文件中这一格只有前面部分并注明了全文共几字，完整文字在 JSON 和 CSV 中")


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # field path ("name", "fee.standard") or "department"
    kind: str  # a key of WIDTHS

    @property
    def field(self) -> str:
        return self.path.split(".")[0]


def columns_for(list_type: ListType) -> list[Column]:
    """Every column of a list type's sheet, in field order; compound fields get one column per part."""
    synonyms = Synonyms.for_list(list_type)
    cols = [Column("部门", "department", "department")]
    for fdef in list_type.fields:
        if fdef.type == "extra":
            continue  # one column per published header, added by table() from the items themselves
        if fdef.type in PART_LABELS:
            for part, label in PART_LABELS[fdef.type]:
                path = f"{fdef.name}.{part}"
                # The plain part label when it reads back as this field; otherwise 办理时限（法定时限）.
                header = label if synonyms.match(label) == path else f"{fdef.label}（{label}）"
                cols.append(Column(header, path, "fee" if fdef.type == "fee" else "part"))
            continue
        kind = fdef.type
        if fdef.name == "name":
            kind = "name"
        elif fdef.type == "enum" and fdef.multi:
            kind = "enum_multi"
        cols.append(Column(fdef.label, fdef.name, kind))
    return cols


def cell_value(fdef: FieldDef | None, value: Any) -> Any:
    """A normalised field value as one spreadsheet cell (the inverse of what import reads)."""
    return field_cell(fdef, value)


def _value(item: Item, column: Column, config: SiteConfig) -> Any:
    if column.path == "department":
        dept = config.department(item.department)
        return (dept.short_name if dept else item.department) or None  # a 通用目录 has no department
    list_type = config.list_type(item.list_id)
    fdef = list_type.field(column.field) if list_type else None
    value = item.data.get(column.field)
    if column.kind == "extra":
        return (value or {}).get(column.header) or None
    if "." in column.path:
        value = value.get(column.path.split(".", 1)[1]) if isinstance(value, dict) else None
        return cell_value(None, value)
    return cell_value(fdef, value)


def _text_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_size(v) for v in value.values())
    if isinstance(value, list):
        return sum(_text_size(v) for v in value)
    return 0


def overlong_cells(catalog: Catalog, item: Item) -> list[tuple[str, str, int]]:
    """(field name, column header, characters) of the item's cells too long for one Excel cell."""
    if _text_size(item.data) <= EXCEL_CELL_LIMIT // 2:  # the cheap look: joined parts add little
        return []
    list_type = catalog.config.list_type(item.list_id)
    if list_type is None:
        return []
    out = []
    for column in columns_for(list_type):
        value = _value(item, column, catalog.config)
        if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
            out.append((column.field, column.header, len(value)))
    return out


def _items(catalog: Catalog, list_id: str, department: str | None) -> list[Item]:
    return [i for i in catalog.items(list_id) if department is None or i.department == department]


def _used_columns(columns: list[Column], rows: list[list[Any]], list_type: ListType) -> list[int]:
    """Columns that say something: empty optional columns only make the sheet too wide for A4 (the
    部门 column too, in a province's 通用目录, which has none)."""
    keep = []
    for index, column in enumerate(columns):
        fdef = list_type.field(column.field)
        required = column.path in ("code", "name") or (fdef is not None and fdef.required)
        if required or any(row[index] is not None for row in rows):
            keep.append(index)
    return keep


def _extra_headers(items: list[Item], headers: set[str]) -> list[str]:
    """Published columns beyond the list type's fields, in the order the items first use them."""
    return list(dict.fromkeys(h for item in items for h in (item.data.get("extra") or {}) if h not in headers))


class Tables:
    """The rows of each list, worked out once and shared by every file made from them.

    The site's downloads put each item in its list's workbook, its list's CSV and its department's
    workbook; reading every cell three times was a third of the downloads step.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._lists: dict[str, tuple[list[Item], list[Column], list[list[Any]]]] = {}

    def _whole(self, list_id: str) -> tuple[list[Item], list[Column], list[list[Any]]]:
        if list_id not in self._lists:
            config = self.catalog.config
            list_type = config.list_type(list_id)
            assert list_type is not None
            items = _items(self.catalog, list_id, None)
            columns = columns_for(list_type)
            extras = _extra_headers(items, {c.header for c in columns})
            columns += [Column(header, "extra", "extra") for header in extras]  # kept as published
            rows = [[_value(item, c, config) for c in columns] for item in items]
            self._lists[list_id] = (items, columns, rows)
        return self._lists[list_id]

    def table(self, list_id: str, department: str | None = None, all_columns: bool = False
              ) -> tuple[list[Column], list[list[Any]]]:
        """The columns and rows of one list (one department's items when given)."""
        items, columns, rows = self._whole(list_id)
        if department is not None:
            picked = [k for k, item in enumerate(items) if item.department == department]
            fields = [i for i, c in enumerate(columns) if c.kind != "extra"]
            position = {c.header: i for i, c in enumerate(columns) if c.kind == "extra"}
            wanted = fields + [position[h] for h in _extra_headers([items[k] for k in picked], set())
                               if h in position]
            columns = [columns[i] for i in wanted]
            rows = [[rows[k][i] for i in wanted] for k in picked]
        if not all_columns:
            list_type = self.catalog.config.list_type(list_id)
            keep = _used_columns(columns, rows, list_type)
            columns = [columns[i] for i in keep]
            rows = [[row[i] for i in keep] for row in rows]
        return columns, rows


def table(catalog: Catalog, list_id: str, department: str | None = None, all_columns: bool = False
          ) -> tuple[list[Column], list[list[Any]]]:
    """The columns and rows of one list."""
    return Tables(catalog).table(list_id, department, all_columns)


def _source_date() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(1980, 1, 1)


def zip_bytes(name: str, data: bytes) -> bytes:
    """One file in a ZIP archive, the same bytes for the same data (its date is SOURCE_DATE_EPOCH's,
    else 1980-01-01, as in the workbooks). The site's JSON of everything is published this way: 15·10⁶
    bytes at 10,000 items became 0.7·10⁶, and a one-item adjustment republishes it whole."""
    info = zipfile.ZipInfo(name, date_time=_source_date().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def sheet_title(title: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "清单"
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name


def xlsx_bytes(catalog: Catalog, list_ids: list[str], department: str | None = None,
               all_columns: bool = False, tables: Tables | None = None,
               overlong: list[Overlong] | None = None) -> bytes:
    """One sheet per list: label headers, frozen header row, widths and wrapping for A4 landscape.

    Written with XlsxWriter: openpyxl re-serialises a style per cell and was ~20× slower here,
    which matters when the site build writes a workbook per list and per department.
    """
    import xlsxwriter

    tables = tables or Tables(catalog)
    config = catalog.config
    when = _source_date()
    raw = io.BytesIO()
    book = xlsxwriter.Workbook(raw, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    header_format = book.add_format({"bold": True, "bg_color": "#DDE5F0", "text_wrap": True, "valign": "vcenter",
                                     "align": "center", "border": 1, "border_color": "#999999"})
    cell_format = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "border_color": "#999999"})
    # codes stay text ("@") when a clerk edits and saves the sheet
    text_format = book.add_format({"text_wrap": True, "valign": "top", "border": 1, "border_color": "#999999",
                                   "num_format": "@"})
    used: set[str] = set()
    for list_id in list_ids:
        list_type = config.list_type(list_id)
        columns, rows = tables.table(list_id, department, all_columns)
        ws = book.add_worksheet(sheet_title(list_type.title, used))
        ws.write_row(0, 0, [c.header for c in columns], header_format)
        formats = [text_format if c.kind in ("code", "ref", "text", "name") else cell_format for c in columns]
        code_index = next((i for i, c in enumerate(columns) if c.path == "code"), None)
        for r, row in enumerate(rows, start=1):
            for i, value in enumerate(row):
                if value is None:
                    ws.write_blank(r, i, None, formats[i])
                elif isinstance(value, str):
                    if len(value) > EXCEL_CELL_LIMIT and overlong is not None:
                        code = row[code_index] if code_index is not None else f"第{r}行"
                        overlong.append(Overlong(list_id, str(code), columns[i].header, len(value)))
                    ws.write_string(r, i, excel_text(value), formats[i])
                else:
                    ws.write(r, i, value, formats[i])
        total = 0
        for i, column in enumerate(columns):
            width = WIDTHS.get(column.kind, 14)
            ws.set_column(i, i, width + 2)
            total += width + 2
        ws.freeze_panes(1, 0)
        if rows:
            ws.autofilter(0, 0, len(rows), len(columns) - 1)
        ws.repeat_rows(0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(max(1, math.ceil(total / A4_LANDSCAPE_CHARS)), 0)
        ws.set_footer(f"&C{list_type.title} 第 &P 页，共 &N 页")
    book.set_properties({
        "creator": config.portal.site_name,
        "title": "、".join(config.list_type(lid).title for lid in list_ids),
        "created": when,
    })
    book.close()
    if not os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return raw.getvalue()  # XlsxWriter already dates every entry 1980-01-01: no re-packing
    return _fixed_zip(raw.getvalue(), when)


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Re-pack an .xlsx with fixed entry dates and document dates: same input, same bytes."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()


def csv_bytes(catalog: Catalog, list_id: str, department: str | None = None, all_columns: bool = False,
              tables: Tables | None = None) -> bytes:
    """One list as CSV in UTF-8 with a BOM (so that Excel and WPS open it as UTF-8), CRLF line ends;
    a value that starts like a formula (=, +, -, @) is written so that spreadsheets show it as text."""
    columns, rows = (tables or Tables(catalog)).table(list_id, department, all_columns)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else protect_formula(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def field_values(list_type: ListType, data: dict[str, Any]) -> dict[str, Any]:
    """An item's values as open data (the JSON download, the static API): the normalised values of
    its declared fields, in field order, as the field types hold them (JSON already: a date is
    YYYY-MM-DD); a field left out was not published (未公开)."""
    return {f.name: data[f.name] for f in list_type.fields if f.name in data}


def json_data(catalog: Catalog, list_ids: list[str], department: str | None = None) -> dict:
    """The lists as plain data, as described in docs/data-schema.md and export.schema.json."""
    config = catalog.config
    portal = config.portal
    departments = sorted({i.department for lid in list_ids for i in _items(catalog, lid, department)},
                         key=lambda code: next((d.order for d in config.departments if d.code == code), 1 << 30))
    lists = []
    for list_id in list_ids:
        list_type = config.list_type(list_id)
        fields = [
            {k: v for k, v in {
                "name": f.name, "label": f.label, "type": f.type, "required": f.required,
                "enum": f.enum or None, "multi": f.multi or None, "ref": f.ref or None,
            }.items() if v is not None}
            for f in list_type.fields
        ]
        items = [{"code": item.code, "department": item.department, "fields": field_values(list_type, item.data)}
                 for item in _items(catalog, list_id, department)]
        lists.append({"id": list_id, "title": list_type.title, "item_label": list_type.item_label,
                      "fields": fields, "items": items})
    return {
        "schema": SCHEMA_ID,
        "site": {"name": portal.site_name, "region": portal.region, "region_code": portal.region_code,
                 "base_url": portal.base_url},
        "departments": [
            {"code": d.code, "name": d.name, "short_name": d.short_name}
            for d in config.departments if d.code in departments
        ],
        "lists": lists,
    }


def json_bytes(catalog: Catalog, list_ids: list[str], department: str | None = None, compact: bool = False) -> bytes:
    """Indented for people (qingdan export); compact for the site's downloads, where json's C encoder
    (used only without indent) made the files a third smaller and ten times faster to write."""
    data = json_data(catalog, list_ids, department)
    if compact:
        return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def download_names(config: SiteConfig, list_id: str | None = None, department: str | None = None,
                   formats: tuple[str, ...] = ("xlsx", "csv", "json")) -> dict[str, str]:
    """Format → file name of the downloads write_downloads makes, known before they are written
    (pages link them while the files are still being made)."""
    list_ids = [list_id] if list_id else [t.id for t in config.list_types]
    stem = "-".join(x for x in (list_id or "all", department) if x)
    names: dict[str, str] = {}
    if "xlsx" in formats:
        names["xlsx"] = f"{stem}.xlsx"
    if "json" in formats:
        names["json"] = f"{stem}.json"
    if "json_zip" in formats:
        names["json_zip"] = f"{stem}.json.zip"
    for lid in list_ids if "csv" in formats else []:
        key = "csv" if list_id else f"csv:{lid}"
        names[key] = f"{stem}.csv" if list_id else "-".join(x for x in (lid, department) if x) + ".csv"
    return names


def write_downloads(catalog: Catalog, out_dir: Path, list_id: str | None = None,
                    department: str | None = None,
                    formats: tuple[str, ...] = ("xlsx", "csv", "json"), tables: Tables | None = None) -> dict[str, str]:
    """Write the XLSX, CSV and JSON downloads (or only `formats`) of one list or all lists,
    optionally one department.

    Returns format → file name inside out_dir (see download_names): {"xlsx": "power-scjgj.xlsx",
    "csv": "power-scjgj.csv", "json": "power-scjgj.json"}; for all lists, one CSV per list under
    "csv:<list id>".
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = tables or Tables(catalog)
    written = {}
    for key, name in download_names(catalog.config, list_id, department, formats).items():
        if key == "xlsx":
            data = xlsx_bytes(catalog, [list_id] if list_id else [t.id for t in catalog.config.list_types],
                              department, tables=tables)
        elif key in ("json", "json_zip"):
            data = json_bytes(catalog, [list_id] if list_id else [t.id for t in catalog.config.list_types],
                              department, compact=True)
            if key == "json_zip":
                data = zip_bytes(name.removesuffix(".zip"), data)
        else:
            data = csv_bytes(catalog, list_id or key.split(":", 1)[1], department, tables=tables)
        path = out_dir / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written[key] = name
    return written
