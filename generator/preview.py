"""Incremental preview: keep the project in memory, update only the pages an edit touches.

`qingdan serve` builds the site once (generator.site.build.build_site), then keeps what that
build knew: the items of every list file, the history, the download links and the page shells.
When list files change, only those files are parsed again; the catalog is rebuilt from the kept
items, and the pages that can show a changed item are rendered and written in place:

- the item's own page (a removed item's page is deleted),
- the items it references and the items referencing it (before and after the edit),
- its department pages, and the nav pages (home, list pages, departments, 拼音索引, 数据开放),
  whose bodies are replaced inside the HTML MkDocs wrote for them.

The lean search documents of those pages are rewritten too; the caller re-indexes them in the
background. Any other change (site_config.yml, templates, content, mkdocs.yml) rebuilds the site.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import search, traditional
from generator.load import build_catalog, parse_list_bytes, split_list_path
from generator.model import Catalog, Item
from generator.problems import Problems
from generator.render.env import TemplateRenderer
from generator.render.pages import Page, PageBuilder, SiteData
from generator.site.build import BuildResult
from generator.site.shell import page_html, replace_nav_body


@dataclass
class Update:
    """What one incremental update did: the pages written (paths) and the problems found."""

    problems: Problems
    written: list[str]
    removed: list[str]


def _same(a: Item | None, b: Item | None) -> bool:
    """Equal as far as a page shows it (line numbers shift when an earlier item changes)."""
    if a is None or b is None:
        return a is b
    return a.department == b.department and a.data == b.data


def _check(catalog: Catalog, changed: list[Item], problems: Problems) -> None:
    """The catalog checks an edit can fail: references anywhere (an edit may remove a target),
    item-level rules for the items of the changed files (the others passed them already).
    Only errors are reported: the preview stops on errors; `qingdan check` lists warnings."""
    from generator.rules import broken_references, item_findings

    for item in catalog.items():
        for field_name, target, code in broken_references(catalog, item):
            target_type = catalog.config.list_type(target)
            problems.error(f"引用的{target_type.title if target_type else target}事项“{code}”不存在",
                           rule="broken-reference", hint=f"检查编码是否写错；被引用的事项应在 lists/{target}/ 中",
                           **item.where(field_name))
    for item in changed:
        for finding in item_findings(catalog, item):
            if finding.severity == "error":
                problems.error(finding.message, rule=finding.rule, hint=finding.hint,
                               **item.where(finding.field or None))


class Preview:
    """The state of a previewed site after a full build, and the incremental updates to it."""

    def __init__(self, build: BuildResult, docs_dir: Path) -> None:
        project = build.project
        assert project is not None and project.config is not None and project.catalog is not None
        self.root = project.root
        self.out = build.out_dir
        self.docs_dir = docs_dir
        self.config = project.config
        self.catalog: Catalog = project.catalog
        self.history = build.history
        self.downloads = build.downloads
        self.shells = build.shell_by_depth
        self.site_url = build.site_url
        self.renderer = TemplateRenderer(self.root / "templates")
        self.site_data = SiteData(self.catalog)
        self.by_file: dict[str, list[Item]] = {}
        for item in self.catalog.items():
            self.by_file.setdefault(item.file, []).append(item)

    @staticmethod
    def handles(root: Path, paths: Iterable[Path], lists_dir: str = "lists") -> bool:
        """True when every changed path is a list file (lists/<list>/<dept>.yml)."""
        for path in paths:
            try:
                rel = path.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return False
            if not rel.startswith(lists_dir + "/") or split_list_path(rel) is None:
                return False
        return True

    def update(self, paths: Iterable[Path]) -> Update:
        """Re-read the changed list files and write the pages they affect."""
        problems = Problems()
        by_file = dict(self.by_file)
        for path in paths:
            rel = self._rel(path)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                by_file.pop(rel, None)
                continue
            by_file[rel] = parse_list_bytes(data, rel, self.config, problems)
        items = [item for file in sorted(by_file) for item in by_file[file]]
        catalog = build_catalog(self.config, items, problems)
        _check(catalog, [i for p in paths for i in by_file.get(self._rel(p), [])], problems)
        if problems.has_errors():
            return Update(problems, [], [])
        old, old_data = self.catalog, self.site_data
        builder = PageBuilder(catalog, self.renderer, self.history, self.downloads)
        # Only the items of the changed files can differ: every other file's items are kept as they
        # were (comparing all 10,000 items took 40-120 ms, most of the time before the page is served).
        files = {self._rel(p) for p in paths}
        keys = {i.key for f in files for i in (*self.by_file.get(f, ()), *by_file.get(f, ()))}
        changed = sorted(k for k in keys if not _same(old.get(*k.split("/", 1)), catalog.get(*k.split("/", 1))))
        self.by_file, self.catalog, self.site_data = by_file, catalog, builder.data
        if not changed:
            return Update(problems, [], [])

        pages: list[Page] = []
        removed: list[str] = []
        touched_items: dict[str, Item] = {}
        departments: set[str] = set()
        for key in changed:
            list_id, code = key.split("/", 1)
            before, after = old.get(list_id, code), catalog.get(list_id, code)
            for item in (before, after):
                if item is not None:
                    departments.add(item.department)
            if after is None:
                removed.append(f"{list_id}/{code}/")
            else:
                touched_items[key] = after
            for relations in (old_data.outgoing, old_data.incoming, builder.data.outgoing,
                              builder.data.incoming):
                for rel in relations.get(key, []):
                    live = catalog.get(rel.item.list_id, rel.item.code)
                    if live is not None:
                        touched_items.setdefault(live.key, live)
        # The changed items first: they are the pages the clerk is looking at.
        written = self._write([builder.item_page(item) for item in touched_items.values()])
        pages += [builder.department_page(d) for d in self.config.departments if d.code in departments]
        pages += [builder.main_item_page(m) for m in catalog.main_items() if m.department in departments]
        pages += [builder.home(self._latest()), *(builder.list_page(t) for t in self.config.list_types),
                  builder.departments_page(), *builder.index_pages(), builder.data_page()]
        written += self._write(pages)
        for path in removed:
            shutil.rmtree(self.out / path, ignore_errors=True)
            shutil.rmtree(self.out / traditional.HANT_DIR / path, ignore_errors=True)
            search.document_path(self.docs_dir, path).unlink(missing_ok=True)
        return Update(problems, written, removed)

    def _rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def _latest(self) -> list[Any]:
        from generator.site.extras import latest_adjustments

        return latest_adjustments(self.history)

    def _write(self, pages: list[Page]) -> list[str]:
        written = []
        for page in pages:
            target = self.out / page.path / "index.html"
            if page.nav:
                if not target.exists():
                    continue
                text = replace_nav_body(target.read_text(encoding="utf-8"), page.body)
                if text is None:
                    continue
            else:
                if page.depth not in self.shells:
                    continue
                text = page_html(self.shells, page, self.site_url)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(".index.html.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)  # a reader never sees a half-written page
            search.write_document(self.docs_dir, page)
            written.append(page.path)
        if self.config.traditional_variant:  # the pages' 繁體 copies (their index follows with search)
            traditional.write_pages(self.out, self.config.traditional_variant, self.site_url,
                                    [path + "index.html" for path in written], self.config.traditional_phrases)
        return written
