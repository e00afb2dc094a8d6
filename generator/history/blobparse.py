"""Parse list-file blobs into BlobSummaries, re-parsing only the items whose text changed.

A new version of a 300-item file usually differs in one or two items. When the file has the plain
layout every list file has (`items:` as its last top-level key, one `- ` entry per item at one
indentation, no anchors, aliases or tags), it is cut into one text chunk per item; a chunk whose
exact text was parsed before (in any blob) is not parsed again. The chunks that are new are parsed
together by `load.parse_list_bytes`, with the known chunks blanked out so that every line number
stays where it was. Anything unusual, and any problem at all, sends the whole file through
`parse_list_bytes` as it is, so the result is always what the loader itself says.

Items are parsed with the department taken from the file name even when the current
site_config.yml no longer declares it: a department merged away years ago still has a history.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from generator.config import Department, SiteConfig
from generator.gitrepo import GitRepo
from generator.history.cache import BODY, CODE, HASH, NAME, BlobCache, BlobSummary, ItemRef, canonical, digest
from generator.load import parse_list_bytes, split_list_path
from generator.model import Item
from generator.problems import Problem, Problems

# Checks run on every blob, so each is a memchr-speed byte search first and a regex only on a hit.
_ITEMS_LINE = re.compile(rb"\nitems:[ \t]*(?:#[^\n]*)?\r?(?=\n|\Z)")
_ALIAS = re.compile(rb"[\s\[{,:-]\*[^\s]")  # an alias could make one item depend on another
_KEEP = re.compile(rb"[|>][1-9]?\+")  # a kept block scalar would swallow the blanked lines after it
_FIRST_ENTRY = re.compile(rb"( *)-(?:[ \r\n]|\Z)")
_SKIP = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")


class _Dept:
    """The config to parse one department's files with (declaring the department if need be)."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self._made: dict[str, SiteConfig] = {}

    def __call__(self, department: str) -> SiteConfig:
        if self.config.department(department) is not None:
            return self.config
        if department not in self._made:
            extra = Department(code=department, name=department, short_name=department,
                               order=len(self.config.departments))
            self._made[department] = dataclasses.replace(
                self.config, departments=[*self.config.departments, extra])
        return self._made[department]


@dataclass
class _Split:
    """A plain list file cut into its header and one chunk of source text per item."""

    header_end: int  # offset of the first item
    indent: int  # columns before each item's "-"
    chunks: list[tuple[int, int, int]]  # (start offset, end offset, first line) per item
    keys: list[str]  # chunk_key of each chunk


def chunk_key(prefix: bytes, data: bytes, start: int, end: int) -> str:
    h = hashlib.sha1(prefix)
    h.update(data[start:end])
    return h.hexdigest()


def _plain(data: bytes) -> bool:
    """No CR-only line ends, aliases or kept block scalars in `data` (see _split)."""
    return (data.count(b"\r") == data.count(b"\r\n") and not (b"*" in data and _ALIAS.search(data))
            and not (b"+" in data and _KEEP.search(data)))


def _entries(data: bytes, indent: int, start: int, end: int, line: int, prefix: bytes) -> list | None:
    """Chunks of data[start:end], which must begin with an item; None when a line in it does
    not belong to an item (something after the items, or an entry out of line)."""
    stray = re.compile(rb"\n(?! {%d}-(?:[ \r\n]|\Z)| {%d}|[ \t]*(?:#|\r?\n|\r?\Z))" % (indent, indent + 1))
    if stray.search(data, start - 1, end):
        return None
    entry = re.compile(rb"\n {%d}-(?=[ \r\n]|\Z)" % indent)
    starts = [start] + [m.start() + 1 for m in entry.finditer(data, start, end)]
    chunks = []
    for index, begin in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else end
        chunks.append((begin, stop, line, chunk_key(prefix, data, begin, stop)))
        line += data.count(b"\n", begin, stop)
    return chunks


def _split(data: bytes, prefix: bytes) -> _Split | None:
    """The chunks of a plain list file: `items:` its last top-level key, every item starting
    with "-" at one indentation. None for anything else (the whole file is parsed instead).

    Other YAML line breaks (NEL, U+2028) are not looked for: they would move the parser's line
    numbers away from ours, which _parse_chunks detects and answers by parsing the whole file.
    """
    if data.startswith((b"*", b"-", b"items:")) or not _plain(data):
        return None
    items_lines = list(_ITEMS_LINE.finditer(data))
    if len(items_lines) != 1:
        return None
    body_start = items_lines[0].end() + 1
    if body_start > len(data):
        return None
    first = _FIRST_ENTRY.match(data, _SKIP.match(data, body_start).end())
    if first is None:
        return None
    indent = len(first.group(1))
    line = data.count(b"\n", 0, first.start()) + 1
    chunks = _entries(data, indent, first.start(), len(data), line, prefix)
    if chunks is None:
        return None
    return _Split(first.start(), indent, [c[:3] for c in chunks], [c[3] for c in chunks])


def _common_prefix(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    lo = 0
    while lo < n:
        hi = min(n, lo + 65536)
        if a[lo:hi] == b[lo:hi]:
            lo = hi
            continue
        while hi - lo > 1:  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
            mid = (lo + hi) // 2
            if a[lo:mid] == b[lo:mid]:
                lo = mid
            else:
                hi = mid
        return lo
    return n


def _common_suffix(a: bytes, b: bytes, limit: int) -> int:
    la, lb = len(a), len(b)
    lo = 0
    while lo < limit:
        hi = min(limit, lo + 65536)
        if a[la - hi:la - lo] == b[lb - hi:lb - lo]:
            lo = hi
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if a[la - mid:la - lo] == b[lb - mid:lb - lo]:
                lo = mid
            else:
                hi = mid
        return lo
    return limit


def _split_after(data: bytes, old_data: bytes, old: _Split, prefix: bytes) -> _Split | None:
    """_split(data), reusing the split of the file's previous version: only the bytes between
    their common prefix and common suffix are scanned and hashed."""
    p = _common_prefix(data, old_data)
    s = _common_suffix(data, old_data, min(len(data), len(old_data)) - p)
    mark = old.indent + 2  # "  - " must be intact for a chunk boundary to hold
    if p < old.header_end + mark:
        return None  # the header changed (or the first item's start): split afresh
    chunks = old.chunks
    head = 0
    while head < len(chunks) and chunks[head][1] + mark <= p:
        head += 1
    tail = head
    while tail < len(chunks) and chunks[tail][0] - 1 < len(old_data) - s:
        tail += 1
    delta = len(data) - len(old_data)
    start = chunks[head][0] if head < len(chunks) else len(old_data)
    end = chunks[tail][0] + delta if tail < len(chunks) else len(data)
    if start > end or not _plain(data[start:end]):
        return None
    middle: list = []
    if start < end:
        if not data.startswith(b" " * old.indent + b"-", start):
            return None
        line = chunks[head][2] if head < len(chunks) else 0
        middle = _entries(data, old.indent, start, end, line, prefix)
        if middle is None:
            return None
    old_end = chunks[tail][0] if tail < len(chunks) else len(old_data)
    shift = data.count(b"\n", start, end) - old_data.count(b"\n", start, old_end)
    new_chunks = list(chunks[:head]) + [c[:3] for c in middle] + [
        (a + delta, b + delta, line + shift) for a, b, line in chunks[tail:]]
    keys = old.keys[:head] + [c[3] for c in middle] + old.keys[tail:]
    return _Split(old.header_end, old.indent, new_chunks, keys)


class BlobParser:
    """Turns (path, blob id) pairs into BlobSummaries through the cache."""

    def __init__(self, config: SiteConfig, cache: BlobCache) -> None:
        self.config = config
        self.cache = cache
        self.dept_config = _Dept(config)
        self._chunks: dict[str, tuple] = {}  # this run's chunk results (the cache may refuse writes)
        self._headers: set[str] = set()
        self._last: dict[str, tuple[str, bytes, _Split]] = {}  # path → its latest split version
        self.parsed = 0  # blobs parsed in this run (the rest came from the cache)
        self.whole = 0  # of which parsed as a whole file rather than by items

    def summaries(self, repo: GitRepo, wanted: Iterable[tuple[str, ...]]) -> dict[str, BlobSummary]:
        """Summaries keyed by BlobCache.blob_key for (path, blob id[, previous blob id]) entries.

        Only the blobs the cache does not know are read, all through one `git cat-file --batch`,
        in the order given: give each file's versions oldest first, with the blob each replaced,
        and a new version is split by looking only at what changed (see _split_after).
        """
        keys: dict[str, tuple[str, str, str, str, str]] = {}
        for path, blob, *previous in wanted:
            ids = split_list_path(path)
            if ids is None or self.config.list_type(ids[0]) is None:
                continue
            keys.setdefault(BlobCache.blob_key(blob, *ids), (path, blob, *ids, previous[0] if previous else ""))
        found = self.cache.get_blobs(keys)
        by_blob: dict[str, list[str]] = {}
        for key in keys:
            if key not in found:
                by_blob.setdefault(keys[key][1], []).append(key)
        for blob, data in repo.iter_blobs(by_blob):
            for key in by_blob[blob]:
                path, _, list_id, department, previous = keys[key]
                summary = self.parse(data, path, list_id, department, blob, previous)
                self.cache.put_blob(key, summary)
                found[key] = summary
        return found

    def parse(self, data: bytes, path: str, list_id: str, department: str, blob: str = "",
              previous: str = "") -> BlobSummary:
        self.parsed += 1
        prefix = list_id.encode("utf-8") + b"\0"
        last = self._last.get(path)
        split = None
        if last is not None and previous and last[0] == previous:
            split = _split_after(data, last[1], last[2], prefix)
        if split is None:
            split = _split(data, prefix)
        if split is not None:
            if blob:
                self._last[path] = (blob, data, split)
            summary = self._parse_chunks(data, split, path, list_id, department)
            if summary is not None:
                return summary
        return self._parse_whole(data, path, list_id, department)

    def _parse_whole(self, data: bytes, path: str, list_id: str, department: str) -> BlobSummary:
        self.whole += 1
        problems = Problems()
        items = parse_list_bytes(data, path, self.dept_config(department), problems)
        refs = []
        rows = []
        for item in items:
            ref, row = self._ref(item, item.line, item.column)
            refs.append(ref)
            rows.append(row)
        self.cache.put_items(rows)
        return BlobSummary(tuple(refs), tuple(_problem_row(p) for p in problems.items))

    @staticmethod
    def _ref(item: Item, line: int, column: int) -> tuple[ItemRef, tuple[str, str]]:
        text = canonical(item.data)
        item_hash = digest(text.encode("utf-8"))
        body = {k: v for k, v in item.data.items() if k != "code"}
        ref = (item.code, item_hash, digest(canonical(body).encode("utf-8")), item.name, line, column)
        return ref, (item_hash, text)

    def _parse_chunks(self, data: bytes, split: _Split, path: str, list_id: str,
                      department: str) -> BlobSummary | None:
        chunks, keys = split.chunks, split.keys
        known = {k: self._chunks[k] for k in keys if k in self._chunks}
        unknown = [k for k in dict.fromkeys(keys) if k not in known]
        if unknown:
            known.update(self.cache.get_chunks(unknown))
        header = data[:split.header_end]
        header_key = chunk_key(b"header\0" + department.encode("utf-8") + b"\0", header, 0, len(header))
        todo = [i for i, k in enumerate(keys) if k not in known]
        header_known = header_key in self._headers or header_key in known
        if not todo and not header_known:
            todo = [0]  # parse one item along with the header to check the header
        if todo:
            items = self._parse_some(data, split, todo, path, department)
            if items is None:
                return None
            new_rows = []
            item_rows = []
            for i, item in zip(todo, items, strict=True):
                ref, row = self._ref(item, item.line, item.column)
                entry = (ref[CODE], ref[HASH], ref[BODY], ref[NAME], 0, item.column)
                known[keys[i]] = entry
                new_rows.append((keys[i], entry))
                item_rows.append(row)
            self.cache.put_items(item_rows)
            self.cache.put_chunks(new_rows)
            self._chunks.update(new_rows)
            if not header_known:
                self.cache.put_chunks([(header_key, ["header"])])
        self._headers.add(header_key)
        refs = []
        for key, (_, _, line) in zip(keys, chunks, strict=True):
            code, item_hash, body_hash, name, rel_line, column = known[key]
            refs.append((code, item_hash, body_hash, name, line + rel_line, column))
        return BlobSummary(tuple(refs), ())

    def _parse_some(self, data: bytes, split: _Split, todo: list[int], path: str,
                    department: str) -> list[Item] | None:
        """Parse the chunks numbered `todo`, the others blanked out so that lines keep their
        numbers; None when anything at all is reported (the whole file is then parsed)."""
        parts = [data[:split.header_end]]
        wanted = set(todo)
        chunks = split.chunks
        for i, (start, end, line) in enumerate(chunks):
            if i in wanted:
                parts.append(data[start:end])
            else:
                following = chunks[i + 1][2] if i + 1 < len(chunks) else line + data.count(b"\n", start, end)
                parts.append(b"\n" * (following - line))
        problems = Problems()
        items = parse_list_bytes(b"".join(parts), path, self.dept_config(department), problems)
        if problems.items or len(items) != len(todo):
            return None
        if any(item.line != chunks[i][2] for i, item in zip(todo, items, strict=True)):
            return None  # "-" alone on its line, or line breaks other than \n: not for this path
        return items


def _problem_row(p: Problem) -> tuple:
    return (p.severity, p.message, p.line, p.column, p.list, p.code, p.hint, p.rule)


def problems_of(summary: BlobSummary, path: str) -> Iterator[Problem]:
    """The problems parsing a blob reported, located in `path`."""
    for severity, message, line, column, list_id, code, hint, rule in summary.problems:
        yield Problem(severity, message, file=path, line=line, column=column, list=list_id, code=code,
                      hint=hint, rule=rule)
