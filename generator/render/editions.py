"""Published editions: every git tag matching `editions: tag_pattern:` is an edition of the lists.

For each edition the site gets a point-in-time copy of the lists, and comparison pages built by the
diff engine (`generator.diff.compare`):

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

Tag slugs (the `<slug>` above) are URL-safe: ASCII letters, digits, `.`, `_` and `-` are kept
(letters lower-cased); each run of Chinese characters becomes its toneless pinyin (`2021版` →
`2021ban`, `2021年版` → `2021nianban`); anything else becomes `-`. Runs of `-` or `.` are collapsed,
leading and trailing `-._` removed, an empty result becomes `edition`. A slug that is taken (two
tags differing only in case, or the reserved names `compare` and `current`) gets `-2`, `-3`, …
in tag order, so a slug never changes unless an older tag is added.

Cost: each edition adds as many pages as the lists had items then, so a site with five editions
has about six times the item pages. That is fine for a few editions; rendering is plain Jinja
(see docs/architecture.md for the figures). The lists of an edition are read with
`snapshot.catalog_at` through the history's on-disk blob cache, so re-building costs one
`git ls-tree` per edition and no YAML parsing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator import pinyin
from generator.config import Department, SiteConfig
from generator.diff import compare
from generator.diff.result import KINDS, DiffResult, Version
from generator.gitrepo import GitRepo, TagInfo
from generator.history.events import public_title, record_day
from generator.history.trailers import read_basis
from generator.model import Catalog
from generator.problems import Problems
from generator.render.env import TemplateRenderer
from generator.render.pages import Page, PageBuilder, root_prefix

INDEX_PATH = "editions/"
COMPARE_DIR = "editions/compare/"
CURRENT = "current"  # the b side of "compared with the current lists" in compare URLs
RESERVED_SLUGS = frozenset({"compare", CURRENT})

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_RUNS = re.compile(rf"[A-Za-z0-9._-]+|{_HAN}|.", re.S)
_ASCII = re.compile(r"[A-Za-z0-9._-]+")
_CHINESE = re.compile(_HAN)


def tag_slug(name: str) -> str:
    """A URL-safe slug for a tag name (the rule is in the module docstring)."""
    parts = []
    for match in _RUNS.finditer(name):
        run = match.group(0)
        if _ASCII.fullmatch(run):
            parts.append(run.lower())
        elif _CHINESE.fullmatch(run):
            parts.append(pinyin.full(run) or "-")
        else:
            parts.append("-")
    slug = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", "".join(parts))).strip("-._")
    return slug or "edition"


def assign_slugs(names: list[str]) -> dict[str, str]:
    """tag name → unique slug, first come first served in the order given."""
    taken = set(RESERVED_SLUGS)
    out = {}
    for name in names:
        base = slug = tag_slug(name)
        n = 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[name] = slug
    return out


@dataclass
class Edition:
    """One published edition: a tag, the commit it names and the lists at that commit."""

    tag: str
    slug: str
    commit: str
    date: str  # the date declared in site_config.yml (YYYY-MM-DD), else the tagged commit's, ISO 8601
    subject: str  # the tag message's first line (a lightweight tag: the commit's)
    body: str  # the rest of the message
    catalog: Catalog  # every item found, for the comparisons
    pages_catalog: Catalog  # the items that can have pages under the current configuration
    notes: list[str] = field(default_factory=list)
    skip_files: frozenset[str] = frozenset()
    next: Edition | None = None

    @property
    def day(self) -> str:
        return self.date[:10]

    @property
    def home(self) -> str:
        return f"{INDEX_PATH}{self.slug}/"

    @property
    def total(self) -> int:
        return sum(1 for _ in self.catalog.items())

    def list_counts(self) -> list[tuple[Any, int]]:
        """(list type, item count) for every list type of the current configuration."""
        return [(t, len(self.pages_catalog.lists.get(t.id, {}))) for t in self.pages_catalog.config.list_types]

    def version(self) -> Version:
        return Version(label=self.tag, kind="commit", commit=self.commit, date=self.date[:16].replace("T", " "),
                       subject=self.subject)


def compare_path(a: Edition, b: Edition | None) -> str:
    """editions/compare/<a>...<b>/, or <a>...current/ against the current lists."""
    return f"{COMPARE_DIR}{a.slug}...{b.slug if b else CURRENT}/"


def tag_messages(repo: GitRepo) -> dict[str, tuple[str, str]]:
    """tag name → (subject, body) of the tag's message; a lightweight tag gives its commit's."""
    # GitRepo has no public call for messages yet; one for-each-ref, like GitRepo.tags().
    out = repo._out("for-each-ref", "--format=%(refname:short)%1f%(contents:subject)%1f%(contents:body)%1e",
                    "refs/tags")
    messages = {}
    for record in (out or "").split("\x1e"):
        parts = record.strip("\n").split("\x1f")
        if len(parts) == 3:
            messages[parts[0]] = (parts[1].strip(), parts[2].strip())
    return messages


def edition_tags(config: SiteConfig, repo: GitRepo) -> list[TagInfo]:
    """Editions, oldest first: tags matching the pattern, and editions declared in site_config.yml
    (by date: the lists after the last adjustment whose record date is on or before it, so a fresh
    clone without tags shows them too). A repository-less project has none."""
    if not repo.is_repo():
        return []
    pattern = re.compile(config.edition_tag_pattern)
    tags = [t for t in repo.tags() if pattern.search(t.name)]
    if config.declared_editions:
        named = {t.name for t in tags}
        dated = [(record_day(*_record_dates(c.info)), c.info) for c in repo.log_changes(config.lists_dir)]
        for name, day in config.declared_editions:
            before = [info for when, info in dated if when <= day]
            if name not in named and before:
                tags.append(TagInfo(name, before[-1].sha, before[-1].date))
        tags.sort(key=lambda t: next((i for i, (_, info) in enumerate(dated) if info.sha == t.commit), -1))
    return tags


def _record_dates(info: Any) -> tuple[str, str, str]:
    basis = read_basis(info.trailers)
    return basis.published, basis.effective, info.date


def load_editions(config: SiteConfig, repo: GitRepo, tags: list[TagInfo], cache: Any = None) -> list[Edition]:
    """Each tag's lists, through snapshot.catalog_at (pass the history's blob cache to re-use it)."""
    from generator.snapshot import catalog_at

    messages = tag_messages(repo)
    declared = dict(config.declared_editions)  # an edition's date is the one declared, not its commit's
    slugs = assign_slugs([t.name for t in tags])  # over all matching tags, so a slug never depends on the clone
    editions = []
    for tag in tags:
        problems = Problems()
        catalog = catalog_at(config, repo, tag.commit, problems, cache)
        if any(p.rule == "git-revision" for p in problems.errors):
            continue  # the tagged commit is not in this clone (shallow): no edition rather than an empty one
        notes, skip = _unreadable(config, catalog, problems)
        subject, body = messages.get(tag.name, ("", ""))
        if public_title(subject, "") != subject:  # a lightweight tag gives its commit's message: not public
            subject, body = "", ""
        editions.append(Edition(tag.name, slugs[tag.name], tag.commit, declared.get(tag.name, tag.date), subject, body, catalog,
                                _pages_catalog(catalog), notes, skip))
    for older, newer in zip(editions, editions[1:], strict=False):
        older.next = newer
    return editions


def _unreadable(config: SiteConfig, catalog: Catalog, problems: Problems) -> tuple[list[str], frozenset[str]]:
    """List files the edition could not read: left out of comparisons (not read as cancelled), and said so."""
    prefix = config.lists_dir.rstrip("/") + "/"
    loaded = {item.file for item in catalog.items()}
    broken = sorted({p.file for p in problems.errors if p.file.startswith(prefix)} - loaded)
    if not broken:
        return [], frozenset()
    return [f"本版本中有 {len(broken)} 个清单文件无法读取，其中的事项未列出，也未参加比较：" + "、".join(broken)], frozenset(broken)


def _pages_catalog(catalog: Catalog) -> Catalog:
    """The edition's items that can be shown with today's templates.

    Items of a list type the configuration no longer has are left out of the pages (they still
    count in comparisons); a department the configuration no longer declares is shown by its code.
    """
    config = catalog.config
    known = {d.code for d in config.departments}
    gone = sorted({i.department for i in catalog.items() if i.department not in known})
    if gone:
        last = max((d.order for d in config.departments), default=0)
        extra = [Department(code=c, name=f"{c}（已不在现行部门名单中）", short_name=c, order=last + 1 + n)
                 for n, c in enumerate(gone)]
        config = dataclasses.replace(config, departments=[*config.departments, *extra])
    lists = {lid: items for lid, items in catalog.lists.items() if config.list_type(lid) is not None}
    return Catalog(config=config, lists=lists)


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


def comparison_page(builder: PageBuilder, a: Edition, b: Edition | None) -> Page:
    """The diff engine's result for a → b (b None: the current lists) inside the site's theme."""
    current = builder.catalog
    version_b = b.version() if b else Version("现行清单", "catalog")
    result = compare(a.catalog, b.catalog if b else current, a.version(), version_b,
                     skip_files=a.skip_files | (b.skip_files if b else frozenset()))
    result.notes.extend(a.notes + (b.notes if b else []))
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


def build_edition_pages(builder: PageBuilder, config: SiteConfig, repo: GitRepo, *,
                        current_pages: dict[str, str] | None = None, cache: Any = None) -> list[Page]:
    """Every edition page; [] when there is no git repository or no tag matches the pattern.

    `builder` renders the current site; `current_pages` (path → title of the current site's
    pages) lets each edition page link to the page it became; `cache` is a history BlobCache.
    """
    tags = edition_tags(config, repo)
    if not tags:
        return []
    editions = load_editions(config, repo, tags, cache)
    current_pages = current_pages if current_pages is not None else {"": "首页"}
    pages = [index_page(builder, editions)]
    for edition in editions:
        pages.extend(EditionPageBuilder(edition, builder.renderer, current_pages).edition_pages())
        if edition.next is not None:
            pages.append(comparison_page(builder, edition, edition.next))
        pages.append(comparison_page(builder, edition, None))
    return pages
