"""Published editions on the site: tag the lists twice, change them, build, read the HTML a visitor gets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from demo_project import copy_demo_project

from generator.history.editions import assign_slugs, tag_slug
from generator.site.build import build_site

POWER = Path("lists/power/scjgj.yml")
DUTY = Path("lists/responsibility/scjgj.yml")
POWER_CODE = "000131127004"
DUTY_CODE = "ZR-scjgj-0001"
OLD_NAME, NEW_NAME = "食品经营许可的责任事项", "食品经营许可监督管理责任"
SITE = "https://qingdan.example.gov.cn/"


def git(root: Path, *args: str, date: str = "2023-01-10T09:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True).stdout


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path} no longer contains {old!r}: update this test's fixture"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def editions_site(tmp_path_factory) -> tuple[Path, Path]:
    """2023版 (annotated) → one time limit shortened, one item renamed → v2024 → statutory limit changed (uncommitted)."""
    base = tmp_path_factory.mktemp("editions")
    root = copy_demo_project(base / "project")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "发布2023年版权责清单")
    git(root, "tag", "-a", "2023版", "-m", "2023年版权责清单\n\n经县政府常务会议审议通过。")
    git(root, "tag", "release-test")  # does not match the edition pattern
    replace_once(root / POWER, "promised: 5", "promised: 3")
    replace_once(root / DUTY, f"name: {OLD_NAME}", f"name: {NEW_NAME}")
    git(root, "commit", "-q", "-am", "2024年动态调整", date="2024-01-15T09:00:00+08:00")
    git(root, "tag", "v2024")  # lightweight: its message is the commit's
    replace_once(root / POWER, "statutory: 20", "statutory: 15")  # the current lists, not yet committed
    out = base / "site"
    result = build_site(root, out, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root, out


def read(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


class ContentLinks(HTMLParser):
    """Links inside the page's main content (Material's md-content), with the class of each <a>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            self.depth += tag not in ("br", "img", "meta", "input", "hr")
            if tag == "a" and a.get("href"):
                self.links.append((a["href"], a.get("class") or ""))
        elif tag == "article" and "md-content__inner" in (a.get("class") or ""):
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def content_links(out: Path, path: str) -> list[tuple[str, str]]:
    """(site path the link resolves to, class) for each link in the content of the page at `path`."""
    parser = ContentLinks()
    parser.feed(read(out, path))
    assert parser.links, f"no content links found on {path}"
    resolved = []
    for href, cls in parser.links:
        if href.startswith(("tel:", "mailto:")):  # tap to call or write: not a page of the site
            continue
        url = urlsplit(urljoin(SITE + path, href))
        assert url.netloc == "qingdan.example.gov.cn", (path, href)
        resolved.append((url.path.lstrip("/"), cls))
    return resolved


def page_exists(out: Path, site_path: str) -> bool:
    return (out / site_path / "index.html").is_file() if site_path.endswith("/") or not site_path else (
        out / site_path).is_file()


def test_slugs_are_url_safe_and_unique():
    assert tag_slug("2021版") == "2021ban"
    assert tag_slug("v2016") == "v2016"
    assert tag_slug("2021年版（修订）") == "2021nianban-xiuding"
    assert tag_slug("release/2021.1") == "release-2021.1"
    assert tag_slug("《》") == "edition"
    slugs = assign_slugs(["V2024", "v2024", "compare", "current"])
    assert slugs == {"V2024": "v2024", "v2024": "v2024-2", "compare": "compare-2", "current": "current-2"}
    assert all(re.fullmatch(r"[a-z0-9._-]+", s) for s in slugs.values())


def test_editions_page_lists_each_tag_with_its_lists_and_comparisons(editions_site):
    _, out = editions_site
    html = read(out, "editions/")
    assert "<h1>历史版本</h1>" in html
    assert "2023版" in html and "v2024" in html and "release-test" not in html
    assert "2023-01-10" in html and "2024-01-15" in html
    assert "2023年版权责清单" in html and "经县政府常务会议审议通过。" in html  # annotated tag message
    assert "2024年动态调整" in html  # lightweight tag: the commit's message
    assert html.index("v2024") < html.index("2023版")  # newest first
    links = {p for p, _ in content_links(out, "editions/")}
    assert {"editions/2023ban/", "editions/v2024/", "editions/2023ban/power/",
            "editions/compare/2023ban...v2024/", "editions/compare/2023ban...current/",
            "editions/compare/v2024...current/"} <= links
    for target in links:
        assert page_exists(out, target), target
    assert "与下一版比较" in html and "与现行版比较" in html
    home = read(out, "")
    assert re.search(r'<a href="editions/" class="md-nav__link">[^<]*(<[^a/][^>]*>[^<]*)*历史版本', home), \
        "历史版本 missing from the nav"


def test_old_item_page_shows_the_old_value_and_a_banner_to_the_current_page(editions_site):
    _, out = editions_site
    path = f"editions/2023ban/power/{POWER_CODE}/"
    html = read(out, path)
    assert "法定时限 20 工作日；承诺时限 5 工作日" in html
    assert "本页为「2023版」（2023-01-10）的清单，仅供查阅；现行版本见" in re.sub(r"<[^>]+>", "", html)
    banner = html[html.index("qd-edition-banner"):]
    assert banner.index("现行版本见") < banner.index("qd-current-link")
    current = [p for p, cls in content_links(out, path) if "qd-current-link" in cls]
    assert current == [f"power/{POWER_CODE}/"]
    now = read(out, current[0])
    assert "法定时限 15 工作日；承诺时限 3 工作日" in now and "本页为「" not in now
    assert "<title>食品经营许可（2023版）" in html
    assert 'id="qd-history"' not in html  # the timeline belongs to the current page
    v2024 = read(out, f"editions/v2024/power/{POWER_CODE}/")
    assert "法定时限 20 工作日；承诺时限 3 工作日" in v2024
    renamed = read(out, f"editions/2023ban/responsibility/{DUTY_CODE}/")
    assert OLD_NAME in renamed and NEW_NAME in renamed  # the old name, and the current one in the banner link


def test_links_inside_an_edition_stay_inside_it(editions_site):
    _, out = editions_site
    prefix = "editions/2023ban/"
    pages = ["editions/2023ban/", "editions/2023ban/power/", "editions/2023ban/departments/scjgj/",
             f"editions/2023ban/power/{POWER_CODE}/", f"editions/2023ban/responsibility/{DUTY_CODE}/"]
    for path in pages:
        links = content_links(out, path)
        for target, cls in links:
            if "qd-current-link" in cls or target in ("editions/", "editions/compare/2023ban...v2024/",
                                                      "editions/compare/2023ban...current/"):
                continue  # the banner's way out, and the comparisons
            assert target.startswith(prefix), (path, target)
            assert page_exists(out, target.split("#")[0]), (path, target)
    assert (f"{prefix}power/{POWER_CODE}/", "") in content_links(out, prefix + "power/")  # list → item
    duty = content_links(out, f"editions/2023ban/responsibility/{DUTY_CODE}/")
    assert (f"{prefix}power/{POWER_CODE}/", "") in duty  # the related power item, as it stood


def test_comparison_shows_field_changes_and_the_rename(editions_site):
    _, out = editions_site
    html = read(out, "editions/compare/2023ban...v2024/")
    assert "「2023版」与「v2024」比较" in html
    row = re.search(r'<tr class="qd-change" data-field="time_limit">(.*?)</tr>', html, re.S)
    assert row, "the time limit change is missing"
    old, new = re.findall(r"<td [^>]*>(.*?)</td>", row.group(1), re.S)
    assert "承诺时限 <del>5</del>" in old and "承诺时限 <ins>3</ins>" in new
    item = html[html.index(f'id="responsibility-{DUTY_CODE}"'):]
    item = item[:item.index("</table>")]
    assert '<span class="qd-tag qd-kind">更名</span>' in item
    assert f"原名称：{OLD_NAME}" in item and NEW_NAME in item
    summary = html[html.index('id="summary"'):html.index("</table>", html.index('id="summary"'))]
    assert "合计" in summary and "变更" in summary and "更名" in summary
    links = {p for p, _ in content_links(out, "editions/compare/2023ban...v2024/")}
    assert f"editions/2023ban/power/{POWER_CODE}/" in links and f"editions/v2024/power/{POWER_CODE}/" in links
    current = read(out, "editions/compare/v2024...current/")
    assert "现行清单" in current and "法定时限 <del>20</del>" in current and "法定时限 <ins>15</ins>" in current
    assert "更名" not in current.split('id="summary"')[1].split("</table>")[1]  # no rename since v2024
    assert f"power/{POWER_CODE}/" in {p for p, _ in content_links(out, "editions/compare/v2024...current/")}


def test_edition_pages_are_kept_out_of_search(editions_site):
    _, out = editions_site
    edition_files = list((out / "editions").rglob("*.html"))
    assert len(edition_files) > 10
    for path in edition_files:
        assert "data-pagefind-body" not in path.read_text(encoding="utf-8"), path
    assert "data-pagefind-body" in read(out, f"power/{POWER_CODE}/")  # the current page is searchable


def test_no_matching_tags_means_no_editions(editions_site, tmp_path):
    root, _ = editions_site
    work = tmp_path / "project"
    shutil.copytree(root, work)
    replace_once(work / "site_config.yml", r"tag_pattern: ^(v?\d{4}|\d{4}版)$", "tag_pattern: ^发布-")
    config = work / "site_config.yml"  # and no edition declared by date either
    config.write_text(re.sub(r"  declared:\n(    - .*\n)+", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "site"
    assert build_site(work, out, search=False).ok
    assert not (out / "editions").exists()
    assert 'href="editions/"' not in read(out, "")


def test_a_declared_edition_shows_its_declared_date_not_the_commit_date(tmp_path):
    """A county records its 2019 lists in git years later: the edition is dated as declared."""
    root = copy_demo_project(tmp_path / "project", content=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "录入2019年版清单\n\n发布日期: 2019-06-01", date="2026-11-28T09:00:00+08:00")
    out = tmp_path / "site"
    assert build_site(root, out, search=False).ok
    listing = read(out, "editions/")
    assert '<time datetime="2020-01-01">2020-01-01</time>' in listing  # as declared in the demo
    assert "2026-11-28" not in listing
    assert "2020-01-01" in read(out, "editions/2019ban/")


def test_edition_and_comparison_pages_lead_back_to_all_editions(editions_site):
    _, out = editions_site
    for path in ("editions/2023ban/", "editions/compare/2023ban...v2024/"):
        crumbs = re.search(r'<nav class="qd-crumbs"[^>]*>(.*?)</nav>', read(out, path), re.S)
        assert crumbs and re.search(r'<a href="(\.\./)+editions/">历史版本</a>', crumbs.group(1)), path


def test_the_breadcrumb_of_an_edition_page_stays_in_that_edition(editions_site):
    """A reader of a past edition's item is led up to that edition's lists, never to today's."""
    _, out = editions_site
    for path, last in ((f"editions/2023ban/power/{POWER_CODE}/", "editions/2023ban/departments/scjgj/"),
                       ("editions/2023ban/power/", "editions/2023ban/"),
                       (f"zh-Hant/editions/2023ban/power/{POWER_CODE}/", "zh-Hant/editions/2023ban/departments/scjgj/")):
        crumbs = re.search(r'<nav class="qd-crumbs"[^>]*>(.*?)</nav>', read(out, path), re.S)
        assert crumbs, path
        hrefs = [urlsplit(urljoin(SITE + path, h)).path.lstrip("/") for h in re.findall(r'href="([^"]*)"', crumbs.group(1))]
        home = "zh-Hant/" if path.startswith("zh-Hant/") else ""
        assert hrefs[:3] == [home, f"{home}editions/", f"{home}editions/2023ban/"], (path, hrefs)
        assert hrefs[-1] == last, (path, hrefs)
        for target in hrefs[3:]:
            assert target.startswith(f"{home}editions/2023ban/"), (path, target)
        for target in hrefs:
            assert page_exists(out, target), (path, target)
    item = re.search(r'<nav class="qd-crumbs"[^>]*>(.*?)</nav>', read(out, f"editions/2023ban/power/{POWER_CODE}/"), re.S)
    assert re.sub(r"<[^>]+>", "", item.group(1)) == "首页 › 历史版本 › 2023版 › 权力清单 › 县市场监管局"


def test_edition_data_is_gathered_outside_render(editions_site):
    """The editions and their comparisons are plain data from generator.history.editions; the
    render package reads no git and runs no diff (it only turns that data into pages)."""
    import ast

    from generator.history.editions import read_editions
    from generator.project import open_project

    root, _ = editions_site
    project = open_project(root)
    data = read_editions(root, project.config, project.catalog)
    tags = [e.tag for e in data.editions]
    assert tags[:2] == ["2023版", "v2024"]  # then the editions declared by date in the demo's site_config.yml
    pairs = [(c.a.tag, c.b.tag if c.b else None) for c in data.comparisons]
    assert pairs[:3] == [("2023版", "v2024"), ("2023版", None), ("v2024", tags[2])]
    renamed = [i for i in data.comparisons[0].result.items if "renamed" in i.kinds]
    assert [(i.code, i.old_name, i.name) for i in renamed] == [(DUTY_CODE, OLD_NAME, NEW_NAME)]
    to_current = next(c for c in data.comparisons if c.a.tag == "v2024" and c.b is None)
    statutory = [c for i in to_current.result.items for c in i.changes if c.field == "time_limit"]
    assert statutory and "20" in statutory[0].old and "15" in statutory[0].new
    render_dir = Path(__file__).resolve().parent.parent / "generator" / "render"
    forbidden = ("generator.gitrepo", "generator.snapshot", "generator.history.cache", "generator.diff.engine")
    for path in render_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
                assert not names & {*forbidden, "generator.diff.compare"}, (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert not {a.name for a in node.names} & set(forbidden), path.name
