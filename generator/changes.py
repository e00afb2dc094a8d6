"""The one change model shared by history (动态调整) and review (qingdan diff, edition comparisons).

Both describe a change with the same kinds and recognise "the same item under a new code" by the
same rule, so a commit never reads one way on the 动态调整 page and another on a comparison page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from generator.model import ADDRESS_FIELDS, Item, content_of, is_blank
from generator.siteconfig import ListType

# Kinds of change, in the order they are counted and shown: id → what the public reads. A matched
# item may have several (renamed and moved); 新增 and 取消 stand alone.
KINDS: dict[str, str] = {
    "added": "新增",
    "removed": "取消",
    "changed": "变更",
    "renamed": "更名",
    "recoded": "改码",
    "moved": "划转",
}

SIMILAR_NAME = 0.5  # share of equal fields for two items with the same name to be one recoded item
SIMILAR_CONTENT = 0.8  # share of equal fields for a recoded item whose name changed too
MAX_FUZZY_PAIRS = 40_000  # leftover pairs compared field by field; beyond this only exact/name matches


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "。": ".", "．": "."})
_DOC_YEAR = re.compile(r"[\[【(〔]\s*(\d{4})\s*[\]】)〕]\s*(第?)\s*(\d+)\s*号")


@lru_cache(maxsize=1 << 16)
def normalize_format(text: str) -> str:
    """The text with formatting removed: what is left is content (widths, spaces, quotes and the
    brackets around a document number's year are format; generator.diff.textdiff compares the rest)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _DOC_YEAR.sub(r"〔\1〕\2\3号", text)
    text = re.sub(r"\s+", " ", text).strip()
    # A space only matters between two Latin letters or digits ("12315 12345").
    return re.sub(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])", "", text)


def normalize_value(value: Any) -> Any:
    """normalize_format applied to every text inside a field value."""
    if isinstance(value, str):
        return normalize_format(value)
    if isinstance(value, list):
        return [normalize_value(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize_value(v) for k, v in value.items()}
    return value


def _same(old: object, new: object) -> bool:
    return old == new or (is_blank(old) and is_blank(new))


def _content_key(item: Item) -> str:
    data = {k: normalize_value(v) for k, v in content_of(item.data).items() if not is_blank(v)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _similarity(old: Item, new: Item) -> float:
    keys = [k for k in dict.fromkeys(list(old.data) + list(new.data)) if k not in ADDRESS_FIELDS]
    if not keys:
        return 0.0
    equal = sum(
        1 for k in keys
        if _same(old.data.get(k), new.data.get(k))
        or normalize_value(old.data.get(k)) == normalize_value(new.data.get(k))
    )
    return equal / len(keys)


def match_recoded(removed: list[Item], added: list[Item], list_type: ListType | None) -> list[tuple[Item, Item]]:
    """Pairs (old, new) of a removed and an added item that are one item under a new code."""
    pairs: list[tuple[Item, Item]] = []
    left, right = list(removed), list(added)

    def take(candidates: Iterable[tuple[float, int, int]]) -> None:
        used_l, used_r = set(), set()
        for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
            if i in used_l or j in used_r:
                continue
            used_l.add(i)
            used_r.add(j)
            pairs.append((left[i], right[j]))
        left[:] = [x for i, x in enumerate(left) if i not in used_l]
        right[:] = [x for j, x in enumerate(right) if j not in used_r]

    if not left or not right:
        return pairs
    by_content: dict[str, list[int]] = {}
    for j, item in enumerate(right):
        by_content.setdefault(_content_key(item), []).append(j)
    take((1.0, i, j) for i, item in enumerate(left) for j in by_content.get(_content_key(item), []))

    by_name: dict[str, list[int]] = {}
    for j, item in enumerate(right):
        by_name.setdefault(normalize_format(item.name), []).append(j)
    same_name = []
    for i, item in enumerate(left):
        for j in by_name.get(normalize_format(item.name), []):
            score = _similarity(item, right[j])
            if score >= SIMILAR_NAME:
                same_name.append((score, i, j))
    take(same_name)

    if left and right and len(left) * len(right) <= MAX_FUZZY_PAIRS:
        take(
            (score, i, j)
            for i, old in enumerate(left)
            for j, new in enumerate(right)
            if (score := _similarity(old, new)) >= SIMILAR_CONTENT
        )
    return pairs
