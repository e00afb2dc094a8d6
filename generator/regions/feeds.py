"""The portal's combined feeds (feed.xml, feed.json): the newest adjustments of every region.

Entries are the regions' own (read from their feed.json), so an entry keeps the id and address its
region gave it and a reader following both never shows it twice; the title names the region.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from generator.regions.sources import RegionSite, newest_entries
from generator.render.feeds import FEED_SIZE, SITE_FEED, SITE_JSON_FEED, Entry, FeedHead, atom

if TYPE_CHECKING:
    from generator.config import SiteConfig


def write_feeds(staged: Path, config: SiteConfig, sites: list[RegionSite], site_url: str) -> None:
    portal = config.portal
    entries = newest_entries(sites, FEED_SIZE)
    title = f"{portal.site_name} · 动态调整"
    items = [{**item, "title": f"【{site.region.name}】{item.get('title', '')}",
              "_qingdan": {**(item.get("_qingdan") or {}), "region": site.region.id}} for site, item in entries]
    (staged / SITE_JSON_FEED).write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": site_url,
        "feed_url": site_url + SITE_JSON_FEED, "language": "zh-CN", "items": items,
    }, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    head = FeedHead(site_url + "adjustments/", title, f"{portal.region}各地区权责清单的新增、取消和变更",
                    site_url + SITE_FEED, portal.organizer)
    atom_entries = [Entry(str(i["id"]), str(i["title"]), str(i.get("date_published", "")), str(i.get("url", "")),
                          str(i.get("content_text", ""))) for i in items]
    (staged / SITE_FEED).write_bytes(atom(head, atom_entries))
