"""The site's manifest: every file with its SHA-256 and size, plus how it was built.

A root, `qingdan-manifest.json`, names the build and lists the manifest's parts with their SHA-256;
each part, `qingdan-manifest/<n>.json`, lists the files whose path hashes to it. Parts keep a
publish small: a one-item change touches a hundred files scattered over the site, so it rewrites
about a hundred parts of twenty files each and the root, not a list of every file (6.8·10⁶ bytes at
10,000 items). Publishing compares the manifests to send only what changed, and the parts are
files like any other: sent when changed, hashed by `qingdan publish --verify` against the root.
The portal's security review can check any file a visitor downloads against it. It holds no time
stamps, so the same commit gives the same bytes (two builds, two machines).

Digests are written in base64url without padding (format 3): the same 256-bit SHA-256, in 43
characters instead of 64, which made the manifest a fifth smaller. In memory, and in everything
publish compares, a digest is hex as before, so a target holding a format-2 manifest is compared
file by file. To check a file by hand: `openssl dgst -sha256 -binary FILE | basenc --base64url`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import mimetypes
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

MANIFEST_NAME = "qingdan-manifest.json"
PARTS_DIR = "qingdan-manifest"
FORMAT = 3
READABLE = (1, 2, FORMAT)  # formats `load` reads: a target published by an earlier version
PART_FILES = 32  # files per part aimed at: the root and the parts a change touches weigh about the same
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


class FileEntry(NamedTuple):  # a tuple: 43,000 of them are made per build
    sha256: str
    size: int
    type: str  # derived from the path (content_type), not stored


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _key(path: str) -> str:
    """A path as a JSON string; most need no escaping."""
    return f'"{path}"' if path.isascii() and path.isprintable() and '"' not in path and "\\" not in path \
        else _json(path)


def _b64(sha256: str) -> str:
    """A hex SHA-256 as written in the manifest: base64url, no padding (43 characters)."""
    return base64.urlsafe_b64encode(bytes.fromhex(sha256)).rstrip(b"=").decode("ascii")


def _hex(written: Any) -> str:
    """A digest as written in a format-3 manifest, back to hex (what publish compares)."""
    text = str(written)
    if len(text) != 43:
        raise ValueError(f"SHA-256 应为 43 个字符，实际为 {text!r}")
    return base64.urlsafe_b64decode(text + "=").hex()


def _lines(entries: dict[str, FileEntry]) -> str:
    """One line per file (line diffs stay readable): "path":["sha256",size]."""
    return ",\n".join(f'{_key(p)}:["{_b64(e.sha256)}",{e.size}]' for p, e in sorted(entries.items()))


def part_count(files: int) -> int:
    """Parts for a site of `files` files: a power of two, so that the parts only reshuffle when the
    site doubles or halves."""
    count = 1
    while count * PART_FILES < files:
        count *= 2
    return count


def part_of(path: str, count: int) -> str:
    """The part a file is listed in: by a hash of its path, so that parts stay even in size."""
    return _part_names(count)[zlib.crc32(path.encode("utf-8")) % count]


@functools.lru_cache(maxsize=8)
def _part_names(count: int) -> tuple[str, ...]:
    """Every part's name for a manifest of `count` parts (named once, not once per file)."""
    width = max(1, ((count - 1).bit_length() + 3) // 4)
    return tuple(f"{PARTS_DIR}/{n:0{width}x}.json" for n in range(count))


def is_part(path: str) -> bool:
    return path.startswith(PARTS_DIR + "/")


@dataclass
class Manifest:
    """files: site-relative POSIX path → entry, for every file but the root: the parts included
    (their entries are what the root lists). broken: parts read from a target that were missing or
    did not match the root; the files they list are unknown (not in `files`)."""

    files: dict[str, FileEntry]
    build: dict[str, Any] = field(default_factory=dict)  # commit, dirty, history, generator
    broken: list[str] = field(default_factory=list)
    source: bytes = b""  # the root as read (a format-1 manifest is not what to_bytes writes)

    @classmethod
    def of_files(cls, data: dict[str, FileEntry], build: dict[str, Any],
                 kept: dict[str, FileEntry] | None = None) -> tuple[Manifest, dict[str, bytes]]:
        """The manifest of a site whose files (parts excluded) are `data`, and the bytes of its parts
        but those `kept` (parts known to list the same files as before: not made again)."""
        kept = kept or {}
        count = part_count(len(data))
        grouped: dict[str, dict[str, FileEntry]] = {}
        for path, entry in data.items():
            grouped.setdefault(part_of(path, count), {})[path] = entry
        parts = {name: f"{{\n{_lines(entries)}\n}}\n".encode() for name, entries in sorted(grouped.items())
                 if name not in kept}
        files = dict(data)
        files.update({name: kept[name] for name in grouped if name in kept})
        files.update({name: FileEntry(hashlib.sha256(body).hexdigest(), len(body), content_type(name))
                      for name, body in parts.items()})
        return cls(files, build), parts

    def parts(self) -> dict[str, FileEntry]:
        return {p: e for p, e in self.files.items() if is_part(p)}

    def to_bytes(self) -> bytes:
        """The root: the build and the parts."""
        return f'{{"build":{_json(self.build)},\n"format":{FORMAT},\n"parts":{{\n{_lines(self.parts())}\n}}}}\n'.encode()

    @classmethod
    def load(cls, root: bytes, read: Callable[[dict[str, str]], dict[str, bytes | None]], where: str = MANIFEST_NAME,
             strict: bool = True) -> Manifest:
        """A manifest from its root and `read({part path: sha256})` → {part path: its bytes or None}
        (all at once: an object store fetches them in parallel). A part missing or not matching the
        root raises (strict), or is noted in `broken`."""
        try:
            payload = json.loads(root.decode("utf-8"))
            if payload.get("format") == 1:  # a site published before the manifest came in parts
                return cls({str(p): _listed(p, e["sha256"], e["size"]) for p, e in payload["files"].items()},
                           dict(payload.get("build") or {}), source=root)
            version = payload.get("format")
            if version not in READABLE:
                raise ManifestError(f"{where} 的格式版本是 {version!r}，本程序只认识 {'、'.join(map(str, READABLE))}")
            digest = _hex if version == FORMAT else str
            manifest = cls({str(p): _listed(p, digest(e[0]), e[1]) for p, e in payload["parts"].items()},
                           dict(payload.get("build") or {}), source=root)
        except ManifestError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, binascii.Error) as exc:
            raise ManifestError(f"{where} 不是有效的清单文件（{exc}）") from exc
        parts = manifest.parts()
        bodies = read({name: entry.sha256 for name, entry in parts.items()}) if parts else {}
        for name, entry in sorted(parts.items()):
            body = bodies.get(name)
            if body is None or hashlib.sha256(body).hexdigest() != entry.sha256:
                if strict:
                    raise ManifestError(f"{where} 的分片 {name} {'缺失' if body is None else '与清单记录的 SHA-256 不符'}")
                manifest.broken.append(name)
                continue
            try:
                manifest.files.update({str(p): _listed(p, digest(e[0]), e[1])
                                       for p, e in json.loads(body.decode("utf-8")).items()})
            except (ValueError, TypeError, AttributeError, IndexError, binascii.Error) as exc:
                raise ManifestError(f"{where} 的分片 {name} 不是有效的清单文件（{exc}）") from exc
        return manifest

    def digest(self) -> str:
        """The SHA-256 of the root (an object store names each release's record by it)."""
        return hashlib.sha256(self.source or self.to_bytes()).hexdigest()

    @property
    def total_bytes(self) -> int:
        return sum(e.size for e in self.files.values())


def _listed(path: str, sha256: Any, size: Any) -> FileEntry:
    return FileEntry(str(sha256), int(size), content_type(str(path)))


def content_type(path: str) -> str:
    """By the name's extension, as os.path.splitext finds it (leading dots are not one), without
    its cost: called for each of 43,000 files in every build."""
    name = path[path.rfind("/") + 1:].lstrip(".")
    dot = name.rfind(".")
    return _type_of(name[dot:].lower() if dot >= 0 else "")


@functools.lru_cache(maxsize=256)
def _type_of(suffix: str) -> str:
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed = _DEFAULTS.guess_type("file" + suffix, strict=False)[0]
    return guessed or "application/octet-stream"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def site_files(site_dir: Path) -> list[str]:
    """Every file of the site as a POSIX path, sorted; the manifest's root left out."""
    return [rel for rel, _ in _tree(site_dir)]


def _tree(site_dir: Path) -> list[tuple[str, os.stat_result]]:
    """(path, stat) of every file of the site, sorted; the manifest's root left out.

    os.scandir and plain strings: one directory listing per folder and one stat per file, no
    pathlib (a site of 10,000 items has 43,000 files; pathlib made this step seconds long)."""
    found = []
    stack = [("", str(site_dir))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((prefix + entry.name + "/", entry.path))
                elif entry.is_file() and prefix + entry.name != MANIFEST_NAME:
                    found.append((prefix + entry.name, entry.stat()))
    found.sort(key=lambda pair: pair[0])
    return found


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


# A file as the record keeps it: [inode, size, mtime_ns, sha256] (sha256 "" for a part not read).
FileRecord = list


def _identity(stat: os.stat_result) -> list[int]:
    """A file as the file system knows it: the same inode, size and time is the same bytes (a build
    hard-links the files it did not change from the previous site, and replaces the others)."""
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


# A folder's time is trusted only when it is this much older than the record (a file system may
# keep times to the second or two): a change later in the same tick would not move it.
_SETTLED_NS = 2_000_000_000


@dataclass
class _Walk:
    """The site's files as this build finds them, and what changed since the record was made."""

    files: dict[str, FileRecord] = field(default_factory=dict)  # the parts and the root left out
    parts: dict[str, FileRecord] = field(default_factory=dict)  # the parts on disk, not read
    folders: dict[str, list[Any]] = field(default_factory=dict)  # the record of each folder
    changed: list[str] = field(default_factory=list)  # files read anew, and files gone


def _walk(site_dir: Path, known: dict[str, list[Any]]) -> _Walk:
    """Every file of the site with its SHA-256. A folder whose time is the one recorded holds the
    same entries, each the same file (a build links the previous site's folders with their times,
    and replaces files, never writes into one), so only changed folders are listed and stat'ed,
    and only files that are not the recorded ones are read."""
    found = _Walk()
    root = str(site_dir)
    stack = [""]
    while stack:
        folder = stack.pop()
        path = root + "/" + folder if folder else root
        mtime = os.stat(path).st_mtime_ns
        seen = known.get(folder)
        if seen is not None and seen[0] == mtime:
            subfolders, entries = seen[1], seen[2]
        else:
            subfolders, entries = _list_folder(path, folder, seen[2] if seen is not None else {}, found)
        found.folders[folder] = [mtime, subfolders, entries]
        into = found.parts if folder == PARTS_DIR + "/" else found.files
        for name, record in entries.items():
            into[folder + name] = record
        stack.extend(f"{folder}{name}/" for name in subfolders)
    for folder, (_, _, entries) in known.items():  # folders removed since
        if folder not in found.folders and folder != PARTS_DIR + "/":
            found.changed.extend(folder + name for name in entries)
    return found


def _list_folder(path: str, folder: str, before: dict[str, FileRecord],
                 found: _Walk) -> tuple[list[str], dict[str, FileRecord]]:
    """A changed folder: its sub-folders and files, each file read unless it is the recorded one."""
    subfolders: list[str] = []
    entries: dict[str, FileRecord] = {}
    parts = folder == PARTS_DIR + "/"
    with os.scandir(path) as listing:
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.name)
                continue
            if not entry.is_file() or folder + entry.name == MANIFEST_NAME:
                continue
            identity = _identity(entry.stat())
            seen = before.get(entry.name)
            if seen is not None and seen[:3] == identity:
                entries[entry.name] = seen
            elif parts:  # made again below if its part changed
                entries[entry.name] = [*identity, ""]
            else:
                entries[entry.name] = [*identity, _entry(Path(entry.path), entry.name).sha256]
                found.changed.append(folder + entry.name)
    if not parts:
        found.changed.extend(folder + name for name in before if name not in entries)
    return sorted(subfolders), entries


def write_manifest(site_dir: Path, build: dict[str, Any],
                   known: dict[str, Any] | None = None) -> tuple[Manifest, dict[str, Any]]:
    """Write the manifest; `known`: the record the previous build returned, whose files are not
    read again and whose parts are kept when none of their files changed. Returns the manifest
    and the record for the next build: {"folders": {folder: [mtime_ns, sub-folders, {name:
    FileRecord}]}, "parts": [part count, format]}."""
    known = known or {}
    folders = known.get("folders")
    found = _walk(site_dir, folders if isinstance(folders, dict) else {})
    data = {rel: FileEntry(record[3], record[1], content_type(rel)) for rel, record in found.files.items()}
    count = part_count(len(data))
    kept: dict[str, FileEntry] = {}
    if known.get("parts") == [count, FORMAT]:
        dirty = {part_of(p, count) for p in found.changed}
        kept = {name: FileEntry(record[3], record[1], content_type(name)) for name, record in found.parts.items()
                if record[3] and name not in dirty}
    manifest, parts = Manifest.of_files(data, build, kept)
    found.folders[PARTS_DIR + "/"] = [None, [], _write_parts(site_dir, manifest, parts, found.parts)]
    target = site_dir / MANIFEST_NAME
    target.unlink(missing_ok=True)  # never written into: it may be the previous site's, hard-linked
    target.write_bytes(manifest.to_bytes())
    settled = target.stat().st_mtime_ns - _SETTLED_NS
    for record in found.folders.values():
        if record[0] is not None and record[0] > settled:
            record[0] = None  # listed again by the next build
    return manifest, {"folders": found.folders, "parts": [count, FORMAT]}


def _write_parts(site_dir: Path, manifest: Manifest, parts: dict[str, bytes],
                 on_disk: dict[str, FileRecord]) -> dict[str, FileRecord]:
    """Write the parts made anew (one with the bytes the previous build wrote stays as it is), drop
    those no longer listed. Returns the record of every part, by name."""
    folder = site_dir / PARTS_DIR
    listed = manifest.parts()
    for name in on_disk:
        if name not in listed:
            (site_dir / name).unlink()
    folder.mkdir(exist_ok=True)
    for name, body in parts.items():
        seen = on_disk.get(name)
        if seen is None or seen[3] != listed[name].sha256:
            path = site_dir / name
            path.unlink(missing_ok=True)
            path.write_bytes(body)
    records = {}
    for name, entry in listed.items():
        seen = on_disk.get(name)
        if seen is None or seen[3] != entry.sha256:
            seen = [*_identity((site_dir / name).stat()), entry.sha256]
        records[name[len(PARTS_DIR) + 1:]] = seen
    return records


def read_manifest(site_dir: Path, strict: bool = True) -> Manifest | None:
    """The manifest of a site or release folder, or None when it has none."""
    path = site_dir / MANIFEST_NAME
    if not path.is_file():
        return None

    def read(parts: dict[str, str]) -> dict[str, bytes | None]:
        return {name: (site_dir / name).read_bytes() if (site_dir / name).is_file() else None for name in parts}

    return Manifest.load(path.read_bytes(), read, str(path), strict)


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
