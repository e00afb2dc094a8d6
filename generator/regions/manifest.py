"""The portal's sitemap and the manifest of the whole tree (what `qingdan publish` verifies).

The manifest (a root and its parts, generator/publish/manifest.py) lists every file: the join's own,
hashed here, and each region's, taken from the manifest its build wrote (so a join of 100,000 items
does not read them all again). A region whose site has no manifest is hashed file by file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

from generator.publish.manifest import (
    MANIFEST_NAME,
    PARTS_DIR,
    FileEntry,
    Manifest,
    ManifestError,
    content_type,
    file_sha256,
    provenance,
    read_manifest,
    scan,
)

PORTAL_SITEMAP = "sitemap-portal.xml"
# The history state a tree has when its regions disagree: the worst one counts.
_HISTORY_ORDER = ("off", "none", "shallow", "complete")


def write_sitemap(staged: Path, site_url: str, pages: list[str], region_ids: list[str]) -> None:
    """sitemap.xml: an index of the portal's own sitemap and each region's; robots.txt points to it."""
    urls = "".join(f"<url><loc>{escape(site_url + p)}</loc></url>" for p in pages)
    (staged / PORTAL_SITEMAP).write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>\n", encoding="utf-8")
    maps = [PORTAL_SITEMAP] + [f"{r}/sitemap.xml" for r in region_ids]
    entries = "".join(f"<sitemap><loc>{escape(site_url + m)}</loc></sitemap>" for m in maps)
    (staged / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n", encoding="utf-8")
    (staged / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {site_url}sitemap.xml\n", encoding="utf-8")


def _region_files(out: Path, region_id: str) -> tuple[dict[str, FileEntry], dict]:
    site = out / region_id
    try:
        own = read_manifest(site)
    except ManifestError:
        own = None
    files = scan(site) if own is None else dict(own.files)
    if own is not None:
        files.update(scan_one(site, MANIFEST_NAME))
    return {f"{region_id}/{rel}": entry for rel, entry in files.items()}, (own.build if own else {})


def scan_one(site: Path, rel: str) -> dict[str, FileEntry]:
    path = site / rel
    return {rel: FileEntry(file_sha256(path), path.stat().st_size, content_type(rel))}


def write_tree_manifest(portal_root: Path, out: Path, region_ids: list[str]) -> Manifest:
    """qingdan-manifest.json at the top of out, covering the portal's files and every region's."""
    files: dict[str, FileEntry] = {}
    builds = []
    for region_id in region_ids:
        region_files, region_build = _region_files(out, region_id)
        files.update(region_files)
        builds.append(region_build)
    for entry in os.scandir(out):
        if entry.name.startswith(".") or entry.name in region_ids or entry.name in (MANIFEST_NAME, PARTS_DIR):
            continue
        if entry.is_dir():
            files.update({f"{entry.name}/{rel}": e for rel, e in scan(Path(entry.path)).items()})
        else:
            files.update(scan_one(out, entry.name))
    # The tree is as good as its worst part: built from uncommitted files if any region was, and
    # with the least complete history of any region (qingdan publish refuses both).
    build = provenance(portal_root, "lists", None, True)
    build["dirty"] = bool(build["dirty"]) or any(b.get("dirty") for b in builds)
    known = [str(b.get("history", "none")) for b in builds if b.get("history", "none") in _HISTORY_ORDER]
    build["history"] = min(known, key=_HISTORY_ORDER.index) if known else "none"
    manifest, parts = Manifest.of_files(files, build)
    shutil.rmtree(out / PARTS_DIR, ignore_errors=True)  # the parts of the last join: all made again
    (out / PARTS_DIR).mkdir()
    for name, body in parts.items():
        (out / name).write_bytes(body)
    target = out / MANIFEST_NAME
    target.unlink(missing_ok=True)
    target.write_bytes(manifest.to_bytes())
    return manifest
