"""Published editions as plain data: which tags are editions, the lists at each, and their comparisons.

Every git tag matching `editions: tag_pattern:` is an edition, and so is every edition declared by
date in site_config.yml (the lists after the last adjustment whose record date, `events.record_date`:
生效日期, else 发布日期, else the commit's day, is on or before it, so a fresh clone without tags shows
it too). `dated_commits` and `last_on_or_before` are that rule; `qingdan diff 2021-12-31` uses them too. This module reads git and runs the diff engine; the
pages are made from its result by `generator.render.editions`, which reads neither:

    data = read_editions(project.root, config, current_catalog)    # None: no git, or no edition
    pages = render.editions.edition_pages(builder, data, current_pages)

Tag slugs (the `<slug>` of `editions/<slug>/`) are URL-safe: ASCII letters, digits, `.`, `_` and
`-` are kept (letters lower-cased); each run of Chinese characters becomes its toneless pinyin
(`2021版` → `2021ban`, `2021年版` → `2021nianban`); anything else becomes `-`. Runs of `-` or `.`
are collapsed, leading and trailing `-._` removed, an empty result becomes `edition`. A slug that
is taken (two tags differing only in case, or the reserved names `compare` and `current`) gets
`-2`, `-3`, … in tag order, so a slug never changes unless an older tag is added.

The lists of an edition are read with `snapshot.catalog_at` through the history's on-disk blob
cache, so re-building costs one `git ls-tree` per edition and no YAML parsing.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import pinyin
from generator.config import Department, SiteConfig
from generator.diff import compare
from generator.diff.result import DiffResult, Version
from generator.gitrepo import CommitInfo, GitRepo, TagInfo
from generator.history.events import public_title, record_date
from generator.history.trailers import read_basis
from generator.model import Catalog
from generator.problems import Problems

INDEX_PATH = "editions/"
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
        """The edition's address on the site."""
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


@dataclass
class Comparison:
    """The diff engine's result for edition a → b (b None: the current lists)."""

    a: Edition
    b: Edition | None
    result: DiffResult


@dataclass
class Editions:
    """Every edition, oldest first, and the comparisons the site shows, in page order: each edition
    with the next one (if any), then with the current lists."""

    editions: list[Edition]
    comparisons: list[Comparison]

    def comparisons_of(self, edition: Edition) -> list[Comparison]:
        return [c for c in self.comparisons if c.a is edition]


def edition_tags(config: SiteConfig, repo: GitRepo) -> list[TagInfo]:
    """Editions, oldest first: tags matching the pattern, and editions declared in site_config.yml
    (by date). A repository-less project has none."""
    if not repo.is_repo():
        return []
    pattern = re.compile(config.edition_tag_pattern)
    tags = [t for t in repo.tags() if pattern.search(t.name)]
    if config.declared_editions:
        named = {t.name for t in tags}
        dated = dated_commits(config, repo)
        for name, day in config.declared_editions:
            found = last_on_or_before(dated, day)
            if name not in named and found is not None:
                tags.append(TagInfo(name, found.sha, found.date))
        tags.sort(key=lambda t: next((i for i, (_, info) in enumerate(dated) if info.sha == t.commit), -1))
    return tags


def dated_commits(config: SiteConfig, repo: GitRepo) -> list[tuple[str, CommitInfo]]:
    """(record date, commit) of every first-parent commit that changed the lists, oldest first."""
    out = []
    for commit in repo.log_changes(config.lists_dir):
        basis = read_basis(commit.info.trailers)
        out.append((record_date(basis.effective, basis.published, commit.info.date), commit.info))
    return out


def last_on_or_before(dated: list[tuple[str, CommitInfo]], day: str) -> CommitInfo | None:
    """The commit whose lists stood on `day` (YYYY-MM-DD): the last one, in the record's order,
    whose record date is on or before it; None before the first."""
    before = [info for when, info in dated if when <= day]
    return before[-1] if before else None


def load_editions(config: SiteConfig, repo: GitRepo, tags: list[TagInfo], cache: Any = None) -> list[Edition]:
    """Each tag's lists, through snapshot.catalog_at (pass the history's blob cache to re-use it)."""
    from generator.snapshot import catalog_at

    messages = repo.tag_messages()
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
        editions.append(Edition(tag.name, slugs[tag.name], tag.commit, declared.get(tag.name, tag.date), subject, body,
                                catalog, _pages_catalog(catalog), notes, skip))
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


def compare_editions(a: Edition, b: Edition | None, current: Catalog) -> Comparison:
    """Edition a → edition b, or → the current lists when b is None."""
    version_b = b.version() if b else Version("现行清单", "catalog")
    result = compare(a.catalog, b.catalog if b else current, a.version(), version_b,
                     skip_files=a.skip_files | (b.skip_files if b else frozenset()))
    result.notes.extend(a.notes + (b.notes if b else []))
    return Comparison(a, b, result)


def gather_editions(config: SiteConfig, repo: GitRepo, current: Catalog, tags: list[TagInfo] | None = None,
                    cache: Any = None) -> Editions | None:
    """The editions and their comparisons; None when there is no repository or no edition.

    `current` is the current catalog (the b side of "compared with the current lists"); `tags`
    the result of `edition_tags` when the caller already has it; `cache` a history BlobCache.
    """
    tags = edition_tags(config, repo) if tags is None else tags
    if not tags:
        return None
    editions = load_editions(config, repo, tags, cache)
    comparisons = []
    for edition in editions:
        if edition.next is not None:
            comparisons.append(compare_editions(edition, edition.next, current))
        comparisons.append(compare_editions(edition, None, current))
    return Editions(editions, comparisons)


def read_editions(root: Path, config: SiteConfig, current: Catalog) -> Editions | None:
    """The editions of the project at `root`, read through its history cache (.cache/history)."""
    repo = GitRepo(root)
    tags = edition_tags(config, repo)
    if not tags:
        return None  # no cache opened: a project without editions pays one `git for-each-ref`
    from generator.history.cache import open_cache

    cache = open_cache(config, root / ".cache" / "history")
    try:
        return gather_editions(config, repo, current, tags, cache)
    finally:
        cache.close()
