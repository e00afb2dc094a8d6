"""The API's files as plain data: made from the catalog, the history and every item's versions.

A list file carries only what `/as-of/` needs to show a list on any day (each version's dates, its
adjustment's anchor, and the item's name, department and code), so that the edit of one item
rewrites one small item file, its list file and the index, and a visitor choosing a day downloads
the list, not its every value. The values are in the item files, with their reading as the site
shows it where the site's settings change it. Files that do not depend on the as-of day carry none: only `index.json` changes from day to
day, and an item file only on the day one of its versions takes effect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from generator.api import FORMAT, ROOT
from generator.changes import KINDS
from generator.fieldtypes import field_text, field_type
from generator.history.events import KIND_IDS, RECODED, Adjustment, History
from generator.history.inforce import valid_until
from generator.history.versions import ItemVersion, Timeline, is_pending
from generator.model import Catalog
from generator.siteconfig import ListType, SiteConfig
from generator.tabular.export import field_values


@dataclass(frozen=True)
class Edition:
    """A published edition as the API names it (generator/history/editions.py finds them)."""

    name: str
    date: str  # YYYY-MM-DD
    path: str  # its page on the site: editions/<slug>/


@dataclass(frozen=True)
class ApiFile:
    """One file of the API, not yet made. `inputs`, for an item file, digests everything its bytes
    are made from but the site's configuration and the code (the build step adds those), so a
    build can keep the file it made before without making it again; None: compare the bytes."""

    path: str  # from the site root
    make: Callable[[], bytes]
    inputs: str | None = None


def dumps(data: Any) -> bytes:
    """Compact, key order as built (stable), UTF-8: the same data gives the same bytes."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _date(day: str) -> str | None:
    return day[:10] or None


def adjustment_json(adjustment: Adjustment, as_of: str) -> dict[str, Any]:
    """An adjustment as the public reads it: its anchor, title, 文号 and the dates it states."""
    return {
        "id": adjustment.anchor,
        "title": adjustment.title,
        "basis": adjustment.basis or None,
        "decided": _date(adjustment.decided),  # 决定日期, when the record states one
        "published": _date(adjustment.published),
        "effective": _date(adjustment.effective),
        "day": adjustment.day,  # the record's day (发布日期, else the day it was entered)
        # the day its changes apply from: 生效日期, else 发布日期, else the day it was entered
        "in_force_from": adjustment.record_date,
        "pending": is_pending(adjustment, as_of),
    }


def published_keys(timeline: Timeline, history: History, config: SiteConfig) -> list[tuple[str, str]]:
    """Every item to publish, by list then code: each listed now or once. An old code that lives on
    under a new one (改码) is left out: the new code's versions carry it."""
    recoded = {(r.list_id, r.code) for r in history.removed_items
               if r.event.kind == RECODED and r.event.code and r.event.code != r.code}
    return sorted(key for key in timeline.versions
                  if key not in recoded and config.list_type(key[0]) is not None
                  and any(v.listed for v in timeline.versions[key]))


def listed_versions(versions: list[ItemVersion]) -> list[ItemVersion]:
    """The versions in which the item was on the list (a 取消 ends the one before it), each ended
    by its 有效期至 where that comes first: the item is listed through that day, not after it (the
    rule of generator/history/inforce.py for the as-of day, applied to every day)."""
    out = []
    for version in versions:
        if not version.listed:
            continue
        until = valid_until(version.values or {})
        if until:
            ends = (dt.date.fromisoformat(until) + dt.timedelta(days=1)).isoformat()
            if ends <= (version.valid_from or ends):
                continue  # expired before it began
            if not version.valid_to or ends < version.valid_to:
                version = replace(version, valid_to=ends)
        out.append(version)
    return out


def first_day(history: History, timeline: Timeline) -> str | None:
    """The first publication: as the record marks it, else the earliest day a version began."""
    if history.first_published:
        return history.first_published
    days = [v.valid_from for versions in timeline.versions.values() for v in versions if v.valid_from]
    return min(days) if days else None


class ApiBuilder:
    """Makes every file of the API; `files()` yields (path from the site root, bytes)."""

    def __init__(self, catalog: Catalog, history: History, timeline: Timeline, site_url: str,
                 editions: list[Edition], values_digest: Callable[[dict[str, Any] | None], str] | None = None) -> None:
        self.config = catalog.config
        self.values_digest = values_digest or digest_values  # item_inputs: of a version's values
        self.history = history
        self.timeline = timeline
        self.as_of = timeline.as_of
        self.site_url = site_url
        self.editions = editions
        self.adjustments = {a.anchor: adjustment_json(a, self.as_of) for a in history.adjustments}
        self.keys = published_keys(timeline, history, self.config)
        self.listed = {key: listed_versions(timeline.versions[key]) for key in self.keys}
        self._adjustment_digests: dict[str, str] = {}
        self._currents: dict[tuple[str, str], int | None] = {}
        self._readings: dict[tuple[str, str, Any], str | None] = {}  # value_texts'

    def files(self) -> Iterator[ApiFile]:
        yield ApiFile(ROOT + "index.json", lambda: dumps(self.index()))
        for list_type in self.config.list_types:
            keys = [k for k in self.keys if k[0] == list_type.id]
            yield ApiFile(f"{ROOT}lists/{list_type.id}.json", lambda t=list_type, k=keys: dumps(self.list_file(t, k)))
            for key in keys:
                yield ApiFile(f"{ROOT}items/{key[0]}/{key[1]}.json",
                              lambda t=list_type, k=key: dumps(self.item_file(t, k)), self.item_inputs(list_type, key))

    def item_inputs(self, list_type: ListType, key: tuple[str, str]) -> str:
        """A digest of what `item_file` reads: the item's listed versions (dates after its 有效期至,
        code, department, values, its adjustment as written, pending on the as-of day or not) and
        which one is current. Making the file costs twenty times more (each value's reading)."""
        versions = self.listed[key]
        parts = [list_type.id, key[1], str(self._current(key, versions))]
        for version in versions:
            anchor = version.adjustment.anchor if version.adjustment else ""
            parts += [version.valid_from, version.valid_to, anchor, self._adjustment_digest(anchor),
                      version.code, version.department, self.values_digest(version.values)]
        return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()

    def _adjustment_digest(self, anchor: str) -> str:
        found = self._adjustment_digests.get(anchor)
        if found is None:
            text = json.dumps(self.adjustments.get(anchor), ensure_ascii=False)
            found = self._adjustment_digests[anchor] = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        return found

    def _current(self, key: tuple[str, str], versions: list[ItemVersion]) -> int | None:
        """`_find_current`, once per item (the index counts it, item_inputs and item_file read it)."""
        if key not in self._currents:
            self._currents[key] = self._find_current(key, versions)
        return self._currents[key]

    def _find_current(self, key: tuple[str, str], versions: list[ItemVersion]) -> int | None:
        """The position in `versions` (listed_versions) of the one the site shows as 现行 on the
        as-of day (Timeline.current: only a declared 生效日期 makes a change pending); None when the
        item is not listed that day (not yet added, cancelled, or past its 有效期至)."""
        current = self.timeline.current(*key)
        if current is None or not current.listed:
            return None
        for n, version in enumerate(versions):
            if (version.valid_from, version.adjustment) == (current.valid_from, current.adjustment):
                return n if not version.valid_to or self.as_of < version.valid_to else None
        return None

    def index(self) -> dict[str, Any]:
        portal = self.config.portal
        lists = []
        for list_type in self.config.list_types:
            keys = [k for k in self.keys if k[0] == list_type.id]
            lists.append({
                "id": list_type.id, "name": list_type.title, "item_label": list_type.item_label,
                "count": sum(1 for k in keys if self._current(k, self.listed[k]) is not None),
                "fields": [{"id": f.name, "label": f.label, "type": f.type} for f in list_type.fields],
                "url": f"lists/{list_type.id}.json",
            })
        return {
            "format": FORMAT,
            "site": {"name": portal.site_name, "region": portal.region, "region_code": portal.region_code,
                     "base_url": self.site_url},
            **dict(zip(("as_of", "next_change"), self.state_days(), strict=True)),
            "first_published": first_day(self.history, self.timeline),
            "change_kinds": dict(KINDS),
            "departments": [{"code": d.code, "name": d.name, "short_name": d.short_name}
                            for d in self.config.departments],
            "lists": lists,
            "editions": [{"name": e.name, "date": e.date, "page": e.path} for e in self.editions],
            "adjustments": [{**self.adjustments[a.anchor], "changes": list(_changes(a))}
                            for a in self.history.adjustments],
        }

    def state_days(self) -> tuple[str | None, str | None]:
        """The days between which what the files say holds: from the newest day a version began or
        ended on or before the build's as-of day, until the next such day (a pending 生效日期, a
        有效期至) or None. A build on any day in between writes the same bytes, so a daily build
        with nothing taking effect publishes nothing new (tests/test_pending.py)."""
        days = {d for versions in self.listed.values() for v in versions for d in (v.valid_from, v.valid_to) if d}
        before = [d for d in days if d <= self.as_of]
        after = [d for d in days if d > self.as_of]
        return (max(before) if before else None), (min(after) if after else None)

    def list_file(self, list_type: ListType, keys: list[tuple[str, str]]) -> dict[str, Any]:
        items = []
        for key in keys:
            versions = self.listed[key]
            items.append({"code": key[1], "versions": [{
                "valid_from": _date(v.valid_from), "valid_to": _date(v.valid_to),
                "adjustment": v.adjustment.anchor if v.adjustment else None,
                "code": v.code, "name": str((v.values or {}).get("name", "")), "department": v.department,
            } for v in versions]})
        return {"format": FORMAT, "list": list_type.id, "name": list_type.title, "items": items}

    def item_file(self, list_type: ListType, key: tuple[str, str]) -> dict[str, Any]:
        """`current` is the position in `versions` of the version in force on the as-of day (its
        values are not written twice: at 10,000 items they were a quarter of the API's bytes)."""
        versions = self.listed[key]
        return {
            "format": FORMAT, "list": list_type.id, "code": key[1],
            "page": f"{key[0]}/{key[1]}/",
            "current": self._current(key, versions),
            "versions": [self._version(list_type, v) for v in versions],
        }

    def _version(self, list_type: ListType, version: ItemVersion) -> dict[str, Any]:
        values = field_values(list_type, version.values or {})
        adjustment = self.adjustments.get(version.adjustment.anchor) if version.adjustment else None
        return {
            "valid_from": _date(version.valid_from), "valid_to": _date(version.valid_to),
            "pending": bool(adjustment and adjustment["pending"]),
            "adjustment": adjustment, "code": version.code, "department": version.department,
            "values": values,
            "text": value_texts(list_type, values, self.config, self._readings),
        }


def digest_values(values: dict[str, Any] | None) -> str:
    """Values as they are, key order included (a value of another type is another value)."""
    text = json.dumps(values, ensure_ascii=False, default=lambda v: f"{type(v).__name__}:{v!r}")
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def value_texts(list_type: ListType, values: dict[str, Any], config: SiteConfig,
                readings: dict[tuple[str, str, Any], str | None] | None = None) -> dict[str, str]:
    """Each value as the site reads it, only where the site's settings change that reading (an
    enum value in its standard wording). The rest follows from the value and its field's type
    (法定时限 20 工作日；承诺时限 5 工作日): as-of.js reads it so, as each type's text does without
    settings. Written for every value, the readings were 13.8·10⁶ bytes of a 10,000-item site.
    readings: what a value of a field read before (a few enum spellings, 65,000 times)."""
    texts = {}
    for name, value in values.items():
        fdef = list_type.field(name)
        if fdef is not None and not field_type(fdef).reads_settings:
            continue  # reads the same whatever the settings (two readings of each value cost 2 s)
        hashable = _hashable(value) if readings is not None else None
        key = (list_type.id, name, hashable)
        if hashable is not None and key in readings:
            text = readings[key]
        else:
            text = field_text(fdef, value, config)
            if fdef is not None and text == field_text(fdef, value, None):
                text = None
            if hashable is not None:
                readings[key] = text
        if text is not None:
            texts[name] = text
    return texts


def _hashable(value: Any) -> str | tuple[str, ...] | None:
    """A text, or a list of texts (a multiple choice), as a key; None for any other value."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _changes(adjustment: Adjustment) -> Iterable[dict[str, Any]]:
    """The items an adjustment changed, by list and kind of change (in the order first met)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for event in adjustment.events:
        groups.setdefault((event.list_id, KIND_IDS[event.kind]), []).append(event.code)
    for (list_id, kind), codes in groups.items():
        yield {"list": list_id, "kind": kind, "codes": codes}
