"""Pages made from the change history: the adjustment log, per-department logs, tombstones.

A removed item keeps its address: its page says when and why it was cancelled and shows what it
last said, so links in old documents still answer.
"""

from __future__ import annotations

from typing import Any

from generator.model import Item
from generator.render import feeds
from generator.render.pages import Page, PageBuilder

EVENTS_SHOWN_PER_ADJUSTMENT = 60
# An adjustment with more events than this (a re-import, a reorganisation) lists the rest per
# department, on the departments' own pages: at 10,000 events the one page was 2.2·10⁶ bytes on a
# phone, and every later adjustment republished it.
EVENTS_LISTED_AT_MOST = 300


def build_history_pages(builder: PageBuilder, history: Any) -> list[Page]:
    config = builder.config
    pages = [_log_page(builder, history)]
    for department in config.departments:
        path = f"adjustments/{department.code}/"
        events = history.by_department(department.code)
        feed = feeds.department_feed_link(department)
        body = builder._render("adjustments_department.html", path, department=department, events=events, feed=feed)
        pages.append(Page(path, f"{department.short_name}的动态调整", body, "adjustments",
                          crumbs=[("首页", ""), ("动态调整", "adjustments/")],
                          meta=builder._column_meta(f"{department.name}动态调整",
                                                    f"{department.name}清单的每一次调整", "动态调整"), feed=feed))
    mains = {main.path for main in builder.catalog.main_items()}
    unlisted = {item.key for item, _ in builder.now.unlisted} if builder.now is not None else set()
    for removed in history.removed_items:
        if builder.catalog.get(removed.list_id, removed.code) is not None or f"{removed.list_id}/{removed.code}" in unlisted:
            continue  # the code is in use again (or will be, or was until its 有效期至): that item's page wins
        if f"{removed.list_id}/{removed.code}/" in mains:
            continue  # an item split into 子项: its address is now its 主项 page, which they link to
        pages.append(_tombstone(builder, history, removed))
    return pages


def _log_page(builder: PageBuilder, history: Any) -> Page:
    path = "adjustments/"
    # Its feed is the site's, which every page's <head> links already (generator/theme/main.html).
    body = builder._render("adjustments.html", path, history=history, shown=EVENTS_SHOWN_PER_ADJUSTMENT,
                           listed_at_most=EVENTS_LISTED_AT_MOST,
                           department_counts=lambda events: _department_counts(builder.config, events),
                           feed=feeds.site_feed_link(builder.config.portal.site_name))
    return Page(path, "动态调整", body, "adjustments", nav=True,
                meta=builder._column_meta("动态调整", "清单的新增、取消、变更及其依据和生效日期", "动态调整"))


def _department_counts(config: Any, events: list[Any]) -> list[tuple[Any, int]]:
    """(department, number of events) in the configuration's order: where a long adjustment's
    events are listed in full (the departments' 动态调整 pages)."""
    counts: dict[str, int] = {}
    for event in events:
        counts[event.department] = counts.get(event.department, 0) + 1
    return [(d, counts[d.code]) for d in config.departments if d.code in counts]


def _successor(builder: PageBuilder, removed: Any) -> Item | None:
    """The item a removed code was changed to (改码), which its tombstone links by name."""
    if removed.event.code and removed.event.code != removed.code:
        return builder.catalog.get(removed.list_id, removed.event.code)
    return None


def current_parts(builder: PageBuilder, history: Any) -> list[str]:
    """What these pages show of the lists as they are now, as text for their key: which items exist
    and where (a code in use again has no tombstone) and each tombstone's successor's name. Not
    every item's name: a rename renders these pages again only when a tombstone shows it."""
    parts = [f"{i.list_id}/{i.code}\0{i.department}" for i in builder.catalog.items()]
    for removed in history.removed_items:
        successor = _successor(builder, removed)
        if successor is not None:
            parts.append(f"{removed.list_id}/{removed.code}>{successor.code}\0{successor.name}")
    return parts


def _tombstone(builder: PageBuilder, history: Any, removed: Any) -> Page:
    path = f"{removed.list_id}/{removed.code}/"
    item = Item(list_id=removed.list_id, department=removed.department, code=removed.code,
                data=dict(removed.data))
    list_type = builder.config.list_type(removed.list_id)
    department = builder.config.department(removed.department)
    successor = _successor(builder, removed)
    events = history.by_item(removed.list_id, removed.code)
    feed = feeds.item_feed_link(item, events, builder.config)
    body = builder._render(
        "removed.html", path, item=item, list_type=list_type, department=department, removed=removed,
        successor=successor, disclosures=builder.disclosure_rows(item), events=events, feed=feed,
        currency=builder.currency([removed.event]), status=f"已{removed.event.kind}",
    )
    return Page(path, f"{removed.name}（已{removed.event.kind}）", body, "removed",
                meta={"ArticleTitle": removed.name, "PubDate": removed.event.date[:16].replace("T", " "),
                      "ContentSource": department.name if department else ""}, feed=feed)
