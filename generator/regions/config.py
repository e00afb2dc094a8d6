"""`regions:` in a portal's site_config.yml: what a region is, and how the list of them is read.

The option is declared here (and placed in generator/config.py's ROOT, so the one reader checks and
locates it like every other setting, and the reference page documents it); `Region` is what the
rest of generator/regions/ reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.configoptions import INVALID, Context, ListOf, Section, Text, pattern, report_repeated
from generator.yamlsource import LocatedList, LocatedMap

REGION_ID = r"[a-z][a-z0-9_-]{0,31}"
_REGIONS_KEY = re.compile(r"^regions\s*:", re.MULTILINE)
PROJECT_FILE = "site_config.yml"
# The portal's own top-level names (generator/regions/join.py writes them): no region may take one.
RESERVED = frozenset({"assets", "regions", "adjustments", "stats", "search", "downloads", "zh-hant", "pagefind",
                      "api", "editions", "departments", "data", "pinyin", "uniformity", "qingdan-manifest"})


@dataclass(frozen=True)
class Region:
    """One region of a portal: a complete Qingdan project published under `<base_url><id>/`."""

    id: str  # the folder and URL segment: site/<id>/
    name: str  # 地区名称, as the portal's pages show it
    code: str  # 行政区划代码 (GB/T 2260)
    path: str = ""  # the project folder, relative to the portal project
    git: str = ""  # or a repository, checked out into .cache/regions/<id>/ (generator/regions/checkout.py)
    ref: str = ""
    root: Path | None = None  # `path` resolved against the portal project

    def url(self, portal_url: str) -> str:
        """The region's site address under the portal's."""
        return (portal_url if portal_url.endswith("/") else portal_url + "/") + self.id + "/"


def _region_after(ctx: Context, values: dict[str, Any], raw: LocatedMap) -> Any:
    """A region has a path or a git repository; a path must hold a Qingdan project."""
    if not values["id"] or not values["name"]:
        return INVALID
    if values["id"] in RESERVED:
        ctx.error(f"地区标识“{values['id']}”是门户自己的网址，不能用作地区标识", "config-value",
                  "换一个标识，例如地区名称的拼音", raw, "id")
        return INVALID
    if not values["path"] and not values["git"]:
        ctx.error(f"地区“{values['id']}”缺少项目目录（path）", "config-missing",
                  "写 path: 地区项目相对于本项目的目录，如 path: regions/xian；或写 git: 仓库地址 和 ref: 分支",
                  raw, "id")
        return INVALID
    portal_root = ctx.facts.get("project_root")
    if values["path"] and portal_root is not None:
        root = (Path(portal_root) / values["path"]).resolve()
        if not root.is_dir():
            ctx.error(f"地区“{values['id']}”的项目目录“{values['path']}”不存在", "config-value",
                      "path 是地区项目相对于本项目（site_config.yml 所在目录）的路径；检查拼写", raw, "path")
            return INVALID
        if not (root / PROJECT_FILE).is_file():
            ctx.error(f"地区“{values['id']}”的目录“{values['path']}”不是清单项目：其中没有 {PROJECT_FILE}",
                      "config-value", "每个地区都是完整的清单项目，有自己的 site_config.yml 和 lists/", raw, "path")
            return INVALID
        values = {**values, "root": root}
    return values


def _unique_regions(ctx: Context, regions: list[Region], raw: LocatedList) -> list[Region]:
    report_repeated(ctx, raw, "id", "地区标识", "每个地区只登记一次；两个地区请用不同的标识")
    first = {}
    for region in regions:
        first.setdefault(region.id, region)
    return list(first.values())


REGION = Section("", "地区", "", [
    Text("id", "地区标识", "地区的标识，用作网址和目录名（site/<标识>/），如 xian。", required=True, checks=(
        pattern(REGION_ID, "地区标识“{value}”只能由小写字母、数字、- 和 _ 组成，且以字母开头", "地区标识会出现在网址中，例如 xian"),
    )),
    Text("name", "地区名称", "地区的名称，如“示例县”。", required=True),
    Text("code", "行政区划代码", "GB/T 2260 的 6 位数字代码，请加引号。", required=True, checks=(
        pattern(r"\d{6}", "行政区划代码应为 6 位数字（GB/T 2260），而不是“{value}”", "例如 \"360799\"（加引号）"),
    )),
    Text("path", "项目目录", "地区项目相对于本项目的目录，如 regions/xian。"),
    Text("git", "git 仓库", "不写 path 时，地区项目所在的 git 仓库：生成、校验和评估时取出到 .cache/regions/<标识>/（含全部历史）。"),
    Text("ref", "git 分支或标签", "与 git 一起使用：取出的分支、标签或提交（默认：仓库的默认分支）。"),
], after=_region_after, make=lambda values: Region(**values) if values is not INVALID else INVALID)

REGIONS = ListOf("regions", "地区列表",
                 "门户（市、省）项目的地区：[{id, name, code, path}]。每个地区是一个完整的清单项目，"
                 "生成到 site/<id>/；门户的首页、地区索引、动态调整、统计和搜索由各地区已生成的网站合成。"
                 "见 docs/regions.md。", REGION, after=_unique_regions)


def is_portal(project: Path) -> bool:
    """A portal's site_config.yml has a top-level `regions:` (read without loading the whole file)."""
    try:
        return bool(_REGIONS_KEY.search((project / "site_config.yml").read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def find_region(regions: list[Region], region_id: str) -> Region | None:
    return next((r for r in regions if r.id == region_id), None)
