"""按日期查看 (/as-of/) in Chromium: the lists as they stood on a day, and the compare of two days,
made in the browser from the static API of a built demo county (tests/test_api.py api_demo: a fee
cancelled from 2024-04-01, a fee added from 2025-01-01, the site built for 2024-12-01)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from a11y_support import AXE
from browser_support import serve_directory
from demo_project import CANCELLED_FEE
from test_api import AS_OF, NEW_FEE, api_demo

from generator.site.build import build_site

pytestmark = pytest.mark.browser

PREFIX = "/qingdan/"
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations'],
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = api_demo(tmp_path_factory.mktemp("as-of") / "county")
    out = root.parent / "site"
    result = build_site(root, out, as_of=AS_OF, search=False, site_url="https://example.gov.cn" + PREFIX)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


@pytest.fixture(scope="module")
def base(site):
    with serve_directory(site, prefix=PREFIX) as url:
        yield url


@pytest.fixture(scope="module")
def names(site) -> dict[str, str]:
    """code → name of the two fees whose days matter."""
    fees = json.loads((site / "api/v1/lists/fee.json").read_text(encoding="utf-8"))["items"]
    wanted = {CANCELLED_FEE.split("/")[1], NEW_FEE}
    return {i["code"]: i["versions"][-1]["name"] for i in fees if i["code"] in wanted}



def status(page) -> str:
    page.wait_for_function("""() => { const s = document.querySelector('[data-qd-asof-status]');
        return s && s.textContent.trim() && !/正在/.test(s.textContent); }""")
    return page.locator("[data-qd-asof-status]").inner_text()


def shown_names(page) -> list[str]:
    return page.locator(".qd-asof-name a").all_inner_texts()


def test_a_cancelled_item_is_listed_before_its_cancellation_and_not_after(visit, base, names):
    cancelled = names[CANCELLED_FEE.split("/")[1]]
    page = visit(base + "as-of/?date=2024-03-31&list=fee")
    assert "2024-03-31" in status(page)
    assert cancelled in shown_names(page)
    link = page.locator(".qd-asof-name a", has_text=cancelled)
    assert link.get_attribute("href").endswith(PREFIX + CANCELLED_FEE)
    page = visit(base + "as-of/?date=2024-04-01&list=fee")
    status(page)
    assert cancelled not in shown_names(page)


def test_a_new_item_is_listed_only_from_its_effective_date(visit, base, names):
    new = names[NEW_FEE]
    page = visit(base + "as-of/?date=2024-12-31&list=fee")
    status(page)
    assert new not in shown_names(page)
    page = visit(base + "as-of/?date=2025-01-01&list=fee")
    status(page)
    assert new in shown_names(page)


def test_an_items_values_on_the_day_are_shown_when_opened(visit, base):
    page = visit(base + "as-of/?date=2024-03-31&list=power")
    status(page)
    item = page.locator(".qd-asof-item", has=page.locator("a", has_text="食品经营许可")).first
    item.locator("summary").click()
    values = item.locator(".qd-asof-values dl")
    values.wait_for()
    assert "承诺时限 5 工作日" in values.inner_text()  # cut to 3 only from 2024-04-01


def test_every_value_on_the_day_reads_as_the_site_reads_it(visit, base, site):
    """The browser reads each value from its field's type (the API leaves those readings out):
    every field of an item reads as generator/fieldtypes.py reads it for the item's page."""
    from generator.config import load_config
    from generator.fieldtypes import field_text
    from generator.problems import Problems

    config = load_config(site.parent / "county", Problems())
    assert config is not None
    power = config.list_type("power")
    assert power is not None
    item = json.loads((site / "api/v1/items/power/000131127004.json").read_text(encoding="utf-8"))
    version = item["versions"][0]  # in force on 2024-03-31
    page = visit(base + "as-of/?date=2024-03-31&list=power")
    status(page)
    row = page.locator(".qd-asof-item", has=page.locator("a", has_text="食品经营许可")).first
    row.locator("summary").click()
    values = row.locator(".qd-asof-values dl")
    values.wait_for()
    shown = "".join(values.inner_text().split())
    expected = {name: field_text(power.field(name), value, config) for name, value in version["values"].items()
                if name not in ("name", "code")}
    assert {"boolean", "enum", "basis", "time_limit", "fee", "list"} <= {power.field(n).type for n in expected}
    for name, text in expected.items():
        assert "".join(text.split()) in shown, (name, text)


def test_the_form_sets_the_address_and_shows_the_chosen_day(visit, base, names):
    page = visit(base + "as-of/")
    today = page.locator("#qd-asof-date").input_value()  # the visitor's own day first
    assert today and today in status(page)
    form = page.locator("[data-qd-asof-form]")
    form.get_by_label("日期", exact=True).fill("2024-03-31")
    form.get_by_label("清单", exact=True).select_option("fee")
    form.get_by_role("button", name="查看").click()
    page.wait_for_url("**date=2024-03-31**")
    page.wait_for_function("() => document.querySelector('[data-qd-asof-status]').textContent.includes('2024-03-31')")
    assert "list=fee" in page.url
    assert names[CANCELLED_FEE.split("/")[1]] in shown_names(page)


def test_a_compare_of_two_days_names_both_changes(visit, base, names):
    page = visit(base + "as-of/?date=2024-03-31&compare=2025-01-01&list=fee")
    summary = status(page)
    assert "新增 1 项" in summary and "取消 1 项" in summary, summary
    added = page.locator("section[aria-labelledby=qd-asof-added]").inner_text()
    removed = page.locator("section[aria-labelledby=qd-asof-removed]").inner_text()
    assert names[NEW_FEE] in added and names[CANCELLED_FEE.split("/")[1]] in removed
    assert "（已批准，2025-01-01 起施行）" in added  # after the site's own day (2024-12-01)


def test_a_compare_says_field_by_field_what_changed(visit, base):
    page = visit(base + "as-of/?date=2024-03-31&compare=2024-04-01&list=power")
    status(page)
    changed = page.locator("section[aria-labelledby=qd-asof-changed]").inner_text()
    assert "食品经营许可" in changed and "办理时限" in changed
    assert "承诺时限 5 工作日" in changed and "承诺时限 3 工作日" in changed


def test_a_day_before_the_first_publication_says_so(visit, base):
    page = visit(base + "as-of/?date=2020-01-01&list=power")
    assert status(page) == "该日期早于清单首次公布（2023-01-10），当时尚无公布的清单。"
    assert shown_names(page) == []


def test_the_traditional_page_works_from_the_same_data(visit, base, names):
    page = visit(base + "zh-Hant/as-of/?date=2024-03-31&list=fee")
    text = status(page)
    assert "2024-03-31" in text and "項" in text
    link = page.locator(".qd-asof-name a").first
    assert "/zh-Hant/fee/" in link.get_attribute("href")
    assert any("費" in name for name in shown_names(page))  # the data shown in the page's script


@pytest.mark.parametrize("path", ["as-of/?date=2024-03-31&list=power", "as-of/?date=2024-03-31&compare=2025-01-01&list=fee",
                                  "zh-Hant/as-of/?date=2024-03-31&list=power"])
def test_axe_finds_nothing_at_phone_and_desktop_width(visit, base, path):
    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        page = visit(base + path, viewport=viewport)
        status(page)
        if page.locator(".qd-asof-values summary").count():
            page.locator(".qd-asof-values summary").first.click()
            page.locator(".qd-asof-values dl").first.wait_for()
        page.add_script_tag(path=str(AXE))
        assert page.evaluate(AXE_RUN) == [], (path, viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (path, viewport, width)


def test_a_day_before_the_first_publication_typed_in_the_form_is_answered_in_words(visit, base):
    page = visit(base + "as-of/?list=power")
    status(page)
    form = page.locator("[data-qd-asof-form]")
    form.get_by_label("日期", exact=True).fill("2019-05-01")
    form.get_by_role("button", name="查看").click()
    page.wait_for_function("() => document.querySelector('[data-qd-asof-status]').textContent.includes('早于')")
    assert status(page) == "该日期早于清单首次公布（2023-01-10），当时尚无公布的清单。"
