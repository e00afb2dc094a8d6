"""Bar charts as inline SVG, drawn at build time: no chart script, no outside request.

Each chart carries a <title> and a <desc> (the text summary), draws in `currentColor` so that it
follows the page's text colour (high contrast, print), and writes every value as text beside its
bar, so colour is never the only signal. The data table is rendered beside it by the template.
A label too long for its column is wrapped over several lines, never cut: a reader must be able
to tell which list or department a bar is.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, LABEL_WIDTH, ROW, PAD = 520, 150, 30, 8
LINE_CHARS, LINE_HEIGHT = 9, 17  # CJK characters that fit the label column at 15 px; one more line's height


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def label_lines(label: str) -> list[str]:
    """The label in lines of at most LINE_CHARS characters, balanced (6 + 6, not 9 + 3)."""
    count = max(1, -(-len(label) // LINE_CHARS))
    size = -(-len(label) // count)
    return [label[i:i + size] for i in range(0, len(label), size)] or [""]


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, float]], unit: str, summary: str) -> Markup:
    """A horizontal bar chart: one row per (label, value)."""
    lines = [label_lines(label) for label, _ in rows]
    heights = [ROW + LINE_HEIGHT * (len(ls) - 1) for ls in lines] or [ROW]
    height = PAD * 2 + sum(heights)
    top = max((v for _, v in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 110
    parts = [
        f'<svg class="qd-chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(summary)}</desc>',
    ]
    y = PAD
    for (_, value), label, row in zip(rows, lines, heights, strict=False):
        width = max(1.0, span * value / top) if value else 0
        middle = y + row / 2 + 5
        first = middle - LINE_HEIGHT * (len(label) - 1) / 2
        spans = "".join(f'<tspan x="{LABEL_WIDTH - 8}" y="{first + LINE_HEIGHT * n:.0f}">{escape(line)}</tspan>'
                        for n, line in enumerate(label))
        parts.append(
            f'<text text-anchor="end" class="qd-chart-label">{spans}</text>'
            f'<rect class="qd-chart-bar" x="{LABEL_WIDTH}" y="{y + row / 2 - (ROW - 8) / 2:.0f}" width="{width:.1f}" height="{ROW - 8}"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{middle:.0f}" class="qd-chart-value">'
            f'{escape(_number(value))}{escape(unit)}</text>'
        )
        y += row
    parts.append("</svg>")
    return Markup("".join(parts))
