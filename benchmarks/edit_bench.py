"""Edit to page: how long after a clerk saves a list file the changed page is served.

Starts `qingdan serve` on the corpus, waits for its first build, then edits one item's
办理条件 at a time (the same edit as the one-item rebuild) and polls the item's URL over HTTP
until the served page shows the new text. Each edit waits for the previous one to be served
and for the background search refresh to finish, as a clerk reading the page would. The edits
are undone with `git checkout -- lists` afterwards.

Then (issue 23: every page an edit touches) as many renames, each timed until the item, list,
department and pinyin pages all show the new name: `touched` in the result.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.measure import median

ITEM_CODE = re.compile(r'^  - code: "?([^"\s]+)"?\s*$')


def _edit(project: Path, n: int) -> tuple[str, str]:
    """Edit the n-th 办理条件 of the first power list file; (item URL path, text to look for)."""
    from benchmarks.__main__ import touch_one_item

    rel = touch_one_item(project, n)
    note = f"（第{n + 1}次修订）"
    code = ""
    for line in (project / rel).read_text(encoding="utf-8").splitlines():
        match = ITEM_CODE.match(line)
        if match:
            code = match.group(1)
        if note in line:
            break
    return f"power/{code}/", note


def _rename(project: Path, n: int, write: bool = True) -> tuple[str, str, dict[str, str]]:
    """Rename the n-th item of the first power list file (or, with write=False, only say what the
    rename would be); (old name, new name, page kind → URL path of every page that can show the
    name: the item, its list, its department, the pinyin index — a large list or index lists
    departments or letters instead, so the caller keeps the pages that showed the old name)."""
    from generator.pinyin import index_letter

    path = sorted((project / "lists" / "power").glob("*.y*ml"))[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith("    name: ")]
    i = hits[n % len(hits)]
    old = lines[i][len("    name: "):].strip('"')
    mark = f"（更名{n + 1}）"
    lines[i] = lines[i][:-1] + mark + '"' if lines[i].endswith('"') else lines[i] + mark
    code = next(m.group(1) for line in reversed(lines[:i]) if (m := ITEM_CODE.match(line)))
    if write:
        path.write_text("\n".join(lines), encoding="utf-8")
    name = lines[i][len("    name: "):].strip('"')
    letter = index_letter(old)
    return old, name, {"事项": f"power/{code}/", "清单": "power/", "部门": f"departments/{path.stem}/",
                       "拼音索引": "pinyin/", "拼音索引（字母页）": f"pinyin/{letter.lower() if letter != '#' else 'other'}/"}


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def measure_edits(project: Path, out: Path, edits: int = 5, timeout: float = 3600) -> dict[str, Any]:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "generator", "--project", str(project), "serve", "--port", "0",
         "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

    def wait_for(pattern: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(pattern) from None
            if re.search(pattern, line):
                return line

    started = time.perf_counter()
    seconds: list[float] = []
    try:
        base = re.search(r"http://127\.0\.0\.1:\d+/", wait_for(r"预览地址", timeout)).group(0)
        first_build = time.perf_counter() - started
        for n in range(edits):
            path, note = _edit(project, n)
            t0 = time.perf_counter()
            while note not in _get(base + path):
                if time.perf_counter() - t0 > 120:
                    raise TimeoutError(path)
                time.sleep(0.01)
            seconds.append(time.perf_counter() - t0)
            wait_for("搜索索引已更新", 600)
        result = {"median_seconds": median(seconds), "all_seconds": [round(s, 3) for s in seconds],
                  "edits": len(seconds), "first_build_seconds": first_build}
        result["touched"] = _renames(project, base, edits, wait_for)
        return result
    except (TimeoutError, OSError, AttributeError) as exc:
        return {"error": f"预览未能显示改动：{exc}"}
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "lists"], cwd=project, check=False)
        try:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _renames(project: Path, base: str, edits: int, wait_for) -> dict[str, Any]:
    """Issue 23: every page an edit touches. Renames touch the item, list, department and pinyin
    pages; per rename, the time until each shows the new name, and until the last of them does."""
    last: list[float] = []
    pages: dict[str, list[float]] = {}
    try:
        for n in range(edits):
            shown = {}
            for kind, path in _rename(project, n, write=False)[2].items():
                try:
                    shown[kind] = _get(base + path)
                except OSError:
                    continue  # no such page (a small index has no letter pages)
            old, name, paths = _rename(project, n)
            t0 = time.perf_counter()
            waiting = {kind: path for kind, path in paths.items() if old in shown.get(kind, "")}
            while waiting:
                for kind, path in list(waiting.items()):
                    if name in _get(base + path):
                        pages.setdefault(kind, []).append(time.perf_counter() - t0)
                        del waiting[kind]
                if time.perf_counter() - t0 > 60:
                    return {"error": "改名后这些页面 60 秒内没有更新：" + "、".join(waiting), "stale": sorted(waiting)}
                time.sleep(0.01)
            last.append(time.perf_counter() - t0)
            wait_for("搜索索引已更新", 600)
    except (TimeoutError, OSError) as exc:
        return {"error": f"预览未能显示改名：{exc}"}
    return {"median_seconds": median(last), "all_seconds": [round(s, 3) for s in last], "edits": len(last),
            "pages": {kind: median(v) for kind, v in pages.items()}}
