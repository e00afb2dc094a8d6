"""Skip a build whose inputs have not changed since the site in the output directory was made.

The key covers everything the site is made from: every file of lists/, content/, templates/,
site_config.yml and mkdocs.yml (by content), the git commit and tags (history, editions), the
generator's own code (generator.codehash), the options, and SOURCE_DATE_EPOCH. It is stored in
.cache/ with a stamp of the output directory, so a site changed or removed by hand is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

from generator.codehash import code_fingerprint

SOURCES = ("lists", "content", "templates", "site_config.yml", "mkdocs.yml")
STORE = Path(".cache") / "builds.json"


def _git_state(root: Path) -> str:
    try:
        run = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags"],
                             cwd=root, capture_output=True, text=True, timeout=30, check=False)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "no-git"
    return head.stdout + run.stdout


def input_key(root: Path, options: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{code_fingerprint()}\0{options}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    for name in SOURCES:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            h.update(file.relative_to(root).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    h.update(_git_state(root).encode())
    return h.hexdigest()


def _stamp(out_dir: Path) -> str | None:
    """The output directory as it was left: its inode and the times of its entry pages."""
    try:
        parts = [str(out_dir.stat().st_ino)]
        parts += [str((out_dir / name).stat().st_mtime_ns) for name in ("index.html", "sitemap.xml")]
    except OSError:
        return None
    return " ".join(parts)


def _load(root: Path) -> dict[str, list[str]]:
    try:
        return json.loads((root / STORE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def unchanged(root: Path, out_dir: Path, key: str) -> bool:
    stamp = _stamp(out_dir)
    return stamp is not None and _load(root).get(str(out_dir.resolve())) == [key, stamp]


def remember(root: Path, out_dir: Path, key: str) -> None:
    stamp = _stamp(out_dir)
    if stamp is None:
        return
    store = _load(root)
    store[str(out_dir.resolve())] = [key, stamp]
    path = root / STORE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(store, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    except OSError:
        pass  # a read-only checkout builds every time
