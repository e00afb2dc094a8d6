"""Writing the site's many small files (10,000 item feeds, 10,000 API item files at 10,000 items).

A file is never written into when it may be a previous site's: an incremental build stages a linked
copy of the published site (generator/site/swap.py), whose files are hard links, so a file is
replaced (a new file, renamed over it). A cold build's staging folder starts empty: there a file
is created in place — no temporary file, no rename, no mkdir while its folder exists (an item's
folder holds its page already) — which halves the system calls per file. Should the path exist
all the same, it is replaced as in an incremental build.
"""

from __future__ import annotations

import os
from pathlib import Path

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _write_fd(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def replace_file(path: str, data: bytes) -> None:
    """Replace `path` by a new file with `data` (never write into a file a previous site may share)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    head, name = os.path.split(path)
    tmp = os.path.join(head, f".{name}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


class SiteFiles:
    """Writes files under the site being built; `fresh`: the build started from an empty folder."""

    def __init__(self, site: Path, fresh: bool) -> None:
        self.site = str(site)
        self.fresh = fresh

    def write(self, rel: str, data: bytes) -> None:
        """The file at `rel` (from the site root) now holds `data`."""
        path = f"{self.site}/{rel}"
        if self.fresh:
            try:
                fd = os.open(path, _CREATE, 0o666)
            except FileNotFoundError:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                fd = os.open(path, _CREATE, 0o666)
            except FileExistsError:
                replace_file(path, data)
                return
            _write_fd(fd, data)
            return
        replace_file(path, data)
