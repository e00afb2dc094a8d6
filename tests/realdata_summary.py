"""Per real published table (../shared/realdata/sheets): rows → items, import warnings by rule, and
published cells kept. Run from the project root: `.venv/bin/python tests/realdata_summary.py`.

A cell is kept when its text (layout whitespace aside) is stored in the imported YAML of the lists
the table fills; running numbers (序号) are layout and not counted. The same count is asserted by
tests/test_realdata.py::test_no_published_cell_is_lost.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))

from test_realdata import TABLES, cells_kept, import_table, make_project  # noqa: E402


def summary(name: str, root: Path) -> dict:
    project = make_project(root / name.replace(".", "_"))
    run = import_table(project, name, json_output=True)
    report = json.loads(run.stdout)
    rules = Counter(m["rule"] for m in report["messages"] if m["severity"] == "warning")
    counts: dict[str, int] = {}
    for path in sorted((project / "lists").glob("*/*.yml")):
        counts[path.parent.name] = counts.get(path.parent.name, 0) + len(
            yaml.safe_load(path.read_text(encoding="utf-8"))["items"])
    kept, total, _ = cells_kept(project, name)
    rows = TABLES[name][3]
    return {"table": name, "exit": run.returncode, "rows": len(rows), "items": counts,
            "warnings": dict(sorted(rules.items())), "cells": f"{kept}/{total}"}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in TABLES:
            s = summary(name, Path(tmp))
            items = "，".join(f"{k} {v}" for k, v in s["items"].items())
            warnings = "，".join(f"{k} {v}" for k, v in s["warnings"].items()) or "无"
            print(f"{s['table']}: exit {s['exit']}; {s['rows']} rows → {items}; warnings: {warnings}; "
                  f"cells kept {s['cells']}")


if __name__ == "__main__":
    main()
