"""`qingdan build --join-only`: the portal's top level, made from the region sites in `<out>/<id>/`.

The regions are never rebuilt or rewritten: the join reads what they published (sources.py) and
writes only top-level files (the home page, the region index, the combined 动态调整 page and feeds,
the statistics, the search page, sitemap.xml, robots.txt, and their 繁體 view under zh-Hant/) and the
manifest of the whole tree. The pages go through MkDocs + Material like a county's, so they look like
the rest of the site.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator import traditional
from generator.config import SiteConfig
from generator.problems import Problems
from generator.project import Project
from generator.regions import feeds, hant, manifest, search
from generator.regions.catalogue import write_catalogue_data
from generator.regions.sources import RegionSite, RegionSiteError, newest_entries, read_region_site
from generator.regions.uniformity import WORKBOOK, JoinUniformity, join_uniformity
from generator.render.env import TemplateRenderer
from generator.render.pages import root_prefix
from generator.site import mkdocs_shell
from generator.site.swap import remove_stale_builds

LATEST_ON_HOME = 10
# The combined 动态调整 page: the newest adjustments of all regions (a hundred regions' full
# records would be a page of megabytes); each region's own page has the rest.
ADJUSTMENTS_SHOWN = 300

# The portal's pages: path, title, template, column type.
PAGES = (
    ("", "首页", "portal/home.html", "首页"),
    ("regions/", "地区", "portal/regions.html", "地区"),
    ("adjustments/", "动态调整", "portal/adjustments.html", "动态调整"),
    ("stats/", "统计", "portal/stats.html", "统计"),
    ("search/", "搜索", "portal/search.html", "搜索"),
    ("uniformity/", "十统一", "portal/uniformity.html", "十统一"),
)


class JoinError(Exception):
    """The join cannot be made (message in Chinese, for the operator)."""


@dataclass
class JoinResult:
    pages: int
    files: int


def _relative(url: str, base: str, root: str) -> str:
    """A region's absolute address as a link from a portal page (the portal may be moved)."""
    return root + url[len(base):] if url.startswith(base) else url


def _context(config: SiteConfig, sites: list[RegionSite], base: str, root: str) -> dict[str, Any]:
    titles: list[str] = []
    for site in sites:
        titles += [t for t in site.by_list if t not in titles]
    rows = [{"id": s.region.id, "name": s.region.name, "code": s.region.code, "count": s.items,
             "by_list": s.by_list, "latest": _latest(s, base, root)} for s in sites]
    totals = [(s, (s.stats.get("time_limits") or {}).get("total") or {}) for s in sites]
    limits = [{**total, "name": s.region.name, "count": total["items"]} for s, total in totals if total.get("items")]
    return {
        "portal": config.portal, "regions": rows, "list_titles": titles, "total": sum(s.items for s in sites),
        "list_totals": {t: sum(s.by_list.get(t, 0) for s in sites) for t in titles},
        "region_ids": " ".join(s.region.id for s in sites), "time_limits": limits,
        "shown": ADJUSTMENTS_SHOWN,
    }


def _latest(site: RegionSite, base: str, root: str) -> dict[str, str] | None:
    """A region's newest adjustment: its title, and its link from a page whose root prefix is root."""
    if not site.feed_items:
        return None
    item = site.feed_items[0]
    return {"title": str(item.get("title", "")), "href": _relative(str(item.get("url", "")), base, root)}


def _entries(sites: list[RegionSite], base: str, root: str, size: int | None) -> list[dict[str, str]]:
    return [{"region": site.region.name, "title": str(item.get("title", "")),
             "href": _relative(str(item.get("url", "")), base, root), "summary": str(item.get("content_text", ""))}
            for site, item in newest_entries(sites, size)]


def render_bodies(config: SiteConfig, sites: list[RegionSite], uniformity: str = "") -> dict[str, str]:
    """Each portal page's body (HTML), by path; `uniformity` is the 十统一 page's own (uniformity.py)."""
    renderer = TemplateRenderer(config.root / "templates")
    base = config.portal.base_url
    bodies = {}
    for path, _title, template, _kind in PAGES:
        root = root_prefix(path)
        context = _context(config, sites, base, root)
        latest = _entries(sites, base, root, LATEST_ON_HOME) if path == "" else []
        shown = _entries(sites, base, root, ADJUSTMENTS_SHOWN) if path == "adjustments/" else []
        bodies[path] = renderer.render(template, root=root, latest=latest, entries=shown,
                                       uniformity=Markup(uniformity), **context)
    return bodies


def _mkdocs(config: SiteConfig, bodies: dict[str, str], work: Path, site_url: str) -> Path:
    """The portal pages through MkDocs + Material, into work/site."""
    docs, out = work / "docs", work / "site"
    docs.mkdir(parents=True)
    fragments, nav = {}, []
    for path, title, _template, kind in PAGES:
        source = (path + "index.md") if path else "index.md"
        (docs / source).parent.mkdir(parents=True, exist_ok=True)
        meta = {"ColumnName": title, "ColumnDescription": config.portal.description or title,
                "ColumnKeywords": f"{config.portal.region},{title},权责清单", "ColumnType": kind}
        (docs / source).write_text(mkdocs_shell.stub_markdown(title, meta), encoding="utf-8")
        fragments[source] = bodies[path]
        nav.append({title: source})
    project = Project(config.root, config, None, Problems())
    theme = mkdocs_shell.theme_dir(config.root, work)
    try:
        mkdocs_shell.mkdocs_build(project, docs, out, theme, nav, fragments, site_url, feeds=True)
    except mkdocs_shell.MkDocsError as exc:
        raise JoinError(str(exc)) from exc
    mkdocs_shell.prune_theme_assets(out)
    for name in ("sitemap.xml", "sitemap.xml.gz"):
        (out / name).unlink(missing_ok=True)
    return out


def _install(staged: Path, out: Path, region_ids: set[str]) -> list[str]:
    """Move the staged top-level files into out; remove top-level files the join no longer writes.
    Region folders and hidden folders (builds in progress) are left alone."""
    written = []
    for folder, _dirs, files in os.walk(staged):
        for name in files:
            rel = (Path(folder) / name).relative_to(staged).as_posix()
            written.append(rel)
    keep = {rel.split("/", 1)[0] for rel in written}
    for entry in out.iterdir():
        if entry.name in region_ids or entry.name.startswith(".") or entry.name in keep:
            continue
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for top in keep - {rel for rel in written}:  # a folder of the join's: drop files it no longer has
        old = out / top
        if old.is_dir():
            for path in [p for p in old.rglob("*") if p.is_file()]:
                if path.relative_to(out).as_posix() not in written:
                    path.unlink()
    for rel in written:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / rel, target)
    return written


def _write_stats(staged: Path, config: SiteConfig, sites: list[RegionSite], site_url: str) -> None:
    (staged / "downloads").mkdir(exist_ok=True)
    (staged / "downloads" / "stats.json").write_text(stats_json(sites), encoding="utf-8")


def _write_sitemap(staged: Path, config: SiteConfig, sites: list[RegionSite], site_url: str) -> None:
    pages = [p for p, *_ in PAGES]
    views = [""] + ([traditional.HANT_DIR + "/"] if config.traditional_variant else [])
    manifest.write_sitemap(staged, site_url, [view + p for view in views for p in pages], [s.region.id for s in sites])


def _write_hant(staged: Path, config: SiteConfig, sites: list[RegionSite], site_url: str) -> None:
    """The portal pages' 繁體 view, when the portal's `traditional:` has it (generator/regions/hant.py)."""
    hant.write_hant(staged, config, sites, site_url, [p + "index.html" for p, *_ in PAGES] + ["404.html"])


# What the join writes beside its pages, each from the region sites, into the staged top level
# (staged folder, portal configuration, region sites, portal address). search.write_search: the
# merged search's list of the regions' bundles (its form is on the home and search pages);
# _write_hant: the pages' 繁體 view, after the others (the pages are final by then).
Writer = Callable[[Path, SiteConfig, list[RegionSite], str], None]
WRITERS: tuple[Writer, ...] = (feeds.write_feeds, _write_stats, _write_sitemap, search.write_search, _write_hant)


def _write_uniformity(staged: Path, made: JoinUniformity) -> None:
    """十统一's open data: every finding (downloads/uniformity.xlsx) and the province's 通用目录."""
    (staged / "downloads").mkdir(exist_ok=True)
    (staged / "downloads" / WORKBOOK).write_bytes(made.workbook)
    if made.catalogue is not None:
        write_catalogue_data(staged, made.catalogue)


def join(config: SiteConfig, out: Path) -> JoinResult:
    """Write the portal's top level into out from the region sites already there."""
    try:
        sites = [read_region_site(region, out) for region in config.regions]
    except RegionSiteError as exc:
        raise JoinError(str(exc)) from exc
    site_url = config.portal.base_url if config.portal.base_url.endswith("/") else config.portal.base_url + "/"
    problems = Problems()
    uniformity = join_uniformity(out, config, problems)
    if problems.has_errors():
        raise JoinError("\n".join(p.format_text() for p in problems.sorted()))
    bodies = render_bodies(config, sites, uniformity.body)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-{os.getpid()}-join-", dir=out.parent))
    try:
        staged = _mkdocs(config, bodies, work, site_url)
        for write in WRITERS:
            write(staged, config, sites, site_url)
        _write_uniformity(staged, uniformity)
        written = _install(staged, out, {s.region.id for s in sites})
    except search.RegionSearchError as exc:
        raise JoinError(str(exc)) from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for site in sites:  # a region's replaced copy, still being deleted inside out, is no file of the site
        remove_stale_builds(out / site.region.id)
    manifest.write_tree_manifest(config.root, out, [s.region.id for s in sites])
    return JoinResult(pages=len(PAGES), files=len(written))


def stats_json(sites: list[RegionSite]) -> str:
    """The figures across regions: each region's own stats.json summary, and the totals."""
    return json.dumps({
        "schema": "qingdan-portal-stats/1",
        "items": sum(s.items for s in sites),
        "regions": [{"region": s.region.id, "name": s.region.name, "code": s.region.code, "items": s.items,
                     "lists": s.stats.get("lists") or [],
                     "time_limits": (s.stats.get("time_limits") or {}).get("total")} for s in sites],
    }, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
