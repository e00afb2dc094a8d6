"""The data rows under a header: merged cells filled down, section and note rows set aside.

What a row says beyond the mapped fields is kept too: the running number (序号, which tells a fee
sub-item `(1)…` from its parent), cells of columns no field maps to (kept as extra fields), and
which cells came from a range merged down over several rows (a 主项 code over its 子项).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.tabular.mapping import Header
from generator.tabular.read import Sheet

NOTE_ROW = re.compile(r"^(注|备注|说明|填报说明|合计|小计|总计)[:：\s]?")
_SECTION_ROW = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分章节类])")
FILL_DOWN = ("department", "parent_name")  # columns a CSV leaves blank under a merged group cell


@dataclass
class RowRecord:
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    cells: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)  # path → [(value, 1-based column)]
    group: str = ""  # the section heading above this row (一、行政许可), if any
    serial: str = ""  # the running number (序号) as published; blank on fee sub-items
    extras: list[tuple[str, Any, int]] = field(default_factory=list)  # (header, value, column) unmapped
    merged_down: set[str] = field(default_factory=set)  # paths whose cell is merged over several rows
    merge_top: set[str] = field(default_factory=set)  # of those, the paths whose merged range starts on this row
    # Key/value detail pages put each field on a row of its own: a cell key → (row, column) as shown.
    positions: dict[int, tuple[int, int]] = field(default_factory=dict)

    def place(self, col: int | None) -> tuple[int, int | None]:
        """(row, column) of a cell of this record, as the spreadsheet shows them."""
        if col is not None and col in self.positions:
            return self.positions[col]
        return self.row, col

    def first(self, path: str) -> tuple[Any, int] | None:
        """The first non-blank value of a path (several columns may map to one path)."""
        for value, col in self.cells.get(path, []):
            if not _blank(value):
                return value, col
        return None

    def column(self, path: str) -> int | None:
        entries = self.cells.get(path) or []
        hit = self.first(path)
        return hit[1] if hit else entries[0][1] if entries else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(sheet: Sheet, start: int) -> tuple[list[list[Any]], set[int], set[tuple[int, int]], set[tuple[int, int]]]:
    """Rows from `start` with every merged range's value copied into each of its cells.

    Returns the rows, the set of rows (0-based, absolute) made of one merged range across several
    columns (section headings and notes, not items), the cells of ranges merged down over several
    rows, and the top cells of those ranges.
    """
    rows = [list(r) for r in sheet.rows]
    width = sheet.width
    for r in rows:
        r.extend([None] * (width - len(r)))
    spanning: set[int] = set()
    down: set[tuple[int, int]] = set()
    tops: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in sheet.merges:
        if r2 > r1 and r2 >= start:
            down.update((r, c) for r in range(max(r1, start), r2 + 1) for c in range(c1, c2 + 1))
            tops.update((r1, c) for c in range(c1, c2 + 1))
    for r1, c1, r2, c2 in sheet.merges:
        if r2 < start:
            continue
        value = sheet.value(r1, c1)
        for r in range(max(r1, start), min(r2, len(rows) - 1) + 1):
            if r1 == r2 and c2 > c1 and all(
                _blank(rows[r][c]) for c in range(len(rows[r])) if not c1 <= c <= c2
            ):
                spanning.add(r)
            for c in range(c1, min(c2, width - 1) + 1):
                rows[r][c] = value
    return rows, spanning, down, tops


def _is_group_row(texts: list[Any], values: list[Any], header: Header) -> bool:
    """A row that only groups the rows below it: 一、行政许可, a lone 部门 or sector name."""
    if len(texts) != 1 or not isinstance(texts[0], str):
        return False
    text = texts[0].strip()
    if NOTE_ROW.match(text) or _SECTION_ROW.match(text):
        return True
    col = next(c for c, v in enumerate(values) if not _blank(v))
    target = header.columns.get(col)
    # One cell in a column that is not the name: a group label (外交部门 above its fees).
    return target is None or target.path not in ("name", "sub_name", "parent_name")


def detail_labels(sheet: Sheet, match) -> dict[int, tuple[str | None, str]]:
    """Rows of a key/value detail page: row (0-based) → (field path or None, the label as published),
    for each row whose first cell is a label and whose later cells hold its value."""
    out: dict[int, tuple[str | None, str]] = {}
    for r, row in enumerate(sheet.rows):
        first = next((c for c, v in enumerate(row) if not _blank(v)), None)
        if first is None or first > 1 or not isinstance(row[first], str):
            continue
        if not any(not _blank(v) for v in row[first + 1:]):
            continue  # a title or a section line: no value beside it
        label = re.sub(r"\s+", "", row[first]).rstrip(":：")
        path = match(label)
        out[r] = (path if path not in (None, "ignore") else None, label)
    return out


def detail_records(sheet: Sheet, labels: dict[int, tuple[str | None, str]]) -> list[RowRecord]:
    """A key/value detail page (标签 | 内容 on each row, one item per page or per block): each
    block becomes one record. A block ends at a blank row or when a field label comes again.
    Labels that name no field are kept, like unmapped columns, as extra fields."""
    records: list[RowRecord] = []
    current: RowRecord | None = None
    last = -1  # the row of the previous label
    for r, (path, label) in sorted(labels.items()):
        label_col = next(c for c, v in enumerate(sheet.rows[r]) if not _blank(v))
        value_col = next(c for c in range(label_col + 1, len(sheet.rows[r])) if not _blank(sheet.value(r, c)))
        gap = current is not None and any(not any(not _blank(v) for v in sheet.rows[x]) for x in range(last + 1, r))
        repeated = current is not None and (path in current.cells if path else any(h == label for h, _, _ in current.extras))
        if current is None or repeated or gap:
            current = RowRecord(sheet.name, r + 1)
            records.append(current)
        key = len(current.positions) + 1
        current.positions[key] = (r + 1, value_col + 1)
        if path is None:
            current.extras.append((label, sheet.value(r, value_col), key))
        else:
            current.cells.setdefault(path, []).append((sheet.value(r, value_col), key))
        last = r
    return [rec for rec in records if any(not _blank(v) for vs in rec.cells.values() for v, _ in vs)]


NAMING = ("name", "sub_name", "parent_name", "code")  # what makes a row an item


def _names_nothing(values: list[Any], header: Header) -> bool:
    """A row with no name and no code: a group row (一 | 公安部门) however many cells it fills."""
    cols = [c for c, t in header.columns.items() if t.path in NAMING]
    return bool(cols) and all(_blank(values[c]) if c < len(values) else True for c in cols)


def sheet_rows(sheet: Sheet, header: Header, csv: bool = False) -> list[RowRecord]:
    """Every data row below the header, as values per field path."""
    start = header.last_row + 1
    rows, spanning, down, tops = _filled(sheet, start)
    records: list[RowRecord] = []
    group = ""
    serial_col = _serial_column(header)
    carried: dict[int, Any] = {}  # CSV: the last group value of each fill-down column
    for r in range(start, len(rows)):
        values = rows[r]
        texts = [v for v in values if not _blank(v)]
        if not texts:
            continue
        if r in spanning or _is_group_row(texts, values, header) or _names_nothing(values, header):
            group = str(texts[-1]).strip()  # a section heading (一、行政许可), a group label or a note row
            continue
        record = RowRecord(sheet.name, r + 1, group=group)
        _read_mapped(record, values, header, down, tops, carried if csv else None)
        record.extras.extend(_unmapped_cells(values, header))
        if serial_col is not None:
            record.serial = _serial(values, r, serial_col, down, tops)
        if _maps_something(record):  # a row with only a running number (a blank template row) is not an item
            records.append(record)
    return records


def _serial_column(header: Header) -> int | None:
    """The first column of running numbers (序号, 编号), if any."""
    return next((c for c, text in sorted(header.ignored.items()) if "序号" in text or "编号" in text), None)


def _maps_something(record: RowRecord) -> bool:
    return any(not _blank(v) for entries in record.cells.values() for v, _ in entries)


def _cell(values: list[Any], col: int) -> Any:
    return values[col] if col < len(values) else None


def _unmapped_cells(values: list[Any], header: Header) -> list[tuple[str, Any, int]]:
    """(header, value, 1-based column) of the row's non-blank cells that no field maps to."""
    return [(text, _cell(values, col), col + 1) for col, text in sorted(header.unmapped.items())
            if not _blank(_cell(values, col))]


def _read_mapped(record: RowRecord, values: list[Any], header: Header, down: set[tuple[int, int]],
                 tops: set[tuple[int, int]], carried: dict[int, Any] | None) -> None:
    """The row's cells of mapped columns into `record`, with the paths merged down over it. For a CSV
    (`carried` given), a blank group cell (部门, 主项) takes the last value above it."""
    r = record.row - 1
    for col, target in header.columns.items():
        value = _cell(values, col)
        if carried is not None and target.path in FILL_DOWN:
            if _blank(value):
                value = carried.get(col)
            else:
                carried[col] = value
        record.cells.setdefault(target.path, []).append((value, col + 1))
        if (r, col) in down:
            record.merged_down.add(target.path)
            if (r, col) in tops:
                record.merge_top.add(target.path)


def _serial(values: list[Any], r: int, col: int, down: set[tuple[int, int]], tops: set[tuple[int, int]]) -> str:
    """The running number (序号) of row `r` as published; blank under a number merged down over a
    fee's ①② rows, which numbers the fee, not them."""
    serial = _cell(values, col)
    if (r, col) in down and (r, col) not in tops:
        serial = None
    return "" if _blank(serial) else str(serial).strip()
