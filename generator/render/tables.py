"""Tables that read as cards on a phone: every body cell carries its column's name.

On a narrow screen each row of a `.qd-table` becomes a card whose cells begin with their
`data-label` (qingdan.css). Writing the label by hand beside every cell is how the 统计 tables came
to show a bare "：" before each number, so the labels are taken here from the table's own header
row, for every table any template writes: a template writes a plain table and gets the cards.
A cell that already has a `data-label` keeps it (a row of field and value names the value by its
field); a row's header cell (`<th scope="row">`, such as 合计) is the card's heading and gets none,
nor does a cell spanning several columns (a group heading such as 主项).

A table wider than the page scrolls inside its `.qd-table-wrap`; a region that scrolls must be
reachable from the keyboard (WCAG 2.1.1), so the wrap becomes a focusable region named by the
table's caption (or, without one, by its column names).
"""

from __future__ import annotations

import re

_TABLE = re.compile(r'(<div class="qd-table-wrap"([^>]*)>\s*)?<table class="qd-table\b.*?</table>', re.S)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.S)
_THEAD = re.compile(r"<thead\b.*?</thead>", re.S)
_HEAD_CELL = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_TBODY = re.compile(r"<tbody\b.*?</tbody>", re.S)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
_CELL = re.compile(r"<(td|th)\b([^>]*)>")  # th counts for the columns but is not labelled
_SPAN = re.compile(r'\bcolspan="?(\d+)')
_TAG = re.compile(r"<[^>]*>")


def _span(attrs: str) -> int:
    found = _SPAN.search(attrs)
    return int(found.group(1)) if found else 1


def _text(html: str) -> str:
    """Markup as the value of an attribute: tags removed, white space collapsed (entities stay)."""
    return " ".join(_TAG.sub("", html).split()).replace('"', "&quot;")


def _headers(table: str) -> list[str]:
    """The column names of the header row, one per column (a spanning header counts for each)."""
    head = _THEAD.search(table)
    names: list[str] = []
    for attrs, text in _HEAD_CELL.findall(head.group(0) if head else ""):
        names.extend([_text(text)] * _span(attrs))
    return names


def _wrap(opening: str, attrs: str, table: str, names: list[str]) -> str:
    if "tabindex=" in attrs:
        return opening
    caption = _CAPTION.search(table)
    name = _text(caption.group(1)) if caption else "表格：" + "、".join(dict.fromkeys(n for n in names if n))
    return opening.replace(f'<div class="qd-table-wrap"{attrs}>',
                           f'<div class="qd-table-wrap"{attrs} role="region" tabindex="0" aria-label="{name}">', 1)


def _label_row(row: str, names: list[str]) -> str:
    column = 0
    out: list[str] = []
    last = 0
    for match in _CELL.finditer(row):
        tag, attrs = match.groups()
        span = _span(attrs)
        if tag == "td" and span == 1 and "data-label=" not in attrs and column < len(names) and names[column]:
            out.append(row[last:match.start()])
            out.append(f'<{tag} data-label="{names[column]}"{attrs}>')
            last = match.end()
        column += span
    out.append(row[last:])
    return "".join(out)


def _label_table(match: re.Match[str]) -> str:
    opening, attrs = match.group(1) or "", match.group(2) or ""
    table = match.group(0)[len(opening):]
    names = _headers(table)
    if opening:
        opening = _wrap(opening, attrs, table, names)
    if names:
        table = _TBODY.sub(lambda body: _ROW.sub(lambda row: _label_row(row.group(0), names), body.group(0)), table)
    return opening + table


def label_card_cells(html: str) -> str:
    """`html` with a `data-label` (its column's name) on every body cell of every `.qd-table`."""
    if "qd-table" not in html:
        return html
    return _TABLE.sub(_label_table, html)
