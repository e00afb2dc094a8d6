"""按日期查看 (/as-of/): the page that shows the lists as they stood on any day.

The page itself is a form and an empty results region: assets/qingdan/as-of.js fills it from the
static API (generator/api/), so a day's list costs the visitor one list file, and an item's values
on that day one item file. Rendered only for a site with its history (without it there is one day).
"""

from __future__ import annotations

from generator.render.pages import Page, PageBuilder

PATH = "as-of/"
TITLE = "按日期查看"


def as_of_page(builder: PageBuilder) -> Page:
    """The form has no min date: a day before the first publication is answered in words (as-of.js),
    not by the browser's own validation message, which may not be in Chinese."""
    body = builder._render("as_of.html", PATH)
    return Page(PATH, TITLE, body, "as-of", nav=True,
                meta=builder._column_meta(TITLE, "任一日期施行的清单及两个日期之间的变化", "动态调整"))
