"""Step `nav`: what MkDocs must know of the pages, and nothing more.

The nav (its entries, the nav pages' titles and meta tags), the URL depths of the shell pages and
the current pages' titles (an edition page links its current counterpart). Their key is their value,
so MkDocs and the editions run again only when one of these changed, not after every edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.render.pages import Page
from generator.steps.step import Step, digest

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    specs = build.get("@pages")
    editions = build.get("@edition_pages") or []
    nav_pages = []
    depths = set()
    for spec in specs:
        if spec.nav:
            nav_pages.append(spec.head if spec.head is not None else nav_entry(spec.make()))
        else:
            depths.add(spec.path.count("/"))
    for page in editions:
        if page.nav:
            nav_pages.append(nav_entry(page))
        else:
            depths.add(page.depth)
    extra: list[Any] = ([{"动态调整": "adjustments/index.md"}, {"按日期查看": "as-of/index.md"}]
                        if build.get("@history") is not None else [])
    if any(page.path == "editions/" for page in editions):
        extra.append({"历史版本": "editions/index.md"})
    build.put("@nav", {"pages": sorted(nav_pages), "extra": extra, "depths": sorted(depths)})


def nav_entry(page: Page) -> tuple[str, str, dict[str, str], dict[str, str]]:
    """(path, title, meta tags, own feed) of a nav page: what its MkDocs frame's <head> shows."""
    feed = {"path": page.feed.path, "title": page.feed.title} if page.feed is not None else {}
    return page.path, page.title, page.meta, feed


def titles(build: Build) -> None:
    build.put("@page_titles", {spec.path: spec.title for spec in build.get("@pages")})


def _value_key(product: str, value: Any) -> str:
    return digest(product, repr(value))


TITLES = Step("titles", ("@pages",), ("@page_titles",), titles,
              "every current page's title (editions link their current counterparts): keyed by value",
              value_key=_value_key)
STEP = Step("nav", ("@pages", "@edition_pages", "@history"), ("@nav",), run,
            "nav entries, nav pages' titles and meta, shell depths: keyed by their value", value_key=_value_key)
