"""The assessment as an Excel workbook: a 汇总 sheet, then one sheet per rule with findings.

Written with XlsxWriter like the data downloads (generator/tabular/export.py); same input, same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, NamedTuple

from generator.assess.engine import SCORE_FORMULA, Assessment
from generator.rules import LEVEL_LABELS, RULES
from generator.tabular.export import _fixed_zip, _source_date, sheet_title

HEADER = ["级别", "部门", "清单", "编码", "事项名称", "问题", "原文", "处理建议", "位置"]
WIDTHS = [6, 14, 16, 18, 26, 40, 50, 36, 24]


class ReportBook(NamedTuple):
    """A report workbook (the county's assessment, the portal's 十统一): no text read as a number,
    formula or link, a grey header and wrapped cells, the same bytes for the same input."""

    book: Any
    raw: io.BytesIO
    head: Any  # the header row's format
    cell: Any  # every other cell's
    when: dt.datetime

    def close(self, creator: str, title: str) -> bytes:
        self.book.set_properties({"creator": creator, "title": title, "created": self.when})
        self.book.close()
        return _fixed_zip(self.raw.getvalue(), self.when)


def report_book() -> ReportBook:
    import xlsxwriter

    raw = io.BytesIO()
    book = xlsxwriter.Workbook(raw, {"in_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#EEEEEE", "text_wrap": True, "valign": "top", "border": 1})
    cell = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    return ReportBook(book, raw, head, cell, _source_date())


def render(result: Assessment) -> bytes:
    report = report_book()
    book, head, cell = report.book, report.head, report.cell
    title = book.add_format({"bold": True, "font_size": 14})
    used: set[str] = set()
    ws = book.add_worksheet(sheet_title("汇总", used))
    ws.write_string(0, 0, f"{result.site_name}清单评估报告", title)
    ws.write_string(1, 0, f"评估日期：{result.as_of}　{SCORE_FORMULA}")
    counts = result.counts()
    shown = [r for r in result.rules if counts.get(r)]
    header = ["部门", "事项数"] + [RULES[r].label for r in shown] + ["问题合计", "公开完整度（%）", "规范度（%）"]
    ws.write_row(3, 0, header, head)
    row = 4
    for d in [*result.departments, result.total]:
        values = [d.name, d.items] + [d.by_rule.get(r, 0) for r in shown] + [
            d.findings, round(d.completeness, 1) if d.completeness is not None else "—",
            round(d.score, 1) if d.score is not None else "—"]
        for col, value in enumerate(values):
            ws.write(row, col, value, cell)
        row += 1
    for note in result.notes:
        ws.write_string(row + 1, 0, f"注意：{note}")
        row += 1
    ws.set_column(0, 0, 18)
    ws.set_column(1, len(header) - 1, 10)
    ws.set_landscape()
    ws.set_paper(9)
    for rule in shown:
        sheet = book.add_worksheet(sheet_title(RULES[rule].label, used))
        sheet.write_row(0, 0, HEADER, head)
        for r, f in enumerate(result.by_rule(rule), start=1):
            values = [LEVEL_LABELS[f.level], f.department_name, f.list_title, f.code, f.name, f.message, f.quote,
                      f.hint, f.where]
            for col, value in enumerate(values):
                sheet.write_string(r, col, str(value), cell)
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(result.by_rule(rule)), len(HEADER) - 1)
        sheet.repeat_rows(0)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.set_footer(f"&C{RULES[rule].label} 第 &P 页，共 &N 页")
    return report.close(result.site_name, "清单评估报告")
