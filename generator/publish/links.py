"""Link check before a site goes out: every internal link and resource of every page resolves.

Runs on the built files only (no server), as part of `qingdan publish` and its `--dry-run`, so a
template change that breaks links is stopped before visitors see it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

_ATTR = re.compile(r'\s(?:href|src)\s*=\s*"([^"]*)"', re.IGNORECASE)
_SKIP = ("#", "mailto:", "tel:", "javascript:", "data:")


def broken_links(site_dir: Path, files: Iterable[str]) -> list[tuple[str, str]]:
    """(page, link) for each internal link of an HTML page that names no file of the site."""
    known = set(files)
    broken = []
    for page in sorted(p for p in known if p.endswith(".html")):
        text = (site_dir / page).read_text(encoding="utf-8", errors="replace")
        for link in dict.fromkeys(_ATTR.findall(text)):
            link = link.replace("&amp;", "&").strip()
            if not link or link.startswith(_SKIP):
                continue
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
                continue  # another site, or an absolute path (only 404.html has them, from site_url)
            path = unquote(parts.path)
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
            if joined.startswith(".."):
                broken.append((page, link))  # leaves the site: breaks under a sub-path
                continue
            if path.endswith("/") or joined == ".":
                joined = posixpath.join(joined, "index.html") if joined != "." else "index.html"
            if joined not in known and posixpath.join(joined, "index.html") not in known:
                broken.append((page, link))
    return broken
