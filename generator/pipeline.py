"""The build's named steps: what each reads and what it produces.

`generator/site/build.py` runs them (and times them under these names: `qingdan build --timings`);
`generator/preview.py` uses the same declarations to trace an edit to the pages it affects. The
steps are MkDocs-free except `shell`, where MkDocs + Material render the theme shell and the few
nav and content pages. Inputs are project files ("lists/", "site_config.yml", …), git state
("git") or the product of an earlier step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(frozen=True)
class Step:
    name: str
    reads: tuple[str, ...]
    produces: tuple[str, ...]
    why: str


STEPS: tuple[Step, ...] = (
    Step("load", ("site_config.yml", "lists/"), ("catalog",), "validated items; every problem located"),
    Step("history", ("git", "catalog"), ("history",), "per-item events, parsed blobs cached by blob id"),
    Step("downloads", ("catalog",), ("downloads/",), "XLSX/CSV/JSON, cached by content, in a forked child"),
    Step("render", ("catalog", "history", "templates/"), ("pages",),
         "home, list, department, item, 拼音索引 and 数据开放 pages as HTML bodies"),
    Step("render_history", ("history", "templates/"), ("pages",), "动态调整 pages and removed items"),
    Step("render_editions", ("git", "history", "templates/"), ("pages",), "published editions and comparisons"),
    Step("search_docs", ("pages",), ("search documents",), "lean documents: what Pagefind reads"),
    Step("mkdocs", ("mkdocs.yml", "content/", "templates/theme/", "pages"), ("shells", "nav pages", "content pages"),
         "the theme shell per URL depth; nav and content pages"),
    Step("write_pages", ("pages", "shells"), ("item pages", "department pages"), "shell + body, one file a page"),
    Step("data_files", ("catalog", "history", "downloads/"), ("feed.xml", "feed.json", "downloads/stats.json"),
         "adjustment feeds and the statistics' figures"),
    Step("search_index", ("search documents",), ("pagefind/",), "Pagefind, run beside write_pages"),
    Step("traditional", ("site", "search documents", "site_config.yml"), ("zh-Hant/",),
         "the 繁體 view: every page converted with OpenCC, with its own search index"),
    Step("manifest", ("site", "git"), ("qingdan-manifest.json",),
         "every file's SHA-256, size and type, and the commit built: what publish compares and verifies"),
)
BY_NAME = {step.name: step for step in STEPS}

# Which pages an edit to one source can change; the preview rewrites these in place.
AFFECTED_BY_LIST_FILE = (
    "the items of the file (changed, added, removed)",
    "items referencing them or referenced by them, before and after the edit",
    "their department pages",
    "nav pages: home, list pages, departments, 拼音索引, 数据开放",
)
REBUILD_ON = ("site_config.yml", "templates/", "content/", "mkdocs.yml")

T = TypeVar("T")


class StepTimer:
    """Wall seconds per declared step; an undeclared name is a programming error.

    A step run in several pieces (item pages are rendered and written part by part) adds up."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def step(self, name: str, func: Callable[..., T], *args: Any) -> T:
        """func(*args), timed under `name` (arguments, not a closure, inside a loop)."""
        if name not in BY_NAME:
            raise KeyError(f"undeclared build step: {name}")
        start = time.perf_counter()
        try:
            return func(*args)
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - start, 3)

    def record(self, name: str, seconds: float) -> None:
        """A step that ran elsewhere (a child process) and reported its own duration."""
        if name not in BY_NAME:
            raise KeyError(f"undeclared build step: {name}")
        self.timings[name] = round(seconds, 3)


def describe() -> list[dict[str, Any]]:
    """The steps as plain data (for docs and tests)."""
    return [{"name": s.name, "reads": list(s.reads), "produces": list(s.produces), "why": s.why} for s in STEPS]
