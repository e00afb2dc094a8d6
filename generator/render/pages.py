"""Model (+ history) → the site's generated pages, as plain data with HTML bodies.

Pages here know nothing of MkDocs: each is a path, a title, portal meta tags and an HTML body
rendered through Jinja. The site stage decides how each is wrapped in the theme.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from generator import pinyin
from generator.config import Department, ListType, SiteConfig
from generator.fieldtypes import FIELD_TYPES
from generator.history.inforce import InForce, valid_until
from generator.history.versions import AdjustmentRef, event_date
from generator.model import Catalog, Item, MainItem, is_blank
from generator.render import feeds
from generator.render.env import TemplateRenderer
from generator.rules import completeness, item_completeness, missing_disclosures, missing_required


class HistoryView(Protocol):
    """What rendering needs from the history stage (see generator/history)."""

    def by_item(self, list_id: str, code: str) -> list[Any]: ...


@dataclass
class Page:
    path: str  # URL path relative to the site root, "" for home, else ending in "/"
    title: str
    body: str
    kind: str  # home, list, department, departments, item, index, removed, ...
    meta: dict[str, str] = field(default_factory=dict)  # portal meta tags of this page
    nav: bool = False  # built as a MkDocs page (in the nav) rather than through the page shell
    # Breadcrumb of a shell page, (label, path from the site root): shell pages carry no nav.
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    # <meta name="description"> of a shell page (item, department); empty: the site's description.
    description: str = ""
    # The page's own feed (generator/render/feeds.py): linked in <head> and shown as 订阅; None
    # without a history (no feeds are written) and on edition pages.
    feed: feeds.FeedLink | None = None

    @property
    def depth(self) -> int:
        return self.path.count("/")


def item_description(name: str, list_type: ListType | None, department: Department | None) -> str:
    """An item page's <meta name="description">: what search engines and shared links show, e.g.
    "权力清单：石油天然气管道许可证核发（示例县发展和改革委员会）"."""
    where = f"（{department.name}）" if department else ""
    return f"{list_type.title}：{name}{where}" if list_type else f"{name}{where}"


def root_prefix(path: str) -> str:
    """Relative prefix from a page back to the site root ("power/x/" → "../../")."""
    return "../" * path.count("/")


@dataclass
class Relation:
    label: str  # e.g. "对应的责任事项"
    item: Item


class DisclosureCounts:
    """Each item's (disclosures filled, disclosures expected): its share of its department's
    completeness. A preview keeps the counts of the items it already knew (the same objects under
    the same configuration), and a build those of the last build by item digest (`stored`, keyed
    by `key_of`: what the item holds), so an edit counts only the edited file's items again, not
    10,000."""

    def __init__(self, config: SiteConfig, previous: DisclosureCounts | None = None,
                 stored: dict[str, list[int]] | None = None, key_of: Callable[[Item], str] | None = None) -> None:
        self.config = config
        self._by_id: dict[int, tuple[Item, int, int]] = {}
        self._previous = previous._by_id if previous is not None and previous.config is config else {}
        self._stored = stored or {}
        self._key_of = key_of

    def __call__(self, catalog: Catalog, item: Item) -> tuple[int, int]:
        known = self._by_id.get(id(item)) or self._previous.get(id(item))
        if known is None or known[0] is not item:
            counted = self._stored.get(self._key_of(item)) if self._key_of is not None else None
            known = (item, *(counted or item_completeness(catalog, item)))
        self._by_id[id(item)] = known
        return known[1], known[2]

    def by_key(self) -> dict[str, list[int]]:
        """The counts made so far, by item digest: what the next build is given as `stored`."""
        assert self._key_of is not None
        return {self._key_of(item): [filled, expected] for item, filled, expected in self._by_id.values()}


class SiteData:
    """Indexes the page templates need: references both ways, department items, pinyin order."""

    def __init__(self, catalog: Catalog, counts: DisclosureCounts | None = None) -> None:
        self.catalog = catalog
        self.config = catalog.config
        self.counts = counts or DisclosureCounts(catalog.config)
        self.outgoing: dict[str, list[Relation]] = defaultdict(list)
        self.incoming: dict[str, list[Relation]] = defaultdict(list)
        self.by_department: dict[str, dict[str, list[Item]]] = {
            d.code: {t.id: [] for t in self.config.list_types} for d in self.config.departments
        }
        for item in catalog.items():
            self.by_department.setdefault(item.department, {}).setdefault(item.list_id, []).append(item)
            list_type = self.config.list_type(item.list_id)
            for fdef in list_type.fields if list_type else []:
                if fdef.type != "ref" or fdef.name not in item.data:
                    continue
                values = item.data[fdef.name]
                for code in values if isinstance(values, list) else [values]:
                    target = catalog.get(fdef.ref, code)
                    if target is None:
                        continue
                    self.outgoing[item.key].append(Relation(fdef.label, target))
                    self.incoming[target.key].append(Relation(list_type.item_label, item))

    @cached_property
    def completeness(self) -> dict[str, tuple[int, int]]:
        """Per department (filled, expected) disclosures across its items; only the home and
        department pages ask."""
        return completeness(self.catalog, self.counts)


@dataclass
class IndexSections:
    """The 拼音索引's items by first letter (letters in index order); split: a page per letter."""

    sections: dict[str, list[Item]]
    letters: list[str]
    split: bool


def pub_date(events: list[Any]) -> str:
    """PubDate (YYYY-MM-DD HH:MM): the item's latest adjustment, else SOURCE_DATE_EPOCH."""
    if events:
        return str(getattr(events[0], "date", ""))[:16].replace("T", " ")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    return ""


class PageBuilder:
    # Beyond this many items a list page links to department pages instead of listing them all,
    # and the 拼音索引 has a page per letter.
    list_threshold = 3000

    def __init__(self, catalog: Catalog, renderer: TemplateRenderer, history: HistoryView | None = None,
                 downloads: dict[tuple[str | None, str | None], dict[str, str]] | None = None,
                 now: InForce | None = None, counts: DisclosureCounts | None = None) -> None:
        self.catalog = catalog
        # The lists as in force on the as-of day (generator/history/inforce.py): pending changes,
        # items not yet or no longer in force. None (an edition's pages): nothing is announced.
        self.now = now
        self.pending_seqs = now.pending_seqs if now is not None else frozenset()
        self.downloads = downloads or {}
        self.config: SiteConfig = catalog.config
        self.renderer = renderer
        self.history = history
        self.data = SiteData(catalog, counts)

    def _render(self, template: str, path: str, **context: Any) -> str:
        return self.renderer.render(
            template, root=root_prefix(path), config=self.config, portal=self.config.portal,
            catalog=self.catalog, site=self.data, pending_adjustments=self.now.pending if self.now else [],
            pending_seqs=self.pending_seqs, **context,
        )

    def _column_meta(self, name: str, description: str, kind: str) -> dict[str, str]:
        return {
            "ColumnName": name,
            "ColumnDescription": description,
            "ColumnKeywords": f"{self.config.portal.region},{name},权责清单",
            "ColumnType": kind,
        }

    def events(self, item: Item) -> list[Any]:
        return self.history.by_item(item.list_id, item.code) if self.history else []

    def home(self, latest: list[Any] | None = None) -> Page:
        body = self._render("home.html", "", latest=latest)
        return Page("", "首页", body, "home", nav=True,
                    meta=self._column_meta("首页", self.config.portal.description, "首页"))

    def list_page(self, list_type: ListType, body: bool = True) -> Page:
        """body=False: the page without its body, for what the nav shows of it before it is rendered."""
        path = f"{list_type.id}/"
        groups = [
            (d, self.data.by_department.get(d.code, {}).get(list_type.id, []))
            for d in self.config.departments
        ]
        total = sum(len(items) for _, items in groups)
        feed = feeds.list_feed_link(list_type) if self.history is not None else None
        html = self._render(
            "list.html", path, list_type=list_type, groups=[g for g in groups if g[1]], total=total,
            full=total <= self.list_threshold, downloads=self.downloads.get((list_type.id, None), {}), feed=feed,
        ) if body else ""
        return Page(path, list_type.title, html, "list", nav=True,
                    meta=self._column_meta(list_type.title, list_type.description, "清单"), feed=feed)

    def departments_page(self) -> Page:
        path = "departments/"
        body = self._render("departments.html", path)
        return Page(path, "部门", body, "departments", nav=True,
                    meta=self._column_meta("部门", "各部门的清单事项与公开完整度", "部门"))

    def _events(self) -> list[Any]:
        return list(getattr(self.history, "events", None) or [])

    def department_page(self, department: Department) -> Page:
        from generator.render import stats

        path = f"departments/{department.code}/"
        figures = stats.compute(self.catalog, self._events(), department.code)
        feed = feeds.department_feed_link(department) if self.history is not None else None
        body = self._render("department.html", path, department=department,
                            lists=self.data.by_department.get(department.code, {}),
                            downloads=self.downloads.get((None, department.code), {}),
                            stats=figures, charts=stats.charts(figures, f"qd-chart-{department.code}"), feed=feed)
        summary = f"{department.name}的全部清单事项"
        return Page(path, department.name, body, "department",
                    crumbs=[("首页", ""), ("部门", "departments/")],
                    meta=self._column_meta(department.name, summary, "部门"), description=summary, feed=feed)

    def item_pages(self, items: Iterable[Item]) -> list[Page]:
        return [self.item_page(item) for item in items]

    def item_page(self, item: Item, status: str = "") -> Page:
        """status: "" for a listed item; for the page of an item not in force on the as-of day
        (尚未施行, 已到期) its status: the page is kept out of the search."""
        path = f"{item.list_id}/{item.code}/"
        list_type = self.config.list_type(item.list_id)
        department = self.config.department(item.department)
        events = self.events(item)
        feed = feeds.item_feed_link(item, events, self.config) if self.history is not None else None
        pending = self.now.changes.get(item.key, []) if self.now is not None else []
        state = {"status": status, "searchable": False} if status else {}
        body = self._render(
            "item.html", path, item=item, list_type=list_type, department=department, feed=feed,
            disclosures=self.disclosure_rows(item), other_fields=self.other_fields(item, list_type),
            parent=self.catalog.parent(item), main=self.catalog.main_item(item), children=self.catalog.children(item),
            outgoing=self.data.outgoing.get(item.key, []), incoming=self.data.incoming.get(item.key, []),
            events=events, currency=self.currency(events, bool(pending)), pending=pending,
            until=valid_until(item.data), **state,
        )
        meta = {"ArticleTitle": item.name, "ContentSource": department.name if department else ""}
        date = pub_date(events)
        if date:
            meta["PubDate"] = date
        crumbs = [("首页", ""), (list_type.title, f"{item.list_id}/")] if list_type else [("首页", "")]
        if department:
            crumbs.append((department.short_name, f"departments/{department.code}/"))
        return Page(path, item.name, body, "item", meta=meta, crumbs=crumbs,
                    description=item_description(item.name, list_type, department), feed=feed)

    def main_item_page(self, main: MainItem) -> Page:
        """The page of a 主项 that is only the parent of its 子项: the 子项, and the cells they share."""
        list_type = self.config.list_type(main.list_id)
        department = self.config.department(main.department)
        body = self._render("main_item.html", main.path, main=main, list_type=list_type, department=department,
                            shared=self.shared_fields(main, list_type))
        crumbs = [("首页", ""), (list_type.title, f"{main.list_id}/")] if list_type else [("首页", "")]
        if department:
            crumbs.append((department.short_name, f"departments/{department.code}/"))
        meta = {"ArticleTitle": main.name, "ContentSource": department.name if department else ""}
        return Page(main.path, main.name, body, "main", meta=meta, crumbs=crumbs,
                    description=item_description(main.name, list_type, department))

    def shared_fields(self, main: MainItem, list_type: ListType | None) -> list[tuple[Any, Any]]:
        """(field, value) of the cells every 子项 fills alike (依据, 实施主体…): shown once on the 主项
        page. A single 子项 shares nothing with anyone."""
        if list_type is None or len(main.children) < 2:
            return []
        skip = {"code", "name", "local_code", "parent", "parent_name", "extra"}
        shared = []
        for fdef in list_type.fields:
            values = [child.data.get(fdef.name) for child in main.children]
            if fdef.name not in skip and not is_blank(values[0]) and all(v == values[0] for v in values):
                shared.append((fdef, values[0]))
        return shared

    def currency(self, events: list[Any], pending: bool = False) -> dict[str, Any]:
        """How current an item page is (政府网站发展指引: changed content is marked as such) and where
        its values come from: the item's last adjustment in force (its day, the day it took effect,
        its 文号), else the first publication; and whether a change is pending. Never the build
        date, so the page of an item with nothing pending stays byte-identical from day to day."""
        first = str(getattr(self.history, "first_published", "") or "")
        latest = events[0] if events else None  # on the page of an item not listed: its last adjustment
        last = next((e for e in events if e.seq not in self.pending_seqs), None)  # made the values in force
        return {"day": latest.day if latest else first, "latest": latest, "event": last,
                "since": event_date(last) if last else first, "anchor": AdjustmentRef.of(last).anchor if last else "",
                "known": self.history is not None, "pending": pending}

    def index_pages(self) -> list[Page]:
        """The 拼音 A–Z index: one page, or one page per letter when the lists are large."""
        index = self.index_sections()
        return [self.index_page(index, letter) for letter in [None, *(index.letters if index.split else [])]]

    def index_sections(self) -> IndexSections:
        """Every item under its name's first letter, in pinyin order: what the index pages show."""
        sections: dict[str, list[Item]] = defaultdict(list)
        for item in sorted(self.catalog.items(), key=lambda i: pinyin.sort_key(i.name)):
            sections[pinyin.index_letter(item.name)].append(item)
        letters = sorted(sections, key=lambda c: (c == "#", c))
        return IndexSections(sections, letters, sum(len(v) for v in sections.values()) > self.list_threshold)

    def index_page(self, index: IndexSections, letter: str | None = None, body: bool = True) -> Page:
        """The index's first page (letter None), or a letter's page when it is split; body=False:
        the page without its body (what the nav shows of it)."""
        path = "pinyin/"
        meta = self._column_meta("拼音索引", "按事项名称拼音首字母排列的全部事项", "索引")
        page_path = path if letter is None else f"{path}{letter.lower() if letter != '#' else 'other'}/"
        html = self._render("pinyin.html", page_path, sections=index.sections, letters=index.letters,
                            split=index.split, letter=letter) if body else ""
        if letter is None:
            return Page(path, "拼音索引", html, "index", nav=True, meta=meta)
        return Page(page_path, f"拼音索引 {letter}", html, "index", meta=meta, crumbs=[("首页", ""), ("拼音索引", path)])

    def data_page(self) -> Page:
        """数据开放: every list's downloads and the meaning of each field, from the config."""
        path = "data/"
        body = self._render("data.html", path, downloads=self.downloads, type_names={name: t.documented for name, t in FIELD_TYPES.items()})
        return Page(path, "数据开放", body, "data", nav=True,
                    meta=self._column_meta("数据开放", "清单数据下载（Excel、CSV、JSON）及字段说明", "数据"))

    def stats_page(self) -> Page:
        """统计: figures of the whole catalog, charts drawn as SVG at build time."""
        from generator.render import stats

        figures = stats.compute(self.catalog, self._events())
        body = self._render("stats.html", "stats/", stats=figures, charts=stats.charts(figures))
        return Page("stats/", "统计", body, "stats", nav=True,
                    meta=self._column_meta("统计", "清单事项数、职权类型、办件类型、时限压缩、收费和调整的统计", "统计"))

    def quality_page(self) -> Page:
        """公开质量 (only when site_config.yml says quality_page: true): completeness and open findings."""
        from generator.assess import assess

        result = assess(self.catalog)
        open_by_dept: dict[str, list[Any]] = {}
        for f in result.findings:
            if f.level in ("error", "warning"):
                open_by_dept.setdefault(f.department, []).append(f)
        body = self._render("quality.html", "quality/", departments=result.departments, open_by_dept=open_by_dept)
        return Page("quality/", "公开质量", body, "quality", nav=True,
                    meta=self._column_meta("公开质量", "各部门清单的公开完整度和清单评估发现的待处理问题", "统计"))

    def all_pages(self, latest: list[Any] | None = None) -> Iterator[Page]:
        yield from self.site_pages(latest)
        for item in self.catalog.items():
            yield self.item_page(item)

    def site_pages(self, latest: list[Any] | None = None) -> Iterator[Page]:
        """Every page but the item pages, which a large build renders and writes part by part."""
        yield from self.catalog_pages(latest)
        for department in self.config.departments:
            yield self.department_page(department)
        for main in self.catalog.main_items():
            yield self.main_item_page(main)

    def catalog_pages(self, latest: list[Any] | None = None, index: list[Page] | None = None,
                      lists: bool = True) -> Iterator[Page]:
        """The pages that show the whole catalog: home, lists, 部门, 拼音索引, 数据开放, 统计, 公开质量.
        index: the 拼音索引 pages when the caller already has them (a preview keeps them);
        lists=False: without the list pages (the render step keys each by its own list's items)."""
        yield self.home(latest)
        for list_type in self.config.list_types if lists else []:
            yield self.list_page(list_type)
        yield self.departments_page()
        yield from self.index_pages() if index is None else index
        yield self.data_page()
        yield self.stats_page()
        if self.config.quality_page:
            yield self.quality_page()

    # -- helpers used by the item template -------------------------------------------------

    def disclosure_rows(self, item: Item) -> list[tuple[str, str, Any]]:
        """(key, label, value) for the eight disclosures in fixed order; value None when missing."""
        missing = set(missing_disclosures(self.catalog, item))
        return [
            (key, label, None if label in missing else self.catalog.disclosure(item, key))
            for key, label in self.config.applicable_disclosures(item.list_id)
        ]

    def other_fields(self, item: Item, list_type: ListType | None) -> list[tuple[Any, Any]]:
        """The item's own fields that are not the code, the name or a disclosure; a required one left
        blank is listed too, with None (shown as 未公开, as a blank disclosure is)."""
        if list_type is None:
            return []
        blank = {f.name for f in missing_required(list_type, item)}
        applicable = {key for key, _ in self.config.applicable_disclosures(item.list_id)}
        used = {path.split(".")[0] for key, path in list_type.disclosure_map.items() if key in applicable}
        used |= {"code", "name", "local_code", "parent_name", "parent", "extra"}  # shown in the page's head
        return [
            (fdef, item.data.get(fdef.name))
            for fdef in list_type.fields
            if fdef.name not in used and (fdef.name in item.data or fdef.name in blank)
        ]
