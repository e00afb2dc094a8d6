"""Compare two catalogs (two versions of the lists) into a plain-data DiffResult.

Items are matched by list and code. What is left over on both sides is matched again by
content, so that an item whose code changed (改码) is not read as one removal plus one addition:
first identical content, then the same name, then (for small leftovers) nearly the same content.
A matched item may be renamed (更名), moved to another department (划转), recoded (改码) and
changed (变更) at once; formatting-only differences are kept apart as 格式调整.
"""

from __future__ import annotations

from generator.changes import match_recoded, normalize_value
from generator.config import ListType
from generator.diff.flags import FLAG_LABELS, Referrers, added_flags, changed_flags, referrers, removed_flags
from generator.diff.result import DiffResult, FieldChange, ItemDiff, Version
from generator.diff.textdiff import Segment, inline_diff
from generator.diff.values import display_value, item_fields
from generator.model import ADDRESS_FIELDS, Catalog, Item, is_blank


def compare(
    a: Catalog,
    b: Catalog,
    version_a: Version,
    version_b: Version,
    *,
    list_filter: str = "",
    department_filter: str = "",
    ignore_format: bool = False,
    skip_files: frozenset[str] = frozenset(),
) -> DiffResult:
    """Everything that changed from catalog `a` to catalog `b`, with review flags.

    Items from `skip_files` (list files that could not be read in one of the versions) are left
    out on both sides, so a syntax error does not read as every item of the file cancelled.
    """
    config = b.config
    list_ids = [t.id for t in config.list_types]
    list_ids += [lid for lid in list(a.lists) + list(b.lists) if lid not in list_ids]
    items: list[ItemDiff] = []
    refs = referrers(b)
    for list_id in dict.fromkeys(list_ids):
        if list_filter and list_id != list_filter:
            continue
        items.extend(_compare_list(a, b, list_id, ignore_format, skip_files, refs))
    if department_filter:
        items = [i for i in items if department_filter in (i.department, i.old_department)]
    titles = {t.id: t.title for t in config.list_types}
    return DiffResult(
        a=version_a,
        b=version_b,
        lists=[(lid, titles.get(lid, lid)) for lid in dict.fromkeys(list_ids)],
        departments=[(d.code, d.short_name or d.name) for d in config.departments],
        items=items,
        flag_labels=dict(FLAG_LABELS),
        list_filter=list_filter,
        department_filter=department_filter,
        ignore_format=ignore_format,
    )


def _compare_list(
    a: Catalog, b: Catalog, list_id: str, ignore_format: bool, skip_files: frozenset[str], refs: Referrers
) -> list[ItemDiff]:
    old_items = _readable(a, list_id, skip_files)
    new_items = _readable(b, list_id, skip_files)
    list_type = b.config.list_type(list_id) or a.config.list_type(list_id)
    removed = [item for code, item in old_items.items() if code not in new_items]
    added = [item for code, item in new_items.items() if code not in old_items]
    pairs = [(old_items[code], item) for code, item in new_items.items() if code in old_items]
    recoded = match_recoded(removed, added, list_type)
    recoded_old = {id(o) for o, _ in recoded}
    recoded_new = {id(n) for _, n in recoded}

    out_added = [
        ItemDiff(list_id, item.code, item.name, item.department, ["added"],
                 fields=item_fields(list_type, item, b.config), flags=added_flags(b, item))
        for item in added if id(item) not in recoded_new
    ]
    out_removed = [
        ItemDiff(list_id, item.code, item.name, item.department, ["removed"],
                 fields=item_fields(list_type, item, a.config), flags=removed_flags(b, item, refs))
        for item in removed if id(item) not in recoded_old
    ]
    new_order = {id(item): index for index, item in enumerate(new_items.values())}
    matched = sorted(pairs + recoded, key=lambda pair: new_order[id(pair[1])])
    diffs = (_compare_pair(a, b, old, new, list_type, ignore_format, refs) for old, new in matched)
    return out_added + out_removed + [d for d in diffs if d is not None]


def _readable(catalog: Catalog, list_id: str, skip_files: frozenset[str]) -> dict[str, Item]:
    """code → item of one list, leaving out the items of files that could not be read in a version."""
    return {c: i for c, i in catalog.lists.get(list_id, {}).items() if i.file not in skip_files}


def _field_order(list_type: ListType | None, old: Item, new: Item) -> list[tuple[str, str]]:
    fields = [(f.name, f.label) for f in list_type.fields] if list_type else []
    known = {name for name, _ in fields}
    extra = [k for k in list(old.data) + list(new.data) if k not in known]
    return fields + [(k, k) for k in dict.fromkeys(extra)]


def _same(old: object, new: object) -> bool:
    return old == new or (is_blank(old) and is_blank(new))


_KIND_ORDER = ["changed", "renamed", "recoded", "moved", "format"]


def _compare_pair(
    a: Catalog, b: Catalog, old: Item, new: Item, list_type: ListType | None, ignore_format: bool,
    refs: Referrers,
) -> ItemDiff | None:
    kinds, changes, format_changes = _field_changes(b, old, new, list_type)
    if old.code != new.code:
        kinds.append("recoded")
        label = list_type.field("code").label if list_type and list_type.field("code") else "编码"
        changes.insert(0, _change("code", label, old.code, new.code))
    if old.department != new.department:
        kinds.append("moved")
        changes.insert(0, _change("department", "所属部门", _dept(b, old.department), _dept(b, new.department),
                                  old.department, new.department))
    if format_changes and not ignore_format:
        kinds.append("format")
    if ignore_format:
        format_changes = []
    if not kinds:
        return None
    kinds.sort(key=_KIND_ORDER.index)
    flags = []
    if any(k != "format" for k in kinds):
        flags = changed_flags(a, b, old, new)
        if old.code != new.code:
            flags += removed_flags(b, old, refs, recoded_to=new.code)
    return ItemDiff(
        new.list_id, new.code, new.name, new.department, kinds,
        old_code=old.code if old.code != new.code else "",
        old_name=old.name if "renamed" in kinds else "",
        old_department=old.department if old.department != new.department else "",
        changes=changes, format_changes=format_changes, flags=flags,
    )


def _field_changes(b: Catalog, old: Item, new: Item, list_type: ListType | None
                   ) -> tuple[list[str], list[FieldChange], list[FieldChange]]:
    """(kinds, changes, format-only changes) of the fields other than the item's address."""
    changes: list[FieldChange] = []
    format_changes: list[FieldChange] = []
    kinds: list[str] = []
    for name, label in _field_order(list_type, old, new):
        before, after = old.data.get(name), new.data.get(name)
        if name in ADDRESS_FIELDS or _same(before, after):
            continue
        fdef = list_type.field(name) if list_type else None
        change = _change(name, label, display_value(before, fdef, b.config), display_value(after, fdef, b.config),
                         before, after)
        if normalize_value(before) == normalize_value(after):
            format_changes.append(change)
            continue
        changes.append(change)
        kind = "renamed" if name == "name" else "changed"
        if kind not in kinds:
            kinds.append(kind)
    return kinds, changes, format_changes


def _dept(catalog: Catalog, code: str) -> str:
    dept = catalog.config.department(code)
    return f"{dept.name}（{code}）" if dept else code


def _change(name: str, label: str, old: str, new: str, old_value: object = None,
            new_value: object = None) -> FieldChange:
    # A code or a department is replaced as a whole: a character diff of two names says nothing.
    segments = [Segment("replace", old, new)] if name in ("code", "department") else inline_diff(old, new)
    return FieldChange(name, label, old, new, segments,
                       old if old_value is None else old_value, new if new_value is None else new_value)


# --- re-coding: the same item under a new code -------------------------------------------------
