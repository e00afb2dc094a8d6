"""按日期查看 (/as-of/): the page that shows the lists as they stood on any day.

The page itself is a form and an empty results region: assets/qingdan/as-of.js fills it from the
static API (generator/api/), so a day's list costs the visitor one list file, and an item's values
on that day one item file. Rendered only for a site with its history (without it there is one day).
"""

from __future__ import annotations

from typing import Any

from generator.render.pages import Page, PageBuilder

PATH = "as-of/"
TITLE = "按日期查看"


def as_of_page(builder: PageBuilder, history: Any) -> Page:
    body = builder._render("as_of.html", PATH, first_published=getattr(history, "first_published", ""))
    return Page(PATH, TITLE, body, "as-of", nav=True,
                meta=builder._column_meta(TITLE, "任一日期施行的清单及两个日期之间的变化", "动态调整"))
