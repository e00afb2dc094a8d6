"""`qingdan build` in a portal: one region (`--only-region`), the join (`--join-only`), or both.

A region is built exactly as the county would build itself (generator/site/build.py), into
`<out>/<id>/` with the portal's address plus `<id>/`: the same pages, under `/<id>/`. Plain
`qingdan build` runs every region as its own `qingdan build --only-region` process, as many at
once as there are CPUs (the shape a CI matrix has), then the join. No scheduler: a thread per
running process waits for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator.config import SiteConfig, load_config
from generator.problems import Problems
from generator.regions.checkout import region_root
from generator.regions.config import Region, find_region
from generator.site.build import BuildResult, build_site


@dataclass
class RegionRun:
    """One region's `--only-region` process: its exit code and what it printed."""

    region: Region
    code: int
    output: str


def load_portal(root: Path) -> tuple[SiteConfig | None, Problems]:
    """The portal's configuration (None when it has errors, or when it has no `regions:`)."""
    problems = Problems()
    config = load_config(root, problems)
    return config, problems


def unknown_region_message(region_id: str, regions: list[Region]) -> str:
    known = "、".join(r.id for r in regions) or "（无）"
    return f"site_config.yml 的 regions 中没有地区“{region_id}”。已登记的地区：{known}"


def build_region(config: SiteConfig, region_id: str, out: Path, *, search: bool = True, history: bool = True,
                 force: bool = False, as_of: str | None = None) -> BuildResult:
    """Build one region's project into out/<id>/, at the portal's address plus <id>/ (a region given
    by git: fetched first; CheckoutError when it cannot be)."""
    region = find_region(config.regions, region_id)
    if region is None:
        raise KeyError(unknown_region_message(region_id, config.regions))
    return build_site(region_root(config.root, region), out / region.id, site_url=region.url(config.portal.base_url), search=search,
                      history=history, force=force, as_of=as_of)


def region_command(portal_root: Path, region: Region, out: Path, extra: list[str]) -> list[str]:
    """The `qingdan build --only-region` command a CI job runs for one region."""
    return [sys.executable, "-m", "generator", "--project", str(portal_root), "build", "--only-region", region.id,
            "--out", str(out), *extra]


def build_all_regions(portal_root: Path, config: SiteConfig, out: Path, extra: list[str],
                      workers: int | None = None) -> list[RegionRun]:
    """Every region in its own process, up to the CPU count at once; in the order of `regions:`."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(config.regions)))

    def run(region: Region) -> RegionRun:
        done = subprocess.run(region_command(portal_root, region, out, extra), capture_output=True, text=True,
                              encoding="utf-8", errors="replace")
        return RegionRun(region, done.returncode, (done.stdout + done.stderr).strip())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, config.regions))
