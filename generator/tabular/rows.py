"""The data rows under a header: merged cells filled down, section and note rows set aside."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.tabular.mapping import Header
from generator.tabular.read import Sheet

_NOTE_ROW = re.compile(r"^(注|备注|说明|填报说明|合计|小计|总计)[:：\s]?")


@dataclass
class RowRecord:
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    cells: dict[str, list[tuple[Any, int]]] = field(default_factory=dict)  # path → [(value, 1-based column)]
    group: str = ""  # the section heading above this row (一、行政许可), if any

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


def _filled(sheet: Sheet, start: int) -> tuple[list[list[Any]], set[int]]:
    """Rows from `start` with every merged range's value copied into each of its cells.

    Returns the rows and the set of rows (0-based, absolute) made of one merged range across
    several columns: section headings and notes, not items.
    """
    rows = [list(r) for r in sheet.rows]
    width = sheet.width
    for r in rows:
        r.extend([None] * (width - len(r)))
    spanning: set[int] = set()
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
    return rows, spanning


def sheet_rows(sheet: Sheet, header: Header) -> list[RowRecord]:
    """Every data row below the header, as values per field path."""
    start = header.last_row + 1
    rows, spanning = _filled(sheet, start)
    records: list[RowRecord] = []
    group = ""
    for r in range(start, len(rows)):
        values = rows[r]
        texts = [v for v in values if not _blank(v)]
        if not texts:
            continue
        if r in spanning or (len(texts) == 1 and isinstance(texts[0], str) and _NOTE_ROW.match(texts[0].strip())):
            group = str(texts[0]).strip()  # a section heading (一、行政许可) or a note row
            continue
        record = RowRecord(sheet.name, r + 1, group=group)
        for col, target in header.columns.items():
            value = values[col] if col < len(values) else None
            record.cells.setdefault(target.path, []).append((value, col + 1))
        mapped = [v for entries in record.cells.values() for v, _ in entries if not _blank(v)]
        if mapped:  # a row with only a running number (a blank template row) is not an item
            records.append(record)
    return records
