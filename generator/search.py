"""Search: index the built site with Pagefind (extended build: segments Chinese).

Pagefind's Python API adds records one by one (≈100 ms each, measured); its CLI indexes the
built HTML in one pass, so the build runs the CLI that the `pagefind[extended]` wheel ships.
Only elements marked data-pagefind-body are indexed: item, list, department and content pages.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PAGEFIND_DIR = "pagefind"


def index_site(site_dir: Path) -> str | None:
    """Write the Pagefind index into site_dir/pagefind/; return an error message on failure."""
    command = [
        sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", PAGEFIND_DIR,
        "--force-language", "zh", "--silent",
    ]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"无法运行 Pagefind 建立搜索索引：{exc}（请确认已安装 pagefind[extended]）"
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip().splitlines()[-5:]
        return "Pagefind 建立搜索索引失败：" + " / ".join(detail)
    return None


def first_query_bytes(site_dir: Path, query: str = "食品经营许可") -> int:
    """Bytes a visitor downloads to load the home page and see the first results of `query`.

    Measured in headless Chromium (generator/browser.py; needs playwright and /usr/bin/chromium).
    This is the hook benchmarks/search_bytes.py looks for.
    """
    from generator.browser import measure_first_query

    return measure_first_query(site_dir, query).total
