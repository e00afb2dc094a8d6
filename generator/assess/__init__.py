"""清单评估: every rule over the whole current lists, per department (`qingdan assess`).

`engine.assess(catalog, …)` gives an `Assessment` (plain data); `render_*.py` write it as text,
JSON, printable HTML or XLSX. The rules themselves live in `generator/rules.py`, shared with
`qingdan check` and `qingdan diff`.
"""

from generator.assess.engine import AssessFinding, Assessment, DepartmentSummary, assess

__all__ = ["AssessFinding", "Assessment", "DepartmentSummary", "assess"]
