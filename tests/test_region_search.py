"""One search box over every region of a portal (issue 25, item 2), in Chromium.

The example province (examples/province: 示例县, 东县, 西县) is built once with plain `qingdan build`
on a fresh copy and served on 127.0.0.1. Every region publishes 食品经营许可 under the same code
(西县 names it 食品经营许可（含小餐饮登记）), so one query shows where each region's result lands.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import search, serve_directory, wait_done
from test_regions import AS_OF, copy_province, run

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
QUERY = "食品经营许可"
CODE = "000131127004"  # 食品经营许可's code, the same in the three regions
REGIONS = {"demo": "示例县", "dongxian": "东县", "xixian": "西县"}
REGION_FILTER = 'select[data-qd-param="region"]'


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    province = copy_province(tmp_path_factory.mktemp("province"))
    done = run(province, "build", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    return province


@pytest.fixture(scope="module")
def base(province):
    with serve_directory(province / "site") as url:
        yield url


def shown_results(page) -> list[dict[str, str]]:
    """Each result as shown: its link (a path), its name and its region · list · department line."""
    return [{"href": urlsplit(item.locator("a").get_attribute("href")).path,
             "title": item.locator("h1").inner_text(),
             "kind": item.locator(".qd-search-kind").inner_text()}
            for item in page.locator(".md-search-result__item").all()]


def region_of(result: dict[str, str]) -> str:
    return result["href"].strip("/").split("/")[0]


def open_search(page, query: str) -> None:
    """Open the header search (on a phone: its button) and type the query."""
    button = page.locator('label.md-header__button[for="__search"]')
    if button.is_visible():
        button.click()
    search(page, query)


def test_a_search_from_the_portal_home_finds_an_item_of_each_region(visit, base) -> None:
    page = visit(base)
    open_search(page, QUERY)
    found = shown_results(page)
    firsts = {region_of(r): r for r in reversed(found)}
    assert set(firsts) == set(REGIONS)
    for region_id, name in REGIONS.items():
        item = next(r for r in found if r["href"] == f"/{region_id}/power/{CODE}/")
        assert item["kind"].startswith(f"{name} · 权力清单")
        assert item["title"].startswith(QUERY)
    # A result leads to the region's own page.
    page.locator(".md-search-result__link", has_text="含小餐饮登记").click()
    page.wait_for_url(f"{base}xixian/power/{CODE}/")


def test_the_region_filter_narrows_the_results_to_one_region_on_a_phone(visit, base) -> None:
    page = visit(base, viewport=PHONE, is_mobile=True, has_touch=True)
    open_search(page, QUERY)
    assert {region_of(r) for r in shown_results(page)} == set(REGIONS)
    select = page.locator(REGION_FILTER)
    assert select.get_attribute("aria-label") == "按地区筛选"
    box = select.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    select.focus()  # the counts are fetched when a visitor reaches for the filters
    page.wait_for_function(f"document.querySelector('{REGION_FILTER}').options[2].text.includes('（')")
    assert [o.strip() for o in select.locator("option").all_inner_texts()][0] == "全部地区"
    select.select_option("东县")
    wait_done(page)
    page.wait_for_function("document.querySelector('[data-qd-search-meta]').textContent.includes('东县')")
    found = shown_results(page)
    assert found and {region_of(r) for r in found} == {"dongxian"}
    assert "筛选：东县" in page.locator("[data-qd-search-meta]").inner_text()
    select.select_option("")
    page.wait_for_function("!document.querySelector('[data-qd-search-meta]').textContent.includes('筛选')")
    assert {region_of(r) for r in shown_results(page)} == set(REGIONS)


def test_a_link_with_a_region_opens_the_search_filtered(visit, base) -> None:
    page = visit(f"{base}?q={QUERY}&region=西县")
    wait_done(page)
    page.wait_for_selector(".md-search-result__item")
    found = shown_results(page)
    assert found and {region_of(r) for r in found} == {"xixian"}
    select = page.locator(REGION_FILTER)
    assert select.is_visible() and select.input_value() == "西县"
    assert [o.strip() for o in select.locator("option").all_inner_texts()].count("西县") == 1


def test_the_search_form_on_the_portal_home_searches_one_region(visit, base) -> None:
    page = visit(base, viewport=PHONE, is_mobile=True, has_touch=True)
    form = page.locator("form[data-qd-portal-search]")
    form.get_by_label("事项名称、部门或拼音").fill(QUERY)
    form.get_by_label("地区").select_option("东县")
    form.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/?q=*")
    page.wait_for_selector(".md-search-result__item")
    wait_done(page)
    found = shown_results(page)
    assert found and {region_of(r) for r in found} == {"dongxian"}


@pytest.mark.parametrize("region_id", ["xixian", "dongxian"])
def test_from_a_region_page_that_region_comes_first(visit, base, region_id: str) -> None:
    """On the portal, 西县's 食品经营许可（含小餐饮登记） comes after the exact names; on 西县's own
    pages, its own result comes first, and the other regions follow."""
    page = visit(f"{base}{region_id}/power/")
    open_search(page, QUERY)
    found = shown_results(page)
    assert found[0]["href"] == f"/{region_id}/power/{CODE}/"
    own = [region_of(r) == region_id for r in found]
    assert own == sorted(own, reverse=True), "every result of this region before the others"
    assert {region_of(r) for r in found} == set(REGIONS)
    assert page.locator(REGION_FILTER).is_visible()


def test_a_traditional_page_leads_to_traditional_pages_where_a_region_has_them(visit, base, province) -> None:
    page = visit(f"{base}demo/zh-Hant/")
    open_search(page, QUERY)
    found = shown_results(page)
    assert found[0]["href"] == f"/demo/zh-Hant/power/{CODE}/"
    assert found[0]["kind"].startswith("示例縣 · 權力清單")
    others = {region_of(r): r["href"] for r in found if not r["href"].startswith("/demo/")}
    assert set(others) == {"dongxian", "xixian"}  # built without a 繁體 view: their Simplified pages
    for href in others.values():
        assert (province / "site" / href.strip("/") / "index.html").is_file()
    kinds = {region_of(r): r["kind"] for r in found}
    assert kinds["dongxian"].startswith("東縣 · ") and kinds["xixian"].startswith("西縣 · ")
    assert "東縣" in page.locator(REGION_FILTER).locator("option").all_inner_texts()


def test_the_portals_traditional_home_searches_every_region_in_traditional(visit, base) -> None:
    page = visit(f"{base}zh-Hant/")
    open_search(page, "食品經營許可")  # typed in Traditional: the portal's script map turns it back
    found = shown_results(page)
    firsts = {region_of(r): r for r in reversed(found)}
    assert set(firsts) == set(REGIONS)
    own = next(r for r in found if r["href"] == f"/demo/zh-Hant/power/{CODE}/")  # the region's 繁體 view
    assert own["title"].startswith("食品經營許可") and own["kind"].startswith("示例縣 · 權力清單")
    assert any(r["href"] == f"/dongxian/power/{CODE}/" for r in found)  # no 繁體 view: its Simplified page
    page.locator(".md-search-result__link", has_text="含小餐飲登記").click()
    page.wait_for_url(f"{base}xixian/power/{CODE}/")


def test_a_region_served_on_its_own_searches_only_itself(visit, province) -> None:
    """Without the portal around it, a region's site is the county's own: no region filter."""
    with serve_directory(province / "site" / "dongxian", prefix="/dongxian/") as url:
        page = visit(url)
        open_search(page, QUERY)
        found = shown_results(page)
        assert found and {region_of(r) for r in found} == {"dongxian"}
        assert page.locator(REGION_FILTER).is_hidden()


def test_regions_indexed_by_different_pagefind_versions_are_a_join_error(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    shutil.copytree(province / "site", out)
    entry = out / "xixian" / "pagefind" / "site" / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps({**data, "version": "0.0.1"}), encoding="utf-8")
    done = run(province, "build", "--join-only", "--out", str(out))
    assert done.returncode != 0
    assert "不同版本的 Pagefind" in done.stderr and "西县（0.0.1）" in done.stderr
    assert "qingdan build --only-region" in done.stderr and "Traceback" not in done.stderr
