"""Search: index lean documents with Pagefind (extended build: segments Chinese).

Pagefind's Python API adds records one by one (≈100 ms each, measured); its CLI indexes a
directory of HTML in one pass, so the build runs the CLI that the `pagefind[extended]` wheel ships.

Pagefind does not read the published pages. It reads lean documents: one small HTML file per
searchable page, at the page's own path (so result URLs are the page URLs), holding only the
page body with its data-pagefind-body, -meta and -filter marks. The published item pages carry
Material's header, footer and scripts; parsing those for every page was over half of a build.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

PAGEFIND_DIR = "pagefind"
INDEXED = "data-pagefind-body"


class Searchable(Protocol):
    path: str
    title: str
    body: str


def lean_document(title: str, body: str) -> str:
    """What Pagefind reads for one page: its title and body, nothing of the theme."""
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body>{body}</body></html>")


def document_path(docs_dir: Path, path: str) -> Path:
    return docs_dir / path / "index.html"


def write_document(docs_dir: Path, page: Searchable) -> bool:
    """Write (or remove) the lean document of one page; True when the page is searchable."""
    target = document_path(docs_dir, page.path)
    if INDEXED not in page.body:
        target.unlink(missing_ok=True)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(lean_document(page.title, page.body), encoding="utf-8")
    return True


def write_documents(docs_dir: Path, pages: Iterable[Searchable]) -> int:
    """Lean documents of every searchable page; returns how many were written."""
    return sum(write_document(docs_dir, page) for page in pages)


def copy_rendered(docs_dir: Path, site_dir: Path, paths: Iterable[str]) -> None:
    """Pages only MkDocs renders (content/*.md) go in whole: there are few of them."""
    for path in paths:
        source = site_dir / path / "index.html"
        if source.exists() and INDEXED in source.read_text(encoding="utf-8"):
            target = document_path(docs_dir, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _command(docs_dir: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(docs_dir), "--output-path", str(output.resolve()),
            "--force-language", "zh", "--silent"]


class IndexJob:
    """Pagefind running on the lean documents while the build writes the published pages."""

    def __init__(self, docs_dir: Path, output: Path) -> None:
        self.started = time.perf_counter()
        self.error: str | None = None
        self.process: subprocess.Popen[str] | None = None
        try:
            self.process = subprocess.Popen(_command(docs_dir, output), stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True)
        except OSError as exc:
            self.error = f"无法运行 Pagefind 建立搜索索引：{exc}（请确认已安装 pagefind[extended]）"

    def wait(self, timeout: float = 3600) -> str | None:
        """None when the index was written, else the reason in Chinese."""
        if self.process is None:
            return self.error
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            return "Pagefind 建立搜索索引超时"
        self.seconds = time.perf_counter() - self.started
        if self.process.returncode != 0:
            detail = (stderr or stdout).strip().splitlines()[-5:]
            return "Pagefind 建立搜索索引失败：" + " / ".join(detail)
        return None


def index_documents(docs_dir: Path, output: Path) -> str | None:
    """Write the Pagefind index of `docs_dir` into `output`; an error message on failure."""
    return IndexJob(docs_dir, output).wait()


def refresh_index_in_place(site_dir: Path, docs_dir: Path) -> str | None:
    """Re-index `docs_dir` and swap the new index into a published site with renames.

    `qingdan serve` writes changed pages first (search keeps working, a moment stale) and then
    calls this, so an edit shows at once however long indexing takes.
    """
    fresh, old = site_dir / f".{PAGEFIND_DIR}.new", site_dir / f".{PAGEFIND_DIR}.old"
    shutil.rmtree(fresh, ignore_errors=True)
    failure = index_documents(docs_dir, fresh)
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
