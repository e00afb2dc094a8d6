"""Fixtures shared by the test modules.

One headless Chromium for the whole session: Playwright's sync API cannot start a second
instance while one is running in the same process, so every browser test uses this fixture.
"""

from __future__ import annotations

import pytest
from browser_support import launch_browser, require_chromium


@pytest.fixture(scope="session")
def browser():
    """System Chromium (/usr/bin/chromium) driven by Playwright; skipped locally without it, fails in CI."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()
