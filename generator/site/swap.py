"""The atomic swap: a site is built beside the output folder and replaces it with two renames.

A build that starts from the previous site gets a hard-linked copy of it (`hardlink_copy`): no
byte is copied, and because every step replaces a file rather than editing it, the previous site
stays exactly as published until the swap. At 10,000 items that copy is 53,000 links and folders,
over a second of system calls however it is made (copytree, os.scandir, `cp -al` cost alike), so
`LinkedCopy` makes it in a `cp -al` beside the build while the first steps read the lists and the
history; the runner waits for it before anything touches the site being built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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


class LinkedCopy:
    """`hardlink_copy(source, target)` made in the background by GNU `cp -al`; where there is no
    such `cp`, or it failed (a file system without hard links), made in `wait` by hardlink_copy."""

    def __init__(self, source: Path, target: Path) -> None:
        self.source, self.target = source, target
        self.done = False
        try:
            self._process: subprocess.Popen | None = subprocess.Popen(
                ["cp", "-al", "--", str(source), str(target)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            self._process = None

    def wait(self) -> None:
        """Block until `target` is the whole copy."""
        if self.done:
            return
        if self._process is None or self._process.wait() != 0:
            shutil.rmtree(self.target, ignore_errors=True)
            hardlink_copy(self.source, self.target)
        self.done = True

    def cancel(self) -> None:
        """The build ended without it: stop the copy (its folder is removed with the staging)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


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
    try:
        subprocess.Popen(["rm", "-rf", "--", str(path)], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_builds(out_dir: Path) -> None:
    """Delete build directories left by a killed build (`.site.build-<pid>-…`, `.site.old-<pid>`).

    A directory whose process is still running belongs to a build in progress and stays. A replaced
    site (`old`) is most often still being removed by the `rm` the build before started: it is
    left to a detached `rm` again rather than removed here (seconds at 10,000 items, every build).
    """
    for path in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, rest = path.name[len(out_dir.name) + 2:].partition("-")
        if kind not in ("build", "old") or not path.is_dir():
            continue
        pid = rest.split("-", 1)[0]
        if pid.isdigit() and _alive(int(pid)):
            continue
        if kind == "old":
            remove_later(path)
        else:
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
