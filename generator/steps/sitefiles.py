"""Writing a file of the site being built: the one home for it (pages, 繁體 copies, feeds, API,
sitemap).

A file is never written into when it may be a previous site's: an incremental build stages a linked
copy of the published site (generator/site/swap.py), whose files are hard links, so an existing file
is replaced (a new file, renamed over it). A file not there yet cannot be shared, so it is created
in place — no temporary file, no rename, and no mkdir while its folder exists (an item's folder
holds its page already): on a cold build, where every file is new, that halves the system calls of
some 40,000 files at 10,000 items.
"""

from __future__ import annotations

import os
from pathlib import Path

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _create(path: str) -> int | None:
    """A new file at `path`, open for writing; None if a file is there already."""
    try:
        return os.open(path, _CREATE, 0o666)
    except FileExistsError:
        return None
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        return os.open(path, _CREATE, 0o666)
    except FileExistsError:
        return None


def _replace(path: str, data: bytes) -> None:
    """Put a new file with `data` in the place of the existing `path`."""
    head, name = os.path.split(path)
    tmp = os.path.join(head, f".{name}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def write_file(path: Path | str, data: bytes | str) -> None:
    """`path` now holds `data` (text is written as UTF-8), in a file of its own."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = os.fspath(path)
    fd = _create(path)
    if fd is None:
        _replace(path, data)
        return
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        os.close(fd)
        os.unlink(path)  # no half-written file left (a preview builds in place)
        raise
    os.close(fd)
