"""Step `pages`: every page into its HTML file, its 繁體 copy and its lean search document.

A page is written only when its key — what it is made from (generator/steps/render.py) plus its
frame (the MkDocs shell, the site address, the 繁體 variant) — differs from the key of the page
already there; a page that is no longer current is removed with its 繁體 copy and search document.
Item and department pages are poured into the shell of their URL depth; nav pages get their body
put into the frame MkDocs rendered. Every file is replaced, never written into: the previous site
shares its files with the one being built (generator/site/swap.py).

The 繁體 copy is converted in memory from the page just made (no page is read back), and each
changed search document marks its part of the index for the search step.
"""

from __future__ import annotations

import itertools
import posixpath
import time
from pathlib import Path
from typing import TYPE_CHECKING

from generator import search, traditional
from generator.render.pages import Page
from generator.site.hant_shell import hant_shells
from generator.site.shell import page_html, replace_nav_body
from generator.steps.search_index import DocumentStore, Indexer, document_store
from generator.steps.sitefiles import write_file
from generator.steps.step import BuildError, Pending, Step, digest

if TYPE_CHECKING:
    from generator.steps.render import PageSpec
    from generator.steps.runner import Build


class PageWriter:
    """Writes pages of one build: the page, its 繁體 copy, its search document."""

    def __init__(self, build: Build) -> None:
        project = build.get("@catalog")
        config = project.config
        self.build = build
        self.site = build.site_dir
        self.site_url = build.site_url
        self.shells = build.get("@shells")
        self.variant = config.traditional_variant
        self.hant = (traditional.PageConverter(self.variant, self.site_url,
                                               traditional.site_phrases(config.traditional_phrases))
                     if self.variant else None)
        self.hant_shells = hant_shells(self.shells, self.hant) if self.hant is not None else {}
        self.search = build.options.search
        self.buckets = search.buckets(sum(project.catalog.counts().values()))
        # A build indexes each finished part at once; a preview leaves it to its search step,
        # which runs once the edited pages are shown.
        self.indexer = (Indexer(DocumentStore(build.runner.search_docs, self.buckets), build.staging_path("pagefind"))
                        if self.search and not build.serving else None)
        self.documents = document_store(build, self.indexer.add if self.indexer else None)
        # Parts whose documents changed before this step (content/ pages): indexed with the rest.
        self.documents.changed.update(build.get("@shell_search_parts"))
        self.chars = traditional.ScriptChars(self.variant, config.traditional_phrases) if self.variant else None
        # What the pages not rewritten contribute. None are recorded when the last build had no
        # 繁體 view: the setting is in every page's key, so every page is written now.
        if self.chars is not None and not build.cold:
            self.chars.restore(build.before.extra.get("script_chars"))
        self.incremental = not build.cold

    def has_frame(self, page: Page) -> bool:
        """Whether the page has a file to go in (every page but a nav page MkDocs did not render)."""
        return not page.nav or (self.site / page.path / "index.html").exists()

    def html(self, page: Page) -> str | None:
        if not page.nav:
            if page.depth not in self.shells:
                raise BuildError(f"页面 {page.path} 没有对应层级的页面外框（内部错误，请重新生成）")
            return page_html(self.shells, page, self.site_url)
        if not self.has_frame(page):
            return None  # a nav page MkDocs did not render (none today)
        return replace_nav_body((self.site / page.path / "index.html").read_text(encoding="utf-8"), page.body)

    def write(self, page: Page) -> None:
        hant: tuple[str, tuple[set[str], set[str]]] | None = None
        if self.hant is not None and not page.nav and page.depth in self.hant_shells:
            # The Simplified page and its 繁體 copy from one filling of the shell's gaps.
            text, converted, hans_chars, hant_chars = self.hant_shells[page.depth].fill_both(page, self.site_url)
            hant = converted, (hans_chars, hant_chars)
        else:
            text = self.html(page)
        if text is None:
            return
        rel = page.path + "index.html"
        if self.hant is not None:
            self._forget(rel)
        write_file(self.site / rel, text)
        if self.hant is not None:
            converted, chars = hant or (self.hant.page(text, posixpath.dirname(rel)), None)
            write_file(self.site / traditional.hant_path(rel), converted)
            self.chars.add(text, converted, chars=chars)

    def write_document(self, page: Page) -> None:
        searchable = search.INDEXED in page.body
        self.documents.put(page.path, search.lean_document(page.title, page.body) if searchable else None)

    def _forget(self, rel: str) -> None:
        """The script map's counts without the earlier build's copy of this page (both scripts)."""
        if not self.incremental or self.chars is None:
            return
        try:
            old = (self.site / rel).read_text(encoding="utf-8")
            old_hant = (self.site / traditional.hant_path(rel)).read_text(encoding="utf-8")
        except OSError:
            return  # a new page
        self.chars.remove(old, old_hant)

    def remove(self, path: str) -> None:
        if self.hant is not None:
            self._forget(path + "index.html")
        for base in (self.site, self.site / traditional.HANT_DIR):
            (base / path / "index.html").unlink(missing_ok=True)
            _prune_empty(base / path, base)
        self.documents.put(path, None)


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def frame_key(build: Build) -> str:
    """What every page's file depends on besides the page itself."""
    runner = build.runner
    return digest(runner.product_keys["@shells"], build.site_url, str(build.options.search),
                  runner.input_digest("site_config.yml:traditional"))


def write_pages(build: Build, specs: list[PageSpec], writer: PageWriter) -> None:
    """Write the pages whose key changed and remove those no longer current, part of the search
    index after part. A part's pages are rendered and their search documents stored first, so that
    Pagefind indexes the part while its pages (and their 繁體 copies) are written."""
    frame = digest(frame_key(build), str(writer.buckets))  # another number of parts: every document moves
    part_of = writer.documents.part_of
    current = {spec.path for spec in specs}
    work: list[tuple[str, str, PageSpec | None]] = [(part_of(spec.path), spec.path, spec) for spec in specs]
    work += [(part_of(path), path, None) for path in set(build.before.pages) - current]
    work.sort(key=lambda entry: entry[0])  # stable: pages keep their order within a part
    render = write = 0.0
    for _part, group in itertools.groupby(work, key=lambda entry: entry[0]):
        made: list[Page] = []
        started = time.perf_counter()
        for _, path, spec in group:
            if spec is None:
                writer.remove(path)
                build.after.pages.pop(path, None)
                build.removed.append(path)
                continue
            key = digest(frame, spec.key)
            build.after.pages[path] = key
            if not build.cold and build.before.pages.get(path) == key:
                continue
            page = spec.make()
            if writer.search and writer.has_frame(page):
                writer.write_document(page)
            made.append(page)
            build.written.append(path)
        writer.documents.flush()  # the part's documents are all in: Pagefind may index it now
        rendered = time.perf_counter()
        for page in made:
            writer.write(page)
        render += rendered - started
        write += time.perf_counter() - rendered
    writer.documents.finish()
    build.time("pages.render", render)  # of the step's time: rendering the pages, and writing them
    build.time("pages.write", write)


def run(build: Build) -> Pending | None:
    from generator.steps.render import fixed_spec

    writer = PageWriter(build)
    specs = [*build.get("@pages"), *(fixed_spec(page) for page in build.get("@edition_pages") or [])]
    write_pages(build, specs, writer)
    paths = [spec.path for spec in specs]
    build.page_count = len(paths) + len(build.get("@content_pages"))
    build.put("@page_paths", paths)
    changed = set(writer.documents.changed)
    if build.serving:  # every part changed since the preview's search step last ran
        changed |= set(build.products.get("@search_parts") or ())
    build.put("@search_parts", sorted(changed))
    build.put("@search_buckets", writer.buckets)
    build.put("@script_chars", writer.chars)
    if writer.chars is not None:
        build.after.extra["script_chars"] = writer.chars.state()
    return writer.indexer


STEP = Step("pages", ("@pages", "@edition_pages", "@shells", "@content_pages", "@shell_search_parts",
                      "option:site_url", "option:search", "site_config.yml:traditional"),
            ("@page_paths", "@search_parts", "@search_buckets", "@script_chars", "pages"), run,
            "each page whose key changed: HTML, 繁體 copy (converted in memory) and search document")
