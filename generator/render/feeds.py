"""Atom and JSON feeds of the adjustments, so that feed readers and other agencies can follow them."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

FEED_SIZE = 50
ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 does not allow: one in a commit message made the whole feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _summary(adjustment: Any, config: Any) -> str:
    counts = "，".join(f"{kind} {n} 项" for kind, n in adjustment.counts.items() if n)
    basis = f"调整依据：{adjustment.basis}" if adjustment.has_basis else "未注明调整依据"
    effective = f"；生效日期：{adjustment.effective}" if adjustment.effective else ""
    names = "、".join(e.name for e in adjustment.events[:10])
    more = f" 等 {len(adjustment.events)} 项" if len(adjustment.events) > 10 else ""
    return f"{counts}。{basis}{effective}。涉及：{names}{more}。"


def _rfc3339(date: str) -> str:
    return date if len(date) > 10 else f"{date}T00:00:00+00:00"


def atom_feed(project: Any, history: Any, site_url: str) -> bytes:
    portal = project.config.portal
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "zh-CN"})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = _NOT_XML.sub("", text)
        return element

    adjustments = history.adjustments[:FEED_SIZE]
    sub(feed, "id", site_url + "adjustments/")
    sub(feed, "title", f"{portal.site_name} · 动态调整")
    sub(feed, "subtitle", f"{portal.region}权责清单的新增、取消和变更")
    sub(feed, "updated", max(_rfc3339(a.when) for a in adjustments) if adjustments else "1970-01-01T00:00:00+00:00")
    sub(feed, "link", rel="self", href=site_url + "feed.xml")
    sub(feed, "link", rel="alternate", href=site_url + "adjustments/")
    author = sub(feed, "author")
    sub(author, "name", portal.organizer)
    for adjustment in adjustments:
        entry = sub(feed, "entry")
        sub(entry, "id", f"{site_url}adjustments/#{adjustment.anchor}")
        sub(entry, "title", f"{adjustment.day} {adjustment.title}")
        sub(entry, "updated", _rfc3339(adjustment.when))
        sub(entry, "link", rel="alternate", href=f"{site_url}adjustments/#{adjustment.anchor}")
        sub(entry, "summary", _summary(adjustment, project.config))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def json_feed(project: Any, history: Any, site_url: str) -> str:
    portal = project.config.portal
    items = [
        {
            "id": f"{site_url}adjustments/#{a.anchor}",
            "url": f"{site_url}adjustments/#{a.anchor}",
            "title": f"{a.day} {a.title}",
            "content_text": _summary(a, project.config),
            "date_published": _rfc3339(a.when),
            "_qingdan": {"basis": a.basis, "effective": a.effective, "counts": a.counts,
                         "events": [{"kind": e.kind, "list": e.list_id, "code": e.code, "name": e.name}
                                    for e in a.events]},
        }
        for a in history.adjustments[:FEED_SIZE]
    ]
    # Compact: feed readers need no indentation (it was 0.7 MB of the feed at 10,000 items).
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{portal.site_name} · 动态调整",
        "home_page_url": site_url,
        "feed_url": site_url + "feed.json",
        "language": "zh-CN",
        "items": items,
    }, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write_feeds(project: Any, history: Any, site_dir: Path, site_url: str) -> None:
    (site_dir / "feed.xml").write_bytes(atom_feed(project, history, site_url))
    (site_dir / "feed.json").write_text(json_feed(project, history, site_url), encoding="utf-8")
