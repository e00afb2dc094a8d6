"""Atom and JSON feeds of the adjustments, where people follow things: the whole site (feed.xml,
and feed.json for programs), each list, each department, and each item that has a history.

An adjustment is one entry. One whose 生效日期 falls after its record date is two: an entry when it
is approved and published (已批准调整, dated by its record) and, once the build's as-of date reached
the 生效日期, an entry when it takes effect (调整施行, dated by that day). Ids come from the
adjustment's anchor (adj-<day>-<seq>, as on the 动态调整 page) and the feed's page, never from a
commit, so an entry keeps its id from build to build and a reader never shows it twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.fieldtypes import plain_text
from generator.history import ADDED, RECODED, REMOVED, RENAMED, TRANSFERRED
from generator.render.env import change_view

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
SITE_FEED = "feed.xml"
SITE_JSON_FEED = "feed.json"
FEED_FILE = "feed.xml"  # beside the page it follows
# Characters XML 1.0 does not allow: one in a commit message made the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
APPROVED, EFFECTIVE = "已批准调整", "调整施行"


def list_feed_path(list_id: str) -> str:
    return f"{list_id}/{FEED_FILE}"


def department_feed_path(code: str) -> str:
    return f"departments/{code}/{FEED_FILE}"


def item_feed_path(list_id: str, code: str) -> str:
    return f"{list_id}/{code}/{FEED_FILE}"


@dataclass(frozen=True)
class FeedLink:
    """A page's own feed: where it is (from the site root) and what the page calls it."""

    path: str
    label: str  # the visible link, e.g. 订阅本事项的调整（Atom）
    title: str  # <link rel="alternate" title>: the feed's title


def site_feed_link(site_name: str) -> FeedLink:
    return FeedLink(SITE_FEED, "订阅全部调整（Atom）", f"{site_name} · 动态调整")


def item_feed_link(item: Any, events: list[Any], config: Any) -> FeedLink | None:
    """An item page's feed: the item's own when it has a history, else its department's (an item
    never adjusted gets no empty feed of its own; who follows it is told of its first change
    through the department's feed)."""
    if events:
        return FeedLink(item_feed_path(item.list_id, item.code), "订阅本事项的调整（Atom）",
                        f"{item.name or item.code} · 调整记录")
    department = config.department(item.department)
    return department_feed_link(department) if department is not None else None


def department_feed_link(department: Any) -> FeedLink:
    return FeedLink(department_feed_path(department.code), "订阅本部门的调整（Atom）", f"{department.name} · 动态调整")


def list_feed_link(list_type: Any) -> FeedLink:
    return FeedLink(list_feed_path(list_type.id), "订阅本清单的调整（Atom）", f"{list_type.title} · 动态调整")


# -- entries ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stage:
    """One moment of an adjustment a feed announces."""

    suffix: str  # of the entry id: "", "-approved" or "-effective"
    prefix: str  # of the entry title: "", 已批准调整 or 调整施行
    updated: str  # RFC 3339


def _rfc3339(date: str) -> str:
    return date if len(date) > 10 else f"{date}T00:00:00+08:00"


def stages(adjustment: Any, as_of: str) -> list[Stage]:
    """The entries an adjustment gives on the day `as_of` (YYYY-MM-DD): one, or — when its 生效日期
    falls after its record date — one when approved and one more once `as_of` reached the 生效日期."""
    effective = adjustment.effective
    if not effective or effective <= adjustment.day:
        return [Stage("", "", _rfc3339(adjustment.when))]
    out = [Stage("-approved", APPROVED, _rfc3339(adjustment.when))]
    if effective <= as_of:
        out.append(Stage("-effective", EFFECTIVE, _rfc3339(effective)))
    return out


def takes_effect(adjustment: Any, as_of: str) -> bool:
    """Whether `as_of` gives the adjustment its second (调整施行) entry: what a feed's key must know."""
    return len(stages(adjustment, as_of)) > 1


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: str
    link: str
    summary: str


@lru_cache(maxsize=4096)
def _time(rfc3339: str) -> dt.datetime:
    return dt.datetime.fromisoformat(rfc3339)


def _sort_key(entry: Entry) -> tuple[dt.datetime, str]:
    return _time(entry.updated), entry.id


def newest(entries: Iterable[Entry], size: int | None = None) -> list[Entry]:
    ordered = list(entries)
    if len(ordered) > 1:  # most item feeds have one entry (the import)
        ordered.sort(key=_sort_key, reverse=True)
    return ordered if size is None else ordered[:size]


def _stage_title(stage: Stage, day: str, title: str) -> str:
    return f"{stage.prefix} {day} {title}" if stage.prefix else f"{day} {title}"


def _basis_text(adjustment: Any) -> str:
    return f"调整依据：{adjustment.basis}" if adjustment.has_basis else "未注明调整依据"


def _when_text(stage: Stage, adjustment: Any) -> str:
    if stage.suffix == "-approved":
        return f"已批准，自 {adjustment.effective} 起施行"
    if stage.suffix == "-effective":
        return f"自 {adjustment.effective} 起施行"
    return f"生效日期：{adjustment.effective}" if adjustment.effective else ""


def _names(events: list[Any], shown: int = 10) -> str:
    """What an adjustment did in one scope: each item with its kind and, when changed, the fields."""
    parts = []
    for event in events[:shown]:
        fields = "、".join(c.label for c in event.changes)
        parts.append(f"{event.kind}：{event.name}" + (f"（{fields}）" if fields else ""))
    more = f" 等 {len(events)} 项" if len(events) > shown else ""
    return "；".join(parts) + more


def adjustment_summary(adjustment: Any, events: list[Any], stage: Stage) -> str:
    """An adjustment as one scope sees it (the site, a list, a department): counts, basis, dates."""
    counts = dict.fromkeys(adjustment.counts, 0)
    for event in events:
        counts[event.kind] += 1
    counted = "，".join(f"{kind} {n} 项" for kind, n in counts.items() if n)
    when = _when_text(stage, adjustment)
    if stage.suffix == "-effective":
        return f"{when}：{counted}。{_basis_text(adjustment)}。涉及：{_names(events)}。"
    return f"{counted}。{_basis_text(adjustment)}{'；' + when if when else ''}。涉及：{_names(events)}。"


def _value_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    return plain_text(value) or "（空）"


def change_text(change: Any) -> str:
    """One field change as the item page's 调整记录 reads it (generator/render/changeview.py), in
    words: a long text shows what changed with a little context, never the whole text."""
    view = change_view(change.old, change.new)
    if view is None:
        return f"{change.label}：{_value_text(change.old)} → {_value_text(change.new)}"
    if view.pieces:
        marks = {"insert": "〔新增：{}〕", "delete": "〔删除：{}〕"}
        text = "".join(f"〔未改动的 {p.count} 字〕" if p.op == "cut" else marks.get(p.op, "{}").format(p.text)
                       for p in view.pieces)
    elif not view.old.strip():
        text = f"新增 {len(view.new)} 字"
    elif not view.new.strip():
        text = f"删除全部 {len(view.old)} 字"
    else:
        text = f"改动较多（删除 {view.deleted} 字，新增 {view.inserted} 字），全文见事项页面"
    return f"{change.label}：{text}"


def _kind_text(event: Any, config: Any) -> str:
    list_type = config.list_type(event.list_id)
    list_title = list_type.title if list_type else event.list_id
    if event.kind == ADDED:
        return f"本事项列入{list_title}"
    if event.kind == REMOVED:
        return f"本事项从{list_title}中取消"
    if event.kind == RENAMED:
        return f"原名：{event.old_name}，现名：{event.name}"
    if event.kind == RECODED:
        return f"原编码：{event.old_code}，现编码：{event.code}"
    if event.kind == TRANSFERRED:
        before, after = config.department(event.old_department), config.department(event.department)
        return f"由{before.name if before else event.old_department}划转至{after.name if after else event.department}"
    return ""


def event_summary(event: Any, adjustment: Any, stage: Stage, config: Any) -> str:
    """One item's change in one adjustment, field by field."""
    parts = [t for t in (_kind_text(event, config), *(change_text(c) for c in event.changes)) if t]
    when = _when_text(stage, adjustment)
    what = "。".join(parts)
    if stage.suffix == "-effective":
        return f"{when}：{what}。{_basis_text(adjustment)}。"
    return f"{what}。{_basis_text(adjustment)}{'；' + when if when else ''}。"


def adjustment_entries(adjustments: Iterable[tuple[Any, list[Any]]], base: str, log_url: str, as_of: str,
                       size: int = FEED_SIZE) -> list[Entry]:
    """The newest `size` entries of adjustments as one scope sees them: (adjustment, its events in
    the scope). base: the scope's page URL (ids are base#anchor); log_url: the 动态调整 page, where
    each entry leads. Only the entries kept are summarised (a department has hundreds)."""
    moments = [(_time(stage.updated), f"{base}#{adjustment.anchor}{stage.suffix}", stage, adjustment, events)
               for adjustment, events in adjustments for stage in stages(adjustment, as_of)]
    moments.sort(key=lambda m: (m[0], m[1]), reverse=True)
    return [Entry(entry_id, _stage_title(stage, _stage_day(stage, adjustment), adjustment.title), stage.updated,
                  f"{log_url}#{adjustment.anchor}", adjustment_summary(adjustment, events, stage))
            for _, entry_id, stage, adjustment, events in moments[:size]]


def _stage_day(stage: Stage, adjustment: Any) -> str:
    return adjustment.effective if stage.suffix == "-effective" else adjustment.day


def item_entries(events: list[Any], adjustments: dict[int, Any], page_url: str, config: Any, as_of: str) -> Iterator[Entry]:
    """Every entry of one item's feed: each of its events, at each of its adjustment's stages."""
    for event in events:
        adjustment = adjustments.get(event.seq)
        if adjustment is None:
            continue
        for stage in stages(adjustment, as_of):
            title = _stage_title(stage, _stage_day(stage, adjustment), f"{event.kind}：{event.name}")
            yield Entry(f"{page_url}#{adjustment.anchor}{stage.suffix}", title, stage.updated, page_url,
                        event_summary(event, adjustment, stage, config))


# -- documents ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedHead:
    id: str  # the page the feed follows
    title: str
    subtitle: str
    self_href: str
    author: str


def _text(text: str) -> str:
    """Character data as ElementTree wrote it, less the characters XML does not allow."""
    text = _NOT_XML.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;",
                            "\t": "&#09;"})


def _element(tag: str, text: str) -> str:
    """<tag>text</tag>, or <tag/> when no text is left (as ElementTree wrote an empty element)."""
    text = _text(text)
    return f"<{tag}>{text}</{tag}>" if text else f"<{tag}/>"


def _link(href: str) -> str:
    return f'<link href="{href.translate(_ATTRIBUTE)}"/>'


def _entry(e: Entry) -> str:
    return (f"<entry>{_element('id', e.id)}{_element('title', e.title)}{_element('updated', e.updated)}"
            f"{_link(e.link)}{_element('summary', e.summary)}</entry>")


def atom(head: FeedHead, entries: list[Entry]) -> bytes:
    """An Atom 1.0 document; `updated` is its newest entry's, so an unchanged feed keeps its bytes.

    What Atom and XML let go unsaid is left out (10,000 item feeds carry it 10,000 times): the XML
    declaration (UTF-8 is XML's default) and rel="alternate" (a link's default relation, RFC 4287
    §4.2.7.2). Links stay absolute: readers that ignore xml:base are common, and a feed is read
    where the site's own address is not known. Written as text, not through ElementTree (a third
    of the feeds step at 10,000 items), byte for byte as ElementTree wrote it
    (tests/test_feeds.py compares the two)."""
    updated = max((e.updated for e in entries), key=_time) if entries else "1970-01-01T00:00:00+00:00"
    return "".join((
        f'<feed xmlns="{ATOM_NS}" xml:lang="zh-CN">', _element("id", head.id), _element("title", head.title),
        _element("subtitle", head.subtitle), _element("updated", updated),
        f'<link rel="self" href="{head.self_href.translate(_ATTRIBUTE)}"/>', _link(head.id),
        "<author>", _element("name", head.author), "</author>",
        *(_entry(e) for e in entries), "</feed>",
    )).encode("utf-8", "xmlcharrefreplace")


def atom_feed(project: Any, history: Any, site_url: str, as_of: str) -> bytes:
    """The whole site's feed: every adjustment (the newest FEED_SIZE entries)."""
    portal = project.config.portal
    base = site_url + "adjustments/"
    entries = adjustment_entries(((a, list(a.events)) for a in history.adjustments[:FEED_SIZE]), base, base, as_of)
    head = FeedHead(base, f"{portal.site_name} · 动态调整", f"{portal.region}权责清单的新增、取消和变更",
                    site_url + SITE_FEED, portal.organizer)
    return atom(head, entries)


def _summary(adjustment: Any) -> str:
    return adjustment_summary(adjustment, list(adjustment.events), Stage("", "", ""))


# Items named per adjustment in feed.json: a re-import of 10,000 items made the feed 1.3·10⁶ bytes,
# republished by every later adjustment. The rest are counted; api/v1/index.json names them all.
JSON_FEED_EVENTS = 100


def json_feed(project: Any, history: Any, site_url: str) -> str:
    portal = project.config.portal
    items = [
        {
            "id": f"{site_url}adjustments/#{a.anchor}",
            "url": f"{site_url}adjustments/#{a.anchor}",
            "title": f"{a.day} {a.title}",
            "content_text": _summary(a),
            "date_published": _rfc3339(a.when),
            "_qingdan": {"basis": a.basis, "effective": a.effective, "counts": a.counts,
                         "events": [{"kind": e.kind, "list": e.list_id, "code": e.code, "name": e.name}
                                    for e in a.events[:JSON_FEED_EVENTS]],
                         "events_omitted": max(0, len(a.events) - JSON_FEED_EVENTS)},
        }
        for a in history.adjustments[:FEED_SIZE]
    ]
    # Compact: feed readers need no indentation (it was 0.7 MB of the feed at 10,000 items).
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{portal.site_name} · 动态调整",
        "home_page_url": site_url,
        "feed_url": site_url + SITE_JSON_FEED,
        "language": "zh-CN",
        "items": items,
    }, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass
class Scopes:
    """Each list's and each department's share of every adjustment, newest adjustment first: made
    in one pass over the history, not one per list and per department."""

    lists: dict[str, list[tuple[Any, list[Any]]]]
    departments: dict[str, list[tuple[Any, list[Any]]]]

    @classmethod
    def of(cls, history: Any) -> Scopes:
        lists: dict[str, list[tuple[Any, list[Any]]]] = {}
        departments: dict[str, list[tuple[Any, list[Any]]]] = {}
        for adjustment in history.adjustments:
            by_list: dict[str, list[Any]] = {}
            by_department: dict[str, list[Any]] = {}
            for event in adjustment.events:
                by_list.setdefault(event.list_id, []).append(event)
                for code in dict.fromkeys((event.department, event.old_department)):
                    if code:  # before or after a 划转: both departments follow it
                        by_department.setdefault(code, []).append(event)
            for key, events in by_list.items():
                lists.setdefault(key, []).append((adjustment, events))
            for key, events in by_department.items():
                departments.setdefault(key, []).append((adjustment, events))
        return cls(lists, departments)


def _scope_feed(project: Any, adjustments: list[tuple[Any, list[Any]]], page: str, title: str, subtitle: str,
                feed_path: str, site_url: str, as_of: str) -> bytes:
    """The feed of a list or a department: its adjustments, each with its own items."""
    portal = project.config.portal
    entries = adjustment_entries(adjustments, page, site_url + "adjustments/", as_of)
    head = FeedHead(page, f"{title} · 动态调整（{portal.site_name}）", subtitle, site_url + feed_path, portal.organizer)
    return atom(head, entries)


def list_feed(project: Any, scopes: Scopes, list_type: Any, site_url: str, as_of: str) -> bytes:
    """One list's feed: the adjustments that touched it, each with its items on this list."""
    return _scope_feed(project, scopes.lists.get(list_type.id, []), f"{site_url}{list_type.id}/", list_type.title,
                       f"{project.config.portal.region}{list_type.title}的新增、取消和变更",
                       list_feed_path(list_type.id), site_url, as_of)


def department_feed(project: Any, scopes: Scopes, department: Any, site_url: str, as_of: str) -> bytes:
    """One department's feed: the adjustments that touched its items (before or after a 划转)."""
    return _scope_feed(project, scopes.departments.get(department.code, []),
                       f"{site_url}departments/{department.code}/", department.name,
                       f"{department.name}清单事项的新增、取消和变更", department_feed_path(department.code),
                       site_url, as_of)


def item_feed(project: Any, history: Any, list_id: str, code: str, site_url: str, as_of: str,
              adjustments: dict[int, Any] | None = None) -> bytes:
    """One item's feed: every one of its events, field by field (an item has few)."""
    config = project.config
    events = history.by_item(list_id, code)
    by_seq = adjustments if adjustments is not None else {a.seq: a for a in history.adjustments}
    page = f"{site_url}{list_id}/{code}/"
    name = events[0].name if events else code
    list_type = config.list_type(list_id)
    head = FeedHead(page, f"{name} · 调整记录（{config.portal.site_name}）",
                    f"{list_type.title if list_type else list_id}事项“{name}”的每一次调整", site_url + item_feed_path(list_id, code),
                    config.portal.organizer)
    return atom(head, newest(item_entries(events, by_seq, page, config, as_of)))

