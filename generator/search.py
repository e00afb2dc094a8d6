"""Search: index the built site with Pagefind (extended build: segments Chinese).

Pagefind's Python API adds records one by one (≈100 ms each, measured); its CLI indexes the
built HTML in one pass, so the build runs the CLI that the `pagefind[extended]` wheel ships.
Only elements marked data-pagefind-body are indexed: item, list, department and content pages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PAGEFIND_DIR = "pagefind"


def index_site(site_dir: Path, output: Path | None = None) -> str | None:
    """Write the Pagefind index into site_dir/pagefind/ (or `output`); an error message on failure."""
    where = ["--output-path", str(output)] if output else ["--output-subdir", PAGEFIND_DIR]
    command = [
        sys.executable, "-m", "pagefind", "--site", str(site_dir), *where, "--force-language", "zh", "--silent",
    ]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"无法运行 Pagefind 建立搜索索引：{exc}（请确认已安装 pagefind[extended]）"
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip().splitlines()[-5:]
        return "Pagefind 建立搜索索引失败：" + " / ".join(detail)
    return None


def refresh_index_in_place(site_dir: Path) -> str | None:
    """Re-index a published site and swap the new index in with renames.

    `qingdan serve` publishes a rebuilt site with the previous index first (search keeps working,
    a moment stale) and then calls this, so an edit shows in seconds however long indexing takes.
    """
    fresh, old = site_dir / f".{PAGEFIND_DIR}.new", site_dir / f".{PAGEFIND_DIR}.old"
    shutil.rmtree(fresh, ignore_errors=True)
    failure = index_site(site_dir, output=fresh.resolve())
    if failure:
        shutil.rmtree(fresh, ignore_errors=True)
        return failure
    current = site_dir / PAGEFIND_DIR
    if current.exists():
        shutil.rmtree(old, ignore_errors=True)
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)
    return None


def first_query_bytes(site_dir: Path, query: str = "食品经营许可") -> int:
    """Bytes a visitor downloads to load the home page and see the first results of `query`.

    Measured in headless Chromium (generator/browser.py; needs playwright and /usr/bin/chromium).
    This is the hook benchmarks/search_bytes.py looks for.
    """
    from generator.browser import measure_first_query

    return measure_first_query(site_dir, query).total
