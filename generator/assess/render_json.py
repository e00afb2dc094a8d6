"""The assessment as JSON (`qingdan-assess/1`): one object per finding, keys in a fixed order."""

from __future__ import annotations

import json
from typing import Any

from generator.assess.engine import SCORE_FORMULA, Assessment, DepartmentSummary
from generator.rules import RULES


def _department(d: DepartmentSummary) -> dict[str, Any]:
    return {
        "department": d.code, "name": d.name, "items": d.items, "findings": d.findings,
        "by_rule": {rule: n for rule, n in d.by_rule.items() if n},
        "disclosed": d.disclosed, "expected": d.expected,
        "completeness": round(d.completeness, 1) if d.completeness is not None else None,
        "clean_items": d.clean_items, "score": round(d.score, 1) if d.score is not None else None,
    }


def data(result: Assessment) -> dict[str, Any]:
    counts = result.counts()
    return {
        "schema": "qingdan-assess/1",
        "site": result.site_name,
        "as_of": result.as_of,
        "filters": {"list": result.list_filter, "department": result.department_filter},
        "notes": result.notes,
        "score_formula": SCORE_FORMULA,
        "rules": [{"id": r, "label": RULES[r].label, "meaning": RULES[r].meaning, "count": counts.get(r, 0)}
                  for r in result.rules],
        "levels": result.level_counts(),
        "departments": [_department(d) for d in result.departments],
        "total": _department(result.total),
        "findings": [
            {"rule": f.rule, "level": f.level, "list": f.list, "code": f.code, "name": f.name,
             "department": f.department, "message": f.message, "quote": f.quote, "hint": f.hint,
             "field": f.field, "file": f.file, "line": f.line}
            for f in result.findings
        ],
    }


def render(result: Assessment) -> str:
    return json.dumps(data(result), ensure_ascii=False, indent=2) + "\n"
