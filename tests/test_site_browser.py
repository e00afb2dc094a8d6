"""End to end in headless Chromium: a visitor on a phone browses the built demo site."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import RequestLog, serve_directory

from generator.site.build import build_site

PROJECT = Path(__file__).resolve().parent.parent
PHONE = {"width": 390, "height": 844}
EIGHT = ["办理主体", "办理依据", "办理条件", "办理程序", "办理时限", "办理结果", "收费依据", "收费标准"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    result = build_site(PROJECT, out, history=False, site_url="https://example.gov.cn/qingdan/")
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


def test_home_to_item_in_three_taps_on_a_phone_with_no_outside_requests(site, browser):
    with serve_directory(site, prefix="/qingdan/") as base:
        page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        log = RequestLog(page)
        page.goto(base)
        assert page.title() == "首页 - 示例县权责清单公开平台"
        page.locator(".qd-cards a", has_text="权力清单").first.click()  # tap 1
        page.wait_for_url(base + "power/")
        assert page.locator("h1").inner_text() == "权力清单"
        page.locator(".qd-table a", has_text="食品经营许可").first.click()  # tap 2
        page.wait_for_url(base + "power/000131127004/")
        labels = page.locator(".qd-disclosures dt").all_inner_texts()
        assert labels == EIGHT
        assert page.locator(".qd-disclosure-fee_standard dd").inner_text().strip() == "不收费"
        assert "中华人民共和国食品安全法" in page.locator(".qd-disclosure-basis dd").inner_text()
        # Cross-link to the responsibility entry and back to the power (tap 3, then back).
        page.locator(".qd-related a", has_text="责任事项").first.click()
        page.wait_for_url(base + "responsibility/**")
        assert page.locator(".qd-related a", has_text="食品经营许可").count() >= 1
        page.locator(".qd-related a", has_text="食品经营许可").first.click()
        page.wait_for_url(base + "power/000131127004/")
        # The footer carries the portal's registration details.
        footer = page.locator(".qd-footer").inner_text()
        assert "网站标识码：3607990001" in footer and "赣ICP备12345678号" in footer
        assert log.urls, "the request log recorded nothing"
        assert not log.external(), f"requests to other hosts: {log.external()}"
        page.close()


def test_large_text_and_high_contrast_switches_are_remembered(site, browser):
    with serve_directory(site, prefix="/qingdan/") as base:
        page = browser.new_page(viewport=PHONE)
        page.goto(base + "power/000131127004/")
        size_before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
        page.get_by_role("button", name="大字").click()
        size_after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset')).fontSize)")
        assert size_after >= size_before * 1.4
        assert page.get_by_role("button", name="大字").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="高对比").press("Enter")  # keyboard works too
        page.goto(base + "fee/")
        classes = page.evaluate("document.documentElement.className")
        assert "qd-large" in classes and "qd-contrast" in classes
        page.close()


def test_leaving_the_site_asks_first(site, browser):
    with serve_directory(site, prefix="/qingdan/") as base:
        page = browser.new_page()
        log = RequestLog(page)
        page.goto(base)
        messages = []

        def dismiss(dialog):
            messages.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.locator(".qd-footer a", has_text="ICP").click()
        assert messages and "即将离开" in messages[0]
        assert page.url == base
        assert not log.external()
        page.close()
