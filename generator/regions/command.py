"""`qingdan build` in a portal project: what the command does with `--only-region`, `--join-only`,
or neither (every region in parallel processes, then the join). generator/commands/build.py hands
over here when the project's site_config.yml has `regions:`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from generator.config import SiteConfig
from generator.regions import build as regions_build
from generator.regions.checkout import CheckoutError
from generator.regions.join import JoinError, join
from generator.site.build import BuildResult

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
Report = Callable[[BuildResult, Path, bool], int]


def _with_site_url(config: SiteConfig, site_url: str | None) -> SiteConfig:
    """--site-url replaces the portal's base_url: every region then sits under it."""
    if not site_url:
        return config
    from dataclasses import replace

    url = site_url if site_url.endswith("/") else site_url + "/"
    return replace(config, portal=replace(config.portal, base_url=url))


def _pass_on(args: argparse.Namespace, as_of: str) -> list[str]:
    """The options a region's process is given: those of this command that a region build takes."""
    extra = ["--as-of", as_of]
    if args.site_url:
        extra += ["--site-url", args.site_url]
    extra += [flag for flag, on in (("--no-search", args.no_search), ("--no-history", args.no_history),
                                    ("--clean", args.clean)) if on]
    return extra


def run_portal(args: argparse.Namespace, out: Path, as_of: str, report: Report) -> int:
    """report: how the command reports one build (generator/commands/build.py), for --only-region."""
    from generator.regions.build import load_portal

    config, problems = load_portal(args.project)
    for problem in problems.sorted():
        if problem.severity == "error":
            print(problem.format_text(), file=sys.stderr)
    if config is None:
        print("生成失败：site_config.yml 有错误，请按上面的提示修改。", file=sys.stderr)
        return EXIT_INVALID
    if args.list_regions:  # one line a CI job reads into its matrix (docs/regions.md, "CI")
        print(json.dumps([region.id for region in config.regions], separators=(",", ":")))
        return EXIT_OK
    config = _with_site_url(config, args.site_url)
    if args.only_region:
        return _only_region(config, args, out, as_of, report)
    if not args.join_only:
        started = time.monotonic()
        runs = regions_build.build_all_regions(args.project, config, out, _pass_on(args, as_of))
        failed = [r for r in runs if r.code != 0]
        for r in runs:
            print(f"【{r.region.name}】（{r.region.path or r.region.git}）\n{r.output}",
                  file=sys.stderr if r.code else sys.stdout)
        if failed:
            names = "、".join(r.region.name for r in failed)
            print(f"生成失败：{names}的清单有错误（见上）。门户首页没有更新。", file=sys.stderr)
            return EXIT_INVALID
        if args.timings:
            print(f"耗时：各地区 {time.monotonic() - started:.2f}s")
    return _join(config, out, args.timings)


def _only_region(config: SiteConfig, args: argparse.Namespace, out: Path, as_of: str, report: Report) -> int:
    try:
        result = regions_build.build_region(config, args.only_region, out, search=not args.no_search,
                                            history=not args.no_history, force=args.clean, as_of=as_of)
    except KeyError as exc:
        print(f"--only-region：{exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except CheckoutError as exc:
        print(f"生成失败：{exc}", file=sys.stderr)
        return EXIT_INVALID
    return report(result, out / args.only_region, args.timings)


def _join(config: SiteConfig, out: Path, timings: bool) -> int:
    started = time.monotonic()
    try:
        result = join(config, out)
    except JoinError as exc:
        print(f"合成门户失败：{exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"已合成门户：{out}（{len(config.regions)} 个地区；门户页面 {result.pages} 个）")
    if timings:
        print(f"耗时：合成 {time.monotonic() - started:.2f}s")
    return EXIT_OK
