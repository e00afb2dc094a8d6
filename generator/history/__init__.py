"""The lists' change history from git: per-item events, grouped by adjustment (commit).

    from generator.history import extract_history
    history = extract_history(config, problems)          # cache in <project>/.cache/history/
    history.events                # newest first: Event(kind="变更", list_id, code, changes, basis, …)
    history.by_item("power", "000131127004")
    history.adjustments           # one per commit, with counts of 新增/取消/变更/更名/改码/划转
    history.removed_items         # items gone at HEAD, with their last data (tombstone pages)
    history.notices               # no git, shallow clone, skipped file versions (Problems)

Modules: trailers (basis and effective date from commit messages), cache (SQLite, by blob id and
item hash), blobparse (blob → items, re-parsing only changed items), extract (the walk), events
(the dataclasses). See docs/history.md. Nothing here imports MkDocs.
"""

from generator.history.events import (
    ADDED,
    CHANGED,
    KINDS,
    RECODED,
    REMOVED,
    RENAMED,
    TRANSFERRED,
    Adjustment,
    Event,
    FieldChange,
    History,
    RemovedItem,
)
from generator.history.extract import extract_history

__all__ = [
    "ADDED", "CHANGED", "KINDS", "RECODED", "REMOVED", "RENAMED", "TRANSFERRED", "Adjustment", "Event",
    "FieldChange", "History", "RemovedItem", "extract_history",
]
