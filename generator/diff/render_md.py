"""The review as Markdown for a pull-request comment: flags first, a summary table, details folded.

GitHub renders <del>, <ins>, <details> and <summary> inside Markdown. A comment may hold at most
65,536 characters, so item details stop at `limit` characters with a note; flags and the summary
always come first and are complete.
"""

from __future__ import annotations

import html

from generator.diff.result import KINDS, DiffResult, ItemDiff
from generator.diff.textdiff import Segment

DEFAULT_LIMIT = 60_000
LONG_DIFF = 400  # characters of changed text above which an item's table is folded


def esc(text: str) -> str:
    """Text safe in a Markdown table cell (HTML entities, no Markdown emphasis, <br> for new lines)."""
    text = html.escape(text, quote=False).replace("|", "&#124;")
    for ch in "\\`*_[]~#":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "<br>")


def segments_md(segments: list[Segment]) -> str:
    out = []
    for s in segments:
        if s.op == "equal":
            out.append(esc(s.new))
            continue
        if s.old:
            out.append(f"<del>{esc(s.old)}</del>")
        if s.new:
            out.append(f"<ins>{esc(s.new)}</ins>")
    return "".join(out) or "（空）"


def render(result: DiffResult, limit: int = DEFAULT_LIMIT) -> str:
    head = _header(result)
    if result.empty:
        return "\n".join(head + ["", "两个版本的清单内容相同，没有需要审核的调整。", ""])
    head += _flags(result) + _summary(result)
    return "\n".join(head + _details(result, limit - sum(len(x) + 1 for x in head))) + "\n"


def _header(result: DiffResult) -> list[str]:
    """The two versions, the scope of the review and the notes."""
    head = [f"## 清单调整审核：{esc(result.a.title)} → {esc(result.b.title)}", ""]
    for label, v in (("A（原版本）", result.a), ("B（新版本）", result.b)):
        details = "，".join(esc(x) for x in (v.date, v.subject) if x)
        head.append(f"- **{label}**：{esc(v.title)}" + (f"（{details}）" if details else ""))
    if result.list_filter or result.department_filter:
        scope = "，".join(x for x in (
            result.list_title(result.list_filter) if result.list_filter else "",
            result.department_name(result.department_filter) if result.department_filter else "") if x)
        head.append(f"- **范围**：{esc(scope)}")
    for note in result.notes:
        head += ["", f"> **注意**：{esc(note)}"]
    return head + _adjustments(result)


def _adjustments(result: DiffResult) -> list[str]:
    """The adjustments made between A and B, oldest first, with their 文号 and dates."""
    if not result.adjustments:
        return []
    rows = [[esc(a.title), esc(a.basis or "未注明"), a.decided or "—", a.published or "—", a.effective or "—",
             esc(a.counts_text or "—")] for a in result.adjustments]
    return ["", f"### 期间的调整（{len(result.adjustments)} 次）", "",
            _table(["调整", "调整依据", "决定日期", "发布日期", "生效日期", "事项"], rows, numeric=False)]


def _flags(result: DiffResult) -> list[str]:
    flagged = result.flagged()
    out = ["", f"### 审核提示（{len(flagged)}）", ""]
    if not flagged:
        return [*out, "没有发现需要特别注意的问题。"]
    counts = {fid: n for fid, n in result.flag_counts().items() if n}
    out.append("，".join(f"**{esc(result.flag_labels[fid])}** {n} 项" for fid, n in counts.items()))
    out.append("")
    for item, flag in flagged:
        out.append(f"- ⚠️ **{esc(flag.label)}**｜{esc(result.list_title(item.list_id))} "
                   f"`{item.code}` {esc(item.name)}：{esc(flag.message)}")
    return out


def _summary(result: DiffResult) -> list[str]:
    kinds = result.kinds_shown
    out = ["", "### 汇总", "", _table(["清单"] + [KINDS[k] for k in kinds],
                                       [[esc(t)] + [str(c[k]) for k in kinds]
                                        for _, t, c in result.summary_by_list()])]
    out += ["", "<details><summary>按部门统计</summary>", "",
            _table(["部门"] + [KINDS[k] for k in kinds],
                   [[esc(n)] + [str(c[k]) for k in kinds] for _, n, c in result.summary_by_department()]),
            "", "划转的事项在原部门和新部门各计一次。", "", "</details>"]
    return out


def _details(result: DiffResult, room: int) -> list[str]:
    """Each list's items, until `room` characters are used; then a note says how many are left out."""
    body: list[str] = []
    size = shown = 0
    for list_id, title in result.lists:
        items = result.items_of(list_id)
        for index, item in enumerate(items):
            block = (["", f"### {esc(title)}"] if index == 0 else []) + _item(result, item)
            block_size = sum(len(x) + 1 for x in block)
            if size + block_size > room - 200:  # room for the note below
                rest = len(result.items) - shown
                return [*body, "", f"> 报告过长，其余 {rest} 项未在此显示；请查看完整的 HTML 或 Excel 审核报告。"]
            body += block
            size += block_size
            shown += 1
    return body


def _table(header: list[str], rows: list[list[str]], numeric: bool = True) -> str:
    align = " ---: " if numeric else " --- "
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([" --- "] + [align] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _item(result: DiffResult, item: ItemDiff) -> list[str]:
    title = f"**{esc(item.kind_labels)}** `{item.code}` {esc(item.name)} — {esc(result.department_name(item.department))}"
    lines = ["", title]
    if item.old_code:
        lines[-1] += f"（原编码 `{item.old_code}`）"
    for flag in item.flags:
        hint = f"（{esc(flag.hint)}）" if flag.hint else ""
        lines.append(f"> ⚠️ **{esc(flag.label)}**：{esc(flag.message)}{hint}  ")
    if item.fields:
        lines += ["", "<details><summary>事项全部内容</summary>", "",
                  _table(["字段", "内容"], [[esc(label), esc(text)] for _, label, text in item.fields], numeric=False),
                  "", "</details>"]
    if item.changes:
        table = _table(["字段", "修改（<del>删除</del> <ins>新增</ins>）"],
                       [[esc(c.label), segments_md(c.segments)] for c in item.changes], numeric=False)
        if sum(len(c.old) + len(c.new) for c in item.changes) > LONG_DIFF:
            lines += ["", f"<details><summary>{len(item.changes)} 个字段的修改（内容较长，点击展开）</summary>",
                      "", table, "", "</details>"]
        else:
            lines += ["", table]
    if item.format_changes:
        lines += ["", "格式调整（内容未变）：" + "、".join(esc(c.label) for c in item.format_changes)]
    return lines
