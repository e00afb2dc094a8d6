"""The lists as in force on the day a site is built for (its as-of date), and what each item page
must announce about the days after it.

An adjustment approved but not yet in force (a declared 生效日期 after the as-of day) must never be
shown as in force: the site lists the values in force, and announces the change. So:

- an item with a pending change is listed with its values in force (Timeline.current);
- an item added by a pending adjustment is not listed yet; its page exists, not searchable, and says
  when it takes effect (the adjustment is public, and its address is the one it will keep);
- an item whose removal is pending is still listed, from its last values (History.removed_items);
- an item whose 有效期至 (`valid_until`) lies before the as-of day is no longer listed; its page says
  it has expired.

When nothing is pending and nothing has expired (the usual case) the catalog is the loaded one, the
same object: nothing is copied. Plain data, no git and no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.dates import normalize_date
from generator.history.events import ADDED, REMOVED, Adjustment, FieldChange, History
from generator.history.versions import AdjustmentRef, Timeline, event_date, is_pending
from generator.model import Catalog, Item

# What an unlisted item's page says it is (its status tag).
NOT_YET = "尚未施行"
EXPIRED = "已到期"


@dataclass(frozen=True)
class PendingChange:
    """One approved change of one item, not yet in force: what the item page announces."""

    adjustment: AdjustmentRef
    kind: str  # the event's kind: 新增, 取消, 变更, 更名 …
    effective: str  # YYYY-MM-DD
    changes: tuple[FieldChange, ...] = ()

    @property
    def added(self) -> bool:
        return self.kind == ADDED

    @property
    def removed(self) -> bool:
        return self.kind == REMOVED


@dataclass
class InForce:
    """The catalog as in force on `as_of`, and the notices of the items concerned."""

    catalog: Catalog
    as_of: str
    pending: list[Adjustment] = field(default_factory=list)  # newest first
    # item key (list/code, as listed or as its unlisted page) → its pending changes, oldest first
    changes: dict[str, list[PendingChange]] = field(default_factory=dict)
    # items at HEAD with a page but not listed: (item, status NOT_YET or EXPIRED)
    unlisted: list[tuple[Item, str]] = field(default_factory=list)

    @property
    def pending_seqs(self) -> frozenset[int]:
        return frozenset(a.seq for a in self.pending)

    def item_state(self, item: Item) -> str:
        """What the item page shows that the as-of day decides, as a short string (part of the page's
        key): its pending changes and its 有效期至. "" for an item with neither."""
        parts = [f"{c.adjustment.anchor}:{c.kind}" for c in self.changes.get(item.key, [])]
        until = valid_until(item.data)
        if until:
            parts.append(f"until:{until}:{EXPIRED if until < self.as_of else ''}")
        return "|".join(parts)

    def key_parts(self) -> list[str]:
        """What of this value the as-of day decided: equal from day to day while nothing pending
        takes effect and nothing expires."""
        return [*(a.anchor for a in self.pending), "|", *(f"{i.key}:{s}" for i, s in self.unlisted)]


def valid_until(values: Mapping[str, Any]) -> str:
    """An item's 有效期至 (from its values) as YYYY-MM-DD, "" when it has none (or none that reads as a date)."""
    value = values.get("valid_until")
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalize_date(str(value)) or ""


def _pending_changes(timeline: Timeline, history: History, as_of: str) -> dict[tuple[str, str], list[PendingChange]]:
    """(list id, code in the timeline) → the item's pending changes, oldest first."""
    found: dict[tuple[str, str], list[PendingChange]] = {}
    for adjustment in reversed(history.adjustments):
        if not is_pending(adjustment, as_of):
            continue
        for event in adjustment.events:
            found.setdefault((event.list_id, event.code), []).append(
                PendingChange(AdjustmentRef.of(event), event.kind, event_date(event), event.changes))
    return found


def _version_item(base: Item, values: dict[str, Any], code: str, department: str) -> Item:
    return Item(list_id=base.list_id, department=department, code=code, data=dict(values), file=base.file,
                line=base.line, column=base.column, field_lines=base.field_lines)


def in_force(catalog: Catalog, history: History | None, timeline: Timeline | None, as_of: str) -> InForce:
    """The catalog as in force on `as_of` (see the module's docstring)."""
    from generator.load import build_catalog

    pending = [a for a in history.adjustments if is_pending(a, as_of)] if history is not None else []
    by_item = _pending_changes(timeline, history, as_of) if pending and timeline and history else {}
    result = InForce(catalog=catalog, as_of=as_of, pending=pending)
    items: list[Item] = []
    touched = False
    for item in catalog.items():
        changes = by_item.pop((item.list_id, item.code), [])
        current = item
        if changes and timeline is not None:
            version = timeline.current(item.list_id, item.code)
            if version is None or not version.listed:
                result.unlisted.append((item, NOT_YET))
                result.changes[item.key] = changes
                touched = True
                continue
            current = _version_item(item, version.values or {}, version.code, version.department)
            touched = True
        until = valid_until(current.data)
        if until and until < as_of:
            result.unlisted.append((current, EXPIRED))
            touched = True
            continue
        if changes:
            result.changes[current.key] = changes
        items.append(current)
    items += _pending_removals(history, timeline, by_item, result)
    if touched or len(items) != sum(catalog.counts().values()):
        result.catalog = build_catalog(catalog.config, items, None)
    return result


def _pending_removals(history: History | None, timeline: Timeline | None,
                      left: dict[tuple[str, str], list[PendingChange]], result: InForce) -> Iterable[Item]:
    """Items gone at HEAD whose removal is still pending: listed from their last values."""
    if history is None or timeline is None:
        return []
    found = []
    for (list_id, code), changes in sorted(left.items()):
        removed = history.removed(list_id, code)
        version = timeline.current(list_id, code)
        if removed is None or version is None or not version.listed:
            continue
        item = Item(list_id=list_id, department=version.department, code=version.code,
                    data=dict(version.values or removed.data))
        if valid_until(item.data) and valid_until(item.data) < result.as_of:
            continue
        result.changes[item.key] = changes
        found.append(item)
    return found
