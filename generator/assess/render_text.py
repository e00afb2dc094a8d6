"""The assessment for the terminal: findings per department, then counts per rule."""

from __future__ import annotations

from generator.assess.engine import SCORE_FORMULA, Assessment
from generator.rules import LEVEL_LABELS, RULES


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def render(result: Assessment) -> str:
    lines = [f"清单评估（{result.site_name}，{result.as_of}）"]
    lines += [f"注意：{note}" for note in result.notes]
    current = None
    for f in result.findings:
        if f.department != current:
            current = f.department
            lines += ["", f"━━ {f.department_name} ━━"]
        lines.append(f"{f.where}: {LEVEL_LABELS[f.level]}［{f.list}/{f.code}］{f.name}：{f.label}：{f.message}")
        if f.quote:
            quote = f.quote if len(f.quote) <= 120 else f.quote[:119] + "…"
            lines.append("    原文：" + quote.replace("\n", " "))
        if f.hint:
            lines.append(f"    提示：{f.hint}")
    lines += ["", "按规则：" if result.findings else "没有发现问题。"]
    for rule, n in result.counts().items():
        if n:
            lines.append(f"  {RULES[rule].label}（{rule}）：{n}")
    lines += ["", "按部门：事项 / 问题 / 公开完整度 / 规范度"]
    for d in [*result.departments, result.total]:
        lines.append(f"  {d.name}：{d.items} / {d.findings} / {_pct(d.completeness)} / {_pct(d.score)}")
    levels = result.level_counts()
    lines += [SCORE_FORMULA,
              f"合计：错误 {levels['error']}，警告 {levels['warning']}，提示 {levels['notice']}。"]
    return "\n".join(lines) + "\n"
