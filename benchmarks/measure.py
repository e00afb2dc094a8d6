"""Run a command as a child process and measure its wall time and peak memory.

Peak memory is the larger of two figures, both covering the child's whole process tree
(`qingdan build` runs Pagefind as a grandchild and may fork workers):
- ru_maxrss from wait4(): the largest resident peak of any single process in the tree;
- the largest sum of the tree's proportional set sizes (PSS), sampled every 50 ms from /proc
  (Linux), which catches a parent and its children holding memory at the same time without
  counting pages they share (forked workers, libraries) once per process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # user + system of the child and the descendants it waited for
    peak_bytes: int
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                out.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return out


def _pss(pid: int) -> int:
    """Proportional set size: shared pages (a forked worker's copy-on-write memory, libraries)
    count once across the processes sharing them, so the sum over a tree is its real use.
    Falls back to the resident set where smaps_rollup is missing."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def tree_memory(pid: int) -> int:
    """Memory in use by a process and all its descendants, now (sum of PSS)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _pss(current)
        stack.extend(_children(current))
    return total


def run_measured(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
                 timeout: float | None = None) -> Run:
    """Run `cmd`; capture its output; return wall seconds and peak memory of its process tree."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=out, stderr=err, start_new_session=True)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], tree_memory(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = None if timeout is None else started + timeout
        status = None
        while status is None:
            pid, raw, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = raw
                break
            if deadline is not None and time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)  # the child and its own children (Pagefind)
                pid, raw, usage = os.wait4(proc.pid, 0)
                status = raw
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_bytes = max(peak[0], usage.ru_maxrss * 1024)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, cpu, peak_bytes, proc.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def dir_size(path: Path) -> int:
    """Bytes of every file under `path` (apparent size, not blocks)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


# Material's content article; Qingdan's carries more attributes (id="qd-main" for the skip link).
CONTENT_START = '<article class="md-content__inner md-typeset"'


def item_chrome_bytes(site_dir: Path, list_ids: list[str], sample: int = 500) -> int | None:
    """Median bytes of an item page outside its own content: the page minus what Material's
    content article holds (header, navigation, footer, scripts and meta tags remain).
    Item pages are <list id>/<code>/index.html; the first `sample` of them in name order."""
    sizes = []
    for list_id in list_ids:
        for page in sorted((site_dir / list_id).glob("*/index.html"))[:sample]:
            data = page.read_bytes()
            start = data.find(CONTENT_START.encode())
            opened = data.find(b">", start) + 1
            end = data.rfind(b"</article>")
            if start < 0 or end < opened:
                continue
            sizes.append(len(data) - (end - opened))
        if len(sizes) >= sample:
            break
    return int(statistics.median(sizes)) if sizes else None
