"""Search: index lean documents with Pagefind (extended build: segments Chinese).

Pagefind's Python API adds records one by one (≈100 ms each, measured); its CLI indexes a
directory of HTML in one pass, so the build runs the CLI that the `pagefind[extended]` wheel ships.

Pagefind does not read the published pages. It reads lean documents: one small HTML file per
searchable page, at the page's own path (so result URLs are the page URLs), holding only the
page body with its data-pagefind-body, -meta and -filter marks. The published item pages carry
Material's header, footer and scripts; parsing those for every page was over half of a build.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from markupsafe import Markup, escape

PAGEFIND_DIR = "pagefind"
INDEXED = "data-pagefind-body"
# Pagefind holds every document it indexes in memory until it writes (about 140 KB a document of
# ours, measured: 1.5 GB for 10,000), so a large site is indexed in parts of at most this many
# documents, one Pagefind run at a time, and the browser merges them (search.js: mergeIndex).
PART_SIZE = 12_000
# Word positions per index chunk. A query fetches the chunk of each of its words, and a Chinese
# query is several words (代理记账机构资格认定: five), so the chunk size is most of what a first
# search costs. Pagefind's default, 20,000 positions, is about 16 KB a chunk: at 1,000 items the
# first query took four (64 KB); at 3,000, about 3 KB each (12 KB), for a meta file 2 KB larger
# and an index 6% larger. Pagefind 1.5 reads it from this environment variable, which it calls
# unstable: a Pagefind without it writes default chunks, and search works as before, only heavier
# (benchmarks/search_bytes.py shows it).
INDEX_CHUNK_SIZE = 3_000
PARTS_FILE = "parts.json"  # in the primary bundle: the other parts' folders, for search.js
_SIGNATURE = b"pagefind_dcd"  # every Pagefind index file: gzip of this + one CBOR value


class Searchable(Protocol):
    path: str
    title: str
    body: str


# Markup only Pagefind reads (filters, result meta, pinyin terms: `<span hidden …>text</span>`;
# the ignore, meta and weight marks): the lean documents keep it, the published pages leave it out
# (about 0.8 KB of every item page). data-pagefind-body stays: it tells a current page from an
# edition's copy.
_SEARCH_ONLY = re.compile(r"(?:\n[ \t]*)?<span hidden(?: [^>]*)?>[^<]*</span>"
                          r'| data-pagefind-(?:ignore(?:="[^"]*")?|meta="[^"]*"|weight="[^"]*")(?=[ >])')


# Text only the index reads (pinyin, 俗称 and their characters one by one) is found by a search but
# must never be shown: search.js builds each result's excerpt from the page's content with what
# lies between these two marks cut out (Pagefind's own excerpt would show it, and 开饭店 found
# "（营 业 执 照）开店（开 店）…"). Invisible characters, each a word of its own.
INDEX_ONLY_START = "\u2063"  # INVISIBLE SEPARATOR
INDEX_ONLY_END = "\u2064"  # INVISIBLE PLUS


def index_only(text: str) -> Markup:
    """`text` marked as index-only (the template filter of the hidden search-term spans)."""
    return Markup(f"{INDEX_ONLY_START} {escape(text)} {INDEX_ONLY_END}")


def published_body(body: str) -> str:
    """A page body as visitors get it: without the markup that only the search index reads."""
    return _SEARCH_ONLY.sub("", body) if "data-pagefind-" in body else body


def lean_document(title: str, body: str) -> str:
    """What Pagefind reads for one page: its title and body, nothing of the theme."""
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body>{body}</body></html>")


# Lean documents are scratch files, written once and read once by Pagefind. Creating a folder and a
# file costs about 0.45 ms of CPU each on the disk filesystem measured here, under 0.03 ms in memory
# (10,000 documents: 8.9 s against 0.2 s), so a build writes them to the memory filesystem when the
# system has one (Linux: /dev/shm) and deletes each part once it is indexed.
MEMORY_FS = Path("/dev/shm")
SCRATCH_PREFIX = "qingdan-search-"


def scratch_dir(fallback: Path) -> Path:
    """A new, empty folder for a build's lean documents: in memory when possible, else in `fallback`.

    Folders a killed build left in memory (named by its process id) are removed first."""
    import tempfile

    prefix = f"{SCRATCH_PREFIX}{os.getpid()}-"
    if MEMORY_FS.is_dir() and os.access(MEMORY_FS, os.W_OK | os.X_OK):
        for stale in MEMORY_FS.glob(SCRATCH_PREFIX + "*-*"):
            pid = stale.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)
        try:
            return Path(tempfile.mkdtemp(prefix=prefix, dir=MEMORY_FS))
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix=prefix, dir=fallback))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def command(docs_dir: Path, output: Path) -> list[str]:
    """Pagefind on one folder of lean documents (run with index_environment())."""
    return [sys.executable, "-m", "pagefind", "--site", str(docs_dir), "--output-path", str(output.resolve()),
            "--force-language", "zh", "--silent"]


def index_environment() -> dict[str, str]:
    return {**os.environ, "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE": str(INDEX_CHUNK_SIZE)}


# -- an index in keyed parts ----------------------------------------------------------------------
# A build after an edit re-indexes only the parts the edit touched. Each part is a Pagefind bundle
# of its own, `pagefind/<part>/`, merged in the browser (search.js: mergeIndex; a merged bundle
# fetches its entry file, its meta index and a chunk per query word, not the WebAssembly). An
# item's part comes from a hash of its address, so it stays there for life (a rename, a new 职权类型,
# a move to another department leave it in place) and the parts stay even; every other page (home,
# lists, departments, pinyin, stats: the pages that list items) is in the site part.
#
# How many parts: measured (benchmarks/search_parts.py, docs/architecture.md "Search in parts"),
# every split costs the first search more bytes, because each part adds its meta index and its
# chunks: at 10,000 items 253,570 bytes whole, 272,188 in 2 parts, 316,052 in 4, 353,942 in 8
# (291,254 in 4 with chunks of 1,000 positions); at 1,000 items 144,596 whole, 190,874 in 4.
# Pagefind's time for a one-item edit at 10,000 items: 20.3 s of CPU whole, 6.8 s in 4, 4.0 s
# in 8. So a site is split only where it must be anyway, past PART_SIZE documents (Pagefind's
# memory); `buckets(items)` gives the number of item parts, and the first search costs what it did.
SITE_PART = "site"
# First folders of the pages that are not items (the site's own sections); an item's page is
# `<list>/<code>/`, a list's name being data (extra_list_types), never one of these.
SITE_SECTIONS = frozenset({"departments", "adjustments", "pinyin", "stats", "quality", "data", "editions",
                           "about", "feeds", "downloads", "assets", "search"})
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js", "pagefind-worker.js")
BUNDLES_KEY = "bundles"  # parts.json: {"bundles": ["site/", "items-3/", …]}, the first one primary


def buckets(items: int) -> int:
    """How many item parts a site of `items` items is indexed in: 1 (one bundle for the whole site)
    up to PART_SIZE items, then enough that no part holds more than PART_SIZE documents. A site
    that crosses a step is re-indexed whole once, as a cold build is."""
    return max(1, -(-items // PART_SIZE))


def part_of(page_path: str, item_buckets: int = 1) -> str:
    """The stable part of a page (its documents go in `docs_dir/<part>/…`) in a site of
    `item_buckets` item parts (buckets(items)): "items-<k>" for an item's page, k from a hash of
    its path (list and code); SITE_PART for every other page, and for every page when there is
    one bucket (the whole site in one bundle)."""
    segments = [s for s in page_path.split("/") if s and s != "index.html"]
    if item_buckets <= 1 or len(segments) != 2 or segments[0] in SITE_SECTIONS:
        return SITE_PART
    digest = hashlib.blake2b("/".join(segments).encode("utf-8"), digest_size=4).digest()
    return f"items-{int.from_bytes(digest, 'big') % item_buckets}"


def part_names(item_buckets: int = 1) -> list[str]:
    """Every part a site of `item_buckets` item parts can have, the primary first."""
    return [SITE_PART, *(f"items-{k}" for k in range(item_buckets if item_buckets > 1 else 0))]


def _run_pagefind(docs: Path, output: Path) -> str | None:
    """One Pagefind run of `docs` into the bundle `output`; None, or why it failed in Chinese."""
    try:
        done = subprocess.run(command(docs, output), capture_output=True, text=True, env=index_environment(),
                              timeout=3600)
    except OSError as exc:
        return f"无法运行 Pagefind 建立搜索索引：{exc}（请确认已安装 pagefind[extended]）"
    except subprocess.TimeoutExpired:
        return "Pagefind 建立搜索索引超时"
    if done.returncode != 0:
        return "Pagefind 建立搜索索引失败：" + " / ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
    normalise_index(output)  # the same pages give the same index bytes
    return None


def index_parts(docs_dir: Path, output: Path, parts: Iterable[str]) -> str | None:
    """Index the named parts of `docs_dir` (`docs_dir/<part>/`) into their bundles `output/<part>/`,
    each swapped in whole once written; a part without documents loses its bundle. The other
    bundles in `output` (the previous site's, copied there) are left as they are. Then
    write_parts_list. Returns None, or why indexing failed, in Chinese (`output` then holds
    the bundles as they were before the failed part)."""
    output.mkdir(parents=True, exist_ok=True)
    for part in sorted(set(parts)):
        source, target = docs_dir / part, output / part
        fresh = output / f".{part}.new"
        shutil.rmtree(fresh, ignore_errors=True)
        if not source.is_dir() or next(source.rglob("*.html"), None) is None:
            shutil.rmtree(target, ignore_errors=True)
            continue
        failure = _run_pagefind(source, fresh)
        if failure:
            shutil.rmtree(fresh, ignore_errors=True)
            return failure
        # search.js reads the bundles through one runtime (pagefind.js, beside them) and none of
        # Pagefind's own interfaces: 0.3·10⁶ bytes a bundle that a site would publish for nothing.
        shutil.move(fresh / "pagefind.js", output / "pagefind.js")
        for unused in UNUSED_FILES:
            (fresh / unused).unlink(missing_ok=True)
        replace_folder(fresh, target)
    write_parts_list(output)
    return None


def replace_folder(fresh: Path, target: Path) -> None:
    """`target` replaced by `fresh` with renames (a bundle is never half old, half new)."""
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def write_parts_list(output: Path, superseded: Iterable[str] = ()) -> list[str]:
    """parts.json, which search.js reads: the bundles in `output`, the site part first (primary),
    the recent changes last; `superseded`: the pages of the other bundles that the recent changes
    replace or remove (their fragment ids), which search.js drops from every result. Without
    recent changes the file is as it always was (a first search costs no more bytes).
    Returns the bundles listed. (Pagefind's runtime is `output/pagefind.js`, one for all bundles,
    where search.js imports it from while it fetches this list.)"""
    bundles = sorted((d.name for d in output.iterdir()
                      if d.is_dir() and not d.name.startswith(".") and (d / "pagefind-entry.json").is_file()),
                     key=lambda name: (name != SITE_PART, name == RECENT_PART, name))
    listed: dict[str, list[str]] = {BUNDLES_KEY: [b + "/" for b in bundles]}
    if RECENT_PART in bundles:
        listed[SUPERSEDED_KEY] = sorted(set(superseded))
    (output / PARTS_FILE).write_text(json.dumps(listed) + "\n", encoding="utf-8")
    return bundles


# -- recent changes ---------------------------------------------------------------------------
# Pagefind indexes a whole bundle or nothing: 12 s of a 20 s build after a one-item edit at 10,000
# items went to indexing the one bundle again. So an edit's documents go into a small bundle of
# their own, RECENT_PART, on top of the others: search.js merges it like any part and drops the
# other bundles' results for the pages it replaces or removes (parts.json: "superseded", their
# fragment ids, which are the ids of Pagefind's results). Once the recent changes of a part pass
# FOLD_SHARE of its documents, and FOLD_MIN (Pagefind indexes that few in well under a second),
# or on a cold build (`qingdan build --clean`), the part is indexed again whole with them and they
# leave the recent bundle.
RECENT_PART = "recent"
SUPERSEDED_KEY = "superseded"
FOLD_SHARE = 0.02
FOLD_MIN = 50


def fold(recent: int, indexed: int) -> bool:
    """Whether `recent` changed documents of a part of `indexed` documents go into the part."""
    return not indexed or recent > max(FOLD_MIN, FOLD_SHARE * indexed)


def read_fragments(bundle: Path) -> dict[str, dict]:
    """Every page of a Pagefind bundle as Pagefind stored it: {fragment id: fragment} (url,
    content, meta, filters…). The fragment id is what a search result's `id` is."""
    out = {}
    for file in sorted((bundle / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(file.read_bytes())
        if raw.startswith(_SIGNATURE):
            raw = raw[len(_SIGNATURE):]
        out[file.stem] = json.loads(raw.decode("utf-8"))
    return out


def fragment_ids(bundle: Path) -> dict[str, str]:
    """{page path (as the build names it: `power/123/`, the home page ``): fragment id} of a bundle."""
    return {_page_path(fragment["url"]): fid for fid, fragment in read_fragments(bundle).items()}


def _page_path(url: str) -> str:
    path = url.split("#", 1)[0].lstrip("/")
    return path[: -len("index.html")] if path.endswith("index.html") else path


# -- reproducible index -------------------------------------------------------------------------
# Pagefind writes each filter's values in hash-map order, so two runs over the same pages give
# filter files with other bytes and other names, hence another meta file and another
# pagefind-entry.json (Pagefind issue #638: fragments are stable since 1.3, filters are not).
# Every publish would re-send them. The values are sorted here, byte for byte (no CBOR is
# re-encoded: entries are reordered as they are), and the renamed files get names from their content.


def _cbor_head(data: bytes, i: int) -> tuple[int, int, int]:
    """(major type, argument, offset after the head) of the CBOR item at i (definite lengths only)."""
    first = data[i]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, i + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise ValueError("indefinite-length CBOR")
    return major, int.from_bytes(data[i + 1:i + 1 + size], "big"), i + 1 + size


def _cbor_skip(data: bytes, i: int) -> int:
    major, arg, j = _cbor_head(data, i)
    if major in (0, 1, 7):
        return j
    if major in (2, 3):
        return j + arg
    if major == 6:
        return _cbor_skip(data, j)
    for _ in range(arg * (2 if major == 5 else 1)):
        j = _cbor_skip(data, j)
    return j


def _sorted_array(data: bytes, start: int) -> tuple[bytes, int]:
    """The CBOR array at `start` with its elements sorted by their first member; (bytes, end)."""
    major, count, i = _cbor_head(data, start)
    if major != 4:
        raise ValueError("not an array")
    entries = []
    for _ in range(count):
        end = _cbor_skip(data, i)
        _, _, first = _cbor_head(data, i)
        entries.append((data[first:_cbor_skip(data, first)], data[i:end]))
        i = end
    return data[start:_cbor_head(data, start)[2]] + b"".join(e for _, e in sorted(entries)), i


def _content_name(old: str, data: bytes) -> str:
    """`zh_4f3bf6e` → `zh_<as many hex digits of SHA-256 of data>`: same length, so CBOR texts keep theirs."""
    lang, _, digits = old.rpartition("_")
    return f"{lang}_{hashlib.sha256(data).hexdigest()[:len(digits)]}"


def _write_pf(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(_SIGNATURE + data, compresslevel=6, mtime=0))


def normalise_index(index_dir: Path) -> bool:
    """Make a Pagefind index a function of the pages alone: sorted filters, content-derived names.

    Returns False (and leaves the index as Pagefind wrote it, which still works) when the files
    are not in the layout this knows (a future Pagefind); the build-identity test catches that.
    """
    entry_file = index_dir / "pagefind-entry.json"
    try:
        entry = entry_file.read_text(encoding="utf-8")
        renames: dict[str, str] = {}
        for path in sorted((index_dir / "filter").glob("*.pf_filter")):
            raw = gzip.decompress(path.read_bytes())
            if not raw.startswith(_SIGNATURE):
                return False
            body = raw[len(_SIGNATURE):]
            major, count, i = _cbor_head(body, 0)
            if major != 4 or count != 2:
                return False
            values_at = _cbor_skip(body, i)
            values, end = _sorted_array(body, values_at)
            if end != len(body):
                return False
            data = body[:values_at] + values
            new = _content_name(path.stem, data)
            renames[path.stem] = new
            path.unlink()
            _write_pf(path.with_name(new + ".pf_filter"), data)
        for meta in sorted(index_dir.glob("pagefind.*.pf_meta")):
            raw = gzip.decompress(meta.read_bytes())
            if not raw.startswith(_SIGNATURE):
                return False
            body = raw[len(_SIGNATURE):]
            for old, new in renames.items():
                body = body.replace(old.encode("ascii"), new.encode("ascii"))
            major, count, i = _cbor_head(body, 0)
            if major != 4 or count < 4:
                return False
            for _ in range(3):  # version, pages, index chunks; then the filters: [[name, file], …]
                i = _cbor_skip(body, i)
            filters, end = _sorted_array(body, i)
            body = body[:i] + filters + body[end:]
            old_hash = meta.name[len("pagefind."):-len(".pf_meta")]
            new_hash = _content_name(old_hash, body)
            meta.unlink()
            _write_pf(meta.with_name(f"pagefind.{new_hash}.pf_meta"), body)
            entry = re.sub(rf'"hash"\s*:\s*"{re.escape(old_hash)}"', f'"hash":"{new_hash}"', entry)
        entry_file.write_text(entry, encoding="utf-8")
    except (OSError, ValueError, IndexError, EOFError, gzip.BadGzipFile):
        return False
    return True


