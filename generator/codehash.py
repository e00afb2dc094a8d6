"""One fingerprint of the code that makes the site: every file of the generator package.

Caches (parsed YAML, history, downloads, search index, whole builds) are keyed by the content
they are made from and by this fingerprint, so any change to generator/ — a template, a
normaliser, an exporter — invalidates them; a hand-picked list of files once let an edit to
tabular/normalize.py serve stale downloads. The versions of the libraries that shape the
output count too.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
LIBRARIES = ("mkdocs", "mkdocs-material", "pagefind", "jinja2", "pyyaml", "openpyxl", "xlsxwriter", "pypinyin")
_SKIP = {"__pycache__"}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """blake2b over every file under generator/ (path and bytes, sorted) and library versions."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or _SKIP & set(path.relative_to(PACKAGE).parts) or path.suffix == ".pyc":
            continue
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in LIBRARIES:
        h.update(f"{name}={_version(name)}\0".encode())
    return h.hexdigest()
