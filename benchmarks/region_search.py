"""One search over every region: merged bundles (Pagefind mergeIndex) or one joined index? Measured.

    python -m benchmarks.region_search [--work DIR] [--query 食品经营许可] [--copies K] [--reuse]

Builds examples/province (plain `qingdan build --out WORK/site`: every region, then the join), then:
- merged (what generator/regions/search.py does): the join writes the portal's pagefind/parts.json
  listing the regions' own bundles; the browser merges them. Adding or rebuilding a region costs the
  join `write_search` (timed, median of 5) and nothing else: no region's index is touched.
- joined: one Pagefind index of every region's pages. Each region's lean search documents are
  written by a build that keeps them (benchmarks/pagefind_alone.py), laid side by side under
  `<id>/`, and indexed with the build's own Pagefind command (generator.search.index_parts). Pagefind
  cannot add pages to an index, so adding one region means indexing every region's pages again:
  that run is timed (wall and CPU). The joined bundle replaces the portal's list in a copy of the site.
- first-query bytes: headless Chromium loads the page, types the query, and counts what is fetched
  after the page had loaded (benchmarks/browser.py: measure_first_query, as benchmarks/search_bytes.py),
  from the portal's home page for both, and from a region's home page (merged: its own bundle first).
Results as JSON on stdout (the runs below: benchmarks/region_search.json).

Results (2026-12-07, this 2-core shared machine; 3 regions: 示例县 with the demo county's pages, 东县 and
西县 small; query 食品经营许可):

    | 3 regions, 食品经营许可 (9 results)     | merged bundles         | one joined index        |
    | first-query bytes, portal home page  | 151,694 (23 files)     | 140,913 (17 files)      |
    |   of which per region                | 示例县 92,657; 东县 6,381; 西县 6,746; runtime 45,910 |  |
    | first-query bytes, 东县's home page   | 151,717 (its own bundle first, then the others) |  |
    | add (or rebuild) one region: join    | 0.016–0.020 s (read the regions, write the list) | 3.5–4.0 s wall, 1.1–1.2 s CPU (Pagefind over all 3 regions' pages) |
    | index on disk                        | 1,389,994              | 1,175,596               |

    With 13 regions (`--copies 5`: five more copies of each small county; 19 results):

    | first-query bytes, portal home page  | 218,803 (63 files)     | 154,632 (27 files)      |
    | first-query bytes, 东县's home page   | 218,826                |                         |
    | add (or rebuild) one region: join    | 0.016 s                | 2.4 s wall, 1.4 s CPU   |

    Each region beyond the first adds its entry file, meta index, one chunk per query word and its
    result fragments to the first query: 6.4-6.7 KB for a small county, so +7.7% over the joined
    index at 3 regions and +41% at 13; about 0.65 MB more at 100 such regions. The joined index's
    time grows with every region's pages: Pagefind has no incremental add, and it took 20 s of CPU
    for 10,000 items (generator/search.py), so minutes at a province's 10⁵; past PART_SIZE documents
    a joined index must be split into merged parts anyway. The raw figures are in
    benchmarks/region_search.json.

Choice: merged bundles. The first query from the portal costs more than one joined index, and the
gap grows by one small file set per region, but a region is added or rebuilt in milliseconds,
without re-indexing any other region, and the other regions' files stay byte-identical (issue 25:
one county's edit must not rebuild the province). A joined index has to
re-run Pagefind over every region's pages on every change, and needs each region's lean documents
as an extra CI artifact, since the published fragments are not Pagefind's input. Where a portal
has a hundred regions, the next step is to fetch only the chosen region's bundles when the region
filter is set, and to load the others' meta files only when a query needs them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator import search as searching

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = ROOT / "examples" / "province"


def with_copies(work: Path, copies: int) -> Path:
    """The example portal with `copies` more copies of each small region (东县2, 西县2, …), in work/portal:
    how the first query grows with the number of regions."""
    portal = work / "portal"
    shutil.rmtree(portal, ignore_errors=True)
    shutil.copytree(PROVINCE, portal, ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    text = (portal / "site_config.yml").read_text(encoding="utf-8")
    text = text.replace("path: ../..}", f"path: {os.path.relpath(ROOT, portal)}}}")
    small = {"dongxian": "东县", "xixian": "西县"}
    for k in range(2, copies + 2):
        for region_id, name in small.items():
            shutil.copytree(PROVINCE / "regions" / region_id, portal / "regions" / f"{region_id}{k}")
            text += f'  - {{id: {region_id}{k}, name: {name}{k}, code: "3607{k:02d}", path: regions/{region_id}{k}}}\n'
    (portal / "site_config.yml").write_text(text, encoding="utf-8")
    return portal


def build_province(site: Path) -> float:
    """Plain `qingdan build` of the portal into `site`; wall seconds."""
    shutil.rmtree(site, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(site)], cwd=PROVINCE,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit("示例门户生成失败：" + done.stderr[-2000:])
    return time.perf_counter() - start


def portal_config():  # noqa: ANN201 - generator.config.SiteConfig, imported late like the rest
    """The example portal's configuration."""
    from generator.regions.build import load_portal

    config, _problems = load_portal(PROVINCE)
    if config is None:
        raise SystemExit("examples/province/site_config.yml 有错误：运行 qingdan check 查看")
    return config


def regions() -> list:
    """The example's regions, as the portal's site_config.yml lists them."""
    return list(portal_config().regions)


def merged_join_seconds(site: Path, repeat: int = 5) -> float:
    """The join's search step (read the portal's configuration and the regions' published files,
    write the list of bundles), median of `repeat` runs."""
    from generator.regions.search import write_search
    from generator.regions.sources import read_region_site

    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="qingdan-bench-") as tmp:
            start = time.perf_counter()
            config = portal_config()
            write_search(Path(tmp), config, [read_region_site(r, site) for r in config.regions], "")
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def joined_index(site: Path, work: Path) -> tuple[Path, dict[str, float]]:
    """A copy of `site` whose portal search is one index of every region's documents; its timing."""
    from benchmarks.pagefind_alone import write_documents

    docs = work / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    for region in regions():
        write_documents(region.root, docs / searching.SITE_PART / region.id)
    joined = work / "joined-site"
    shutil.rmtree(joined, ignore_errors=True)
    shutil.copytree(site, joined, symlinks=True)
    shutil.rmtree(joined / searching.PAGEFIND_DIR)
    before, start = os.times(), time.perf_counter()
    failure = searching.index_parts(docs, joined / searching.PAGEFIND_DIR, [searching.SITE_PART])
    wall, after = time.perf_counter() - start, os.times()
    if failure:
        raise SystemExit(failure)
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return joined, {"wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}


def first_query(site: Path, query: str, start: str = "") -> dict[str, object]:
    from benchmarks.browser import measure_first_query

    measured = measure_first_query(site, query, start)
    by_folder: dict[str, int] = {}  # the first query's bytes by top folder: what each region adds
    for path in measured.search_files:
        top = path.strip("/").split("/")[0]
        by_folder[top] = by_folder.get(top, 0) + measured.files.get(path, 0)
    return {"bytes": measured.search_bytes, "results": measured.results, "files": len(measured.search_files),
            "bytes_by_folder": by_folder}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work" / "region_search")
    parser.add_argument("--query", default="食品经营许可")
    parser.add_argument("--reuse", action="store_true", help="measure the site already in WORK/site")
    parser.add_argument("--copies", type=int, default=0, help="add this many copies of each small region")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if args.copies:
        global PROVINCE
        PROVINCE = with_copies(work, args.copies)
    site = work / "site"
    build_seconds = 0.0 if args.reuse and (site / "index.html").is_file() else build_province(site)
    joined, joined_time = joined_index(site, work)
    ids = [r.id for r in regions()]
    result = {
        "query": args.query,
        "regions": ids,
        "province_build_seconds": round(build_seconds, 1),
        "merged": {
            "add_one_region_seconds": round(merged_join_seconds(site), 4),
            "first_query_portal": first_query(site, args.query),
            "first_query_region_page": {ids[1]: first_query(site, args.query, ids[1] + "/")},
            "index_bytes": sum(folder_bytes(site / i / searching.PAGEFIND_DIR) for i in ids),
        },
        "joined": {
            "add_one_region_seconds": joined_time["wall_seconds"],
            "add_one_region_cpu_seconds": joined_time["cpu_seconds"],
            "first_query_portal": first_query(joined, args.query),
            "index_bytes": folder_bytes(joined / searching.PAGEFIND_DIR),
        },
    }
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
