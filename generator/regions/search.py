"""The portal's one search box over every region: Pagefind's multisite merge of the regions' bundles.

Each region publishes its own Pagefind index (pagefind/<part>/, listed in pagefind/parts.json). The
join does not index anything: it writes the portal's pagefind/parts.json, a list of the regions and
their bundles, and a copy of the Pagefind runtime, and the site's search script
(theme/assets/qingdan/search.js) merges the bundles in the browser (Pagefind's `mergeIndex`), each
tagged with its region's name as the filter 地区 (`mergeFilter`).

Why merged bundles and not one joined index: measured in benchmarks/region_search.py. Adding or
rebuilding one region costs the join a small JSON file instead of re-indexing every region's pages,
and a region's files stay byte-identical when another changes; the first query from the portal
costs each region's entry and meta files more than one index would.

The same list serves a region's own pages: their search finds the portal's list one folder up
(../pagefind/parts.json, when the list names that very region) and searches every region, its own
first (search.js: indexWeight).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.regions.config import Region
from generator.regions.sources import RegionSite
from generator.search import BUNDLES_KEY, PAGEFIND_DIR, PARTS_FILE, SUPERSEDED_KEY
from generator.traditional import DEFAULT_VARIANT, HANT_DIR, converter

REGIONS_KEY = "regions"  # parts.json: {"bundles": [], "regions": [{id, name, name_hant, root, bundles, hant, superseded?}, …]}
RUNTIME = "pagefind.js"
ENTRY = "pagefind-entry.json"


class RegionSearchError(Exception):
    """The regions' indexes cannot be searched together (message in Chinese, for the operator)."""


@dataclass(frozen=True)
class RegionIndex:
    """A region's published search index, as the portal's list names it."""

    region: Region
    bundles: list[str]  # folders relative to the portal's root: "<id>/pagefind/site/", …
    hant: bool  # the region has a 繁體 view (<id>/zh-Hant/): results from a 繁體 page lead there
    version: str  # the Pagefind that wrote it: one runtime searches every bundle
    folder: Path  # the region's pagefind/ folder, with its runtime
    # The pages of its other bundles that its recent changes replace or remove (generator/search.py:
    # SUPERSEDED_KEY); search.js drops them from every result, as on the region's own pages.
    superseded: list[str] = field(default_factory=list)

    def entry(self) -> dict[str, object]:
        # name_hant: a 繁體 page shows the name so; its own conversion table only knows its own words.
        entry: dict[str, object] = {
            "id": self.region.id, "name": self.region.name, "name_hant": converter(DEFAULT_VARIANT)(self.region.name),
            "root": self.region.id + "/", "bundles": self.bundles, "hant": self.hant}
        if self.superseded:
            entry[SUPERSEDED_KEY] = self.superseded
        return entry


def region_index(region: Region, site: Path) -> RegionIndex | None:
    """What the region's site (`site`, its out/<id>/) publishes in pagefind/parts.json; None for a
    region built without search."""
    folder = site / PAGEFIND_DIR
    try:
        parts = json.loads((folder / PARTS_FILE).read_text(encoding="utf-8"))
        listed = parts.get(BUNDLES_KEY) or []
        superseded = [str(page) for page in parts.get(SUPERSEDED_KEY) or []]
    except (OSError, ValueError, AttributeError):
        return None
    bundles = [str(b) for b in listed if (folder / str(b) / ENTRY).is_file()]
    if not bundles or not (folder / RUNTIME).is_file():
        return None
    try:
        version = str(json.loads((folder / bundles[0] / ENTRY).read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError, AttributeError):
        version = ""
    return RegionIndex(region, [f"{region.id}/{PAGEFIND_DIR}/{b}" for b in bundles],
                       (site / HANT_DIR / "index.html").is_file(), version, folder, superseded)


def write_search(staged: Path, config: SiteConfig, sites: list[RegionSite], site_url: str) -> list[RegionIndex]:
    """The portal's pagefind/parts.json and runtime in `staged`, from the region sites (one of the
    join's writers, generator/regions/join.py: WRITERS).

    Regions built without search are left out of it (their pages still are on the portal). Returns
    the regions searched; none, and nothing is written, when no region has an index."""
    indexes = [index for site in sites if site.folder is not None
               and (index := region_index(site.region, site.folder)) is not None]
    if not indexes:
        return []
    versions = {index.version for index in indexes}
    if len(versions) > 1:
        names = "、".join(f"{i.region.name}（{i.version or '未知'}）" for i in indexes)
        raise RegionSearchError(f"各地区的搜索索引由不同版本的 Pagefind 生成：{names}，无法合并搜索。"
                                "请用同一版本的 qingdan 重新运行 qingdan build --only-region 生成这些地区")
    target = staged / PAGEFIND_DIR
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(indexes[0].folder / RUNTIME, target / RUNTIME)
    listing = {BUNDLES_KEY: [], REGIONS_KEY: [index.entry() for index in indexes]}
    (target / PARTS_FILE).write_text(json.dumps(listing, ensure_ascii=False) + "\n", encoding="utf-8")
    return indexes
