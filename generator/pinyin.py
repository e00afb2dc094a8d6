"""Pinyin for sorting, the A–Z index, search by full pinyin and initials, and slugs.

pypinyin's phrase dictionary picks the reading of heteronyms from context (行政 xíng zhèng,
银行 yín háng, 重新 chóng xīn), so whole names are always converted at once, never character by
character.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=200_000)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless syllables; runs of Latin letters and digits stay as they are (lower-cased)."""
    out = []
    for part in lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: [s]):
        part = _NON_ALNUM.sub("", part.lower().replace("ü", "v"))
        if part:
            out.append(part)
    return tuple(out)


def full(text: str, sep: str = "") -> str:
    """'食品经营许可' → 'shipinjingyingxuke' (or with a separator)."""
    return sep.join(syllables(text))


def initials(text: str) -> str:
    """'食品经营许可' → 'spjyxk'. Digits and Latin words contribute their first character."""
    return "".join(s[0] for s in syllables(text))


WINDOW = 6  # syllables of full pinyin indexed from each later syllable of a name


def inner_terms(text: str) -> str:
    """Search words that let pinyin match inside a name, not only at its start (Pagefind matches
    word prefixes): the initials from each later syllable on ('对未取得食品经营…' → 'wqdspjy…',
    'qdspjy…', 'spjy…', …) and up to WINDOW syllables of full pinyin from each ('shipinjingying…')."""
    parts = syllables(text)
    out = []
    for start in range(1, len(parts)):
        rest = parts[start:]
        if len(rest) > 1:
            out.append("".join(s[0] for s in rest))
        out.append("".join(rest[:WINDOW]))
    return " ".join(dict.fromkeys(out))


def index_letter(text: str) -> str:
    """The A–Z index section of a name; '#' for names that start with a digit or symbol."""
    letters = syllables(text)
    first = letters[0][0] if letters else ""
    return first.upper() if first.isalpha() else "#"


def sort_key(text: str) -> tuple[str, str]:
    """Sort by pinyin, then by the characters themselves so that the order is total."""
    return (full(text, " "), text)
