"""Spreadsheet files → sheets of plain cell values, with merged ranges kept.

.xlsx is read with openpyxl, .xls with xlrd, .csv by hand (UTF-8, UTF-8 with BOM, UTF-16 as Excel's
"Unicode text", and GBK/GB18030 as saved by WPS and Notepad). The kind of file is told by its
first bytes, not its name: a WPS ".xls" is sometimes really an .xlsx, and the other way round.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.tabular.normalize import unprotect_formula

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
_ZERO_PADDED = re.compile(r'^"?(0+)"?$')  # a number format such as 000000000000 keeps leading zeros


class ReadError(Exception):
    """A file that cannot be read at all; the message and hint are for the person who made it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]  # cell values; a merged range holds its value in its top-left cell only
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive r1, c1, r2, c2
    numeric: set[tuple[int, int]] = field(default_factory=set)  # cells the file stores as numbers
    # Formula cells whose file holds no saved result (written by a program, never opened in Excel/WPS).
    unsaved_formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass
class Workbook:
    path: Path
    sheets: list[Sheet]
    kind: str  # xlsx, xls, csv
    encoding: str = ""  # what a CSV file was read as, in words for the user

    @property
    def display(self) -> str:
        return self.path.name


def read_workbook(path: Path) -> Workbook:
    """Read every visible sheet of a spreadsheet file, or raise ReadError."""
    try:
        head = path.read_bytes()[:8]
    except FileNotFoundError as exc:
        raise ReadError(f"找不到文件 {path}", "检查文件名和路径；文件名有空格时请加引号") from exc
    except OSError as exc:
        raise ReadError(f"无法读取文件 {path}：{exc.strerror}", "检查文件是否被其他程序占用、是否有读取权限") from exc
    suffix = path.suffix.lower()
    if suffix in (".et", ".ett", ".numbers", ".ods"):
        raise ReadError(
            f"不支持 {suffix} 格式的表格", "请在 WPS 或 Excel 中“另存为”.xlsx（Excel 工作簿）后再导入"
        )
    if head.startswith(ZIP_MAGIC):
        return _read_xlsx(path)
    if head.startswith(OLE2_MAGIC):
        return _read_xls(path)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise ReadError(
            f"{path.name} 不是有效的 Excel 文件（文件内容与扩展名不符，或文件已损坏）",
            "请用 WPS 或 Excel 打开后“另存为”.xlsx 再导入；网页导出的“Excel”常常其实是 HTML",
        )
    return _read_csv(path)


def _plain(value: Any) -> Any:
    """Spreadsheet values as plain Python: whole floats become ints, dates become ISO text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _zero_pad(value: Any, number_format: str) -> Any:
    """A number shown with a zero-padded format (000123) is read as the text the clerk sees."""
    match = _ZERO_PADDED.match(number_format or "")
    if match and isinstance(value, int) and value >= 0:
        return str(value).zfill(len(match.group(1)))
    return value


def _read_xlsx(path: Path) -> Workbook:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(
            f"无法打开 Excel 文件 {path.name}（{type(exc).__name__}）",
            "文件可能已损坏或被加密；请用 WPS 或 Excel 打开后“另存为”.xlsx 再导入",
        ) from exc
    sheets = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":  # WPS templates keep drop-down lists in hidden sheets
            continue
        rows: list[list[Any]] = []
        numeric: set[tuple[int, int]] = set()
        for r, row in enumerate(ws.iter_rows()):
            values = []
            for c, cell in enumerate(row):
                value = _plain(cell.value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    padded = _zero_pad(value, cell.number_format)
                    if padded is value:
                        numeric.add((r, c))
                    value = padded
                values.append(value)
            rows.append(values)
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        sheets.append(Sheet(ws.title, _trim(rows), sorted(merges), numeric))
    if _has_formulas(path):
        _find_unsaved_formulas(path, sheets)
    return Workbook(path, sheets, "xlsx")


def _has_formulas(path: Path) -> bool:
    """Does any worksheet of an .xlsx hold a formula (<f> element)? A cheap look before a second read."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(b"<f" in archive.read(name) for name in archive.namelist()
                       if name.startswith("xl/worksheets/") and name.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def _find_unsaved_formulas(path: Path, sheets: list[Sheet]) -> None:
    """Import reads the value Excel or WPS saved with a formula; note formulas saved without one."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False)
    by_title = {s.name: s for s in sheets}
    for ws in book.worksheets:
        sheet = by_title.get(ws.title)
        if sheet is None:
            continue
        for r, row in enumerate(ws.iter_rows()):
            for c, cell in enumerate(row):
                if isinstance(cell.value, str) and cell.value.startswith("=") and sheet.value(r, c) is None:
                    sheet.unsaved_formulas[(r, c)] = cell.value


def _read_xls(path: Path) -> Workbook:
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as exc:
        raise ReadError(
            f"无法打开 .xls 文件 {path.name}：{exc}",
            "请用 WPS 或 Excel 打开后“另存为”.xlsx 再导入",
        ) from exc
    sheets = []
    for ws in book.sheets():
        if ws.visibility:  # 1 hidden, 2 very hidden
            continue
        rows: list[list[Any]] = []
        numeric: set[tuple[int, int]] = set()
        for r in range(ws.nrows):
            values = []
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                value: Any = cell.value
                if cell.ctype == xlrd.XL_CELL_EMPTY or cell.ctype == xlrd.XL_CELL_BLANK:
                    value = None
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    value = _plain(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(cell.value)
                elif cell.ctype == xlrd.XL_CELL_NUMBER:
                    value = _plain(cell.value)
                    fmt = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                    padded = _zero_pad(value, fmt.format_str if fmt else "")
                    if padded is value:
                        numeric.add((r, c))
                    value = padded
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    value = None
                else:
                    value = _plain(value)
                values.append(value)
            rows.append(values)
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in ws.merged_cells]
        sheets.append(Sheet(ws.name, _trim(rows), sorted(merges), numeric))
    return Workbook(path, sheets, "xls")


ENCODINGS = [  # (codec, words for the user); tried in this order after the BOMs
    ("utf-8", "UTF-8"),
    ("gb18030", "GBK/GB18030"),
]


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding in words) for a CSV file's bytes; ReadError when it is none we know."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8（带 BOM）"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16（Excel“Unicode 文本”）"
    for codec, words in ENCODINGS:
        try:
            return data.decode(codec), words
        except UnicodeDecodeError:
            continue
    raise ReadError(
        "无法识别 CSV 文件的编码（既不是 UTF-8，也不是 GBK/GB18030）",
        "请用 WPS 或 Excel 打开后另存为“CSV UTF-8（逗号分隔）”或 .xlsx 再导入",
    )


def _read_csv(path: Path) -> Workbook:
    text, encoding = decode_csv(path.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ","  # Excel's "Unicode text" is tab-separated; some European setups use ";"
    if "," not in first:
        delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Our own export protects formula-like cells (normalize.protect_formula): read them back as published.
    rows = [[_plain(unprotect_formula(v)) if v.strip() else None for v in row] for row in reader]
    return Workbook(path, [Sheet(path.stem, _trim(rows))], "csv", encoding)


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty cells and rows (formatting alone often stretches a sheet to row 1000)."""
    out = [list(r) for r in rows]
    for row in out:
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out
