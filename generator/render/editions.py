"""Published editions as pages: the data (`generator.history.editions`) made into the site's pages.

This module reads no git and runs no diff: it is given the editions, each edition's lists and the
comparisons already made, and renders

    editions/                               历史版本: every edition, newest first (a nav page)
    editions/<slug>/                        the edition's home: its lists with counts
    editions/<slug>/<list>/                 list pages as they stood
    editions/<slug>/departments/<dept>/     department pages as they stood
    editions/<slug>/<list>/<code>/          item pages as they stood
    editions/compare/<a>...<b>/             edition a → the next edition b
    editions/compare/<a>...current/         edition a → the current lists

Edition pages are the ordinary page templates rendered by a second PageBuilder on the edition's
Catalog, with their paths under `editions/<slug>/`. The templates build every link as
`{{ root }}<path>`, and `root` climbs back to the edition's own root, so links inside an edition
stay inside it. Each page also gets `edition` (which sets the banner "本页为「2021版」…的清单，仅供
查阅；现行版本见…"), `site_root` (the real site root) and `searchable=False`: edition pages carry no
`data-pagefind-body`, so search only ever finds the current lists.

Cost: each edition adds as many pages as the lists had items then, so a site with five editions
has about six times the item pages. That is fine for a few editions; rendering is plain Jinja
(see docs/architecture.md for the figures).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from generator.diff.result import KINDS, DiffResult
from generator.history.editions import CURRENT, INDEX_PATH, Comparison, Edition, Editions
from generator.render.env import TemplateRenderer
from generator.render.pages import Page, PageBuilder, root_prefix

COMPARE_DIR = "editions/compare/"


def compare_path(a: Edition, b: Edition | None) -> str:
    """editions/compare/<a>...<b>/, or <a>...current/ against the current lists."""
    return f"{COMPARE_DIR}{a.slug}...{b.slug if b else CURRENT}/"


class EditionPageBuilder(PageBuilder):
    """The ordinary pages, for one edition's catalog, under editions/<slug>/ with the banner."""

    def __init__(self, edition: Edition, renderer: TemplateRenderer, current_pages: dict[str, str]) -> None:
        super().__init__(edition.pages_catalog, renderer, None)
        self.edition = edition
        self.prefix = edition.home
        self.current_pages = current_pages  # path → title of every page of the current site

    def current(self, path: str) -> tuple[str, str]:
        """The current site's page for an edition page at `path` (relative to the edition): (path, title)."""
        candidates = [path]
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] != "departments":
            candidates.append(parts[0] + "/")  # an item no longer listed: its list
        if parts[0] == "departments":
            candidates.append("departments/")
        for candidate in candidates:
            if candidate in self.current_pages:
                return candidate, self.current_pages[candidate]
        return "", self.current_pages.get("", "首页")

    def _render(self, template: str, path: str, **context: Any) -> str:
        site_root = root_prefix(self.prefix + path)
        current_path, current_title = self.current(path)
        return super()._render(
            template, path, edition=self.edition, searchable=False, site_root=site_root,
            current_href=site_root + current_path, current_title=current_title, **context,
        )

    def _moved(self, page: Page, title: str | None = None) -> Page:
        return dataclasses.replace(page, path=self.prefix + page.path, nav=False, kind=f"edition-{page.kind}",
                                   title=f"{title or page.title}（{self.edition.tag}）", crumbs=self._crumbs(page))

    def _crumbs(self, page: Page) -> list[tuple[str, str]]:
        """首页 › 历史版本 › <edition> › the page's own crumbs inside the edition: a reader of a past
        edition is never sent to today's lists by the breadcrumb (the banner is the one way out)."""
        own = [(label, self.prefix + path) for label, path in page.crumbs[1:]
               if path != "departments/"]  # an edition has department pages but no 部门 index
        return [("首页", ""), ("历史版本", INDEX_PATH), (self.edition.tag, self.prefix), *own]

    def home_page(self) -> Page:
        body = self._render("edition_home.html", "", lists=self.edition.list_counts(),
                            compare_next=compare_path(self.edition, self.edition.next) if self.edition.next else "",
                            compare_current=compare_path(self.edition, None))
        return Page(self.prefix, f"「{self.edition.tag}」清单", body, "edition-home",
                    crumbs=[("首页", ""), ("历史版本", INDEX_PATH)], meta=self._column_meta(f"{self.edition.tag}清单", f"{self.edition.day}公布的清单", "历史版本"))

    def edition_pages(self) -> Iterator[Page]:
        yield self.home_page()
        for list_type in self.config.list_types:
            yield self._moved(self.list_page(list_type))
        for department in self.config.departments:
            if any(self.data.by_department.get(department.code, {}).values()):
                yield self._moved(self.department_page(department))
        for main in self.catalog.main_items():
            yield self._moved(self.main_item_page(main))
        for item in self.catalog.items():
            yield self._moved(self.item_page(item))


def comparison_page(builder: PageBuilder, comparison: Comparison) -> Page:
    """The diff engine's result for a → b (b None: the current lists) inside the site's theme."""
    a, b, result = comparison.a, comparison.b, comparison.result
    path = compare_path(a, b)
    b_label = f"「{b.tag}」" if b else "现行清单"
    title = f"「{a.tag}」与{b_label}比较"
    body = builder._render(
        "edition_compare.html", path, r=result, a=a, b=b, title=title, kinds=result.kinds_shown, kind_labels=KINDS,
        flagged=result.flagged(), a_base=a.home, b_base=b.home if b else "",
        links=_item_links(result, a, b, builder),
    )
    return Page(path, title, body, "edition-compare", crumbs=[("首页", ""), ("历史版本", INDEX_PATH)],
                meta=builder._column_meta("历史版本", f"{a.tag}与{b.tag if b else '现行清单'}的清单比较", "历史版本"))


def _item_links(result: DiffResult, a: Edition, b: Edition | None, builder: PageBuilder) -> dict[str, dict[str, str]]:
    """"list/code" → {"a": path, "b": path} of the item's pages on each side, where one exists."""
    out: dict[str, dict[str, str]] = {}
    b_catalog = b.pages_catalog if b else builder.catalog
    for item in result.items:
        links = {}
        old_code = item.old_code or item.code
        if item.status != "added" and a.pages_catalog.get(item.list_id, old_code) is not None:
            links["a"] = f"{a.home}{item.list_id}/{old_code}/"
        if item.status != "removed" and b_catalog.get(item.list_id, item.code) is not None:
            links["b"] = f"{b.home if b else ''}{item.list_id}/{item.code}/"
        out[f"{item.list_id}/{item.code}"] = links
    return out


def index_page(builder: PageBuilder, editions: list[Edition]) -> Page:
    body = builder._render("editions.html", INDEX_PATH, editions=list(reversed(editions)),
                           compare_path=compare_path)
    return Page(INDEX_PATH, "历史版本", body, "editions", nav=True,
                meta=builder._column_meta("历史版本", "已公布的各版清单及其相互比较", "历史版本"))


def edition_pages(builder: PageBuilder, data: Editions | None, current_pages: dict[str, str] | None = None
                  ) -> list[Page]:
    """Every edition page; [] without editions (`data` None).

    `builder` renders the current site; `current_pages` (path → title of the current site's
    pages) lets each edition page link to the page it became.
    """
    if data is None:
        return []
    current_pages = current_pages if current_pages is not None else {"": "首页"}
    pages = [index_page(builder, data.editions)]
    for edition in data.editions:
        pages.extend(EditionPageBuilder(edition, builder.renderer, current_pages).edition_pages())
        pages.extend(comparison_page(builder, c) for c in data.comparisons_of(edition))
    return pages
