"""`qingdan serve`: build, serve on localhost, update pages in place when the sources change.

Files are watched with watchfiles (OS notifications, not a poll every second), from before the
first build: a file saved while the site is being generated (half a minute at 10,000 items) is
applied right after it, not lost, and the preview address is printed only once the watcher is live.
The preview keeps one runner (generator/steps/runner.py): an edit reruns the steps and rewrites the
pages whose inputs changed, as `qingdan build` would, and the open tab reloads; the downloads, the
search index and the sitemap follow as soon as no further edit is waiting. Every HTML
page served gets a small script that waits for the next update and reloads the tab by itself.
"""

from __future__ import annotations

import argparse
import functools
import gc
import http.server
import queue
import sys
import threading
import time
from pathlib import Path

from generator.steps import STEPS
from generator.steps.runner import Options, Runner

WATCHED = ("lists", "content", "templates", "site_config.yml", "mkdocs.yml")
VERSION_PATH = "/__qingdan/version"
SETTLE_FULL = 20  # every so many catch-ups, a full garbage collection (Server._settle)
# Long poll: the request returns when the site changed after `since` (or after 25 s), then the
# tab reloads. Plain fetch, no external script; only `qingdan serve` adds it.
RELOAD_SCRIPT = ("<script>(function(){var v=%d;function w(){fetch('" + VERSION_PATH + "?since='+v,"
                 "{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){var n=+t;"
                 "if(n>v){location.reload()}else{w()}},function(){setTimeout(w,1000)})}w()})();</script>")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        description="生成网站并在本机预览。修改清单后只更新受影响的页面，浏览器中打开的页面自动刷新；"
        "修改 content/、templates/ 或 site_config.yml 后重新生成。按 Ctrl+C 停止。",
        epilog="示例：\n  qingdan serve                    然后在浏览器中打开 http://127.0.0.1:8000/\n"
        "  qingdan serve --port 8080",
    )
    parser.add_argument("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000）")
    parser.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--out", type=Path, default=None, metavar="目录", help="预览网站的目录（默认：项目下的 site/）")
    parser.set_defaults(func=run)


class Version:
    """A counter bumped after each update; reload requests wait on it."""

    def __init__(self) -> None:
        self.value = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.value += 1
            self.changed.notify_all()

    def wait_past(self, since: int, timeout: float = 25) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.value > since, timeout=timeout)
            return self.value


class _Handler(http.server.SimpleHTTPRequestHandler):
    version: Version

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == VERSION_PATH:
            query = self.path.partition("since=")[2]
            since = int(query) if query.isdigit() else -1
            self._send(str(self.version.wait_past(since)).encode(), "text/plain")
            return
        local = Path(self.translate_path(self.path))
        if local.is_dir() and path.endswith("/"):
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            text = local.read_text(encoding="utf-8")
            script = RELOAD_SCRIPT % self.version.value
            text = text.replace("</body>", script + "</body>", 1) if "</body>" in text else text + script
            self._send(text.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        """A tab closed or reloaded mid-response is no error; anything else is one line, never a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):  # BrokenPipeError, ConnectionResetError…
            return
        print(f"预览服务器处理一个请求时出错（{type(error).__name__}：{error}），其他页面不受影响", flush=True)


class Server:
    """The preview: one runner kept between edits (generator/steps/runner.py), so an edit reruns only
    the steps and pages it changed, exactly as `qingdan build` would."""

    def __init__(self, root: Path, out: Path) -> None:
        self.runner = Runner(STEPS, root, out, Options(), serving=True)
        self.version = Version()
        self.behind = False  # steps left for when no edit is waiting (downloads, search, sitemap)
        self.settled = 0  # catch-ups done (Server._settle)

    def first_build(self) -> None:
        started = time.perf_counter()
        result = self.runner.run()
        if result.ok:
            self._freeze()
            self.version.bump()
            print(f"已生成（{time.perf_counter() - started:.1f} 秒）", flush=True)
        else:
            self._failed(result.problems)

    def changed(self, paths: set[Path]) -> None:
        started = time.perf_counter()
        # No collection between the save and the page: an update makes some 100,000 objects (keys,
        # page specs), enough for several collections (0.1 s of CPU at 10,000 items); catch_up
        # collects them once the page is shown. Not when there is no site yet: that is a full build.
        pause = bool(self.runner.state.steps) and gc.isenabled()
        if pause:
            gc.disable()
        try:
            result = self.runner.update(paths)
        finally:
            if pause:
                gc.enable()
        if not result.ok:
            self._failed(result.problems)
            return
        if result.unchanged:
            return
        self.behind = True
        self.version.bump()
        print(f"已更新 {len(result.written) + len(result.removed)} 个页面（{time.perf_counter() - started:.2f} 秒）",
              flush=True)

    def catch_up(self) -> None:
        """Downloads, search index, sitemap and the rest, once the edited pages are shown."""
        if not self.behind:
            return
        self.behind = False
        started = time.perf_counter()
        result = self.runner.catch_up()
        self._settle()
        if not result.ok:
            self._failed(result.problems)
            return
        print(f"下载文件和搜索索引已更新（{time.perf_counter() - started:.1f} 秒）", flush=True)

    @staticmethod
    def _freeze() -> None:
        """Keep the garbage collector off the kept project: at 10,000 items a full collection walks
        365,000 objects for 0.2 s, and one fell inside an update now and then, between the save and
        the page. What the previous build kept is unfrozen and collected first."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def _settle(self) -> None:
        """After the edits: collect what they left (only what is not frozen, so a few hundredths
        of a second) and freeze the rest, so that collections walk only what is new. Garbage in a
        cycle that was frozen is found by the full collection every SETTLE_FULL catch-ups."""
        self.settled += 1
        if self.settled % SETTLE_FULL == 0:
            gc.unfreeze()  # a full collection, as _freeze
        gc.collect()
        gc.freeze()

    def _failed(self, problems) -> None:
        for problem in problems.errors:
            print(problem.format_text())
        print("生成失败，预览仍显示上一次成功生成的网站。修改后会自动重试。", flush=True)


def _watched(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).exists()]


class Watcher:
    """Batches of changed paths, collected in a thread from the moment `start` returns.

    Changes that arrive while an update runs wait in the queue (watchfiles also keeps collecting
    between two of its calls): nothing is lost, and the next update takes them all at once."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = paths
        self.batches: queue.Queue[set[Path]] = queue.Queue()
        self.error: BaseException | None = None
        self._live = threading.Event()
        self._stopping = False

    def is_set(self) -> bool:
        """watchfiles asks this (its stop event) every step once its OS watches are in place."""
        self._live.set()
        return self._stopping

    def start(self, timeout: float = 60) -> None:
        threading.Thread(target=self._run, name="watcher", daemon=True).start()
        if not self._live.wait(timeout) or self.error is not None:
            raise RuntimeError(f"无法监视文件改动：{self.error or '超时'}")

    def stop(self) -> None:
        self._stopping = True

    def _run(self) -> None:
        from watchfiles import watch

        try:
            for changes in watch(*self.paths, debounce=50, step=20, stop_event=self, rust_timeout=0,
                                 yield_on_timeout=False, raise_interrupt=False):
                paths = {Path(p) for _, p in changes if not Path(p).name.startswith(".")}
                if paths:
                    self.batches.put(paths)
        except Exception as exc:  # the OS refused a watch: start() or next_batch() reports it
            self.error = exc
            self._live.set()
            self.batches.put(set())

    def next_batch(self, timeout: float | None = None) -> set[Path]:
        """Every path changed since the last call; blocks until there is one (or `timeout` passed:
        then an empty set)."""
        try:
            paths = set(self.batches.get(timeout=timeout))
        except queue.Empty:
            return set()
        if self.error is not None:
            raise RuntimeError(f"无法继续监视文件改动：{self.error}")
        while True:
            try:
                paths |= self.batches.get_nowait()
            except queue.Empty:
                return paths


def run(args: argparse.Namespace) -> int:
    root: Path = args.project.resolve()
    out = (args.out or root / "site").resolve()
    from generator.regions.config import is_portal

    if is_portal(root):
        print("这是门户项目（site_config.yml 有 regions），没有自己的清单可以预览：在某个地区的项目目录中运行 "
              "qingdan serve，或运行 qingdan build 后预览生成的 site/", file=sys.stderr)
        return 2
    watcher = Watcher(_watched(root))
    try:
        watcher.start()
    except RuntimeError as exc:
        print(exc, flush=True)
        return 1
    print("正在生成网站……（生成期间保存的改动会在生成后随即更新）", flush=True)
    server = Server(root, out)
    server.first_build()
    out.mkdir(parents=True, exist_ok=True)

    # The handler resolves paths under `out` per request, so it serves the new site after a rebuild.
    handler = type("Handler", (_Handler,), {"version": server.version})
    httpd = _PreviewServer((args.host, args.port), functools.partial(handler, directory=str(out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    print(f"预览地址：http://{args.host}:{httpd.server_port}/ （按 Ctrl+C 停止）", flush=True)
    try:
        while True:
            # An edit first; when none is waiting, what the edits left behind (a quiet moment).
            paths = watcher.next_batch(timeout=0.3 if server.behind else None)
            if paths:
                server.changed(paths)
            else:
                server.catch_up()
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(exc, flush=True)
        return 1
    finally:
        watcher.stop()
        httpd.shutdown()
    return 0
