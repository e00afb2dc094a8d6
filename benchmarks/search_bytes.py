"""How many bytes a visitor downloads for the first search: the hook, and an estimate.

HOOK: the runner calls `first_query_bytes(site_dir, query)`. When the search module provides
`generator.search.first_query_bytes(site_dir: Path, query: str) -> int` (a real measurement,
e.g. the bytes a headless browser fetched from /pagefind/ for the first query), that figure is
used and reported as measured. Until then this module estimates from the files Pagefind wrote.

The estimate counts what Pagefind's runtime fetches for a first query: pagefind.js, the entry
file, the WebAssembly module, the language's meta index, every filter file (the search dialog
shows filters), the three largest index chunks (a Chinese query is segmented into several terms,
each may live in its own chunk), and ten result fragments (the dialog shows ten results) of
median size. Pagefind's files are already compressed; Material's search_index.json is reported
as it lies on disk and as a gzipping server would send it. Every visitor downloads all of it
before the first result appears.
"""

from __future__ import annotations

import gzip
import statistics
from pathlib import Path

RESULTS_SHOWN = 10
CHUNKS_PER_QUERY = 3


def first_query_bytes(site_dir: Path, query: str = "食品经营许可") -> tuple[int | None, str]:
    """(bytes, how it was obtained: "measured" or "estimated"); (None, reason) without an index."""
    try:
        from generator import search
    except ImportError:  # pragma: no cover - the package is always there in this repository
        search = None  # type: ignore[assignment]
    measure = getattr(search, "first_query_bytes", None) if search is not None else None
    if callable(measure):
        return int(measure(site_dir, query)), "measured"
    return estimate_first_query_bytes(site_dir)


def estimate_first_query_bytes(site_dir: Path) -> tuple[int | None, str]:
    pf = site_dir / "pagefind"
    if not (pf / "pagefind-entry.json").exists():
        return None, "no Pagefind index"
    fixed = [pf / "pagefind.js", pf / "pagefind-entry.json", *pf.glob("wasm.*.pagefind"), *pf.glob("*.pf_meta")]
    total = sum(p.stat().st_size for p in fixed if p.exists())
    total += sum(p.stat().st_size for p in (pf / "filter").glob("*.pf_filter"))
    chunks = sorted((p.stat().st_size for p in (pf / "index").glob("*.pf_index")), reverse=True)
    total += sum(chunks[:CHUNKS_PER_QUERY])
    fragments = [p.stat().st_size for p in (pf / "fragment").glob("*.pf_fragment")]
    if fragments:
        total += int(statistics.median(fragments) * min(RESULTS_SHOWN, len(fragments)))
    return total, "estimated"


def material_index_bytes(site_dir: Path) -> tuple[int | None, int | None]:
    """Material's search_index.json: (bytes on disk, bytes when the server gzips it)."""
    path = site_dir / "search" / "search_index.json"
    if not path.exists():
        return None, None
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 6))
