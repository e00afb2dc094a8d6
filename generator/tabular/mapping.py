"""Column headers → field paths, and where the header of a sheet is.

The words come from generator/defaults/import_synonyms.yml, each field's own label, and a project's
`import_synonyms` in site_config.yml. A header is found by scoring the first rows of a sheet: the
row that names the most fields wins, so title rows and merged title cells above it are skipped.
A header of two rows (实施依据 merged over 法律 | 条款) is recognised from its merged cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from generator.siteconfig import ListType
from generator.tabular.read import Sheet

SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "defaults" / "import_synonyms.yml"
PSEUDO_FIELDS = ("department", "sub_name", "ignore")
COMPOUND_TYPES = ("basis", "time_limit", "fee")
HEADER_SCAN_ROWS = 30  # a header further down than this is not a header

_SPACES = re.compile(r"[\s\u3000*★※]+")
_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def clean_header(text: Any) -> str:
    """A header as compared: no spaces or line breaks, no required-field stars."""
    if text is None:
        return ""
    return _SPACES.sub("", str(text)).rstrip(":：")


def header_note(text: str) -> str:
    """The note in brackets at the end of a header: 法定时限（工作日） → 工作日."""
    match = _NOTE.search(clean_header(text))
    return match.group(0)[1:-1] if match else ""


@lru_cache(maxsize=1)
def _defaults() -> dict:
    with SYNONYMS_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass(frozen=True)
class Target:
    """What a column holds: a field path (name, fee.standard, basis.law) or a pseudo field."""

    path: str
    header: str  # the header as written (both rows of a two-row header, joined by “/”)

    @property
    def field(self) -> str:
        return self.path.split(".")[0]

    @property
    def part(self) -> str:
        return self.path.split(".", 1)[1] if "." in self.path else ""


@dataclass
class Synonyms:
    """Header words of one list type."""

    list_type: ListType
    words: dict[str, str] = field(default_factory=dict)  # cleaned header → path
    parts: dict[str, dict[str, str]] = field(default_factory=dict)  # compound type → cleaned word → part

    @classmethod
    def for_list(cls, list_type: ListType) -> Synonyms:
        data = _defaults()
        fields = {f.name: f for f in list_type.fields}

        def usable(path: str) -> bool:
            name, _, part = path.partition(".")
            if name in PSEUDO_FIELDS:
                return not part
            fdef = fields.get(name)
            return fdef is not None and (not part or fdef.type in COMPOUND_TYPES)

        words: dict[str, str] = {}
        # Lowest priority first; later layers overwrite: common words, field labels, the list
        # type's own words, then the project's words.
        layers = [
            data.get("common", {}),
            {f.name: [f.label] for f in list_type.fields},
            data.get("list_types", {}).get(list_type.id, {}),
            list_type.import_synonyms,
        ]
        for layer in layers:
            for path, synonyms in layer.items():
                if not usable(path):
                    continue
                for word in [synonyms] if isinstance(synonyms, str) else synonyms or []:
                    words[clean_header(word)] = path
        parts = {kind: {clean_header(w): part for part, ws in entries.items() for w in ws}
                 for kind, entries in data.get("parts", {}).items()}
        return cls(list_type, words, parts)

    def match(self, header: Any, parent: Any = None) -> str | None:
        """The field path a header names (under a parent header, if any), or None."""
        text = clean_header(header)
        if not text:
            return None
        if parent is not None and clean_header(parent):
            upper = self.match(parent)
            fdef = self.list_type.field(upper) if upper and "." not in upper else None
            if fdef is not None and fdef.type in COMPOUND_TYPES:
                for candidate in (text, _NOTE.sub("", text)):
                    part = self.parts.get(fdef.type, {}).get(candidate)
                    if part:
                        return f"{fdef.name}.{part}"
        if text in self.words:
            return self.words[text]
        base, note = _NOTE.sub("", text), header_note(text)
        upper = self.words.get(base)
        fdef = self.list_type.field(upper) if upper and "." not in upper else None
        if note and fdef is not None and fdef.type in COMPOUND_TYPES:  # 办理时限（法定时限）, as export writes
            part = self.parts.get(fdef.type, {}).get(note)
            if part:
                return f"{fdef.name}.{part}"
        return self.words.get(base)

    def known_headers(self) -> list[str]:
        return sorted({w for w, p in self.words.items() if p not in PSEUDO_FIELDS})


@dataclass
class Header:
    """Where the header is and what each column holds."""

    first_row: int  # 0-based
    last_row: int  # 0-based; the data starts below
    columns: dict[int, Target]  # mapped columns
    unmapped: dict[int, str]  # column → header text nobody knows
    ignored: dict[int, str]  # column → header text known to carry nothing (序号)


def _merge_at(sheet: Sheet) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Every cell covered by a merged range → that range (only ranges near the top matter here)."""
    covered = {}
    for r1, c1, r2, c2 in sheet.merges:
        if r1 > HEADER_SCAN_ROWS + 1:
            continue
        for r in range(r1, min(r2, HEADER_SCAN_ROWS + 1) + 1):
            for c in range(c1, c2 + 1):
                covered[(r, c)] = (r1, c1, r2, c2)
    return covered


def _shown(sheet: Sheet, covered: dict, row: int, col: int) -> Any:
    """The value a reader sees in a cell: a merged range shows its top-left value everywhere."""
    rng = covered.get((row, col))
    return sheet.value(rng[0], rng[1]) if rng else sheet.value(row, col)


def _row_score(sheet: Sheet, synonyms: Synonyms, row: int) -> int:
    seen = set()
    for col in range(len(sheet.rows[row]) if row < len(sheet.rows) else 0):
        path = synonyms.match(sheet.value(row, col))
        if path and path != "ignore":
            seen.add(path)
    return len(seen)


def _two_rows(sheet: Sheet, covered: dict, row: int) -> bool:
    """Does the header starting at `row` continue on the next row (merged parent headers)?"""
    if row + 1 >= len(sheet.rows):
        return False
    for (r, _c), (r1, c1, r2, c2) in covered.items():
        if r != row or r1 != row:
            continue
        if r2 == row + 1:  # a header cell merged down over both rows (序号, 事项名称)
            return True
        if r2 == row and c2 > c1 and any(sheet.value(row + 1, c) not in (None, "") for c in range(c1, c2 + 1)):
            return True  # a parent header merged across, with child headers below
    return False


def locate_header(sheet: Sheet, synonyms: Synonyms) -> Header | None:
    """Find the header rows of a sheet and map its columns; None when no row names two fields."""
    rows = min(len(sheet.rows), HEADER_SCAN_ROWS)
    scores = [_row_score(sheet, synonyms, r) for r in range(rows)]
    if not scores or max(scores) < 2:
        return None
    best = scores.index(max(scores))
    covered = _merge_at(sheet)
    # The best row may be the lower row of a two-row header; the upper row names a field itself
    # (a title merged across the whole sheet names none).
    upper_ok = best > 0 and scores[best - 1] >= 1 and _two_rows(sheet, covered, best - 1)
    first = best - 1 if upper_ok else best
    last = first + 1 if _two_rows(sheet, covered, first) else first
    header = Header(first, last, {}, {}, {})
    width = max(len(sheet.rows[r]) for r in range(first, last + 1))
    width = max([width] + [c2 + 1 for (r, _c), (_r1, _c1, _r2, c2) in covered.items() if first <= r <= last])
    for col in range(width):
        text, path = _column_header(sheet, synonyms, covered, first, last, col)
        if not text:
            continue
        if path == "ignore":
            header.ignored[col] = text
        elif path:
            header.columns[col] = Target(path, text)
        else:
            header.unmapped[col] = text
    return header


def _column_header(sheet: Sheet, synonyms: Synonyms, covered: dict, first: int, last: int, col: int
                   ) -> tuple[str, str | None]:
    """A column's header text as shown (`上层/下层` under a two-row header) and the field path it names."""
    upper = _shown(sheet, covered, first, col)
    lower = _shown(sheet, covered, last, col) if last > first else None
    rng = covered.get((last, col))
    if last > first and (lower in (None, "") or (rng and rng[0] == first)):
        lower = None  # merged down from the upper row, or nothing below: a one-row column
    if lower is None:
        return clean_header(upper), synonyms.match(upper)
    text = f"{clean_header(upper)}/{clean_header(lower)}" if clean_header(upper) else clean_header(lower)
    return text, synonyms.match(lower, upper)
