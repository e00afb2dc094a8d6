"""The review as JSON for machines. Key order is fixed (documented in docs/review.md); never sorted."""

from __future__ import annotations

import json
from typing import Any

from generator.diff.result import KINDS, AdjustmentRef, DiffResult, FieldChange, ItemDiff, Version

SCHEMA = "qingdan-diff/1"


def _version(v: Version) -> dict[str, Any]:
    return {
        "label": v.label, "kind": v.kind, "title": v.title, "commit": v.commit, "date": v.date,
        "subject": v.subject, "author": v.author, "problems": v.problems,
    }


def _adjustment(a: AdjustmentRef) -> dict[str, Any]:
    return {
        "title": a.title, "basis": a.basis, "decided": a.decided, "published": a.published,
        "effective": a.effective, "record_date": a.record_date, "commit": a.commit, "counts": dict(a.counts),
    }


def _change(c: FieldChange) -> dict[str, Any]:
    return {
        "field": c.field, "label": c.label, "old": c.old, "new": c.new,
        "old_value": c.old_value, "new_value": c.new_value,
        "segments": [s.to_json() for s in c.segments],
    }


def _item(item: ItemDiff) -> dict[str, Any]:
    return {
        "list": item.list_id,
        "status": item.status,
        "kinds": list(item.kinds),
        "code": item.code,
        "old_code": item.old_code,
        "name": item.name,
        "old_name": item.old_name,
        "department": item.department,
        "old_department": item.old_department,
        "flags": [{"id": f.id, "label": f.label, "message": f.message, "field": f.field, "hint": f.hint}
                  for f in item.flags],
        "fields": [{"field": name, "label": label, "text": text} for name, label, text in item.fields],
        "changes": [_change(c) for c in item.changes],
        "format_changes": [_change(c) for c in item.format_changes],
    }


def to_data(result: DiffResult) -> dict[str, Any]:
    by_list = result.summary_by_list()
    return {
        "schema": SCHEMA,
        "a": _version(result.a),
        "b": _version(result.b),
        "filters": {"list": result.list_filter, "department": result.department_filter,
                    "ignore_format": result.ignore_format},
        "notes": list(result.notes),
        "adjustments": [_adjustment(a) for a in result.adjustments],
        "kinds": dict(KINDS),
        "summary": {
            "total": by_list[-1][2],
            "lists": [{"list": lid, "title": title, "counts": counts} for lid, title, counts in by_list[:-1]],
            "departments": [{"department": code, "name": name, "counts": counts}
                            for code, name, counts in result.summary_by_department()],
            "flags": result.flag_counts(),
        },
        "flag_labels": dict(result.flag_labels),
        "items": [_item(i) for i in result.items],
    }


def render(result: DiffResult) -> str:
    return json.dumps(to_data(result), ensure_ascii=False, indent=2) + "\n"
