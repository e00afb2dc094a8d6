"""`qingdan build`: validate, render, run MkDocs + Material, write shell pages, index, swap in.

Everything is built in a temporary directory next to the output; the previous site is replaced
only when every step succeeded, so a failed build never leaves a half-written site behind.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator import traditional
from generator.model import Item
from generator.pipeline import StepTimer
from generator.problems import Problems
from generator.project import Project, open_project
from generator.render.env import TemplateRenderer, tel_href
from generator.render.pages import Page, PageBuilder
from generator.safeurl import safe_href
from generator.site import shell as shells

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"


@dataclass
class BuildResult:
    ok: bool
    problems: Problems
    out_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    page_count: int = 0
    # What an incremental preview (generator/preview.py) needs to update pages in place.
    project: Project | None = None
    history: Any = None
    downloads: dict[tuple[str | None, str | None], dict[str, str]] = field(default_factory=dict)
    shell_by_depth: dict[int, shells.Shell] = field(default_factory=dict)
    site_url: str = ""


class BuildError(Exception):
    """A build step failed for a reason the user can act on (message in Chinese)."""


def _stub_markdown(title: str, meta: dict[str, str], shell: bool = False) -> str:
    front = {"title": title}
    if shell:
        front["qingdan_shell"] = True
        front["description"] = shells.DESCRIPTION
        front["hide"] = ["toc"]
    else:
        front["qingdan_meta"] = meta
        front["hide"] = ["toc"]  # generated pages have no table of contents: tables get the width
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=True) + "---\n\n(由 qingdan 生成)\n"


def stub_source(page: Page) -> str:
    return (page.path + "index.md") if page.path else "index.md"


def _nav(project: Project, content_pages: list[str], extra_nav: list[Any]) -> list[Any]:
    config = project.config
    assert config is not None
    nav: list[Any] = [{"首页": "index.md"}]
    nav.append({"清单": [{t.title: f"{t.id}/index.md"} for t in config.list_types]})
    nav.append({"部门": "departments/index.md"})
    nav.append({"拼音索引": "pinyin/index.md"})
    nav.append({"数据开放": "data/index.md"})
    nav.append({"统计": "stats/index.md"})
    if config.quality_page:
        nav.append({"公开质量": "quality/index.md"})
    nav.extend(extra_nav)
    nav.extend(content_pages)
    return nav


def _content_pages(content_dir: Path, docs: Path) -> list[str]:
    """Copy content/ into the docs dir; return its Markdown pages in name order for the nav."""
    if not content_dir.is_dir():
        return []
    shutil.copytree(content_dir, docs, dirs_exist_ok=True)
    return sorted(
        p.relative_to(content_dir).as_posix() for p in content_dir.rglob("*.md") if p.name != "index.md"
    )


def _theme_dir(project_root: Path, staging: Path) -> Path:
    """Package theme overrides, with the project's templates/theme/ on top when present."""
    project_theme = project_root / "templates" / "theme"
    if not project_theme.is_dir():
        return THEME_DIR
    merged = staging / "theme"
    shutil.copytree(THEME_DIR, merged)
    shutil.copytree(project_theme, merged, dirs_exist_ok=True)
    return merged


def site_domain(site_url: str) -> str:
    """SiteDomain: the host, and the sub-path when the site is published under one."""
    parts = urlsplit(site_url)
    return (parts.hostname or "") + parts.path.rstrip("/")


def _mkdocs_build(project: Project, docs: Path, site_dir: Path, theme_dir: Path, nav: list[Any],
                  fragments: dict[str, str], site_url: str, feeds: bool) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException
    from mkdocs.utils import yaml_load

    config = project.config
    assert config is not None
    user_file = project.root / "mkdocs.yml"
    user: dict[str, Any] = {}
    if user_file.exists():
        with user_file.open("rb") as handle:
            user = yaml_load(handle) or {}
    theme = dict(user.get("theme") or {"name": "material"})
    if isinstance(theme, str):
        theme = {"name": theme}
    theme.update({"custom_dir": str(theme_dir), "font": False})
    language = theme.get("language", "zh")  # Simplified pages declare zh-CN (theme/partials/languages/)
    theme["language"] = "zh-CN" if language == "zh" else language
    plugins = [p for p in (user.get("plugins") or []) if (p if isinstance(p, str) else next(iter(p))) not in (
        "search", "material/search", "qingdan")]
    portal = config.portal
    extra = dict(user.get("extra") or {})
    extra["generator"] = False
    extra["qingdan"] = {
        "site_name": portal.site_name,
        "site_domain": site_domain(site_url),
        "site_id_code": portal.site_id_code,
        "sponsor": portal.sponsor,
        "organizer": portal.organizer,
        "icp": portal.icp,
        "police_record": portal.police_record,
        "contact_phone": portal.contact_phone,
        "contact_phone_href": tel_href(portal.contact_phone),
        "contact_email": portal.contact_email,
        "contact_address": portal.contact_address,
        "error_report_url": safe_href(portal.error_report_url) or "",  # checked in config; never a script link
        "badge_url": safe_href(portal.badge_url) or "",
        "badge_image": portal.badge_image.lstrip("/"),
        "police_record_url": portal.police_record_url,
        "feeds": feeds,
        "hant": traditional.HANT_DIR if config.traditional_variant else "",  # the 繁體 view's folder, if built
    }
    if user_file.exists():
        config_file: Any = str(user_file)
    else:  # no mkdocs.yml is fine: MkDocs would otherwise read the one in the current directory, or fail
        config_file = io.BytesIO(b"{}")
        config_file.name = str(user_file)
    mk_config = load_config(
        config_file=config_file,
        site_name=portal.site_name,
        site_url=site_url,
        site_description=portal.description,
        docs_dir=str(docs),
        site_dir=str(site_dir),
        nav=nav,
        theme=theme,
        plugins=["qingdan", *plugins],
        extra=extra,
        use_directory_urls=True,
        strict=False,
    )
    mk_config.plugins["qingdan"].fragments = fragments
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        mkdocs_build(mk_config)
    except MkDocsException as exc:
        raise BuildError(f"MkDocs 构建失败：{exc}") from exc


# Files Material copies that this site never loads: its lunr search (replaced by Pagefind; the
# build removes the search plugin) and source maps, which only developer tools fetch. 2.4 MB.
_UNUSED_THEME_FILES = ("assets/javascripts/lunr", "assets/javascripts/workers")


def _prune_theme_assets(site_dir: Path) -> None:
    for folder in _UNUSED_THEME_FILES:
        shutil.rmtree(site_dir / folder, ignore_errors=True)
    for source_map in (site_dir / "assets").rglob("*.min.*.map"):
        source_map.unlink()


def _read_shells(site_dir: Path, depths: set[int], site_description: str) -> dict[int, shells.Shell]:
    out = {}
    for depth in depths:
        src = shells.shell_path(depth)
        html_file = site_dir / Path(src).parent / "index.html"
        out[depth] = shells.Shell.parse(html_file.read_text(encoding="utf-8"), site_description)
    shutil.rmtree(site_dir / shells.SHELL_DIR, ignore_errors=True)
    return out


def _item_path(item: Item) -> str:
    """An item page's path, known before it is rendered (PageBuilder.item_page)."""
    return f"{item.list_id}/{item.code}/"


def write_shell_pages(site_dir: Path, pages: list[Page], shell_by_depth: dict[int, shells.Shell],
                      site_url: str) -> None:
    for page in pages:
        target = site_dir / page.path / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(shells.page_html(shell_by_depth, page, site_url), encoding="utf-8")


def _sitemap(site_dir: Path, paths: list[str], content_pages: list[str], site_url: str, hant: bool) -> None:
    """One sitemap for every page (MkDocs' own lists only the few pages it rendered), their 繁體
    copies too, and a robots.txt that names it."""
    urls = [site_url + p for p in paths]
    urls += [site_url + c[: -len(".md")] + "/" for c in content_pages]
    if hant:
        urls += [site_url + traditional.HANT_DIR + "/" + u[len(site_url):] for u in urls]
    body = "".join(f"<url><loc>{u}</loc></url>" for u in sorted(set(urls)))
    (site_dir / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n',
        encoding="utf-8",
    )
    (site_dir / "sitemap.xml.gz").unlink(missing_ok=True)
    (site_dir / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {site_url}sitemap.xml\n", encoding="utf-8")


def swap_into_place(new_site: Path, out_dir: Path) -> None:
    """Replace out_dir by new_site with two renames; the old site is removed only afterwards."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        out_dir.rename(old)
    try:
        new_site.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_stale_builds(out_dir: Path) -> None:
    """Delete build directories left by a killed build (`.site.build-<pid>-…`, `.site.old-<pid>`).

    A directory whose process is still running belongs to a build in progress and stays.
    """
    for path in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, rest = path.name[len(out_dir.name) + 2:].partition("-")
        if kind not in ("build", "old") or not path.is_dir():
            continue
        pid = rest.split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def build_site(project_root: Path, out_dir: Path, *, site_url: str | None = None, search: bool = True,
               history: bool = True, defer_search: bool = False, search_docs: Path | None = None,
               force: bool = False) -> BuildResult:
    """Build the site into out_dir atomically.

    defer_search: publish with the previous site's search index (copied over) instead of
    re-indexing; the caller refreshes it afterwards (generator.search.refresh_index_in_place).
    search_docs: keep the lean search documents there (default: a temporary directory).
    force: build even when nothing changed since out_dir was built (generator/site/buildkey.py).
    """
    timer = StepTimer()  # the steps and what each reads and produces: generator/pipeline.py
    from generator.site import buildkey

    key = buildkey.input_key(project_root, f"{site_url}|{search}|{history}|{defer_search}|{search_docs}")
    if not force and buildkey.unchanged(project_root, out_dir, key):
        # Nothing the site is made from changed since it was built: there is nothing to do.
        return BuildResult(ok=True, problems=Problems(), out_dir=out_dir, timings={"unchanged": 0.0})
    project = timer.step("load", lambda: open_project(project_root, cache=True))
    result = BuildResult(ok=False, problems=project.problems, out_dir=out_dir, timings=timer.timings)
    if not project.ok:
        return result
    config, catalog = project.config, project.catalog
    assert config is not None and catalog is not None
    site_url = site_url or config.portal.base_url
    if not site_url.endswith("/"):
        site_url += "/"

    from generator.site import extras  # history, feeds and downloads: optional stages

    history_view = timer.step("history", lambda: extras.load_history(project, enabled=history))
    if project.problems.has_errors():  # git refused the repository: no site without its history
        return result
    renderer = TemplateRenderer(project_root / "templates")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.build-{os.getpid()}-", dir=out_dir.parent))
    downloads_job: extras.DownloadsJob | None = None
    index_job = None
    scratch: Path | None = None  # the lean search documents, when this build makes them for itself
    hant_docs: Path | None = None
    try:
        # Downloads are written by a forked child while this process renders (see DownloadsJob).
        downloads_job = extras.DownloadsJob(project, staging / "downloads")
        downloads = extras.download_links(project)
        builder = PageBuilder(catalog, renderer, history_view, downloads)
        items = list(catalog.items())
        pages = timer.step("render", lambda: list(builder.site_pages(extras.latest_adjustments(history_view))))
        pages += timer.step("render_history", lambda: extras.history_pages(builder, history_view))
        current = {p.path: p.title for p in pages} | {_item_path(i): i.name for i in items}
        pages += timer.step("render_editions", lambda: extras.edition_pages(project, builder, current,
                                                                              enabled=history))
        docs, site_dir = staging / "docs", staging / "site"
        docs.mkdir()
        content_pages = _content_pages(project_root / "content", docs)
        from generator import search as searching

        docs_dir = search_docs or searching.scratch_dir(staging)
        scratch = None if search_docs else docs_dir
        previous_index = out_dir / searching.PAGEFIND_DIR
        # Item pages are rendered and written part by part (at most searching.PART_SIZE pages are
        # held at once); each part's search documents go to Pagefind as soon as they are written.
        parts = searching.part_count(len(pages) + len(items))
        chunks = [items[k * len(items) // parts:(k + 1) * len(items) // parts] for k in range(parts)]
        if search:
            shutil.rmtree(docs_dir, ignore_errors=True)
            for part in range(parts):
                searching.part_dir(docs_dir, part, parts).mkdir(parents=True)
            timer.step("search_docs", lambda: searching.write_documents(
                searching.part_dir(docs_dir, 0, parts), pages))
        nav_pages = [p for p in pages if p.nav]
        shell_pages = [p for p in pages if not p.nav]
        fragments = {}
        for page in nav_pages:
            src = docs / stub_source(page)
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_text(_stub_markdown(page.title, page.meta), encoding="utf-8")
            fragments[stub_source(page)] = page.body
        depths = {p.depth for p in shell_pages} | {_item_path(i).count("/") for i in items[:1]}
        for depth in depths:
            src = docs / shells.shell_path(depth)
            src.parent.mkdir(parents=True, exist_ok=True)
            src.write_text(_stub_markdown(shells.TITLE, {}, shell=True), encoding="utf-8")
        nav = _nav(project, content_pages, extras.extra_nav(history_view, pages))
        theme_dir = _theme_dir(project_root, staging)
        timer.step("mkdocs", lambda: _mkdocs_build(project, docs, site_dir, theme_dir, nav, fragments, site_url,
                                                   feeds=history_view is not None))
        if search and not (defer_search and previous_index.is_dir()):
            searching.copy_rendered(docs_dir, site_dir, [c[: -len(".md")] + "/" for c in content_pages])
            index_job = searching.IndexJob(docs_dir, staging / "pagefind", parts, discard=scratch is not None)
        _prune_theme_assets(site_dir)
        # The 繁體 view's search documents (generator/traditional.py), when this build indexes.
        hant_docs = (traditional.documents_dir(docs_dir)
                     if config.traditional_variant and index_job is not None else None)
        if hant_docs is not None:
            shutil.rmtree(hant_docs, ignore_errors=True)
        shell_by_depth = _read_shells(site_dir, depths, config.portal.description)
        timer.step("write_pages", lambda: write_shell_pages(site_dir, shell_pages, shell_by_depth, site_url))
        paths = [p.path for p in pages]
        for part, chunk in enumerate(chunks):
            item_pages = timer.step("render", builder.item_pages, chunk)
            part_docs = searching.part_dir(docs_dir, part, parts)
            if search:
                timer.step("search_docs", searching.write_documents, part_docs, item_pages)
            if index_job is not None:
                if hant_docs is not None:  # the 繁體 view's documents, before Pagefind may discard these
                    timer.step("traditional", traditional.convert_documents, part_docs,
                               searching.part_dir(hant_docs, part, parts), config.traditional_variant,
                               config.traditional_phrases)
                index_job.add(part)  # Pagefind indexes this part while the pages are written
            timer.step("write_pages", write_shell_pages, site_dir, item_pages, shell_by_depth, site_url)
            paths += [p.path for p in item_pages]
            del item_pages
        if index_job is not None:
            index_job.close()
        _sitemap(site_dir, paths, content_pages, site_url, hant=bool(config.traditional_variant))
        timer.record("downloads", downloads_job.wait())
        shutil.move(staging / "downloads", site_dir / extras.DOWNLOADS_DIR)
        # After the downloads are in place: the data files add to that folder (stats.json).
        timer.step("data_files", lambda: extras.write_data_files(project, site_dir, history_view, site_url))
        if search:
            if index_job is None:
                shutil.copytree(previous_index, site_dir / searching.PAGEFIND_DIR)
            else:
                failure = timer.step("search_index", index_job.wait)
                if failure:
                    raise BuildError(failure)
                shutil.move(staging / "pagefind", site_dir / searching.PAGEFIND_DIR)
        if config.traditional_variant:
            failure = timer.step("traditional", lambda: traditional.write_view(
                site_dir, config.traditional_variant, site_url, hant_docs, parts,
                previous=out_dir / traditional.HANT_DIR / searching.PAGEFIND_DIR, discard=scratch is not None,
                extra_phrases=config.traditional_phrases))
            if failure:
                raise BuildError(failure)
        if not defer_search:  # a preview with a stale index is not a site to publish: no manifest
            from generator.publish.manifest import provenance, write_manifest

            timer.step("manifest", lambda: write_manifest(
                site_dir, provenance(project_root, config.lists_dir, history_view, history)))
        swap_into_place(site_dir, out_dir)
    except BuildError as exc:
        project.problems.error(str(exc), rule="build", hint="上一次成功生成的网站保持不变")
        return result
    finally:
        if downloads_job is not None:
            downloads_job.finish()
        if index_job is not None:
            index_job.kill()
        shutil.rmtree(staging, ignore_errors=True)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        if hant_docs is not None and search_docs is None:
            shutil.rmtree(hant_docs, ignore_errors=True)
    buildkey.remember(project_root, out_dir, key)
    result.ok = True
    result.page_count = len(paths) + len(content_pages)
    result.project, result.history, result.downloads = project, history_view, downloads
    result.shell_by_depth, result.site_url = shell_by_depth, site_url
    return result
