"""Helpers for browser tests: serve a built site on 127.0.0.1 and drive the system Chromium.

Typical use in a test module:

    from browser_support import RequestLog, launch_browser, require_chromium, serve_directory

    @pytest.fixture(scope="session")
    def browser():
        require_chromium()                      # skip locally, fail when CI=true
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            browser = launch_browser(p)
            yield browser
            browser.close()

    with serve_directory(site_dir, prefix="/qingdan/") as base:   # base = "http://127.0.0.1:PORT/qingdan/"
        page = browser.new_page()
        log = RequestLog(page)                  # every request and its response size
        page.goto(base)
        assert not log.external()

The helpers live in benchmarks/browser.py (the search benchmark uses them too); the browser is
never downloaded: Playwright drives /usr/bin/chromium (Debian's package).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCAL_HOST,
    RequestLog,
    launch_browser,
    serve_directory,
)

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "LOCAL_HOST", "RequestLog", "launch_browser", "require_chromium",
           "search", "serve_directory", "wait_done"]


def require_chromium() -> None:
    """Skip the calling test when Chromium or Playwright is missing; fail instead when CI=true."""
    import pytest

    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} 不存在（apt-get install chromium）"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "未安装 playwright（pip install -e '.[test]'）"
    if missing is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("浏览器测试无法运行：" + missing)
    pytest.skip("浏览器测试跳过：" + missing)


def wait_done(page) -> None:
    """Wait until the header search shows the results of what was typed last."""
    page.wait_for_selector('[data-qd-search-result][aria-busy="false"]', state="attached")


def search(page, query: str) -> None:
    """Type into the real header search box, as a visitor would, and wait for the results."""
    box = page.locator(".md-search__input")
    if not box.is_visible():
        page.locator('label.md-header__button[for="__search"]').click()
    box.click()
    box.fill("")
    page.keyboard.type(query, delay=20)
    wait_done(page)

