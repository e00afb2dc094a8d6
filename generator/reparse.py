"""A preview's parse of a saved list file: only the items whose text changed are parsed again.

A clerk's save changes an item or two of a file of hundreds, and parsing the whole file again took
a sixth of the preview's update at 10,000 items. The file is cut at its items' `- ` lines; an item
whose text and first line are what they were keeps its Item (the same object, so the digests and
keys the preview kept for it stay valid); the others are parsed in place, from the file with the
unchanged items' lines left blank, so every line and column is the file's own. Whenever the file
is not plainly a header and a list of items, or its last parse reported a problem, or the parse of
the changed items reports one or gives other items than expected, the whole file is parsed as
before: the items are always those a full parse gives, and so are the problems.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from generator.config import SiteConfig
from generator.load import parse_list_bytes
from generator.model import Item
from generator.problems import Problems

_ENTRY = re.compile(r"( *)- \S")
# What a cut at `- ` lines could misread: other line breaks, anchors and aliases (an item could
# depend on another's text), tags, directives and document markers, a byte-order mark.
_PLAIN = re.compile(r"[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029&*!\ufeff]|^(?:---|\.\.\.|%)", re.MULTILINE)


@dataclass(frozen=True)
class Cut:
    """A list file cut into its header (up to `items:`) and one piece of text per item."""

    header: list[str]
    starts: list[int]  # each item's first line (1-based)
    pieces: list[str]  # each item's lines, up to the next item's


@dataclass(frozen=True)
class Parsed:
    """A file as last parsed without a problem: its cut, the digest of each piece, and its items."""

    header: list[str]
    starts: list[int]
    digests: list[str]
    items: list[Item]


def cut(text: str) -> Cut | None:
    """The file cut at its items, or None when it is not plainly a header and a list of items."""
    if _PLAIN.search(text):
        return None
    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if line.rstrip() == "items:"]
    if len(heads) != 1:
        return None
    body = heads[0] + 1
    first = next((i for i in range(body, len(lines)) if lines[i].strip() and not lines[i].lstrip().startswith("#")),
                 None)
    match = _ENTRY.match(lines[first]) if first is not None else None
    if match is None:
        return None
    entry, deeper = match.group(1) + "- ", " " * (len(match.group(1)) + 1)
    starts: list[int] = []
    for i in range(body, len(lines)):
        line = lines[i]
        if line.startswith(entry):
            starts.append(i)
        elif line.strip() and not line.startswith(deeper) and not line.lstrip().startswith("#"):
            return None  # a key after the items, or an item's text less indented than its `- `
    if not starts or starts[0] != first:
        return None
    ends = [*starts[1:], len(lines)]
    return Cut(lines[:body], [s + 1 for s in starts], ["\n".join(lines[s:e]) for s, e in zip(starts, ends, strict=True)])


def _digest(piece: str) -> str:
    return hashlib.blake2b(piece.encode("utf-8"), digest_size=16).hexdigest()


def record(data: bytes, items: list[Item]) -> Parsed | None:
    """What `reparse` needs of a file parsed without a problem; None when its items cannot be
    matched one to one with its pieces."""
    try:
        pieces = cut(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if pieces is None or [item.line for item in items] != pieces.starts:
        return None
    return Parsed(pieces.header, pieces.starts, [_digest(p) for p in pieces.pieces], list(items))


def reparse(data: bytes, rel: str, config: SiteConfig, problems: Problems,
            before: Parsed | None) -> tuple[list[Item], Parsed | None]:
    """The file's items, as parse_list_bytes gives them, and what the next reparse needs."""
    items = _changed_only(data, rel, config, before)
    if items is not None:
        return items
    found = Problems()
    items = parse_list_bytes(data, rel, config, found)
    problems.extend(found)
    return items, None if found.items else record(data, items)


def _changed_only(data: bytes, rel: str, config: SiteConfig,
                  before: Parsed | None) -> tuple[list[Item], Parsed] | None:
    if before is None:
        return None
    try:
        pieces = cut(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if pieces is None or pieces.header != before.header:
        return None
    kept = {(start, digest): item for start, digest, item in zip(before.starts, before.digests, before.items, strict=True)}
    digests = [_digest(p) for p in pieces.pieces]
    lines = list(pieces.header)
    changed: list[int] = []
    for start, digest, piece in zip(pieces.starts, digests, pieces.pieces, strict=True):
        if (start, digest) in kept:
            lines += [""] * (piece.count("\n") + 1)
        else:
            changed.append(start)
            lines.append(piece)
    new: dict[int, Item] = {}
    if changed:
        found = Problems()
        parsed = parse_list_bytes("\n".join(lines).encode("utf-8"), rel, config, found)
        new = {item.line: item for item in parsed}
        if found.items or len(parsed) != len(changed) or set(new) != set(changed):
            return None
    items = [new[s] if s in new else kept[(s, d)] for s, d in zip(pieces.starts, digests, strict=True)]
    return items, Parsed(pieces.header, pieces.starts, digests, items)
