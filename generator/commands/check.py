"""`qingdan check`: validate site_config.yml and every list; exit 1 when anything is wrong."""

from __future__ import annotations

import argparse
import sys

from generator.problems import problems_json
from generator.project import open_project


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        description="校验 site_config.yml 和 lists/ 下的全部清单：格式、必填项、编码、引用、依据和时限等。"
        "每个问题写明文件、行、列和修改办法。有错误时退出码为 1。",
        epilog="示例：\n  qingdan check\n  qingdan check --no-warnings\n  qingdan check --format json > 问题.json",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="输出格式：text 供阅读，json 供其他程序（默认 text）")
    parser.add_argument("--no-warnings", action="store_true", help="只显示错误，不显示警告")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.regions.config import is_portal

    if is_portal(args.project):
        return run_portal(args)
    project = open_project(args.project)
    counts = project.catalog.counts() if project.catalog else {}
    if args.format == "json":
        print(problems_json(project.problems, counts))
    else:
        print_report(project.problems, counts, show_warnings=not args.no_warnings)
    return 0 if project.ok else 1


def print_report(problems, counts: dict[str, int], show_warnings: bool = True, stream=None) -> None:
    stream = stream or sys.stdout
    shown = [p for p in problems.sorted() if show_warnings or p.severity == "error"]
    for problem in shown:
        print(problem.format_text(), file=stream)
    if counts:
        print("事项数：" + "，".join(f"{k} {v}" for k, v in counts.items()), file=stream)
    errors, warnings = len(problems.errors), len(problems.warnings)
    if errors:
        print(f"校验未通过：{errors} 个错误，{warnings} 个警告。", file=stream)
    else:
        print(f"校验通过：0 个错误，{warnings} 个警告。", file=stream)


def run_portal(args: argparse.Namespace) -> int:
    """A portal (site_config.yml with regions): its own file, then every region's project under its name."""
    import json

    from generator.regions.build import load_portal
    from generator.regions.checkout import CheckoutError, region_folder, region_root

    config, problems = load_portal(args.project)
    projects = []
    for region in config.regions if config is not None else []:
        try:
            projects.append((region, open_project(region_root(config.root, region))))
        except CheckoutError as exc:
            problems.error(str(exc), file="site_config.yml", rule="region-missing", hint="修正后重新运行 qingdan check")
    ok = config is not None and not problems.errors and all(project.ok for _, project in projects)
    if args.format == "json":
        print(json.dumps({"ok": ok, "portal": json.loads(problems_json(problems)), "regions": {
            r.id: json.loads(problems_json(p.problems, p.catalog.counts() if p.catalog else {})) for r, p in projects
        }}, ensure_ascii=False, indent=2, sort_keys=True))
        return 0 if ok else 1
    print("【门户】（site_config.yml）")
    print_report(problems, {}, show_warnings=not args.no_warnings)
    for region, project in projects:
        print(f"\n【{region.name}】（{region_folder(region)}）")
        print_report(project.problems, project.catalog.counts() if project.catalog else {},
                     show_warnings=not args.no_warnings)
    return 0 if ok else 1
