"""Fixtures shared by the test modules.

One headless Chromium for the whole session: Playwright's sync API cannot start a second
instance while one is running in the same process, so every browser test uses this fixture.
"""

from __future__ import annotations

import pytest
from browser_support import RequestLog, launch_browser, require_chromium


@pytest.fixture(scope="session")
def browser():
    """System Chromium (/usr/bin/chromium) driven by Playwright; skipped locally without it, fails in CI."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser):
    """Open pages in a fresh context; afterwards, no request may have left 127.0.0.1 and no script
    may have failed."""
    contexts = []

    def open_page(url: str, **options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.log = RequestLog(page)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            assert page.log.external() == [], f"请求了其他主机：{page.log.external()}"
            assert page.errors == [], page.errors
        context.close()
