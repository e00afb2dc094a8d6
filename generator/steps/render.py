"""Step `render`: catalog + history + templates → every current page, each with the key of what it
is made from.

The few pages that show the whole catalog (home, lists, 部门, 拼音索引, 数据开放, 统计, 公开质量, the
adjustment pages) are rendered every time the catalog changes; their key is a digest of what they
render to. Item, 主项 and department pages (up to 100,000) are rendered only when their own inputs
changed: each gets a key from the item's data, the items it references and that reference it, its
主项 and 子项, its adjustments and the department's record, and is rendered by the pages step only
when that key differs from the one its published page was made from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.codehash import code_fingerprint
from generator.config import ListType
from generator.model import Catalog, Item
from generator.render.env import TemplateRenderer
from generator.render.pages import DisclosureCounts, Page, PageBuilder
from generator.steps.step import Step, digest

if TYPE_CHECKING:
    from generator.steps.runner import Build


@dataclass
class PageSpec:
    """A page of the site before it is rendered: where, what it is made from, how to make it."""

    path: str
    key: str
    make: Callable[[], Page]
    nav: bool = False
    title: str = ""
    head: tuple[Any, ...] | None = None  # a nav page's entry (nav.nav_entry), known without rendering it


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


class ItemDigests:
    """One digest per item of what its page shows of it (department, fields). A preview keeps the
    digests of items it already knew (the same objects), so an edit hashes only the edited file's items."""

    def __init__(self, previous: ItemDigests | None = None) -> None:
        self._by_id: dict[int, tuple[Item, str]] = {}
        self._previous = previous._by_id if previous is not None else {}

    def __call__(self, item: Item | None) -> str:
        if item is None:
            return "-"
        known = self._by_id.get(id(item)) or self._previous.get(id(item))
        if known is None or known[0] is not item:
            known = (item, digest(_dump([item.list_id, item.code, item.department, item.data])))
        self._by_id[id(item)] = known
        return known[1]


def _events_digest(events: list[Any]) -> str:
    return digest(repr(events)) if events else "-"


def item_parts(builder: PageBuilder, item: Item, of: ItemDigests) -> tuple[Any, ...]:
    """What an item's page shows besides the render context: its values, the items it references and
    that reference it, its 主项 and 子项, its adjustments (the history's own list) and its as-of state."""
    catalog = builder.catalog
    related = [of(r.item) for r in builder.data.outgoing.get(item.key, [])]
    related += ["<"] + [of(r.item) for r in builder.data.incoming.get(item.key, [])]
    main = catalog.main_item(item)
    family = [of(catalog.parent(item)), main.path if main else "-", *(of(c) for c in catalog.children(item))]
    state = builder.now.item_state(item) if builder.now is not None else ""
    return ("item", of(item), *related, "|", *family, builder.events(item), state)


class ItemKeys:
    """Each item page's key, with the parts it was made from (item_parts). A preview keeps them for
    the items it already knew, so an edit hashes again only the keys whose parts changed (hashing
    all 10,000, their adjustments written out, took a third of every edit's render step)."""

    def __init__(self, previous: ItemKeys | None = None) -> None:
        self._by_id: dict[int, tuple[Item, str, tuple[Any, ...], str]] = {}
        self._previous = previous._by_id if previous is not None else {}

    def __call__(self, item: Item, context: str, parts: tuple[Any, ...]) -> str:
        known = self._by_id.get(id(item)) or self._previous.get(id(item))
        if known is None or known[0] is not item or known[1] != context or known[2] != parts:
            text = [p if isinstance(p, str) else _events_digest(p) for p in parts]
            known = (item, context, parts, digest(context, digest(*text)))
        self._by_id[id(item)] = known
        return known[3]


def department_key(builder: PageBuilder, code: str, of: ItemDigests, events_key: str) -> str:
    lists = builder.data.by_department.get(code, {})
    return digest("department", code, events_key, *(f"{lid}:{of(i)}" for lid, items in lists.items() for i in items))


def list_spec(builder: PageBuilder, list_type: ListType, context: str, of: ItemDigests) -> PageSpec:
    """A list's page, keyed by all it can show: every value of the list's items (in order), its
    downloads and feed, the lists as in force (`context`: templates, configuration). An edit renders
    the pages of the lists it changed, not all of them (a full list page takes a tenth of a second)."""
    from generator.steps.nav import nav_entry

    head = builder.list_page(list_type, body=False)
    now = builder.now.key_parts() if builder.now is not None else []
    key = digest(context, "list", list_type.id, _dump([builder.downloads.get((list_type.id, None)), nav_entry(head)]),
                 *now, "|", *(of(item) for item in builder.catalog.items(list_type.id)))
    return PageSpec(head.path, key, lambda: builder.list_page(list_type), nav=True, title=head.title,
                    head=nav_entry(head))


def index_specs(builder: PageBuilder, context: str) -> list[PageSpec]:
    """The 拼音索引 pages, each keyed by what it shows: the letters and how many items each has,
    and the list, code, name and department of its items in order. A rename renders the pages of
    its old and new letters, not the whole index (at 10,000 items, 28 pages and most of a second)."""
    from generator.steps.nav import nav_entry

    index = builder.index_sections()
    counts = [f"{letter}:{len(index.sections[letter])}" for letter in index.letters]

    def spec(letter: str | None) -> PageSpec:
        shown = [letter] if letter is not None else [] if index.split else index.letters
        head = builder.index_page(index, letter, body=False)
        key = digest(context, "pinyin", str(index.split), *counts, "|",
                     *(f"{i.list_id}/{i.code}\0{i.name}\0{i.department}" for ls in shown for i in index.sections[ls]))
        return PageSpec(head.path, key, lambda: builder.index_page(index, letter), nav=head.nav, title=head.title,
                        head=nav_entry(head) if head.nav else None)

    return [spec(letter) for letter in [None, *(index.letters if index.split else [])]]


def fixed_spec(page: Page) -> PageSpec:
    """A page rendered now: its key is what it renders to."""
    key = digest(_dump([page.title, page.body, page.meta, page.crumbs, page.description, page.kind, page.feed]))
    return PageSpec(page.path, key, lambda: page, nav=page.nav, title=page.title)


def page_specs(build: Build, catalog: Catalog, builder: PageBuilder, history: Any) -> Iterator[PageSpec]:
    """Every current page: the whole-catalog pages rendered, the others keyed and rendered later."""
    from generator.render.as_of import as_of_page
    from generator.render.history_pages import build_history_pages, current_parts

    of = build.get("@item_digests")
    pending = builder.pending_seqs  # announced in their own section, not among the latest
    latest = [a for a in history.adjustments if a.seq not in pending][:10] if history is not None else []
    events_key = digest(history.head or "", str(len(history.events))) if history is not None else "-"
    # What every page is made from besides its own data: templates, configuration, code, the
    # reproducible build date, and the history's first publication (an unchanged item's page says
    # since when it is current).
    context = digest(build.runner.inputs_key("render-context", _CONTEXT),
                     str(getattr(history, "first_published", "")))
    index = index_specs(builder, context)
    for page in builder.catalog_pages(latest, index=[], lists=False):
        yield fixed_spec(page)
        if page.kind == "home":  # the list pages come after the home page (PageBuilder.catalog_pages)
            yield from (list_spec(builder, list_type, context, of) for list_type in builder.config.list_types)
        if page.path == "departments/":  # the 拼音索引 comes after the 部门 page (PageBuilder.catalog_pages)
            yield from index
    if history is not None:
        # The adjustment pages take long and change little: kept (_kept_specs) by what they show,
        # the history and what they show of the current lists (history_pages.current_parts).
        current = digest(context, *current_parts(builder, history), events_key, *(m.path for m in catalog.main_items()),
                         *(builder.now.key_parts() if builder.now is not None else ()))
        yield from _kept_specs(build, "history", current, lambda: build_history_pages(builder, history))
        yield fixed_spec(as_of_page(builder))
    for department in builder.config.departments:
        yield PageSpec(f"departments/{department.code}/",
                       digest(context, department_key(builder, department.code, of, events_key)),
                       lambda d=department: builder.department_page(d), title=department.name)
    for main in catalog.main_items():
        yield PageSpec(main.path, digest(context, "main", *(of(c) for c in main.children), main.name, main.code),
                       lambda m=main: builder.main_item_page(m), title=main.name)
    keys = ItemKeys(build.products.get("@item_keys") if build.serving else None)
    if build.serving:
        build.put("@item_keys", keys)
    for item in catalog.items():
        yield PageSpec(f"{item.list_id}/{item.code}/", keys(item, context, item_parts(builder, item, of)),
                       lambda i=item: builder.item_page(i), title=item.name)
    # Items at HEAD not in force on the as-of day (added by a pending adjustment, past their 有效期至):
    # their page says so, at the address they keep; they are in no list and no search.
    for item, status in builder.now.unlisted if builder.now is not None else []:
        yield PageSpec(f"{item.list_id}/{item.code}/", keys(item, context, (status, *item_parts(builder, item, of))),
                       lambda i=item, s=status: builder.item_page(i, s), title=item.name)


def _kept_specs(build: Build, name: str, key: str, make: Callable[[], list[Page]]) -> list[PageSpec]:
    """The pages `make()` gives, as specs. A build whose previous build made them for the same
    `key` does not render them: it gives each the key (and nav entry) it had then, and renders
    them only if the pages step must write one (the key says the page is what it was)."""
    from generator.steps.nav import nav_entry

    stored = build.before.extra.get("kept_pages", {}).get(name)
    if build.serving or build.cold or not stored or stored[0] != key:
        specs = [fixed_spec(page) for page in _kept(build, name, key, make)]
        for spec in specs:  # as the record of the build keeps it (its dicts' keys sorted: nav keys by repr)
            spec.head = tuple(json.loads(_dump(list(nav_entry(spec.make()))))) if spec.nav else None
    else:
        made: list[list[Page]] = []

        def page(path: str) -> Page:
            if not made:
                made.append(make())
            return next(p for p in made[0] if p.path == path)

        specs = [PageSpec(path, page_key, lambda p=path: page(p), nav=head is not None, title=title,
                          head=tuple(head) if head is not None else None)
                 for path, page_key, title, head in stored[1]]
    kept = dict(build.after.extra.get("kept_pages", {}))
    kept[name] = [key, [[s.path, s.key, s.title, list(s.head) if s.head is not None else None] for s in specs]]
    build.after.extra["kept_pages"] = kept
    return specs


def _kept(build: Build, name: str, key: str, make: Callable[[], list[Page]]) -> list[Page]:
    """`make()`, or in a preview the pages it made last time for the same key."""
    if not build.serving:
        return make()
    kept = build.products.setdefault("@kept_pages", {})
    if name not in kept or kept[name][0] != key:
        kept[name] = (key, make())
    return kept[name][1]


def _renderer(build: Build, templates: Path) -> TemplateRenderer:
    """The Jinja templates, compiled once per preview: compiling them again took a quarter of a
    second of every edit. A new one when the project's templates/ changed (the package's own
    templates change only with the code, and a preview runs one code)."""
    if not build.serving:
        compiled = build.root / ".cache" / "templates" / code_fingerprint()[:16]
        compiled.mkdir(parents=True, exist_ok=True)
        return TemplateRenderer(templates, compiled)
    key = build.runner.input_digest("templates/")
    kept = build.products.get("@renderer")
    if kept is None or kept[0] != key:
        kept = (key, TemplateRenderer(templates))
        build.put("@renderer", kept)
    return kept[1]


# Build.after.extra[COUNTS_RECORD]: each item's disclosure counts by item digest, and the key
# (code, site_config.yml) under which they were counted.
COUNTS_RECORD = "disclosure_counts"


def run(build: Build) -> None:
    from generator import pinyin
    from generator.steps.downloads import download_links

    project = build.get("@in_force")  # the lists as in force on the as-of day (steps/timeline.py)
    history = build.get("@history")
    renderer = _renderer(build, project.root / "templates")
    of = ItemDigests(build.products.get("@item_digests"))
    build.put("@item_digests", of)
    counts_key = digest(code_fingerprint(), build.runner.input_digest("site_config.yml"))
    stored = build.before.extra.get(COUNTS_RECORD, {})
    counts = DisclosureCounts(project.catalog.config, build.products.get("@disclosure_counts"),
                              stored.get("counts") if stored.get("key") == counts_key else None, of)
    if build.serving:
        build.put("@disclosure_counts", counts)
    builder = PageBuilder(project.catalog, renderer, history, download_links(project), now=build.get("@now"),
                          counts=counts)
    pinyin_cache = project.root / ".cache" / "pinyin.json"
    if not build.serving:  # a preview keeps its conversions in memory
        pinyin.load_cache(pinyin_cache)
    build.put("@pages", list(page_specs(build, project.catalog, builder, history)))
    build.after.extra[COUNTS_RECORD] = {"key": counts_key, "counts": counts.by_key()}
    if not build.serving:
        pinyin.save_cache(pinyin_cache, _pinyin_names(project.catalog))


def _pinyin_names(catalog: Catalog) -> set[str]:
    """The names pages convert to pinyin: items' names, and departments' names as
    templates/department.html searches them (full, without the region, short), so that an edit's
    build finds them all in the cache and never loads pypinyin."""
    region = catalog.config.portal.region
    names = {item.name for item in catalog.items()}
    for department in catalog.config.departments:
        names |= {department.name, department.short_name}
        if region and department.name.startswith(region):
            names.add(department.name[len(region):])
    return {name for name in names if name}


# What every page depends on besides the catalog and the history: part of every page's key.
_CONTEXT = ("templates/", "site_config.yml", "env:SOURCE_DATE_EPOCH")
STEP = Step("render", ("@in_force", "@now", "@history", *_CONTEXT), ("@pages", "@item_digests", "@kept_pages", "@renderer",
                                                                   "@disclosure_counts", "@item_keys"),
            run,
            "every current page with the key of what it is made from; whole-catalog pages rendered now")

