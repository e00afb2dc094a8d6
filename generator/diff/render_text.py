"""The review for a terminal: plain text, ANSI colour only when asked (stdout is a tty)."""

from __future__ import annotations

import unicodedata

from generator.diff.result import KINDS, DiffResult, FieldChange, ItemDiff
from generator.diff.textdiff import Segment

RED, GREEN, YELLOW, BOLD, DIM, STRIKE, UNDERLINE, RESET = (
    "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[9m", "\x1b[4m", "\x1b[0m",
)
STATUS_TITLES = {"added": "新增", "removed": "取消", "changed": "变更"}


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, cols: int, right: bool = False) -> str:
    gap = " " * max(0, cols - width(text))
    return gap + text if right else text + gap


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    cols = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(pad(c, cols[i], i > 0) for i, c in enumerate(header)).rstrip()]
    lines += ["  ".join(pad(c, cols[i], i > 0) for i, c in enumerate(r)).rstrip() for r in rows]
    return lines


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *codes: str) -> str:
        return "".join(codes) + text + RESET if self.color and text else text

    def segments(self, segments: list[Segment]) -> str:
        out = []
        for s in segments:
            if s.op == "equal":
                out.append(s.new)
                continue
            if s.old:
                out.append(self(s.old, RED, STRIKE) if self.color else f"[-{s.old}-]")
            if s.new:
                out.append(self(s.new, GREEN, UNDERLINE) if self.color else f"{{+{s.new}+}}")
        return "".join(out)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def render(result: DiffResult, color: bool = False) -> str:
    st = _Style(color)
    out = _header(result, st)
    if result.empty:
        out.append("\n两个版本的清单内容相同，没有需要审核的调整。")
        return "\n".join(out) + "\n"
    out += _summary(result, st) + _flags(result, st)
    for list_id, title in result.lists:
        items = result.items_of(list_id)
        if not items:
            continue
        out.append("\n" + st(f"━━ {title} ━━", BOLD))
        for item in items:
            out += _item(result, item, st)
    return "\n".join(out) + "\n"


def _header(result: DiffResult, st: _Style) -> list[str]:
    """The two versions, the scope of the review and the notes."""
    out = [st(f"清单调整审核：{result.a.title} → {result.b.title}", BOLD)]
    for label, v in (("A", result.a), ("B", result.b)):
        details = "，".join(x for x in (v.date, v.subject, v.author) if x)
        if details:
            out.append(f"  {label}：{v.title}（{details}）")
    filters = [f"清单 {result.list_title(result.list_filter)}" if result.list_filter else "",
               f"部门 {result.department_name(result.department_filter)}" if result.department_filter else "",
               "不显示格式调整" if result.ignore_format else ""]
    if any(filters):
        out.append("  范围：" + "，".join(f for f in filters if f))
    out += [st(f"注意：{note}", YELLOW) for note in result.notes]
    return out + _adjustments(result, st)


def _adjustments(result: DiffResult, st: _Style) -> list[str]:
    """The adjustments made between A and B, oldest first, with their 文号 and dates."""
    if not result.adjustments:
        return []
    out = ["\n" + st(f"期间的调整（{len(result.adjustments)} 次）", BOLD)]
    for adj in result.adjustments:
        basis = f"（{adj.basis}）" if adj.basis else "（未注明调整依据）"
        out.append(f"  {adj.record_date}  {adj.title}{basis}")
        out.append(f"    {adj.dates_text}" + (f"；{adj.counts_text}" if adj.counts_text else ""))
    return out


def _summary(result: DiffResult, st: _Style) -> list[str]:
    kinds = result.kinds_shown
    out = ["\n" + st("汇总", BOLD)]
    rows = [[title] + [str(c[k]) for k in kinds] for _, title, c in result.summary_by_list()]
    out += ["  " + line for line in table(["清单"] + [KINDS[k] for k in kinds], rows)]
    rows = [[name] + [str(c[k]) for k in kinds] for _, name, c in result.summary_by_department()]
    out += ["", "  按部门（划转的事项在原部门和新部门各计一次）"]
    out += ["  " + line for line in table(["部门"] + [KINDS[k] for k in kinds], rows)]
    return out


def _flags(result: DiffResult, st: _Style) -> list[str]:
    flagged = result.flagged()
    out = ["\n" + st(f"审核提示（{len(flagged)}）", BOLD)]
    if not flagged:
        out.append("  无")
    for item, flag in flagged:
        out.append("  " + st(f"[{flag.label}]", YELLOW) +
                   f" {result.list_title(item.list_id)} {item.code} {item.name}：{flag.message}")
    return out


def _item(result: DiffResult, item: ItemDiff, st: _Style) -> list[str]:
    color = {"added": GREEN, "removed": RED}.get(item.status, YELLOW)
    head = f"{item.kind_labels} {item.code} {item.name}（{result.department_name(item.department)}）"
    lines = ["", "  " + st(head, BOLD, color)]
    for flag in item.flags:
        lines.append("    " + st(f"⚑ [{flag.label}] {flag.message}", YELLOW))
        if flag.hint:
            lines.append(f"      提示：{flag.hint}")
    for _, label, text in item.fields:
        lines.append(_indent(f"{label}：{text}", "    "))
    for change in item.changes:
        lines += _change(change, st)
    if item.format_changes:
        lines.append("    " + st("格式调整（内容未变）：", DIM) + "、".join(c.label for c in item.format_changes))
    return lines


def _change(change: FieldChange, st: _Style) -> list[str]:
    lines = [f"    {change.label}："]
    if "\n" in change.old or "\n" in change.new or max(width(change.old), width(change.new)) > 60:
        lines.append(_indent(change.old or "（空）", "      - "))
        lines.append(_indent(change.new or "（空）", "      + "))
    lines.append(_indent(st.segments(change.segments) or "（空）", "      "))
    return lines
