"""The MkDocs shell: MkDocs + Material render the theme around Qingdan's pages.

MkDocs renders the nav pages (with an empty, marked body that the pages step fills), the pages of
content/, the theme's assets and one shell page per URL depth, which every item and department page
is poured into (generator/site/shell.py). Nothing here knows the lists.
"""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from generator import traditional
from generator.project import Project
from generator.render.env import tel_href
from generator.render.pages import Page
from generator.safeurl import safe_href
from generator.site import shell as shells

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"


class MkDocsError(Exception):
    """MkDocs refused the project (message in Chinese, for the user)."""


def stub_markdown(title: str, meta: dict[str, str], shell: bool = False, feed: dict[str, str] | None = None) -> str:
    """The Markdown source MkDocs renders a frame from. feed: the nav page's own feed ({path,
    title}; theme/main.html links it in <head>)."""
    front: dict[str, Any] = {"title": title}
    if feed:
        front["qingdan_feed"] = dict(feed)
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


def nav_tree(project: Project, content_pages: list[str], extra_nav: list[Any]) -> list[Any]:
    """The nav MkDocs is given: the generated pages, then content/ pages in name order."""
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


def content_pages(content_dir: Path, docs: Path) -> list[str]:
    """Copy content/ into the docs dir; return its Markdown pages in name order for the nav."""
    if not content_dir.is_dir():
        return []
    shutil.copytree(content_dir, docs, dirs_exist_ok=True)
    return sorted(
        p.relative_to(content_dir).as_posix() for p in content_dir.rglob("*.md") if p.name != "index.md"
    )


def content_path(source: str) -> str:
    """The page path of a content/ page ("about.md" → "about/")."""
    return source[: -len(".md")] + "/"


def theme_dir(project_root: Path, staging: Path) -> Path:
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


def mkdocs_build(project: Project, docs: Path, site_dir: Path, theme_dir: Path, nav: list[Any],
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
        "portal": bool(config.regions),  # a city or province portal: its pages are not a county's
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
        raise MkDocsError(f"MkDocs 构建失败：{exc}") from exc


# Files Material copies that this site never loads: its lunr search (replaced by Pagefind; the
# build removes the search plugin) and source maps, which only developer tools fetch. 2.4 MB.
_UNUSED_THEME_FILES = ("assets/javascripts/lunr", "assets/javascripts/workers")


# Our scripts that every page runs after Material's bundle, served as the first one: one <script>
# tag in each of 10,000+ pages instead of one per file (theme/main.html, block scripts). Kept apart
# in the theme (one job each); each is a self-contained function, joined with ";".
OWN_SCRIPT = "assets/qingdan/qingdan.js"
_JOINED_SCRIPTS = ("assets/qingdan/search.js",)


def prune_theme_assets(site_dir: Path) -> None:
    for folder in _UNUSED_THEME_FILES:
        shutil.rmtree(site_dir / folder, ignore_errors=True)
    for source_map in (site_dir / "assets").rglob("*.min.*.map"):
        source_map.unlink()
    target = site_dir / OWN_SCRIPT
    if target.is_file():
        parts = [target.read_bytes(), *((site_dir / rel).read_bytes() for rel in _JOINED_SCRIPTS)]
        for rel in _JOINED_SCRIPTS:
            (site_dir / rel).unlink()
        target.unlink()  # never written into: it may be hard-linked to the previous site's copy
        target.write_bytes(b";\n".join(part.rstrip() for part in parts) + b"\n")


def read_shells(site_dir: Path, depths: set[int], site_description: str) -> dict[int, shells.Shell]:
    out = {}
    for depth in depths:
        src = shells.shell_path(depth)
        html_file = site_dir / Path(src).parent / "index.html"
        out[depth] = shells.Shell.parse(html_file.read_text(encoding="utf-8"), site_description)
    shutil.rmtree(site_dir / shells.SHELL_DIR, ignore_errors=True)
    return out


