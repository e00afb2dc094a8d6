"""Parsed list files cached by content: a rebuild re-reads only the YAML that changed.

The key is the file's bytes, its path (problems name it), the list types and enums and all of
the generator's code (generator.history.cache.fingerprint), so a stale entry can never be used.
Entries are pickles of (items, problems) under .cache/parsed/; a file that cannot be read or
written is simply parsed again.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Callable
from pathlib import Path

from generator.config import SiteConfig
from generator.history.cache import digest, fingerprint
from generator.model import Item
from generator.problems import Problems

Parse = Callable[[bytes, str, SiteConfig, Problems], list[Item]]


def _unpickle(data: bytes) -> tuple:
    """pickle.loads with the cycle collector paused: unpickling only allocates, yet at 10,000 items
    the collector ran often enough over the growing heap to take half of a rebuild's load step."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def cached_parser(parse: Parse, config: SiteConfig, cache_dir: Path) -> Parse:
    """`parse` (load.parse_list_bytes) with its results kept by content under cache_dir."""
    code = fingerprint(config)
    used: set[str] = set()

    def cached(data: bytes, rel_path: str, config: SiteConfig, problems: Problems) -> list[Item]:
        key = digest(b"\0".join([code.encode(), rel_path.encode(), data]))
        used.add(key)
        path = cache_dir / f"{key}.pickle"
        try:
            items, found = _unpickle(path.read_bytes())
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            fresh = Problems()
            items = parse(data, rel_path, config, fresh)
            found = fresh.items
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_bytes(pickle.dumps((items, found), protocol=pickle.HIGHEST_PROTOCOL))
                tmp.replace(path)
            except OSError:
                pass
        problems.extend(found)
        return items

    def prune() -> None:
        """Drop entries no file of this load used (old versions of edited files)."""
        if cache_dir.is_dir():
            for entry in cache_dir.glob("*.pickle"):
                if entry.stem not in used:
                    entry.unlink(missing_ok=True)

    cached.prune = prune  # type: ignore[attr-defined]
    return cached
