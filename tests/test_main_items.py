"""A 主项 that exists only as the parent of its 子项 has a page of its own (issue 22, item 8).

The demo's 食品生产许可 (主项编码 000131127005) is published only through its two 子项. Its page
lists them and shows once what they share; each 子项 links to it; it is searchable, in the sitemap
and in the 繁體 view; on a phone the department page keeps the 子项 visibly under their 主项.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from browser_support import search, serve_directory
from demo_project import copy_demo_project, demo_with_history

from generator.model import local_code
from generator.project import open_project
from generator.site.build import build_site

PREFIX = "/qingdan/"
MAIN = "power/000131127005/"
SUBS = {"power/00013112700501/": "食品生产许可（新办）", "power/00013112700502/": "食品生产许可（变更、延续）"}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = demo_with_history(tmp_path_factory.mktemp("main") / "county")
    result = build_site(root, root / "site", site_url="https://example.gov.cn" + PREFIX)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root / "site"


@pytest.fixture(scope="module")
def base(site):
    with serve_directory(site, prefix=PREFIX) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("script", ["", "zh-Hant/"])
def test_a_sub_item_leads_to_its_main_item_page_which_lists_the_sub_items_and_what_they_share(
        browser, base, script):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base + script + next(iter(SUBS)))
        page.locator(".qd-parent a").click()
        page.wait_for_url(base + script + MAIN)
        assert page.locator("h1").inner_text() in ("食品生产许可", "食品生產許可")
        links = page.locator(".qd-children li a")
        assert links.count() == 2
        assert [a.split("/qingdan/")[-1] for a in links.evaluate_all("as => as.map(a => a.href)")] == [
            script + path for path in SUBS]
        shared = page.locator(".qd-shared")
        labels = shared.locator("dt").all_inner_texts()
        text = shared.inner_text()
        # The same on both 子项: shown once here. 办理时限 and 办理依据 differ: only on each 子项's page.
        assert ("承办机构" in labels or "承辦機構" in labels) and ("食品生产监管股" in text or "食品生產監管股" in text)
        assert not {"办理时限", "辦理時限", "设定依据", "設定依據", "办理依据", "辦理依據"} & set(labels)
        links.first.click()
        page.wait_for_url(base + script + next(iter(SUBS)))
    finally:
        page.close()


def test_the_main_item_page_is_in_the_sitemap_and_the_traditional_view(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"https://example.gov.cn{PREFIX}{MAIN}<" in sitemap
    assert f"https://example.gov.cn{PREFIX}zh-Hant/{MAIN}<" in sitemap
    assert "食品生產許可" in (site / "zh-Hant" / MAIN / "index.html").read_text(encoding="utf-8")


@pytest.mark.browser
def test_search_finds_the_main_item_page(browser, base):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base)
        search(page, "食品生产许可")
        hrefs = page.locator("[data-qd-search-result] a").evaluate_all("as => as.map(a => a.href)")
        assert base + MAIN in hrefs
    finally:
        page.close()


@pytest.mark.browser
def test_sub_items_stay_under_their_main_item_on_a_phone(browser, base):
    page = browser.new_page(viewport=PHONE, is_mobile=True)
    try:
        page.goto(base + "departments/scjgj/")
        heading = page.locator(".qd-main-row").first
        assert heading.locator("a").get_attribute("href").endswith(MAIN)
        main_box = heading.bounding_box()
        subs = page.locator(".qd-sub-row")
        assert subs.count() == 2
        plain = page.locator(".qd-table tbody tr:not(.qd-sub-row):not(.qd-main-row)").first.bounding_box()
        for i in range(2):
            box = subs.nth(i).bounding_box()
            assert box["x"] >= plain["x"] + 12, "a 子项 card is indented under its 主项"
            assert box["y"] > main_box["y"]
            rule = subs.nth(i).evaluate("tr => parseFloat(getComputedStyle(tr).borderLeftWidth)")
            assert rule >= 3, "the 子项 cards hang from the 主项 on a rule"
        # The heading reads as the group's head, not as one more card of the list.
        assert heading.evaluate("tr => getComputedStyle(tr).borderTopWidth") == "0px"
    finally:
        page.close()


def test_a_main_item_without_a_code_has_the_address_an_import_would_give_it(tmp_path):
    root = copy_demo_project(tmp_path / "county", content=False)
    path = root / "lists" / "power" / "scjgj.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('    parent: "000131127005"\n', ""), encoding="utf-8")
    catalog = open_project(root).catalog
    (main,) = catalog.main_items()
    assert main.code == "" and main.name == "食品生产许可"
    assert main.address == local_code("scjgj", "power", "", "食品生产许可")
    assert [c.name for c in main.children] == list(SUBS.values())


def git(root: Path, *args: str, date: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn", GIT_COMMITTER_NAME="县编办",
               GIT_COMMITTER_EMAIL="bb@example.gov.cn", GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)


def test_an_item_split_into_sub_items_keeps_its_address_as_their_main_item_page(tmp_path):
    """食品生产许可 was one item; a notice split it into two 子项. Its address now answers with the
    主项 page the 子项 link to, not with a page saying it was cancelled."""
    root = copy_demo_project(tmp_path / "county", content=False)
    path = root / "lists" / "power" / "scjgj.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index('  - code: "00013112700501"')
    block = text[start:text.index("  - code:", start + 10)]
    whole = (block.replace('"00013112700501"', '"000131127005"').replace("食品生产许可（新办）", "食品生产许可")
             .replace('    parent: "000131127005"\n    parent_name: 食品生产许可\n', ""))
    after = text.find("  - code:", text.index('  - code: "00013112700502"') + 10)
    subs = text[start:after if after > 0 else len(text)]
    path.write_text(text.replace(subs, whole), encoding="utf-8")
    git(root, "init", "-q", "-b", "main", date="2024-01-15T09:00:00+08:00")
    git(root, "add", "-A", date="2024-01-15T09:00:00+08:00")
    git(root, "commit", "-qm", "发布2024年版权责清单", date="2024-01-15T09:00:00+08:00")
    path.write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "关于将食品生产许可拆分为子项的通知", "-m", "调整依据: 示府办发〔2024〕8号",
        date="2024-03-01T10:00:00+08:00")
    result = build_site(root, root / "site", search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    page = (root / "site" / MAIN / "index.html").read_text(encoding="utf-8")
    assert "qd-main-item" in page and "各子项相同的内容" in page and "已取消" not in page
