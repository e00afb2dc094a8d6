"""Drive the system Chromium against a built site: serve it on 127.0.0.1, record what it fetches.

Used by the browser tests (through tests/browser_support.py) and by the search benchmark
(benchmarks/search_bytes.py: `measure_first_query`). Test and benchmark code, so it lives outside
the `generator` package, which never imports a browser library. Needs the `playwright` package
(the `test` extra) and Debian's /usr/bin/chromium; Playwright never downloads a browser here.
"""

from __future__ import annotations

import functools
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

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # A missing page gets the site's own 404.html, as a portal's web server is set up to do.
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


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


@dataclass
class FirstQuery:
    """What a visitor downloads to load the home page and see the first results of a query."""

    query: str
    page_bytes: int  # the home page with its styles and scripts
    search_bytes: int  # everything fetched after that: Pagefind's runtime, index chunks, fragments
    results: int  # results Pagefind reported
    files: dict[str, int]  # URL path → bytes
    external: list[str]
    search_files: list[str] = field(default_factory=list)  # URL paths fetched after the home page had loaded

    @property
    def total(self) -> int:
        return self.page_bytes + self.search_bytes


def measure_first_query(site_dir: Path, query: str, start: str = "") -> FirstQuery:
    """Load the home page (or the page at `start`, e.g. "zh-Hant/") in headless Chromium, type
    `query` into the header search, wait for results."""
    from playwright.sync_api import sync_playwright

    with serve_directory(site_dir) as base, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            page = browser.new_page()
            log = RequestLog(page)
            page.goto(base + start, wait_until="load")
            page.wait_for_load_state("networkidle")
            loaded = dict(log.sizes)
            page.locator(".md-search__input").click()
            page.keyboard.type(query)
            page.wait_for_selector('[data-qd-search-result][aria-busy="false"]', state="attached")
            page.wait_for_load_state("networkidle")
            text = page.locator("[data-qd-search-meta]").inner_text()
        finally:
            browser.close()
    found = int("".join(ch for ch in text.split("个")[0] if ch.isdigit()) or 0) if text.startswith("找到") else 0
    files = {urlsplit(url).path: size for url, size in log.sizes.items()}
    page_bytes = sum(loaded.values())
    search_files = sorted(urlsplit(url).path for url in log.sizes if url not in loaded)
    return FirstQuery(query, page_bytes, log.total_bytes() - page_bytes, found, files, log.external(),
                      search_files)
