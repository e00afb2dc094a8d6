"""The atomic swap: a site is built beside the output folder and replaces it with two renames.

A build that starts from the previous site gets a hard-linked copy of it (`hardlink_copy`): no
byte is copied, and because every step replaces a file rather than editing it, the previous site
stays exactly as published until the swap.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path


def hardlink_copy(source: Path, target: Path) -> None:
    """`target` as a copy of `source` whose files are hard links (a copy where links fail)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, symlinks=True)


def swap_into_place(new_site: Path, out_dir: Path) -> None:
    """Replace out_dir by new_site with two renames; the old site is removed only afterwards."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        out_dir.rename(old)
    try:
        new_site.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        remove_later(old)


def remove_later(path: Path) -> None:
    """Delete a replaced site without waiting for it (20,000 files take seconds to unlink): a
    detached `rm`, or here when there is none. What a killed `rm` leaves, the next build removes
    (remove_stale_builds)."""
    import subprocess

    try:
        subprocess.Popen(["rm", "-rf", "--", str(path)], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_builds(out_dir: Path) -> None:
    """Delete build directories left by a killed build (`.site.build-<pid>-…`, `.site.old-<pid>`).

    A directory whose process is still running belongs to a build in progress and stays.
    """
    for path in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, rest = path.name[len(out_dir.name) + 2:].partition("-")
        if kind not in ("build", "old") or not path.is_dir():
            continue
        pid = rest.split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True
