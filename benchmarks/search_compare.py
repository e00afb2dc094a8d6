"""Bytes a visitor downloads for the first search: Qingdan (Pagefind) against Material's own search.

    python -m benchmarks.search_compare --items 10000                 # generate, build both, measure
    python -m benchmarks.search_compare PROJECT --site SITE --material-site NAIVE_SITE

For Qingdan the figure is measured in headless Chromium (benchmarks.browser.measure_first_query):
load the home page, type the query into the header search box, wait for the results; every
response body counts (served uncompressed by a local http.server). For Material it is the size
of search_index.json, which every visitor downloads whole before the first result appears (on
disk, and gzipped as a compressing server would send it). Target at 10,000 items: Qingdan's
page load + first search ≤ 1/20 of Material's index.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.browser import measure_first_query
from benchmarks.search_bytes import material_index_bytes

QUERIES = ("食品经营许可", "食品", "spjy", "许可")
TARGET = 20


def build_qingdan(project: Path, out: Path) -> None:
    from generator.site.build import build_site

    result = build_site(project, out, history=False)
    if not result.ok:
        raise SystemExit("qingdan build 失败：" + "; ".join(p.format_text() for p in result.problems.errors[:3]))


def build_material(project: Path, root: Path) -> Path:
    """The naive MkDocs + Material build of the same items (item pages out of the nav)."""
    from benchmarks.pages import read_records, write_naive_project

    config, records = read_records(project)
    shutil.rmtree(root, ignore_errors=True)
    write_naive_project(config, records, root, nav_items=False)
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")], cwd=root,
                   check=True)
    return root / "site"


PRECOMPRESSED = (".pf_index", ".pf_meta", ".pf_fragment", ".pf_filter")


def gzipped_bytes(site: Path, files: dict[str, int]) -> int:
    """What the same responses weigh from a server that gzips text (Pagefind's chunks are gzip already)."""
    total = 0
    for url_path in files:
        path = site / url_path.lstrip("/")
        if url_path.endswith("/"):
            path = path / "index.html"
        if not path.is_file():
            continue
        data = path.read_bytes()
        total += len(data) if path.name.endswith(PRECOMPRESSED) else len(gzip.compress(data, 6))
    return total


def _kb(n: int | None) -> str:
    return "—" if n is None else f"{n / 1e3:,.0f} KB"  # KB = 10³ bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_compare", description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", type=Path, help="Qingdan project (default: generate one with --items)")
    parser.add_argument("--items", type=int, default=10_000, help="items of the generated corpus")
    parser.add_argument("--departments", type=int, default=30)
    parser.add_argument("--site", type=Path, help="an existing `qingdan build` output of PROJECT")
    parser.add_argument("--material-site", type=Path, help="an existing naive Material build of PROJECT")
    parser.add_argument("--work", type=Path, help="where to generate and build (default: a temporary directory)")
    parser.add_argument("--query", action="append", help="query to measure (repeatable)")
    opts = parser.parse_args(argv)

    work = opts.work or Path(tempfile.mkdtemp(prefix="qingdan-search-"))
    work.mkdir(parents=True, exist_ok=True)
    project = opts.project
    if project is None:
        from benchmarks import corpus

        project = work / f"corpus-{opts.items}"
        if not project.exists():
            print(f"生成 {opts.items} 项的语料：{project}")
            corpus.generate(project, items=opts.items, departments=opts.departments, commits=0, seed=1)
    site = opts.site
    if site is None:
        site = work / "site"
        print(f"qingdan build → {site}")
        build_qingdan(project, site)
    material = opts.material_site
    if material is None:
        print(f"Material 朴素构建 → {work / 'naive'}")
        material = build_material(project, work / "naive")

    index_raw, index_gz = material_index_bytes(material)
    print(f"\nMaterial search_index.json：{_kb(index_raw)}（gzip 后 {_kb(index_gz)}），首次搜索前须整体下载")
    print("Qingdan（Pagefind）首页加载 + 首次搜索，实测（未压缩传输）：")
    print(f"{'查询':<14}{'页面加载':>12}{'搜索':>12}{'合计':>12}{'其中 sitemap':>14}{'结果数':>8}"
          f"{'占 Material 索引':>18}{'gzip 后合计':>14}{'占 gzip 索引':>14}")
    worst = 0.0
    for query in opts.query or QUERIES:
        run = measure_first_query(site, query)
        if run.external:
            print(f"  警告：请求了其他主机 {run.external}")
        share = run.total / index_raw if index_raw else None
        worst = max(worst, share or 0.0)
        sitemap = run.files.get("/sitemap.xml", 0)
        packed = gzipped_bytes(site, run.files)
        packed_share = f"1/{index_gz / packed:.1f}" if index_gz else "—"
        print(f"{query:<14}{_kb(run.page_bytes):>12}{_kb(run.search_bytes):>12}{_kb(run.total):>12}"
              f"{_kb(sitemap):>14}{run.results:>8}{'—' if share is None else f'1/{1 / share:.0f}':>18}"
              f"{_kb(packed):>14}{packed_share:>14}")
    if index_raw:
        verdict = "达标" if worst <= 1 / TARGET else "未达标"
        print(f"\n目标：≤ 1/{TARGET}（未压缩对未压缩）。最差的一次为 1/{1 / worst:.1f}：{verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
