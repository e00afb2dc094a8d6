"""How many bytes a visitor downloads for the first search: the hook, and an estimate.

HOOK: the runner calls `first_query_bytes(site_dir, query)`. It measures in headless Chromium
(`benchmarks.browser.measure_first_query`: load the home page, type the query, wait for the
results) and takes the bytes fetched after the home page had loaded — Pagefind's runtime, index
chunks and result fragments — because Material's figure below is its index alone. Where no
browser is available, this module estimates from the files Pagefind wrote.

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
    """(bytes, how): "measured" (headless Chromium, search requests only) or "estimated" (no
    browser here); (None, reason) without an index."""
    try:
        from benchmarks.browser import measure_first_query

        return int(measure_first_query(site_dir, query).search_bytes), "measured"
    except Exception:  # no Playwright or Chromium here, or the page did not behave: the estimate
        pass
    return estimate_first_query_bytes(site_dir)


def gzip_size(data: bytes) -> int:
    """Bytes a gzipping server sends for `data`: Pagefind's own files are gzipped already and
    would not shrink, so the smaller of the two (a server skips what does not compress)."""
    return min(len(data), len(gzip.compress(data, 6)))


def first_query_gzip_bytes(site_dir: Path, query: str) -> int | None:
    """The first query's downloads (after the home page) as a gzipping server sends them,
    measured in headless Chromium; None without a browser."""
    try:
        from benchmarks.browser import measure_first_query

        measured = measure_first_query(site_dir, query)
    except Exception:
        return None
    total = 0
    for url_path in getattr(measured, "search_files", []):
        local = site_dir / url_path.lstrip("/")
        if local.is_dir():
            local = local / "index.html"
        if local.is_file():
            total += gzip_size(local.read_bytes())
    return total or None


def estimate_first_query_bytes(site_dir: Path) -> tuple[int | None, str]:
    """The estimate, for an index of one bundle or of several (search.index_parts: pagefind/<part>/,
    each adding its entry, meta, filters and chunks; the runtime and WebAssembly once)."""
    pf = site_dir / "pagefind"
    bundles = sorted(p.parent for p in pf.glob("**/pagefind-entry.json"))
    if not bundles:
        return None, "no Pagefind index"
    total = (pf / "pagefind.js").stat().st_size if (pf / "pagefind.js").exists() else 0
    total += min((p.stat().st_size for b in bundles for p in b.glob("wasm.*.pagefind")), default=0)
    fragments: list[int] = []
    for bundle in bundles:
        fixed = [bundle / "pagefind-entry.json", *bundle.glob("*.pf_meta"), *(bundle / "filter").glob("*.pf_filter")]
        total += sum(p.stat().st_size for p in fixed if p.exists())
        chunks = sorted((p.stat().st_size for p in (bundle / "index").glob("*.pf_index")), reverse=True)
        total += sum(chunks[:CHUNKS_PER_QUERY])
        fragments += [p.stat().st_size for p in (bundle / "fragment").glob("*.pf_fragment")]
    if fragments:
        total += int(statistics.median(fragments) * min(RESULTS_SHOWN, len(fragments)))
    return total, "estimated"


def material_index_bytes(site_dir: Path) -> tuple[int | None, int | None]:
    """Material's search_index.json: (bytes on disk, bytes when the server gzips it)."""
    path = site_dir / "search" / "search_index.json"
    if not path.exists():
        return None, None
    data = path.read_bytes()
    return len(data), gzip_size(data)
