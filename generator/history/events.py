"""What the history stage hands to the rest of the project: plain dataclasses, no git, no I/O."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from generator.changes import KINDS as CHANGE_KINDS
from generator.problems import Problem

# The kinds are the shared change model's (generator/changes.py); events carry the Chinese label.
ADDED, REMOVED, CHANGED, RENAMED, RECODED, TRANSFERRED = (
    CHANGE_KINDS[k] for k in ("added", "removed", "changed", "renamed", "recoded", "moved"))
KINDS = (ADDED, REMOVED, CHANGED, RENAMED, RECODED, TRANSFERRED)
KIND_IDS = {label: kind_id for kind_id, label in CHANGE_KINDS.items()}


@dataclass(frozen=True)
class FieldChange:
    field: str  # e.g. "time_limit"
    label: str  # the list type's label, e.g. "办理时限"
    old: Any  # normalised values (None when absent)
    new: Any


def record_day(published: str, effective: str, commit_date: str) -> str:
    """The day an adjustment is dated for the public: its notice's own date (发布日期) when the
    record states one (a county entering past notices), else the day it was committed. The
    effective date is shown beside it, never in its place."""
    return published or commit_date[:10]


def record_date(effective: str, published: str, commit_date: str) -> str:
    """What a date typed by a user means (`qingdan diff 2021-12-31 …`, `history --since`, editions
    declared by date, `--as-of`, `/as-of/`): the day the record counts from, its 生效日期, else its 发布日期, else the day it
    was committed. The one rule: "the lists on day D" are the lists after the last adjustment whose
    record date is on or before D, however late the record was typed into git."""
    return effective or published or commit_date[:10]


_CJK = re.compile(r"[\u4e00-\u9fff]")


def public_title(subject: str, basis: str) -> str:
    """What the public reads as an adjustment's title: its subject when written in Chinese (a
    county writes 关于调整…的通知), else words made from its basis; never a developer's message."""
    if _CJK.search(subject or "") and not re.search(r"[A-Za-z]{4,}", subject):
        return subject
    return f"依据{basis}调整清单" if basis else "清单调整"


@dataclass(frozen=True)
class Event:
    """One thing that happened to one item in one commit.

    `code` is the item's code after the event (for 改码 the new code, `old_code` the old one);
    `department` the department after it (for 划转 `old_department` the one before). `date` is
    the committer date (ISO 8601 with offset); `seq` the commit's position on the first-parent
    chain (0 = oldest), which orders events even when commit dates are out of order.
    """

    kind: str  # one of KINDS
    list_id: str
    code: str
    name: str
    department: str
    commit: str
    date: str
    author: str
    subject: str
    basis: str
    effective: str
    has_basis: bool
    old_code: str = ""
    old_department: str = ""
    old_name: str = ""
    changes: tuple[FieldChange, ...] = ()
    seq: int = 0
    published: str = ""  # the record's own date (发布日期), when its commit states one
    decided: str = ""  # the approval's date (决定日期), when its commit states one

    @property
    def key(self) -> str:
        return f"{self.list_id}/{self.code}"

    @property
    def day(self) -> str:
        """The date the public reads: the record's own date (发布日期), else the commit's."""
        return record_day(self.published, self.effective, self.date)

    @property
    def record_date(self) -> str:
        """The day a date typed by a user is compared with (see record_date)."""
        return record_date(self.effective, self.published, self.date)

    @property
    def title(self) -> str:
        return public_title(self.subject, self.basis)

    @property
    def short_commit(self) -> str:
        return self.commit[:7]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["record_date"] = self.record_date
        data["kind_id"] = KIND_IDS[self.kind]
        data["changes"] = [asdict(c) for c in self.changes]
        return data


@dataclass(frozen=True)
class Adjustment:
    """One commit that changed the lists, with its events (an 调整 as the public sees it)."""

    commit: str
    date: str
    author: str
    subject: str
    message: str
    basis: str
    effective: str
    has_basis: bool
    seq: int
    events: tuple[Event, ...]
    published: str = ""
    decided: str = ""  # the approval's date (决定日期)

    @property
    def counts(self) -> dict[str, int]:
        """Events per kind, every kind present, in KINDS order."""
        counts = dict.fromkeys(KINDS, 0)
        for event in self.events:
            counts[event.kind] += 1
        return counts

    @property
    def day(self) -> str:
        return record_day(self.published, self.effective, self.date)

    @property
    def record_date(self) -> str:
        """The day a date typed by a user is compared with (see record_date)."""
        return record_date(self.effective, self.published, self.date)

    @property
    def short_commit(self) -> str:
        return self.commit[:7]

    @property
    def when(self) -> str:
        """The record's date and time (ISO 8601): its own date when stated, else the commit's."""
        return self.date if self.day == self.date[:10] else f"{self.day}T00:00:00+08:00"

    @property
    def anchor(self) -> str:
        """The adjustment's place on the 动态调整 page and its feed id: its date and position, no hash."""
        return f"adj-{self.day}-{self.seq}"

    @property
    def title(self) -> str:
        return public_title(self.subject, self.basis)

    def to_json(self) -> dict[str, Any]:
        return {"decided": self.decided, "published": self.published, "day": self.day,
            "record_date": self.record_date, "title": self.title,
            "commit": self.commit, "date": self.date, "author": self.author, "subject": self.subject,
            "message": self.message, "basis": self.basis, "effective": self.effective,
            "has_basis": self.has_basis, "seq": self.seq, "counts": self.counts,
            "events": [e.to_json() for e in self.events],
        }


@dataclass(frozen=True)
class RemovedItem:
    """An item that existed once and is gone at HEAD: what it last said, and the event that
    removed it (取消, or 改码 when it lives on under `event.code`)."""

    list_id: str
    code: str
    department: str
    name: str
    data: dict[str, Any]
    event: Event


@dataclass
class History:
    events: list[Event] = field(default_factory=list)  # newest first
    adjustments: list[Adjustment] = field(default_factory=list)  # newest first
    removed_items: list[RemovedItem] = field(default_factory=list)  # by list, then code
    notices: list[Problem] = field(default_factory=list)
    head: str = ""  # the commit the history was read from ("" without git)
    complete: bool = False  # False without git or in a shallow clone
    first_published: str = ""  # YYYY-MM-DD of the first publication (清单基线), "" when not marked
    # what this run did: commits on the chain, commits walked (the rest came from the saved walk),
    # blobs parsed (the rest came from the cache), worker processes used
    stats: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_item: dict[tuple[str, str], list[Event]] = {}
        for event in self.events:
            self._by_item.setdefault((event.list_id, event.code), []).append(event)
            if event.old_code and event.old_code != event.code:
                self._by_item.setdefault((event.list_id, event.old_code), []).append(event)
        self._removed = {(r.list_id, r.code): r for r in self.removed_items}

    def by_item(self, list_id: str, code: str) -> list[Event]:
        """The item's events, newest first (a 改码 shows under both codes)."""
        return self._by_item.get((list_id, code), [])

    def removed(self, list_id: str, code: str) -> RemovedItem | None:
        return self._removed.get((list_id, code))

    def by_department(self, department: str) -> list[Event]:
        """Events concerning a department (as the item's department before or after), newest first."""
        return [e for e in self.events if department in (e.department, e.old_department)]

    def since(self, day: str) -> list[Event]:
        """Events whose record date (record_date) is on or after day (YYYY-MM-DD), newest first."""
        return [e for e in self.events if e.record_date >= day]

    def to_json(self) -> dict[str, Any]:
        return {
            "head": self.head, "complete": self.complete,
            "notices": [p.to_json() for p in self.notices],
            "adjustments": [a.to_json() for a in self.adjustments],
            "removed_items": [
                {"list_id": r.list_id, "code": r.code, "department": r.department, "name": r.name,
                 "data": r.data, "event": r.event.to_json()} for r in self.removed_items
            ],
        }
