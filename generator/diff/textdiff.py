"""Token-aware character diff for Chinese text, and the normalisation that tells format from content.

Chinese has no spaces, so a word diff is useless and a plain character diff breaks numbers apart
(20→15 would read as "2→1, 0→5"). Text is cut into tokens: a law title 《…》, a document number
(赣府字〔2016〕12号), an article number (第三十五条), a number (20, 3.5, 80%), a run of Latin letters,
or one character. difflib.SequenceMatcher then compares tokens, so each of those changes as a whole.

Formatting (full-width vs half-width letters, digits and punctuation; spaces and line breaks;
〔〕/[]/【】/() around the year of a document number; straight vs curly quotes) is removed by
`normalize_format` before comparing, so a change that only touches formatting is never reported
as a change of content.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from generator.changes import normalize_format, normalize_value  # noqa: F401  (normalize_value: re-exported; both live in the change model)

_DIGIT = "0-9０-９"
_OPEN = r"〔\[【（(﹝［"
_CLOSE = r"〕\]】）)﹞］"
_YEAR = rf"[{_OPEN}]\s*[{_DIGIT}]{{4}}\s*[{_CLOSE}]"
# An issuing authority's abbreviation (赣府字, 国办发, 发改价格) + 〔year〕 + serial + 号.
DOC_NUMBER = re.compile(rf"[\u4e00-\u9fff]{{0,8}}{_YEAR}\s*第?\s*[{_DIGIT}]+\s*号")
_TOKEN = re.compile(
    rf"(?P<law>《[^《》\n]{{1,80}}》)"
    rf"|(?P<doc>{DOC_NUMBER.pattern})"
    rf"|(?P<article>第[{_DIGIT}一二三四五六七八九十百千零〇两]+[条款项章节目])"
    rf"|(?P<num>[{_DIGIT}]+(?:[.．][{_DIGIT}]+)?[%％‰]?)"
    r"|(?P<word>[A-Za-zＡ-Ｚａ-ｚ]+)"
    r"|(?P<space>\s+)"
    r"|(?P<char>.)",
    re.S,
)
# Words that often stand right before a document number but are not part of it.
_LEADING_WORDS = ("根据", "依据", "按照", "依照", "参照", "详见", "执行", "关于", "以及", "和", "及", "与", "或",
                  "见", "按", "依", "据", "的")
def tokenize(text: str) -> list[str]:
    """Cut text into diff tokens; whitespace is glued to the token before it (it never matters)."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if match.lastgroup == "space":
            if tokens:
                tokens[-1] += piece
            else:
                tokens.append(piece)
            continue
        if match.lastgroup == "doc":
            lead = _leading_word(piece)
            if lead:
                tokens.extend(lead)
                piece = piece[sum(len(w) for w in lead):]
        tokens.append(piece)
    return tokens


def _leading_word(doc: str) -> list[str]:
    """Split words like 根据 off the front of a matched document number, one character per token."""
    for word in _LEADING_WORDS:
        if doc.startswith(word) and _YEAR_START.match(doc, len(word)) is None:
            rest = doc[len(word):]
            return list(word) + _leading_word(rest)
    return []


_YEAR_START = re.compile(rf"[{_OPEN}]")


@dataclass(frozen=True)
class Segment:
    """One piece of an inline diff: op is equal, insert, delete or replace."""

    op: str
    old: str
    new: str

    def to_json(self) -> list[str]:
        return [self.op, self.old, self.new]


def inline_diff(old: str, new: str) -> list[Segment]:
    """Token-level diff of two texts, formatting ignored, short equal runs between changes merged."""
    a, b = tokenize(old), tokenize(new)
    keys_a = [normalize_format(t) for t in a]
    keys_b = [normalize_format(t) for t in b]
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    segments = [
        Segment(tag, "".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    return _shift_whitespace(_merge_short_equalities(segments))


def _shift_whitespace(segments: list[Segment]) -> list[Segment]:
    """Move whitespace that both sides of a change end with out of the change ("5 "→"25 " is 5→25)."""
    out: list[Segment] = []
    for s in segments:
        tail = ""
        if s.op == "replace":
            common = len(s.old) - len(s.old.rstrip())
            common = min(common, len(s.new) - len(s.new.rstrip()))
            if common:
                tail = s.new[-common:]
                s = Segment(s.op, s.old[:-common], s.new[:-common])
        for piece in (s, Segment("equal", tail, tail)) if tail else (s,):
            if piece.op == "equal" and out and out[-1].op == "equal":
                out[-1] = Segment("equal", out[-1].old + piece.old, out[-1].new + piece.new)
            else:
                out.append(piece)
    return out


def _size(segment: Segment) -> int:
    return max(len(segment.old), len(segment.new))


def _merge_short_equalities(segments: list[Segment]) -> list[Segment]:
    """Fold a one- or two-character equal run sitting between two larger changes into one change.

    A character diff of two rewritten sentences otherwise reads as confetti around shared
    characters like 的 and 和.
    """
    changed = True
    while changed:
        changed = False
        for i in range(1, len(segments) - 1):
            before, mid, after = segments[i - 1], segments[i], segments[i + 1]
            if (mid.op == "equal" and before.op != "equal" and after.op != "equal"
                    and len(mid.new.strip()) <= 2 and len(mid.new) <= min(_size(before), _size(after))):
                merged = Segment("replace", before.old + mid.old + after.old, before.new + mid.new + after.new)
                segments[i - 1: i + 2] = [merged]
                changed = True
                break
    return [s if s.op != "replace" or (s.old and s.new) else
            Segment("insert" if s.new else "delete", s.old, s.new) for s in segments]


_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|元|%|‰)")


def amounts(text: str) -> list[tuple[float, str]]:
    """Money amounts and rates in a fee standard: 每件80元 → [(80.0, '元')]; 万元 counts in 元."""
    found = []
    for number, unit in _AMOUNT.findall(unicodedata.normalize("NFKC", text or "")):
        value = float(number)
        if unit == "万元":
            value, unit = value * 10000, "元"
        found.append((value, unit))
    return found
