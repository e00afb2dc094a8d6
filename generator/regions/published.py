"""A region's items as its published site gives them (`<out>/<id>/downloads/all.json.zip`), for the
join's 十统一 page: the join reads what the regions published and never rebuilds them.

Items are read back with the portal's list types (the package's defaults, or the portal's own), so
the comparison finds each list's name, type, basis and time limits where a county's items keep them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from generator.model import Catalog, Item
from generator.regions.config import Region
from generator.regions.sources import RegionSiteError
from generator.regions.tenfold import RegionCatalog
from generator.siteconfig import SiteConfig

ALL_JSON = "downloads/all.json.zip"


def read_region_catalog(region: Region, out: Path, config: SiteConfig) -> RegionCatalog:
    """The region's published lists (those the portal knows) from out/<id>/; RegionSiteError names
    what to run when the file is missing or unreadable."""
    path = out / region.id / ALL_JSON
    try:
        with zipfile.ZipFile(path) as archive:
            data = json.loads(archive.read(archive.namelist()[0]).decode("utf-8"))
    except (OSError, KeyError, IndexError, ValueError, zipfile.BadZipFile) as exc:
        raise RegionSiteError(f"读不了地区“{region.name}”（{region.id}）的 {region.id}/{ALL_JSON}：先运行 "
                              f"qingdan build --only-region {region.id}，或把该地区生成的网站放到 {region.id}/ 下") from exc
    lists: dict[str, dict[str, Item]] = {}
    for published in data.get("lists") or []:
        list_id = str(published.get("id") or "")
        if config.list_type(list_id) is None:
            continue  # a list of the region's own: nothing to compare it with
        lists[list_id] = {str(i["code"]): Item(list_id, str(i.get("department") or ""), str(i["code"]),
                                               dict(i.get("fields") or {})) for i in published.get("items") or []}
    return RegionCatalog(region, Catalog(config, lists))
