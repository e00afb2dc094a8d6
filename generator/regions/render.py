"""The portal assessment as JSON (`qingdan-assess-portal/1`), text, or an Excel workbook.

The workbook puts the regions side by side: one column per region, one row per differing element,
as the provinces' own 十统一 comparison spreadsheets do. Written with XlsxWriter like the county's
assessment (generator/assess/render_xlsx.py); same input, same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from generator.assess.render_xlsx import report_book
from generator.regions.assess import PortalAssessment
from generator.regions.catalogue import KINDS
from generator.rules import LEVEL_LABELS, PORTAL_RULES, RULES
from generator.tabular.export import sheet_title


def data(result: PortalAssessment) -> dict[str, Any]:
    catalogue = result.catalogue
    return {
        "schema": "qingdan-assess-portal/1",
        "site": result.site_name,
        "as_of": result.as_of,
        "notes": result.notes,
        "rules": [{"id": r, "label": RULES[r].label, "meaning": RULES[r].meaning,
                   "count": len(result.differences) + len(result.catalogue_findings)} for r in PORTAL_RULES],
        "regions": [{"id": rid, "name": name, "items": n} for rid, name, n in result.regions],
        "differences": [
            {"rule": d.rule, "level": d.level, "list": d.list_id, "code": d.code, "name": d.name,
             "field": d.element, "label": d.label, "matched_by": d.matched_by, "regions": list(d.regions),
             "message": d.message,
             "values": [{"region": v.region, "region_name": v.region_name, "code": v.code, "value": v.text}
                        for v in d.values]}
            for d in result.differences
        ],
        "catalogue": None if catalogue is None else {
            "file": catalogue.file, "title": catalogue.title, "list": catalogue.list_id, "items": len(catalogue.items),
            "findings": [
                {"rule": f.rule, "region": f.region, "region_name": f.region_name, "kind": f.kind,
                 "kind_label": f.kind_label, "code": f.code, "name": f.name, "label": f.label,
                 "catalogue_value": f.catalogue_value, "region_value": f.region_value, "region_code": f.region_code,
                 "message": f.message}
                for f in result.catalogue_findings
            ],
        },
    }


def render_json(result: PortalAssessment) -> str:
    return json.dumps(data(result), ensure_ascii=False, indent=2) + "\n"


def render_text(result: PortalAssessment) -> str:
    lines = [f"十统一评估（{result.site_name}，{result.as_of}）"]
    lines += [f"注意：{note}" for note in result.notes]
    lines += ["地区：" + "、".join(f"{name} {n} 项" for _, name, n in result.regions), ""]
    lines.append(f"各地区不一致的事项：{len(result.differences)} 处" if result.differences else "各地区的同一事项一致。")
    for d in result.differences:
        code = f"编码 {d.code}" if d.code else "按名称和设定依据对应"
        lines.append(f"  {LEVEL_LABELS[d.level]}［{d.list_id}，{code}］{d.name}：{RULES[d.rule].label}：{d.message}")
    if result.catalogue is not None:
        lines += ["", f"与通用目录（{result.catalogue.title}，{len(result.catalogue.items)} 项）对照："]
        for f in result.catalogue_findings:
            lines.append(f"  {f.region_name}［{f.kind_label}］{f.code} {f.name}"
                         + (f"：{f.message}" if f.kind in ("renamed", "different") else ""))
        if not result.catalogue_findings:
            lines.append("  各地区与通用目录一致。")
    return "\n".join(lines) + "\n"


def render_xlsx(result: PortalAssessment) -> bytes:
    report = report_book()
    book, head, cell = report.book, report.head, report.cell
    used: set[str] = set()
    ws = book.add_worksheet(sheet_title("十统一", used))
    names = [name for _, name, _ in result.regions]
    ids = [rid for rid, _, _ in result.regions]
    ws.write_row(0, 0, ["编码", "事项名称", "要素", "对应方式", *names], head)
    for r, d in enumerate(result.differences, start=1):
        by_region = {v.region: v.text for v in d.values}
        values = [d.code, d.name, d.label, d.matched_by, *(by_region.get(rid, "（无此事项）") for rid in ids)]
        for c, value in enumerate(values):
            ws.write_string(r, c, value, cell)
    _layout(ws, [18, 26, 10, 12] + [30] * len(names), len(result.differences))
    if result.catalogue is not None:
        sheet = book.add_worksheet(sheet_title("与通用目录对照", used))
        sheet.write_row(0, 0, ["地区", "情况", "编码", "事项名称", "要素", "通用目录", "本地区", "本地区编码"], head)
        for r, f in enumerate(result.catalogue_findings, start=1):
            values = [f.region_name, KINDS[f.kind], f.code, f.name, f.label, f.catalogue_value, f.region_value,
                      f.region_code]
            for c, value in enumerate(values):
                sheet.write_string(r, c, value, cell)
        _layout(sheet, [10, 10, 18, 26, 10, 30, 30, 18], len(result.catalogue_findings))
    return report.close(result.site_name, "十统一评估报告")


def _layout(sheet: Any, widths: list[int], rows: int) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, rows, len(widths) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)
