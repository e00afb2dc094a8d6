"""The on-disk parse cache: parsed list files by blob id, parsed items by content hash.

A git blob never changes, so what parsing it gave can be kept for ever. Three tables in one
SQLite file under `<project>/.cache/history/`:

- `blobs`: (blob id, list, department) → the file's items as (code, hash, …) tuples and the
  problems parsing reported (stored with `marshal`). Loading these is all a warm history run does for unchanged files.
- `chunks`: hash of one item's source text → the parsed item's hash, so a new version of a file
  re-parses only the items whose text changed (see blobparse.py).
- `items`: item hash → the item's normalised data, shared by every blob that contains it.
- `walks`: the history walk's results as of a commit, so that the next run walks only the
  commits added since (extract.py decides when a saved walk still applies).

The file name carries a fingerprint of everything parsing depends on (the list types, the
enumerations and the source of the parsing modules), so a config or code change starts a fresh
cache instead of serving stale results. A cache that cannot be opened or written falls back to
memory: slower, never wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from generator.config import SiteConfig

CACHE_VERSION = "1"
_BATCH = 900  # stays under SQLite's limit on host parameters
KEEP_WALKS = 4


class ItemRef(NamedTuple):
    """One item of a parsed list file, without its data (which lives in `items` by hash).

    `hash` is the hash of the item's normalised data; `body` the same without the code (equal
    bodies under two codes mean 改码). The cache stores it as a plain tuple (marshal takes no
    named tuples) and get_blobs names it again.
    """

    code: str
    hash: str
    body: str
    name: str
    line: int
    column: int


# Positions in ItemRef's plain form, as the cache stores it.
CODE, HASH, BODY, NAME, LINE, COLUMN = range(6)


class BlobSummary(NamedTuple):
    items: tuple[ItemRef, ...]
    problems: tuple[tuple, ...]  # (severity, message, line, column, list, code, hint, rule)

    @property
    def invalid(self) -> bool:
        return any(p[0] == "error" for p in self.problems)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(config: SiteConfig) -> str:
    """What parsing depends on: list types, enums and all of the generator's code."""
    from generator.codehash import code_fingerprint

    parts = [CACHE_VERSION, str(marshal.version), repr(config.list_types), repr(sorted(config.enums.items())),
             code_fingerprint()]
    return digest("\0".join(parts).encode("utf-8"))


class BlobCache:
    """Parsed blobs, chunks and items, on disk when possible (in memory otherwise)."""

    def __init__(self, config: SiteConfig, cache_dir: Path | None) -> None:
        self.fingerprint = fingerprint(config)
        self.path: Path | None = None
        self.warning = ""
        self.db = self._open(cache_dir)
        self._pending = 0

    def _open(self, cache_dir: Path | None) -> sqlite3.Connection:
        if cache_dir is not None:
            path = Path(cache_dir) / f"blobs-{self.fingerprint[:16]}.sqlite"
            for attempt in range(2):
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    if attempt == 0 and not path.exists():
                        self._prune(path)
                    db = sqlite3.connect(path, timeout=30)
                    self._schema(db)
                    self.path = path
                    return db
                except (OSError, sqlite3.Error) as exc:  # unreadable or corrupt: start again once
                    self.warning = f"{path}: {exc}"
                    try:
                        path.unlink(missing_ok=True)
                    except OSError:
                        break
        db = sqlite3.connect(":memory:")
        self._schema(db)
        return db

    @staticmethod
    def _prune(path: Path) -> None:
        """Remove caches made for another config or code version (they can never be used again)."""
        for old in path.parent.glob("blobs-*.sqlite*"):
            with contextlib.suppress(OSError):
                old.unlink()

    @staticmethod
    def _schema(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS chunks (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS items (hash TEXT PRIMARY KEY, data TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS walks (identity TEXT NOT NULL, commits INTEGER NOT NULL, "
                   "sha TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (identity, commits))")
        db.commit()

    def _select(self, table: str, column: str, keys: Iterable[str]) -> dict[str, str]:
        keys = list(keys)
        found: dict[str, str] = {}
        for start in range(0, len(keys), _BATCH):
            batch = keys[start:start + _BATCH]
            marks = ",".join("?" * len(batch))
            value = "data" if table == "items" else "value"
            rows = self.db.execute(f"SELECT {column}, {value} FROM {table} WHERE {column} IN ({marks})", batch)
            found.update(rows)
        return found

    # -- blobs ----------------------------------------------------------------------------
    @staticmethod
    def blob_key(blob: str, list_id: str, department: str) -> str:
        return f"{blob}:{list_id}:{department}"

    def get_blobs(self, keys: Iterable[str]) -> dict[str, BlobSummary]:
        out = {}
        for key, value in self._select("blobs", "key", keys).items():
            try:  # marshal: plain tuples of str and int, several times faster to load than JSON
                items, problems = marshal.loads(value)
            except (EOFError, ValueError, TypeError):
                continue  # a damaged row is parsed again
            out[key] = BlobSummary(tuple(ItemRef._make(ref) for ref in items), problems)
        return out

    def put_blob(self, key: str, summary: BlobSummary) -> None:
        value = marshal.dumps((tuple(map(tuple, summary.items)), tuple(map(tuple, summary.problems))))
        self._write("INSERT OR REPLACE INTO blobs VALUES (?, ?)", [(key, value)])

    # -- chunks ---------------------------------------------------------------------------
    def get_chunks(self, keys: Iterable[str]) -> dict[str, tuple]:
        out = {}
        for key, value in self._select("chunks", "key", keys).items():
            try:
                out[key] = marshal.loads(value)
            except (EOFError, ValueError, TypeError):
                continue
        return out

    def put_chunks(self, rows: list[tuple[str, tuple]]) -> None:
        self._write("INSERT OR REPLACE INTO chunks VALUES (?, ?)", [(k, marshal.dumps(tuple(v))) for k, v in rows])

    # -- items ----------------------------------------------------------------------------
    def get_items(self, hashes: Iterable[str]) -> dict[str, dict]:
        return {h: json.loads(v) for h, v in self._select("items", "hash", set(hashes)).items()}

    def put_items(self, rows: list[tuple[str, str]]) -> None:
        """(hash, canonical JSON) pairs."""
        self._write("INSERT OR IGNORE INTO items VALUES (?, ?)", rows)

    # -- walks ----------------------------------------------------------------------------
    def walk_heads(self, identity: str) -> list[tuple[int, str]]:
        """(commits walked, last commit) of each saved walk of this identity, longest first."""
        rows = self.db.execute("SELECT commits, sha FROM walks WHERE identity = ? ORDER BY commits DESC",
                               (identity,))
        return [(int(n), str(sha)) for n, sha in rows]

    def get_walk(self, identity: str, commits: int) -> tuple | None:
        row = self.db.execute("SELECT value FROM walks WHERE identity = ? AND commits = ?",
                              (identity, commits)).fetchone()
        try:
            return marshal.loads(row[0]) if row else None
        except (EOFError, ValueError, TypeError):
            return None

    def put_walk(self, identity: str, commits: int, sha: str, value: tuple) -> None:
        """Save a walk; keep the last KEEP_WALKS (a few branches built in turn all resume)."""
        self._write("INSERT OR REPLACE INTO walks VALUES (?, ?, ?, ?)",
                    [(identity, commits, sha, marshal.dumps(value))])
        self._write("DELETE FROM walks WHERE rowid NOT IN (SELECT rowid FROM walks ORDER BY rowid DESC LIMIT ?)",
                    [(KEEP_WALKS,)])

    def _write(self, sql: str, rows: list[tuple]) -> None:
        try:
            self.db.executemany(sql, rows)
        except sqlite3.Error as exc:  # a full or locked disk costs speed next time, not correctness
            self.warning = str(exc)
            return
        self._pending += len(rows)
        if self._pending >= 20_000:
            self.flush()

    def flush(self) -> None:
        try:
            self.db.commit()
        except sqlite3.Error as exc:
            self.warning = str(exc)
        self._pending = 0

    def close(self) -> None:
        self.flush()
        self.db.close()


def open_cache(config: SiteConfig, cache_dir: Path | None = None) -> BlobCache:
    """The project's cache, in `cache_dir` or `<project>/.cache/history/`. (For a cache that lives
    only in memory, use `BlobCache(config, None)`.)"""
    return BlobCache(config, cache_dir if cache_dir is not None else config.root / ".cache" / "history")
