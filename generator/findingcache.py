"""Each item's own findings kept between builds: after an edit only the edited files' items are checked.

At 10,000 items the item rules (time limits, bases, repealed laws, fees, catch-all clauses, blank
disclosures, overlong Excel cells) cost about half a second a build. An entry is keyed by its list
file's content and path and by the item's line and column in it; the whole cache by everything else
those rules read: the site config, the generator's code, the law database shipped with it and the
libraries (generator/codehash.py), and the day the lists are judged on (a repeal takes effect on a
day). Anything else starts an empty cache. Findings that read other items (references, 主项,
a 主项's 子项) are never kept: rules.check_catalog works them out in every build.

One pickle under .cache/; a cache that cannot be read is empty, one that cannot be written is
simply not kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.model import Item
from generator.siteconfig import SiteConfig

FORMAT = "1"


def _salt(config: SiteConfig, as_of: dt.date) -> str:
    from generator.codehash import code_fingerprint

    parts = (FORMAT, code_fingerprint(), repr(config), as_of.isoformat())
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


class FindingCache:
    """Item → its own findings (whatever rules.check_catalog stores), for the files named in `files`."""

    def __init__(self, path: Path | None, config: SiteConfig, as_of: dt.date, files: dict[str, str]) -> None:
        self.path = path
        self.as_of = as_of
        self.files = files  # list file (relative path) → id of its content
        self.salt = _salt(config, as_of)
        self.kept = self._read()
        self.used: dict[str, Any] = {}
        self.fresh = 0

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            salt, entries = pickle.loads(self.path.read_bytes())
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError, ImportError):
            return {}
        return entries if salt == self.salt and isinstance(entries, dict) else {}

    def get(self, item: Item, compute: Callable[[Item], Any]) -> Any:
        """The item's kept findings, or compute(item) (kept for the next build)."""
        content = self.files.get(item.file)
        if content is None:
            return compute(item)
        key = f"{content}\0{item.file}\0{item.line}\0{item.column}"
        value = self.kept.get(key)
        if value is None:
            value = compute(item)
            self.fresh += 1
        self.used[key] = value
        return value

    def save(self) -> None:
        """Keep this build's entries only (old versions of edited files go), when anything changed."""
        if self.path is None or (not self.fresh and len(self.used) == len(self.kept)):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps((self.salt, self.used), protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(self.path)
        except OSError:
            pass
