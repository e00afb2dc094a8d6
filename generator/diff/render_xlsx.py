"""The review as an Excel workbook: a 汇总 sheet, then one sheet per list with one row per field.

Changed fields carry rich text: deletions struck through in red in 原内容, insertions underlined
in green in 新内容, so the sheet prints and reads like the HTML report.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from generator.diff.result import KINDS, DiffResult, ItemDiff
from generator.diff.textdiff import Segment
from generator.tabular.export import sheet_title

HEADER = ["变动类型", "部门", "编码", "原编码", "事项名称", "字段", "原内容", "新内容", "审核提示"]
WIDTHS = [12, 16, 18, 18, 28, 14, 48, 48, 48]
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="EEEEEE")
FLAG_FILL = PatternFill("solid", fgColor="FFF7ED")
WRAP = Alignment(wrap_text=True, vertical="top")
DELETED = InlineFont(color="9B1C1C", strike=True)
INSERTED = InlineFont(color="14532D", u="single")


def rich(segments: list[Segment], side: str) -> CellRichText | str:
    parts: list[str | TextBlock] = []
    for s in segments:
        text = s.old if side == "old" else s.new
        if not text:
            continue
        if s.op == "equal":
            parts.append(text)
        else:
            parts.append(TextBlock(DELETED if side == "old" else INSERTED, text))
    if not parts:
        return ""
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)  # type: ignore[arg-type]
    return CellRichText(*parts)


def _append(ws: Worksheet, values: list, row: int | None = None) -> None:
    """A row of the report; text that starts with = stays text (openpyxl would store it as a formula
    that runs when the sheet is opened: a value from a list is never a formula)."""
    ws.append(values)
    row = row or ws.max_row
    for col, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith("="):
            ws.cell(row=row, column=col).data_type = "s"


def _header(ws: Worksheet, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font, cell.fill, cell.alignment = BOLD, HEAD_FILL, WRAP


def _summary(ws: Worksheet, result: DiffResult) -> None:
    ws.append(["清单调整审核报告"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    _header(ws, 3, ["", "原版本（A）", "新版本（B）"])
    for label, attr in (("版本", "title"), ("提交", "commit"), ("日期", "date"), ("说明", "subject")):
        _append(ws, [label, getattr(result.a, attr), getattr(result.b, attr)])
    for note in result.notes:
        _append(ws, ["注意", note])
    if result.adjustments:
        ws.append([])
        _header(ws, ws.max_row + 1, ["期间的调整", "调整依据", "决定日期", "发布日期", "生效日期", "事项"])
        for adj in result.adjustments:
            _append(ws, [adj.title, adj.basis or "未注明", adj.decided, adj.published, adj.effective, adj.counts_text])
    kinds = result.kinds_shown
    ws.append([])
    _header(ws, ws.max_row + 1, ["清单"] + [KINDS[k] for k in kinds])
    for _, title, counts in result.summary_by_list():
        _append(ws, [title] + [counts[k] for k in kinds])
    ws.append([])
    _header(ws, ws.max_row + 1, ["部门"] + [KINDS[k] for k in kinds])
    for _, name, counts in result.summary_by_department():
        _append(ws, [name] + [counts[k] for k in kinds])
    ws.append([])
    _header(ws, ws.max_row + 1, ["审核提示", "清单", "编码", "事项名称", "原因"])
    for item, flag in result.flagged():
        _append(ws, [flag.label, result.list_title(item.list_id), item.code, item.name, flag.message])
    for col, w in zip("ABCDEF", (16, 30, 30, 28, 60, 20), strict=True):
        ws.column_dimensions[col].width = w
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = WRAP


def _item_rows(result: DiffResult, item: ItemDiff) -> list[list]:
    dept = result.department_name(item.department)
    if item.old_department:
        dept = f"{result.department_name(item.old_department)} → {dept}"
    flags = "\n".join(f"【{f.label}】{f.message}" for f in item.flags)
    base = [item.kind_labels, dept, item.code, item.old_code, item.name]
    rows: list[list] = []
    for _, label, text in item.fields:
        old, new = (text, "") if item.status == "removed" else ("", text)
        rows.append(base + [label, old, new])
    for change in item.changes:
        rows.append(base + [change.label, rich(change.segments, "old"), rich(change.segments, "new")])
    for change in item.format_changes:
        rows.append([KINDS["format"], *base[1:], change.label, change.old, change.new])
    if not rows:
        rows.append(base + ["", "", ""])
    rows[0].append(flags)
    return rows


def render(result: DiffResult) -> bytes:
    wb = Workbook()
    summary = wb.active
    used: set[str] = set()
    summary.title = sheet_title("汇总", used)
    _summary(summary, result)
    for list_id, title in result.lists:
        items = result.items_of(list_id)
        if not items:
            continue
        ws = wb.create_sheet(sheet_title(title, used))
        _header(ws, 1, HEADER)
        ws.freeze_panes = "A2"
        for col, w in enumerate(WIDTHS, start=1):
            ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = w
        row = 1  # counted here: Worksheet.max_row scans every cell, which is quadratic over a sheet
        for item in items:
            for values in _item_rows(result, item):
                row += 1
                _append(ws, values, row)
                for col in range(1, len(values) + 1):
                    ws.cell(row=row, column=col).alignment = WRAP
                if len(values) == len(HEADER) and values[-1]:
                    ws.cell(row=row, column=len(HEADER)).fill = FLAG_FILL
        ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(HEADER)).column_letter}{row}"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
