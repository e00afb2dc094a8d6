"""How an item page's 调整记录 shows one field change.

A short change reads as old → new. A long text (a basis quoted in full runs to 900 characters)
printed whole buried the few characters that changed, so a long change shows the review's token
diff (generator/diff/textdiff.py) with the unchanged stretches cut down to a little context, and
the whole old and new texts are left to the template to put one click away. Every character shown
comes from the published texts; what is cut is said in words, never with "……" (which legal text
itself uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.diff.textdiff import inline_diff

# A change is long when either text is longer than this: about five lines on a 390 px phone.
LONG_TEXT = 120
# Characters of unchanged text kept on each side of a change.
CONTEXT = 16
# Beyond this share of the longer text changed, a diff is no shorter than the texts: not shown.
MOSTLY_CHANGED = 0.7


@dataclass(frozen=True)
class Piece:
    op: str  # equal, insert, delete, or cut (unchanged text left out: `count` characters)
    text: str = ""
    count: int = 0


@dataclass(frozen=True)
class ChangeView:
    old: str
    new: str
    pieces: tuple[Piece, ...]  # empty: no diff worth showing (a field added, removed or rewritten)
    deleted: int  # characters deleted
    inserted: int  # characters inserted


def _cut(text: str, keep_start: bool, keep_end: bool) -> list[Piece]:
    """An unchanged run with only the context next to changes kept."""
    head = text[:CONTEXT] if keep_start else ""
    tail = text[-CONTEXT:] if keep_end else ""
    if len(head) + len(tail) >= len(text) - 4:  # cutting would save almost nothing
        return [Piece("equal", text)]
    out = [Piece("equal", head)] if head else []
    out.append(Piece("cut", count=len(text) - len(head) - len(tail)))
    return out + ([Piece("equal", tail)] if tail else [])


def long_change(old: Any, new: Any) -> ChangeView | None:
    """The diff view of a change between two long texts; None for a short (or non-text) change."""
    old_text = old if isinstance(old, str) else ""
    new_text = new if isinstance(new, str) else ""
    if (old is not None and not isinstance(old, str)) or (new is not None and not isinstance(new, str)):
        return None
    if max(len(old_text), len(new_text)) <= LONG_TEXT:
        return None
    segments = inline_diff(old_text, new_text)
    deleted = sum(len(s.old) for s in segments if s.op != "equal")
    inserted = sum(len(s.new) for s in segments if s.op != "equal")
    if (not old_text.strip() or not new_text.strip()
            or deleted + inserted > MOSTLY_CHANGED * max(len(old_text), len(new_text))):
        return ChangeView(old_text, new_text, (), deleted, inserted)
    pieces: list[Piece] = []
    for i, s in enumerate(segments):
        if s.op == "equal":
            pieces += _cut(s.new, keep_start=i > 0, keep_end=i < len(segments) - 1)
            continue
        if s.old:
            pieces.append(Piece("delete", s.old))
        if s.new:
            pieces.append(Piece("insert", s.new))
    return ChangeView(old_text, new_text, tuple(pieces), deleted, inserted)
