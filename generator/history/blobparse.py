"""Parse list-file blobs into BlobSummaries, re-parsing only the items whose text changed.

A new version of a 300-item file usually differs in one or two items. When the file has the plain
layout every list file has (`items:` as its last top-level key, one `- ` entry per item at one
indentation, no anchors, aliases or tags), it is cut into one text chunk per item; a chunk whose
exact text was parsed before (in any blob) is not parsed again. The chunks that are new are parsed
together by `load.parse_list_bytes`, with the known chunks blanked out so that every line number
stays where it was. Anything unusual, and any problem at all, sends the whole file through
`parse_list_bytes` as it is, so the result is always what the loader itself says.

Each blob's parsing work is independent once the blob is split (a chunk is parsed by the first
blob that needs it), so a big first run parses in several worker processes (`workers()`).

Items are parsed with the department taken from the file name even when the current
site_config.yml no longer declares it: a department merged away years ago still has a history.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from generator.config import Department, SiteConfig
from generator.gitrepo import GitRepo
from generator.history.cache import (
    BlobCache,
    BlobSummary,
    ItemRef,
    canonical,
    digest,
)
from generator.load import ParsedFile, parse_list_bytes, split_list_path
from generator.model import Item, content_of
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


@dataclass(frozen=True)
class _Job:
    """Parsing work for one blob, independent of every other (so it can run in another process)."""

    key: str  # BlobCache.blob_key
    path: str
    department: str
    doc: bytes  # the whole file, or its header and new items with the rest blanked out
    lines: tuple[int, ...] | None = None  # first line of each new item; None: a whole-file job
    chunk_keys: tuple[str, ...] = ()  # chunk_key of each new item
    header_key: str = ""  # set when this job also vouches for the file's header


@dataclass
class _Result:
    key: str
    ok: bool  # False: a chunk job met a problem (the whole file is then parsed)
    rows: list[tuple[ItemRef, str, str]]  # (ref, item hash, canonical JSON)
    problems: tuple[tuple, ...] = ()


@dataclass
class _Plan:
    key: str
    path: str
    list_id: str
    department: str
    split: _Split | None
    header_key: str = ""
    job: _Job | None = None


def _item_row(item: Item) -> tuple[ItemRef, str, str]:
    text = canonical(item.data)
    item_hash = digest(text.encode("utf-8"))
    body = content_of(item.data)
    ref = ItemRef(item.code, item_hash, digest(canonical(body).encode("utf-8")), item.name, item.line, item.column)
    return ref, item_hash, text


def _work(job: _Job, dept_config: _Dept) -> _Result:
    problems = Problems()
    items = parse_list_bytes(job.doc, job.path, dept_config(job.department), problems)
    if job.lines is None:
        return _Result(job.key, True, [_item_row(i) for i in items], tuple(_problem_row(p) for p in problems.items))
    if problems.items or [i.line for i in items] != list(job.lines):
        return _Result(job.key, False, [])  # or "-" alone on its line, or line breaks other than \n
    return _Result(job.key, True, [_item_row(i) for i in items])


_WORKER: dict[str, _Dept] = {}


def _init_worker(config: SiteConfig) -> None:
    _WORKER["dept"] = _Dept(config)


def _work_in_worker(job: _Job) -> _Result:
    return _work(job, _WORKER["dept"])


POOL_MIN_BYTES = 2_000_000  # below this, starting worker processes costs more than it saves


def workers() -> int:
    """Processes for a big parse: QINGDAN_JOBS, else the CPUs this process may use (at most 4)."""
    env = os.environ.get("QINGDAN_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


class BlobParser:
    """Turns (path, blob id) pairs into BlobSummaries through the cache."""

    def __init__(self, config: SiteConfig, cache: BlobCache, pool_min_bytes: int = POOL_MIN_BYTES,
                 known: dict[str, ParsedFile] | None = None) -> None:
        self.config = config
        self.cache = cache
        self.known = known or {}  # git blob id → the loader's parse of those bytes (Project.parsed)
        self.dept_config = _Dept(config)
        self.pool_min_bytes = pool_min_bytes
        self._chunks: dict[str, tuple] = {}  # chunk key → entry, from this run or read from the cache
        self._headers: set[str] = set()  # header keys known to be valid
        self._last: dict[str, tuple[str, bytes, _Split]] = {}  # path → its latest split version
        self.parsed = 0  # blobs parsed in this run (the rest came from the cache)
        self.whole = 0  # of which parsed as a whole file rather than by items
        self.reused = 0  # blobs the loader had parsed (`known`)
        self.processes = 1  # processes the last big parse used

    def summaries(self, repo: GitRepo, wanted: Iterable[tuple[str, ...]]) -> dict[str, BlobSummary]:
        """Summaries keyed by BlobCache.blob_key for (path, blob id[, previous blob id]) entries.

        Only the blobs the cache does not know are read, all through one `git cat-file --batch`,
        in the order given: give each file's versions oldest first, with the blob each replaced,
        and a new version is split by looking only at what changed (see _split_after). The items
        that need parsing are parsed in worker processes when there are many; a file whose items
        could not be parsed on their own is read once more and parsed whole (rare).
        """
        keys = self._keys(wanted)
        found = self.cache.get_blobs(keys)
        by_blob = self._take_known(keys, found)
        plans: list[_Plan] = []
        claimed: set[str] = set()
        for blob, data in repo.iter_blobs(by_blob):
            for key in by_blob[blob]:
                path, _, list_id, department, previous = keys[key]
                plans.append(self._plan(key, data, path, list_id, department, blob, previous, claimed))
        jobs = [plan.job for plan in plans if plan.job is not None]
        results = {r.key: r for r in self._run(jobs)}
        for job in jobs:
            self._absorb(job, results[job.key])
        retry: dict[str, list[str]] = {}
        for plan in plans:
            summary = self._summary_of(plan, results.get(plan.key))
            if summary is None:
                retry.setdefault(keys[plan.key][1], []).append(plan.key)
            else:
                self.cache.put_blob(plan.key, summary)
                found[plan.key] = summary
        for blob, data in repo.iter_blobs(retry):
            for key in retry[blob]:
                path, _, list_id, department, _ = keys[key]
                found[key] = self._parse_whole(data, path, list_id, department)
                self.cache.put_blob(key, found[key])
        return found

    def _keys(self, wanted: Iterable[tuple[str, ...]]) -> dict[str, tuple[str, str, str, str, str]]:
        """blob key → (path, blob id, list id, department, previous blob id) of each list file version."""
        keys: dict[str, tuple[str, str, str, str, str]] = {}
        for path, blob, *previous in wanted:
            ids = split_list_path(path)
            if ids is None or self.config.list_type(ids[0]) is None:
                continue
            keys.setdefault(BlobCache.blob_key(blob, *ids), (path, blob, *ids, previous[0] if previous else ""))
        return keys

    def _take_known(self, keys: dict[str, tuple[str, str, str, str, str]], found: dict[str, BlobSummary]
                    ) -> dict[str, list[str]]:
        """Add to `found` the blobs the loader parsed; blob id → keys of those left to read from git."""
        by_blob: dict[str, list[str]] = {}
        for key in keys:
            if key in found:
                continue
            summary = self._known(*keys[key][1:4])
            if summary is not None:
                self.cache.put_blob(key, summary)
                found[key] = summary
            else:
                by_blob.setdefault(keys[key][1], []).append(key)
        return by_blob

    def _summary_of(self, plan: _Plan, result: _Result | None) -> BlobSummary | None:
        """A planned blob's summary once its job (if any) ran; None: it must be parsed whole."""
        if plan.split is None:
            return None if result is None else BlobSummary(tuple(row[0] for row in result.rows), result.problems)
        if result is None or result.ok:
            return self._assemble(plan)
        return None

    def _known(self, blob: str, list_id: str, department: str) -> BlobSummary | None:
        """The summary of a blob the loader parsed (same bytes, same list and department, a
        declared department: what parse_list_bytes gives here too); None otherwise."""
        parsed = self.known.get(blob)
        if (parsed is None or split_list_path(parsed.path) != (list_id, department)
                or self.config.department(department) is None):
            return None
        rows = [_item_row(item) for item in parsed.items]
        self.cache.put_items([row[1:] for row in rows])
        self.reused += 1
        return BlobSummary(tuple(row[0] for row in rows), tuple(_problem_row(p) for p in parsed.problems))

    def parse(self, data: bytes, path: str, list_id: str, department: str, blob: str = "",
              previous: str = "") -> BlobSummary:
        """One blob's summary (what `summaries` does for many, all in this process)."""
        plan = self._plan("", data, path, list_id, department, blob, previous, set())
        if plan.split is None:
            return self._parse_whole(data, path, list_id, department)
        if plan.job is not None:
            result = _work(plan.job, self.dept_config)
            self._absorb(plan.job, result)
            if not result.ok:
                return self._parse_whole(data, path, list_id, department)
        return self._assemble(plan) or self._parse_whole(data, path, list_id, department)

    def _parse_whole(self, data: bytes, path: str, list_id: str, department: str) -> BlobSummary:
        result = _work(_Job("", path, department, data), self.dept_config)
        self.whole += 1
        self.cache.put_items([row[1:] for row in result.rows])
        return BlobSummary(tuple(row[0] for row in result.rows), result.problems)

    def _plan(self, key: str, data: bytes, path: str, list_id: str, department: str, blob: str, previous: str,
              claimed: set[str]) -> _Plan:
        """Split the blob and decide what in it needs parsing (nothing already known or
        `claimed` by the job of an earlier blob)."""
        self.parsed += 1
        split = self._split_blob(data, path, blob, previous, list_id.encode("utf-8") + b"\0")
        if split is None:
            return _Plan(key, path, list_id, department, None, job=_Job(key, path, department, data))
        header = data[:split.header_end]
        header_key = chunk_key(b"header\0" + department.encode("utf-8") + b"\0", header, 0, len(header))
        self._recall(split, header_key, claimed)
        todo = []
        for i, k in enumerate(split.keys):
            if k not in self._chunks and k not in claimed:
                todo.append(i)
                claimed.add(k)
        vouch = header_key not in self._headers and header_key not in claimed
        if vouch and not todo:
            todo = [0]  # parse one item along with the header to check the header
        plan = _Plan(key, path, list_id, department, split, header_key)
        if todo:
            if vouch:
                claimed.add(header_key)
            plan.job = _Job(key, path, department, _blanked(data, split, todo),
                            tuple(split.chunks[i][2] for i in todo), tuple(split.keys[i] for i in todo),
                            header_key if vouch else "")
        return plan

    def _split_blob(self, data: bytes, path: str, blob: str, previous: str, prefix: bytes) -> _Split | None:
        """The blob's items, found by looking only at what changed when the previous version of the
        file was the last one split; None when it cannot be split into items."""
        last = self._last.get(path)
        split = None
        if last is not None and previous and last[0] == previous:
            split = _split_after(data, last[1], last[2], prefix)
        if split is None:
            split = _split(data, prefix)
        if split is not None and blob:
            self._last[path] = (blob, data, split)
        return split

    def _recall(self, split: _Split, header_key: str, claimed: set[str]) -> None:
        """Read from the cache what is known of the blob's chunks and header (and not yet here)."""
        unknown = [k for k in dict.fromkeys([*split.keys, header_key])
                   if k not in self._chunks and k not in claimed and k not in self._headers]
        if unknown:
            from_cache = self.cache.get_chunks(unknown)
            self._chunks.update((k, v) for k, v in from_cache.items() if k != header_key)
            if header_key in from_cache:
                self._headers.add(header_key)

    def _run(self, jobs: list[_Job]) -> list[_Result]:
        count = workers()
        self.processes = 1
        # fork only, and only from a single-threaded process (not under `mkdocs serve`): spawn
        # would re-run the caller's __main__ in each worker. The workers touch nothing but their
        # job (not the SQLite connection) and leave with os._exit.
        if (count > 1 and len(jobs) > 1 and sum(len(j.doc) for j in jobs) >= self.pool_min_bytes
                and sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
                and threading.active_count() == 1):
            try:
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(count, mp_context=context, initializer=_init_worker,
                                         initargs=(self.config,)) as pool:
                    results = list(pool.map(_work_in_worker, jobs, chunksize=max(1, len(jobs) // (count * 8))))
                self.processes = count
                return results
            except (OSError, BrokenProcessPool):  # cannot start processes here: do it all in this one
                pass
        return [_work(job, self.dept_config) for job in jobs]

    def _absorb(self, job: _Job, result: _Result) -> None:
        """Remember (and cache) what a job parsed."""
        if job.lines is None:
            self.whole += 1
            self.cache.put_items([row[1:] for row in result.rows])
            return
        if not result.ok:
            return
        entries = [(chunk, (ref.code, ref.hash, ref.body, ref.name, 0, ref.column))
                   for (ref, _, _), chunk in zip(result.rows, job.chunk_keys, strict=True)]
        self._chunks.update(entries)
        self.cache.put_chunks(entries)
        self.cache.put_items([row[1:] for row in result.rows])
        if job.header_key:
            self._headers.add(job.header_key)
            self.cache.put_chunks([(job.header_key, ("header",))])

    def _assemble(self, plan: _Plan) -> BlobSummary | None:
        """The blob's summary from its chunks' entries; None when one is missing."""
        split = plan.split
        if plan.header_key not in self._headers or any(k not in self._chunks for k in split.keys):
            return None
        refs = []
        for key, (_, _, line) in zip(split.keys, split.chunks, strict=True):
            code, item_hash, body_hash, name, rel_line, column = self._chunks[key]
            refs.append(ItemRef(code, item_hash, body_hash, name, line + rel_line, column))
        return BlobSummary(tuple(refs), ())


def _blanked(data: bytes, split: _Split, todo: list[int]) -> bytes:
    """The header and the chunks numbered `todo`, every other chunk replaced by as many empty
    lines, so that each item keeps its line number."""
    parts = [data[:split.header_end]]
    wanted = set(todo)
    chunks = split.chunks
    for i, (start, end, line) in enumerate(chunks):
        if i in wanted:
            parts.append(data[start:end])
        else:
            following = chunks[i + 1][2] if i + 1 < len(chunks) else line + data.count(b"\n", start, end)
            parts.append(b"\n" * (following - line))
    return b"".join(parts)


def _problem_row(p: Problem) -> tuple:
    return (p.severity, p.message, p.line, p.column, p.list, p.code, p.hint, p.rule)


def problems_of(summary: BlobSummary, path: str) -> Iterator[Problem]:
    """The problems parsing a blob reported, located in `path`."""
    for severity, message, line, column, list_id, code, hint, rule in summary.problems:
        yield Problem(severity, message, file=path, line=line, column=column, list=list_id, code=code,
                      hint=hint, rule=rule)
