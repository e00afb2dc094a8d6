"""The plain-data result of comparing two versions of the lists; every renderer reads only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.changes import KINDS as CHANGE_KINDS
from generator.diff.textdiff import Segment

# Kinds of change, in the order they are counted and shown. A matched item may have several
# (renamed and moved); 新增 and 取消 stand alone.
KINDS: dict[str, str] = {**CHANGE_KINDS, "format": "格式调整"}  # review also counts pure format changes


@dataclass
class Version:
    """Which version of the lists one side of the comparison is."""

    label: str  # what the user asked for: HEAD, v2023, 2024-01-01, 工作区
    kind: str  # "commit", "date", "edition", "worktree" or "catalog"
    commit: str = ""
    date: str = ""  # commit date (YYYY-MM-DD HH:MM); for a date or an edition, the record date it stands for
    subject: str = ""  # commit message subject
    author: str = ""
    problems: int = 0  # errors found while loading this version

    @property
    def title(self) -> str:
        """One line identifying the version, in Chinese."""
        if self.kind == "worktree":
            return "工作区（未提交的修改）"
        if self.kind == "catalog":
            return self.label
        label = self.label
        if len(label) > 12 and all(c in "0123456789abcdef" for c in label.lower()):
            label = label[:10]  # a full commit id reads better short
        parts = [label]
        if self.commit and not self.commit.startswith(label):
            parts.append(f"提交 {self.commit[:10]}")
        if self.kind == "date":
            parts[0] = f"{label} 施行的版本"
        elif self.kind == "edition":
            parts[0] = f"历史版本 {label}"
        return "，".join(parts)


@dataclass
class FieldChange:
    field: str
    label: str
    old: str  # display text
    new: str
    segments: list[Segment]
    old_value: Any = None  # the normalised data, for machines
    new_value: Any = None


@dataclass
class AdjustmentRef:
    """One adjustment (a commit of the record) made between the two versions: what the review says
    brought the changes about. Filled in by the caller from the history; the engine compares lists only."""

    title: str  # the public title (the notice's subject)
    basis: str  # 文号, "" when none was stated
    decided: str = ""  # 决定日期, YYYY-MM-DD or ""
    published: str = ""  # 发布日期
    effective: str = ""  # 生效日期
    record_date: str = ""  # the date a typed date is compared with (生效, else 发布, else the commit's day)
    commit: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # change label (新增, 取消…) → events, nonzero only

    @property
    def dates(self) -> list[tuple[str, str]]:
        """(label, YYYY-MM-DD) of the dates the record states, in the order they happen."""
        named = (("决定日期", self.decided), ("发布日期", self.published), ("生效日期", self.effective))
        return [(label, day) for label, day in named if day]

    @property
    def dates_text(self) -> str:
        return "，".join(f"{label} {day}" for label, day in self.dates) or f"记录日期 {self.record_date}"

    @property
    def counts_text(self) -> str:
        return "，".join(f"{label} {n} 项" for label, n in self.counts.items())


@dataclass
class Flag:
    id: str
    label: str
    message: str
    field: str = ""
    hint: str = ""


@dataclass
class ItemDiff:
    list_id: str
    code: str  # the code in B (in A for a removed item)
    name: str
    department: str
    kinds: list[str]
    old_code: str = ""  # set when recoded
    old_name: str = ""  # set when renamed
    old_department: str = ""  # set when moved
    changes: list[FieldChange] = field(default_factory=list)
    format_changes: list[FieldChange] = field(default_factory=list)
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # added/removed: the full item
    flags: list[Flag] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.kinds[0] if self.kinds and self.kinds[0] in ("added", "removed") else "changed"

    @property
    def kind_labels(self) -> str:
        return "、".join(KINDS[k] for k in self.kinds)


@dataclass
class DiffResult:
    a: Version
    b: Version
    lists: list[tuple[str, str]]  # (list id, title) of every list type, in publishing order
    departments: list[tuple[str, str]]  # (code, short name), in publishing order
    items: list[ItemDiff]
    flag_labels: dict[str, str]  # every flag id → label, in the documented order
    list_filter: str = ""
    department_filter: str = ""
    ignore_format: bool = False
    notes: list[str] = field(default_factory=list)  # things the reviewer must know (load errors)
    adjustments: list[AdjustmentRef] = field(default_factory=list)  # made between A and B, oldest first

    def list_title(self, list_id: str) -> str:
        return dict(self.lists).get(list_id, list_id)

    def department_name(self, code: str) -> str:
        return dict(self.departments).get(code, code)

    def items_of(self, list_id: str) -> list[ItemDiff]:
        return [i for i in self.items if i.list_id == list_id]

    def flagged(self) -> list[tuple[ItemDiff, Flag]]:
        return [(item, flag) for item in self.items for flag in item.flags]

    def flag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.flag_labels, 0)
        for _, flag in self.flagged():
            counts[flag.id] = counts.get(flag.id, 0) + 1
        return counts

    def flag_ids(self) -> set[str]:
        return {flag.id for _, flag in self.flagged()}

    def summary_by_list(self) -> list[tuple[str, str, dict[str, int]]]:
        """(list id, title, counts per kind) for each list with changes, and a 合计 row."""
        rows = []
        total = dict.fromkeys(KINDS, 0)
        for list_id, title in self.lists:
            counts = dict.fromkeys(KINDS, 0)
            for item in self.items_of(list_id):
                for kind in item.kinds:
                    counts[kind] += 1
                    total[kind] += 1
            if any(counts.values()):
                rows.append((list_id, title, counts))
        rows.append(("", "合计", total))
        return rows

    def summary_by_department(self) -> list[tuple[str, str, dict[str, int]]]:
        """(department code, name, counts per kind); a moved item counts in both departments."""
        per: dict[str, dict[str, int]] = {}
        for item in self.items:
            for dept in dict.fromkeys([item.old_department or item.department, item.department]):
                counts = per.setdefault(dept, dict.fromkeys(KINDS, 0))
                for kind in item.kinds:
                    counts[kind] += 1
        order = [code for code, _ in self.departments] + sorted(set(per) - {c for c, _ in self.departments})
        return [(code, self.department_name(code), per[code]) for code in order if code in per]

    @property
    def kinds_shown(self) -> list[str]:
        return [k for k in KINDS if not (self.ignore_format and k == "format")]

    @property
    def empty(self) -> bool:
        return not self.items
