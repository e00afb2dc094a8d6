"""The portal's own pages in the 繁體 view (zh-Hant/), as a county's are (generator/traditional.py).

Each portal page is converted with the county's PageConverter. Its links into a region then lead
to that region's own 繁體 view (<id>/zh-Hant/…) when the region has one, else to its Simplified
pages: the portal has no zh-Hant/<id>/. The script map search.js reads on a 繁體 page
(assets/script-map.json) covers the portal pages' text and every region's map, since the portal's
search shows the regions' results.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from generator import traditional
from generator.config import SiteConfig
from generator.regions.sources import RegionSite


def _region_link(href: str, page_dir: str, hant_regions: dict[str, bool]) -> str:
    """A converted page's link as it must read when it points into a region (see the docstring)."""
    if not href or href.startswith(("#", "/")) or ":" in href.split("/", 1)[0]:
        return href
    cut = min((i for i in (href.find("?"), href.find("#")) if i >= 0), default=len(href))
    path, after = href[:cut], href[cut:]
    target = posixpath.normpath(posixpath.join(page_dir, path))
    region_id = target.split("/", 1)[0]
    if region_id not in hant_regions:
        return href  # a portal page, or a file the converter already sent out of zh-Hant/
    if hant_regions[region_id]:
        target = region_id + "/" + traditional.HANT_DIR + target[len(region_id):]
    # From zh-Hant/<page_dir>/: up to zh-Hant/, then one step more to the portal's root.
    up = "../" * (page_dir.count("/") + 2 if page_dir else 1)
    return up + target + ("/" if path.endswith("/") else "") + after


def convert_portal_page(html: str, rel: str, converter: traditional.PageConverter,
                        hant_regions: dict[str, bool]) -> str:
    """The 繁體 copy of one portal page (rel: its file path from the portal's root)."""
    page_dir = traditional.page_dir_of(rel)
    hant = converter.page(html, page_dir)
    return traditional.rewrite_links(hant, lambda url: _region_link(url, page_dir, hant_regions))


def write_hant(staged: Path, config: SiteConfig, sites: list[RegionSite], site_url: str, pages: list[str]) -> list[str]:
    """zh-Hant/ copies of the portal's pages (pages: file paths from the root), Qingdan's own assets
    and the script map, in `staged`; returns the pages written (nothing when the view is off)."""
    variant = config.traditional_variant
    if not variant:
        return []
    converter = traditional.page_converter(variant, site_url, traditional.site_phrases(config.traditional_phrases))
    hant_regions = {s.region.id: s.folder is not None and (s.folder / traditional.HANT_DIR / "index.html").is_file()
                    for s in sites}
    chars = traditional.ScriptChars(variant, config.traditional_phrases)
    written = []
    for rel in pages:
        source = staged / rel
        if not source.is_file():
            continue
        html = source.read_text(encoding="utf-8")
        hant = convert_portal_page(html, rel, converter, hant_regions)
        target = staged / traditional.hant_path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hant, encoding="utf-8")
        chars.add(html, hant)
        written.append(traditional.hant_path(rel))
    traditional.write_assets(staged, variant, config.traditional_phrases)
    maps = [chars.json()] + [path.read_text(encoding="utf-8") for s in sites if s.folder is not None
                             and (path := s.folder / traditional.SCRIPT_MAP).is_file()]
    target = staged / traditional.SCRIPT_MAP
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(traditional.merge_script_maps(maps), encoding="utf-8")
    return written
