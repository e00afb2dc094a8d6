"""`qingdan serve`: build, serve on localhost, rebuild when the project's sources change."""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
import time
from pathlib import Path

from generator.search import refresh_index_in_place
from generator.site.build import build_site

WATCHED = ("lists", "content", "templates", "site_config.yml", "mkdocs.yml")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="本地预览：修改清单后自动重新生成")
    parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--out", type=Path, default=None, help="预览网站的目录（默认：项目下的 site/）")
    parser.set_defaults(func=run)


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every watched file: cheap enough to poll once a second."""
    state: dict[str, float] = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for f in files:
            try:
                state[str(f)] = f.stat().st_mtime
            except OSError:
                continue
    return state


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def _docs_dir(root: Path) -> Path:
    """The preview's lean search documents, kept between rebuilds for re-indexing."""
    return root / ".cache" / "search-docs"


def _build(root: Path, out: Path, first: bool = False) -> None:
    """Rebuild and publish; after the first build the search index is refreshed once pages are live."""
    started = time.perf_counter()
    result = build_site(root, out, defer_search=not first, search_docs=_docs_dir(root))
    if result.ok:
        print(f"已重新生成（{time.perf_counter() - started:.1f} 秒）", flush=True)
        if not first:
            failure = refresh_index_in_place(out, _docs_dir(root))
            print(failure or f"搜索索引已更新（共 {time.perf_counter() - started:.1f} 秒）", flush=True)
    else:
        for problem in result.problems.errors:
            print(problem.format_text())
        print("生成失败，预览仍显示上一次成功生成的网站。修改后会自动重试。", flush=True)


def run(args: argparse.Namespace) -> int:
    root: Path = args.project
    out = (args.out or root / "site").resolve()
    # Sources are snapshotted before each build, so an edit made while a build runs is picked
    # up by the next poll instead of being taken for the state that was built.
    state = snapshot(root)
    _build(root, out, first=True)
    out.mkdir(parents=True, exist_ok=True)

    # The handler resolves paths under `out` per request, so it serves the new site after each swap.
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"预览地址：http://{args.host}:{server.server_port}/ （按 Ctrl+C 停止）", flush=True)
    try:
        while True:
            time.sleep(1)
            current = snapshot(root)
            if current != state:
                state = current
                _build(root, out)
    finally:
        server.shutdown()
