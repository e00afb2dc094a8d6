"""`qingdan assess` in a portal project: 十统一 across its regions, and each region against the catalogue.

Each region is loaded as the county loads itself (generator/project.py), so what it publishes is
what is compared; a region that cannot be loaded is reported (where, and what to run) and left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.problems import Problems
from generator.regions.catalogue import Catalogue, CatalogueFinding, load_catalogue, report
from generator.regions.checkout import CheckoutError, region_folder, region_root
from generator.regions.tenfold import Difference, RegionCatalog, findings
from generator.siteconfig import SiteConfig


@dataclass
class PortalAssessment:
    site_name: str
    as_of: str
    regions: list[tuple[str, str, int]]  # (id, name, items) of each region assessed
    differences: list[Difference]
    catalogue: Catalogue | None = None
    catalogue_findings: list[CatalogueFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_regions(config: SiteConfig, problems: Problems) -> list[RegionCatalog]:
    """Every region project the portal lists, loaded (regions with errors are reported and left out)."""
    out = []
    for region in config.regions:
        try:
            root = region_root(config.root, region)
        except CheckoutError as exc:
            problems.error(str(exc), file="site_config.yml", rule="region-missing",
                           hint="修正后重新运行；也可以在 regions 中为它写 path（取出后的目录）")
            continue
        folder = region_folder(region)
        if not (root / "site_config.yml").exists():
            problems.error(f"地区“{region.name}”的目录 {folder} 中没有 site_config.yml", file="site_config.yml",
                           rule="region-missing", hint="检查 regions 中这个地区的 path")
            continue
        from generator.project import open_project

        project = open_project(root)
        for p in project.problems.errors:
            problems.add(dataclasses.replace(p, file=str(Path(folder) / p.file) if p.file else folder))
        if project.catalog is None:
            problems.error(f"地区“{region.name}”的配置有错误，未参加评估", file=str(Path(folder) / "site_config.yml"),
                           rule="region-config", hint=f"运行 qingdan --project {folder} check 查看并修正")
            continue
        out.append(RegionCatalog(region, project.catalog))
    return out


def assess_portal(config: SiteConfig, problems: Problems, as_of: dt.date | None = None) -> PortalAssessment:
    """The portal's assessment: 十统一 differences, and the catalogue comparison when it has one."""
    regions = load_regions(config, problems)
    catalogue = load_catalogue(config, problems)
    result = PortalAssessment(
        site_name=config.portal.site_name, as_of=(as_of or dt.date.today()).isoformat(),
        regions=[(rc.region.id, rc.region.name, sum(rc.catalog.counts().values())) for rc in regions],
        differences=findings(regions, config), catalogue=catalogue,
        catalogue_findings=report(catalogue, regions) if catalogue is not None else [],
    )
    if problems.has_errors():
        result.notes.append(f"有 {len(problems.errors)} 个错误，有问题的地区或文件可能未参加评估；见上面的错误信息。")
    if catalogue is None:
        result.notes.append("没有通用目录（site_config.yml 的 catalogue），未与通用目录对照。")
    return result
