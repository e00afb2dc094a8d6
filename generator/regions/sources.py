"""What the join reads from a region's published site: its figures and its latest adjustments.

Only published files are read (downloads/stats.json, feed.json, qingdan-manifest.json), as they sit
in `<out>/<id>/` after `--only-region` or after a CI job's artifact was unpacked there.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.regions.config import Region

STATS_FILE = "downloads/stats.json"
JSON_FEED = "feed.json"


class RegionSiteError(Exception):
    """A region's site is missing or unreadable (message in Chinese, for the operator)."""


@dataclass
class RegionSite:
    """One region as its published site says."""

    region: Region
    stats: dict[str, Any]
    feed_items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def items(self) -> int:
        return int(self.stats.get("items") or 0)

    @property
    def by_list(self) -> dict[str, int]:
        """Items per list, by the list's title (regions may add lists of their own)."""
        return {str(x.get("title")): int(x.get("items") or 0) for x in self.stats.get("lists") or []}


def _read_json(path: Path, region: Region, out: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegionSiteError(
            f"找不到地区“{region.name}”（{region.id}）的网站文件 {path.relative_to(out).as_posix()}：{exc.strerror}。"
            f"先运行 qingdan build --only-region {region.id}，或把该地区生成的网站放到 {region.id}/ 下") from exc
    except ValueError as exc:
        raise RegionSiteError(f"地区“{region.name}”的 {path.relative_to(out).as_posix()} 不是有效的 JSON（{exc}）。"
                              f"重新运行 qingdan build --only-region {region.id}") from exc


def read_region_site(region: Region, out: Path) -> RegionSite:
    """The region's figures and feed from out/<id>/; a missing site is an error naming what to run."""
    site = out / region.id
    if not (site / "index.html").is_file():
        raise RegionSiteError(f"地区“{region.name}”（{region.id}）的网站不在 {site}：先运行 "
                              f"qingdan build --only-region {region.id}，或把该地区生成的网站放到这个目录")
    stats = _read_json(site / STATS_FILE, region, out)
    feed_path = site / JSON_FEED
    feed = _read_json(feed_path, region, out) if feed_path.is_file() else {}  # built without history: no feed
    return RegionSite(region, stats if isinstance(stats, dict) else {}, list(feed.get("items") or []))


def published(item: dict[str, Any]) -> dt.datetime:
    """An entry's date, for ordering entries of several regions together."""
    try:
        return dt.datetime.fromisoformat(str(item.get("date_published", "")))
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def newest_entries(sites: list[RegionSite], size: int | None = None) -> list[tuple[RegionSite, dict[str, Any]]]:
    """Every region's feed entries, newest first (ties: in the order of `regions:`)."""
    entries = [(site, item) for site in sites for item in site.feed_items]
    order = {id(site): n for n, site in enumerate(sites)}
    entries.sort(key=lambda e: (-published(e[1]).timestamp(), order[id(e[0])]))
    return entries[:size] if size is not None else entries
