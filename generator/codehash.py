"""A digest of all of Qingdan's own code, for cache keys.

A cache that keys only on a hand-picked list of modules serves stale results when another module
changes what they produce; hashing every file of the package costs a few milliseconds, once.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def package_digest() -> str:
    """SHA-256 over the path and bytes of every file of the generator package (data files too)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
