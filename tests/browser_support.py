"""Helpers for browser tests: serve a built site on 127.0.0.1 and drive the system Chromium.

Used by the browser tests (and benchmarks/search_bytes.py). Typical use in a test module:

    from browser_support import launch_browser, require_chromium, serve_directory, RequestLog

    @pytest.fixture(scope="session")
    def browser():
        require_chromium()                      # skip locally, fail when CI=true
        with sync_playwright() as p:
            browser = launch_browser(p)
            yield browser
            browser.close()

    with serve_directory(site_dir, prefix="/qingdan/") as base:   # base = "http://127.0.0.1:PORT/qingdan/"
        page = browser.new_page()
        log = RequestLog(page)                  # every request and its response size
        page.goto(base)
        assert not log.external()

The browser is never downloaded: Playwright drives /usr/bin/chromium (Debian's package).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"


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


def launch_browser(playwright: Any) -> Any:
    """Headless Chromium from /usr/bin/chromium with background networking switched off."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


class _QuietHandler(SimpleHTTPRequestHandler):
    prefix = "/"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    def translate_path(self, path: str) -> str:
        # Only URLs under the prefix map to the directory; anything else is a 404.
        url_path = urlsplit(path).path
        if not url_path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_prefix__" / "404")
        return super().translate_path("/" + url_path[len(self.prefix):])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def serve_directory(directory: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `directory` at http://127.0.0.1:<free port><prefix> in a background thread.

    `prefix` ("/qingdan/") puts the site under a sub-path, as a portal would; URLs outside it
    get 404. Yields the base URL (ending in "/").
    """
    if not prefix.startswith("/") or not prefix.endswith("/"):
        raise ValueError("prefix must start and end with '/'")
    handler = type("Handler", (_QuietHandler,), {"prefix": prefix})
    server = _Server((LOCAL_HOST, 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class RequestLog:
    """Every request a Playwright page makes, and the body size of every response it got."""

    page: Any
    urls: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # url → bytes of the response body
    failed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.urls.append(request.url))
        self.page.on("requestfinished", self._finished)
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))

    def _finished(self, request: Any) -> None:
        try:
            size = request.sizes()["responseBodySize"]
        except Exception:  # the page may be gone already
            size = 0
        self.sizes[request.url] = self.sizes.get(request.url, 0) + max(size, 0)

    def external(self) -> list[str]:
        """Requests to any host other than 127.0.0.1 (data: and blob: URLs are local)."""
        return [u for u in self.urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u).hostname != LOCAL_HOST]

    def total_bytes(self) -> int:
        return sum(self.sizes.values())

    def mark(self) -> int:
        """A position in the log, so that `since(mark)` lists the requests made after it."""
        return len(self.urls)

    def since(self, mark: int) -> list[str]:
        return self.urls[mark:]
