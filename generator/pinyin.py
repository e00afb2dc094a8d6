"""Pinyin for sorting, the A–Z index, search by full pinyin and initials, and slugs.

pypinyin's phrase dictionary picks the reading of heteronyms from context (行政 xíng zhèng,
银行 yín háng, 重新 chóng xīn), so whole names are always converted at once, never character by
character.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Names converted by an earlier build (load_cache): pypinyin takes about 0.4 ms a name, and the
# A–Z index and sort order need every item's name in every build (4 s at 10,000 items).
_KNOWN: dict[str, tuple[str, ...]] = {}


def _cache_key() -> str:
    from generator.codehash import code_fingerprint

    return code_fingerprint()  # covers pypinyin's version and this module


def load_cache(path: Path) -> None:
    """Names an earlier build converted, if that build ran the same code."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("key") == _cache_key() and isinstance(data.get("names"), dict):
        _KNOWN.update((name, tuple(value.split())) for name, value in data["names"].items())


def save_cache(path: Path, names: set[str]) -> None:
    """Keep the conversions of `names` (this build's) for the next build."""
    known = {name: " ".join(syllables(name)) for name in sorted(names)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"key": _cache_key(), "names": known}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only checkout converts every time


@lru_cache(maxsize=200_000)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless syllables; runs of Latin letters and digits stay as they are (lower-cased)."""
    known = _KNOWN.get(text)
    if known is not None:
        return known
    # pypinyin loads its dictionaries on import (0.15 s): a rebuild that knows every name never does
    from pypinyin import Style, lazy_pinyin

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


@lru_cache(maxsize=200_000)
def index_letter(text: str) -> str:
    """The A–Z index section of a name; '#' for names that start with a digit or symbol.
    Cached, as sort_key: the index asks both of every name on every build and preview update."""
    letters = syllables(text)
    first = letters[0][0] if letters else ""
    return first.upper() if first.isalpha() else "#"


@lru_cache(maxsize=200_000)
def sort_key(text: str) -> tuple[str, str]:
    """Sort by pinyin, then by the characters themselves so that the order is total."""
    return (full(text, " "), text)
