"""Bar charts as inline SVG, drawn at build time: no chart script, no outside request.

Each chart carries a <title> and a <desc> (the text summary), draws in `currentColor` so that it
follows the page's text colour (high contrast, print), and writes every value as text beside its
bar, so colour is never the only signal. The data table is rendered beside it by the template.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, LABEL_WIDTH, ROW, PAD = 520, 150, 30, 8


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, float]], unit: str, summary: str) -> Markup:
    """A horizontal bar chart: one row per (label, value)."""
    height = PAD * 2 + ROW * max(1, len(rows))
    top = max((v for _, v in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 110
    parts = [
        f'<svg class="qd-chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(summary)}</desc>',
    ]
    for n, (label, value) in enumerate(rows):
        y = PAD + n * ROW
        width = max(1.0, span * value / top) if value else 0
        shown = label if len(label) <= 9 else label[:8] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW / 2 + 5:.0f}" text-anchor="end" class="qd-chart-label">'
            f'{escape(shown)}</text>'
            f'<rect class="qd-chart-bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + ROW / 2 + 5:.0f}" class="qd-chart-value">'
            f'{escape(_number(value))}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
