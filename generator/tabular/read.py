"""Spreadsheet files → sheets of plain cell values, with merged ranges kept.

.xlsx is read with openpyxl, .xls with xlrd, .csv by hand (UTF-8, UTF-8 with BOM, UTF-16 as Excel's
"Unicode text", and GBK/GB18030 as saved by WPS and Notepad). The kind of file is told by its
first bytes, not its name: a WPS ".xls" is sometimes really an .xlsx, and the other way round.
Text is decoded strictly: a file that mixes encodings or holds U+FFFD is refused, never guessed.
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

from generator.progress import Progress
from generator.tabular.normalize import unprotect_formula
from generator.yamlsource import CONTROL_CHARACTER

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other old Office files)
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
_ZERO_PADDED = re.compile(r'^"?(0+)"?$')  # a number format such as 000000000000 keeps leading zeros
# Word's manual line break (U+000B, pasted into Excel), CR and the Unicode line/paragraph separators:
# line breaks are layout, so each is read as "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\u2028\u2029]")
# .xlsx stores those characters as _x000B_, _x000D_, _x000A_, which openpyxl's read-only mode returns
# as they are; _x005F_ before one escapes its underscore (the text really said "_x000B_"). Each is
# read as its character so that _plain makes one "\n" of a CR LF pair.
_XLSX_LINE_BREAK = re.compile(r"(?<!_x005F)_x000[ABDabd]_")


class ReadError(Exception):
    """A file that cannot be read at all; the message and hint are for the person who made it."""

    def __init__(self, message: str, hint: str = "", sheet: str = "", row: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.sheet, self.row, self.column = sheet, row, column  # where, when one place is to blame


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]  # cell values; a merged range holds its value in its top-left cell only
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive r1, c1, r2, c2
    numeric: set[tuple[int, int]] = field(default_factory=set)  # cells the file stores as numbers
    # Formula cells whose file holds no saved result (written by a program, never opened in Excel/WPS).
    unsaved_formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    stopped_at: int | None = None  # 1-based row after which reading stopped: a long run of empty rows

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


def read_workbook(path: Path, progress: Progress | None = None) -> Workbook:
    """Read every visible sheet of a spreadsheet file, or raise ReadError."""
    try:
        if path.exists() and not path.is_file():  # a folder, /dev/zero, a pipe: reading would never end
            raise ReadError(f"{path} 不是普通文件，无法作为表格导入", "请给出 .xlsx、.xls 或 .csv 文件的路径")
        with path.open("rb") as f:
            head = f.read(8)
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
        return _no_control(_no_replacement(_read_xlsx(path, progress)))
    if head.startswith(OLE2_MAGIC):
        return _no_control(_no_replacement(_read_xls(path, progress)))
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise ReadError(
            f"{path.name} 不是有效的 Excel 文件（文件内容与扩展名不符，或文件已损坏）",
            "请用 WPS 或 Excel 打开后“另存为”.xlsx 再导入；网页导出的“Excel”常常其实是 HTML",
        )
    return _no_control(_read_csv(path, progress))


def _no_control(book: Workbook) -> Workbook:
    """Any other control character (NUL, U+0001...) is invisible on a page and refused by `check`:
    importing it would write a YAML file the clerk could not make pass."""
    for sheet in book.sheets:
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                found = CONTROL_CHARACTER.search(value) if isinstance(value, str) else None
                if found:
                    raise ReadError(
                        f"单元格中有不可见的控制字符（U+{ord(found.group()):04X}），已拒绝导入",
                        "请在 WPS 或 Excel 中删除这个字符（可以把单元格的文字粘贴到记事本再贴回来），"
                        "保存后重新导入",
                        sheet=sheet.name if book.kind != "csv" else "", row=r, column=c,
                    )
    return book


def _no_replacement(book: Workbook) -> Workbook:
    """A workbook cell holding U+FFFD lost its text in an earlier conversion: importing it would
    publish the loss as the department's text."""
    for sheet in book.sheets:
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str) and REPLACEMENT in value:
                    raise ReadError(
                        f"单元格中有替换字符“{REPLACEMENT}”（U+FFFD）："
                        "这里原来的文字在之前的某次编码转换中已经丢失，已拒绝导入",
                        "请对照部门公布的原件把这个单元格改回原来的文字，或找到没有乱码的原始表格再导入",
                        sheet=sheet.name, row=r, column=c,
                    )
    return book


def _plain(value: Any) -> Any:
    """Spreadsheet values as plain Python: whole floats become ints, dates become ISO text."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _LINE_BREAKS.sub("\n", value)
    return value


def _zero_pad(value: Any, number_format: str) -> Any:
    """A number shown with a zero-padded format (000123) is read as the text the clerk sees."""
    match = _ZERO_PADDED.match(number_format or "")
    if match and isinstance(value, int) and value >= 0:
        return str(value).zfill(len(match.group(1)))
    return value


EMPTY_RUN_LIMIT = 1000  # empty rows in a row after which a sheet is taken to have ended
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"')


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _RowReader:
    """Counts rows as a sheet is read: stops after EMPTY_RUN_LIMIT empty rows in a row (formatting alone
    stretches some sheets to a million rows: 200,000 of them took 80 s and 2.45 GB), and reports progress."""

    def __init__(self, where: str, progress: Progress | None) -> None:
        self.where, self.progress = where, progress
        self.empty_run = 0
        self.stopped_at: int | None = None  # 1-based row where reading stopped

    def keep_going(self, number: int, values: list[Any]) -> bool:
        """After row `number` (0-based) was read: go on?"""
        if self.progress is not None and number % 2000 == 0:
            self.progress.step(f"正在读取 {self.where}：第 {number} 行")
        self.empty_run = self.empty_run + 1 if all(_blank(v) for v in values) else 0
        if self.empty_run >= EMPTY_RUN_LIMIT:
            self.stopped_at = number + 1
            return False
        return True


def _read_xlsx(path: Path, progress: Progress | None = None) -> Workbook:
    """Streamed (openpyxl's read-only mode): a full load builds an object for every formatted cell."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(
            f"无法打开 Excel 文件 {path.name}（{type(exc).__name__}）",
            "文件可能已损坏或被加密；请用 WPS 或 Excel 打开后“另存为”.xlsx 再导入",
        ) from exc
    sheets = []
    try:
        for ws in book.worksheets:
            if ws.sheet_state != "visible":  # WPS templates keep drop-down lists in hidden sheets
                continue
            ws.reset_dimensions()  # the size some writers declare is wrong; read the rows there are
            rows: list[list[Any]] = []
            numeric: set[tuple[int, int]] = set()
            counter = _RowReader(f"{path.name} 工作表「{ws.title}」", progress)
            for r, row in enumerate(ws.iter_rows()):
                values = []
                for c, cell in enumerate(row):
                    value = cell.value
                    if isinstance(value, str):
                        value = _XLSX_LINE_BREAK.sub(lambda m: chr(int(m.group()[2:6], 16)), value)
                    value = _plain(value)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        padded = _zero_pad(value, cell.number_format)
                        if padded is value:
                            numeric.add((r, c))
                        value = padded
                    values.append(value)
                rows.append(values)
                if not counter.keep_going(r, values):
                    break
            merges = [m for m in _xlsx_merges(book, ws) if m[0] < len(rows)]
            sheets.append(Sheet(ws.title, _trim(rows), sorted(merges), numeric, stopped_at=counter.stopped_at))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(
            f"无法读取 Excel 文件 {path.name}（{type(exc).__name__}）",
            "文件可能已损坏；请用 WPS 或 Excel 打开后“另存为”.xlsx 再导入",
        ) from exc
    finally:
        book.close()
    if _has_formulas(path):
        _find_unsaved_formulas(path, sheets)
    return Workbook(path, sheets, "xlsx")


def _xlsx_merges(book: Any, ws: Any) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a streamed sheet (read-only mode does not read them): <mergeCell ref="A1:J1"/>."""
    from openpyxl.utils.cell import coordinate_to_tuple

    out = []
    for first, last in _scan(book._archive, ws._worksheet_path, _MERGE, first_only=False):
        r1, c1 = coordinate_to_tuple(first.decode())
        r2, c2 = coordinate_to_tuple((last or first).decode())
        out.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
    return out


def _has_formulas(path: Path) -> bool:
    """Does any worksheet of an .xlsx hold a formula (<f> element)? A cheap look before a second read."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(_scan(archive, name, _FORMULA) for name in archive.namelist()
                       if name.startswith("xl/worksheets/") and name.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_CHUNK = 1 << 20


def _scan(archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes], first_only: bool = True) -> list[tuple]:
    """Matches of `pattern` in one archive member, read a megabyte at a time: a sheet can unpack to
    gigabytes (a zip bomb, or a million formatted rows) and is never held whole."""
    found: list[tuple] = []
    seen: set[int] = set()
    offset, tail = 0, b""
    with archive.open(name) as member:
        while chunk := member.read(_CHUNK):
            window = tail + chunk
            for match in pattern.finditer(window):
                start = offset - len(tail) + match.start()
                if start not in seen:
                    seen.add(start)
                    found.append(match.groups())
                    if first_only:
                        return found
            tail = window[-200:]  # longer than any element looked for
            offset += len(chunk)
    return found


def _find_unsaved_formulas(path: Path, sheets: list[Sheet]) -> None:
    """Import reads the value Excel or WPS saved with a formula; note formulas saved without one."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False, read_only=True)
    try:
        by_title = {s.name: s for s in sheets}
        for ws in book.worksheets:
            sheet = by_title.get(ws.title)
            if sheet is None:
                continue
            ws.reset_dimensions()
            for r, row in enumerate(ws.iter_rows()):
                if sheet.stopped_at is not None and r >= sheet.stopped_at:
                    break
                for c, cell in enumerate(row):
                    if isinstance(cell.value, str) and cell.value.startswith("=") and sheet.value(r, c) is None:
                        sheet.unsaved_formulas[(r, c)] = cell.value
    finally:
        book.close()


def _read_xls(path: Path, progress: Progress | None = None) -> Workbook:
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
        counter = _RowReader(f"{path.name} 工作表「{ws.name}」", progress)
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
            if not counter.keep_going(r, values):
                break
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in ws.merged_cells if rlo < len(rows)]
        sheets.append(Sheet(ws.name, _trim(rows), sorted(merges), numeric, stopped_at=counter.stopped_at))
    return Workbook(path, sheets, "xls")


# A cell holds up to 32,767 characters in Excel, but a CSV written by a program has no such limit and
# a published 依据 can be long: csv's default limit of 131,072 characters made such a file a crash.
csv.field_size_limit(1 << 30)

ENCODINGS = [  # (codec, words for the user); tried in this order after the BOMs
    ("utf-8", "UTF-8"),
    ("gb18030", "GBK/GB18030"),
]

_UTF8_BOM = b"\xef\xbb\xbf"
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_UNDECODED = re.compile(r"[\udc80-\udcff]")  # bytes kept by errors="surrogateescape"
REPLACEMENT = "\ufffd"
SAVE_AS_HINT = (
    "请回到部门报送的原始表格（.xlsx 或 .xls），在 Excel 中“文件 → 另存为”，类型选“CSV UTF-8（逗号分隔）”；"
    "在 WPS 中“文件 → 另存为”，类型选“CSV（逗号分隔）”（WPS 保存为 GB18030 编码），或直接另存为 .xlsx 再导入。"
    "不要把不同来源、不同编码的 CSV 拼接或复制粘贴到一起"
)


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding in words) for a CSV file's bytes, decoded strictly.

    ReadError when the bytes are in no encoding we know, when the file mixes encodings (a UTF-8
    header over GBK rows, say) or when it already holds U+FFFD: guessing would store mojibake."""
    if data.startswith(_UTF8_BOM):
        body = data[3:]
        try:
            return _whole(body.decode("utf-8"), "UTF-8（带 BOM）"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            raise _mixed(body, "UTF-8（带 BOM）") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _whole(data.decode("utf-16"), "UTF-16"), "UTF-16（Excel“Unicode 文本”）"
        except UnicodeDecodeError:
            raise ReadError(
                "文件开头标明是 UTF-16 编码（Excel“Unicode 文本”），但其中有不是 UTF-16 的内容", SAVE_AS_HINT
            ) from None
    try:
        return _whole(data.decode("utf-8"), "UTF-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if _has_utf8_chinese_line(data):
        raise _mixed(data, "UTF-8")
    try:
        return _whole(data.decode("gb18030"), "GBK/GB18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        raise _mixed(data, "") from None


def _has_utf8_chinese_line(data: bytes) -> bool:
    """Is some line valid UTF-8 with Chinese in it? GBK text is almost never valid UTF-8 for a whole
    line with two or more Chinese characters, so such a line in an otherwise non-UTF-8 file means the
    file was put together from files of two encodings."""
    for line in data.split(b"\n"):
        if max(line, default=0) < 0x80:
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(_CJK.findall(text)) >= 2:
            return True
    return False


def _cells(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error:  # only for saying where: a file csv cannot split is named without a row
        return []


def _first_cell(text: str, pattern: re.Pattern[str]) -> tuple[int | None, int | None, int]:
    """(1-based row, 1-based column) of the first cell matching `pattern`, and how many rows match."""
    found: tuple[int | None, int | None] = (None, None)
    rows = 0
    for r, row in enumerate(_cells(text), start=1):
        hits = [c for c, value in enumerate(row, start=1) if pattern.search(value)]
        if hits:
            rows += 1
            if found == (None, None):
                found = (r, hits[0])
    return found[0], found[1], rows


def _mixed(body: bytes, declared: str) -> ReadError:
    """The error for bytes that are not all in the encoding the file starts in."""
    text = body.decode("utf-8", errors="surrogateescape")
    row, column, rows = _first_cell(text, _UNDECODED)
    start = next((i for i, ch in enumerate(text) if _UNDECODED.match(ch)), 0)
    line_end = text.find("\n", start)
    rest = text[start:line_end if line_end >= 0 else len(text)].encode("utf-8", errors="surrogateescape")
    try:
        rest.decode("gb18030")
        found = "GBK/GB18030 编码（Windows 记事本或 WPS 的默认编码）"
    except UnicodeDecodeError:
        found = "无法识别的编码"
    place = _place(row, column)
    if declared:
        message = (f"CSV 文件混用了两种编码：开头是 {declared}，{place}起的文字却是{found}"
                   f"（共 {rows} 行）。按任何一种编码读取都会把一部分文字变成乱码，已拒绝导入")
    else:
        message = f"无法识别 CSV 文件的编码（既不是 UTF-8，也不是 GBK/GB18030），{place}的文字是{found}，已拒绝导入"
    return ReadError(message, SAVE_AS_HINT, row=row, column=column)


def _whole(text: str, encoding: str) -> str:
    """Refuse text that already holds U+FFFD: characters were lost in an earlier conversion."""
    if REPLACEMENT not in text:
        return text
    row, column, rows = _first_cell(text, re.compile(REPLACEMENT))
    raise ReadError(
        f"CSV 文件（{encoding} 编码）{_place(row, column)}有替换字符“{REPLACEMENT}”（U+FFFD，共 {rows} 行）："
        "这里原来的文字在之前的某次编码转换中已经丢失，已拒绝导入",
        "请找到部门报送的原始表格重新保存后再导入，不要用已经出现乱码的文件。" + SAVE_AS_HINT,
        row=row, column=column,
    )


def _place(row: int | None, column: int | None) -> str:
    from openpyxl.utils import get_column_letter

    if row is None:
        return ""
    return f"第{row}行" + (f" {get_column_letter(column)}列" if column else "")


def _delimiter(text: str) -> str:
    """Excel's "Unicode text" is tab-separated; some European setups use ";"."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," in first:
        return ","
    return "\t" if "\t" in first else ";" if ";" in first else ","


def _read_csv(path: Path, progress: Progress | None = None) -> Workbook:
    text, encoding = decode_csv(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    # Our own export protects formula-like cells (normalize.protect_formula): read them back as published.
    counter = _RowReader(path.name, progress)
    rows: list[list[Any]] = []
    try:
        for r, row in enumerate(reader):
            rows.append([_plain(unprotect_formula(v)) if v.strip() else None for v in row])
            if not counter.keep_going(r, rows[-1]):
                break
    except csv.Error as exc:
        raise ReadError(
            f"CSV 文件第 {len(rows) + 1} 行无法读取（{exc}）",
            "检查这一行的引号是否成对；请用 WPS 或 Excel 打开后另存为 .xlsx 再导入", row=len(rows) + 1,
        ) from exc
    return Workbook(path, [Sheet(path.stem, _trim(rows), stopped_at=counter.stopped_at)], "csv", encoding)


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty cells and rows (formatting alone often stretches a sheet to row 1000)."""
    out = [list(r) for r in rows]
    for row in out:
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
    while out and not out[-1]:
        out.pop()
    return out
