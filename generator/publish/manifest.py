"""The site's manifest: every file with its SHA-256, size and content type, plus how it was built.

One file, `qingdan-manifest.json` at the site root, written by `qingdan build` and published with
the site. Publishing compares it with the manifest on the target to send only what changed;
`qingdan publish --verify` re-hashes a target against it; the portal's security review can check
any file a visitor downloads against it. It holds no time stamps, so the same commit gives the
same bytes (two builds, two machines).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "qingdan-manifest.json"
FORMAT = 1
_CHUNK = 1 << 20

# Types the site uses, fixed here so that the manifest does not depend on the machine's
# /etc/mime.types; text types carry their charset (object stores serve exactly this header).
_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".wasm": "application/wasm",
    ".pagefind": "application/wasm", ".gz": "application/gzip", ".map": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel", ".pdf": "application/pdf",
}
_DEFAULTS = mimetypes.MimeTypes()  # a fresh instance knows only Python's built-in table


class ManifestError(Exception):
    """A manifest that cannot be read (message in Chinese)."""


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int
    type: str


@dataclass
class Manifest:
    files: dict[str, FileEntry]  # site-relative POSIX path → entry, the manifest itself excluded
    build: dict[str, Any] = field(default_factory=dict)  # commit, dirty, history, generator

    def to_bytes(self) -> bytes:
        """JSON with one line per file (line diffs stay readable; an indented object per file made
        the manifest of a 10,000-item site 20% larger)."""
        def line(value: Any) -> str:
            return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

        files = ",\n".join(f"{line(p)}:{line({'sha256': e.sha256, 'size': e.size, 'type': e.type})}"
                           for p, e in sorted(self.files.items()))
        return f'{{"build":{line(self.build)},\n"files":{{\n{files}\n}},\n"format":{FORMAT}}}\n'.encode()

    @classmethod
    def from_bytes(cls, data: bytes, where: str = MANIFEST_NAME) -> Manifest:
        try:
            payload = json.loads(data.decode("utf-8"))
            if payload.get("format") != FORMAT:
                raise ManifestError(f"{where} 的格式版本是 {payload.get('format')!r}，本程序只认识 {FORMAT}")
            files = {str(p): FileEntry(str(e["sha256"]), int(e["size"]), str(e["type"]))
                     for p, e in payload["files"].items()}
            return cls(files, dict(payload.get("build") or {}))
        except ManifestError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"{where} 不是有效的清单文件（{exc}）") from exc

    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @property
    def total_bytes(self) -> int:
        return sum(e.size for e in self.files.values())


def content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed = _DEFAULTS.guess_type(path, strict=False)[0]
    return guessed or "application/octet-stream"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def site_files(site_dir: Path) -> Iterable[str]:
    """Every file of the site as a POSIX path, sorted; the manifest itself left out.

    os.walk rather than Path.rglob + is_file: one directory listing per folder and no stat per
    file (a site of 10,000 items has 20,000 files)."""
    found = []
    for root, _dirs, files in os.walk(site_dir):
        rel_root = os.path.relpath(root, site_dir).replace(os.sep, "/")
        prefix = "" if rel_root == "." else rel_root + "/"
        found.extend(prefix + name for name in files)
    return sorted(rel for rel in found if rel != MANIFEST_NAME and (site_dir / rel).is_file())


def _entry(path: Path, rel: str) -> FileEntry:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= _CHUNK:  # most files: one read
            digest = hashlib.sha256(handle.read()).hexdigest()
        else:
            digest = hashlib.file_digest(handle, "sha256").hexdigest() if hasattr(hashlib, "file_digest") \
                else file_sha256(path)
    return FileEntry(digest, size, content_type(rel))


def scan(site_dir: Path) -> dict[str, FileEntry]:
    """Hash every file of a built site."""
    return {rel: _entry(site_dir / rel, rel) for rel in site_files(site_dir)}


def _identity(path: Path) -> str:
    """A file as the file system knows it: the same inode, size and time is the same bytes (a build
    hard-links the files it did not change from the previous site, and replaces the others)."""
    stat = path.stat()
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def write_manifest(site_dir: Path, build: dict[str, Any],
                   known: dict[str, list[str]] | None = None) -> tuple[Manifest, dict[str, list[str]]]:
    """Write the manifest; `known`: {path: [identity, sha256]} from the previous build, whose files
    are not read again. Returns the manifest and the same record for the next build."""
    known = known or {}
    files: dict[str, FileEntry] = {}
    record: dict[str, list[str]] = {}
    for rel in site_files(site_dir):
        path = site_dir / rel
        identity = _identity(path)
        seen = known.get(rel)
        if seen is not None and seen[0] == identity:
            files[rel] = FileEntry(seen[1], path.stat().st_size, content_type(rel))
        else:
            files[rel] = _entry(path, rel)
        record[rel] = [identity, files[rel].sha256]
    manifest = Manifest(files, build)
    target = site_dir / MANIFEST_NAME
    target.unlink(missing_ok=True)
    target.write_bytes(manifest.to_bytes())
    return manifest, record


def read_manifest(site_dir: Path) -> Manifest | None:
    path = site_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    return Manifest.from_bytes(path.read_bytes(), str(path))


BUILD_INPUTS = ("site_config.yml", "mkdocs.yml", "content", "templates")


def provenance(project_root: Path, lists_dir: str, history: Any, history_enabled: bool) -> dict[str, Any]:
    """What the site was built from, for `qingdan publish` to refuse a site it must not send.

    history: "complete", "shallow" (a shallow clone: adjustments cut short), "none" (no git
    repository or no commit) or "off" (built with --no-history).
    """
    from generator import __version__
    from generator.gitrepo import GitRepo

    repo = GitRepo(project_root)
    commit = ""
    dirty: list[str] = []
    if repo.probe() is None:
        commit = repo.rev_parse("HEAD") or ""
        dirty = repo.dirty_paths(lists_dir, *BUILD_INPUTS) or [] if commit else []
    if not history_enabled:
        state = "off"
    elif history is None or not history.head:
        state = "none"
    else:
        state = "complete" if history.complete else "shallow"
    return {"commit": commit, "dirty": bool(dirty), "history": state, "generator": f"qingdan {__version__}"}
