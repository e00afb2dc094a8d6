"""`qingdan build`: the published site, built atomically into --out (default site/)."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.dates import build_as_of
from generator.site.build import BuildResult, build_site

EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        description="校验 site_config.yml 和 lists/ 下的全部清单，通过后生成静态网站（含搜索索引、调整记录、"
        "繁體版、下载文件和数据接口 api/v1/）。只重新生成上次以来有改动的步骤和页面，结果与从头生成相同。"
        "先在临时目录生成，全部成功才替换旧网站；有错误时旧网站保持不变。",
        epilog="示例：\n  qingdan build\n  qingdan build --out /srv/www/qingdan "
        "--site-url https://www.example.gov.cn/qingdan/",
    )
    parser.add_argument("--out", type=Path, default=None, metavar="目录", help="输出目录（默认：项目下的 site/）")
    parser.add_argument("--site-url", default=None, metavar="网址",
                        help="网站地址，覆盖 site_config.yml 中的 base_url（可含子路径）")
    parser.add_argument("--no-search", action="store_true", help="不建立搜索索引（仅用于调试）")
    parser.add_argument("--no-history", action="store_true", help="不读取 git 历史")
    parser.add_argument("--as-of", default=None, metavar="日期",
                        help="按这一天显示清单：生效日期在这一天之后的调整显示为“已批准、尚未施行”"
                        "（默认：今天；设置了 SOURCE_DATE_EPOCH 时取它的日期）")
    parser.add_argument("--timings", action="store_true", help="显示各步骤耗时")
    parser.add_argument("--clean", action="store_true", help="不沿用上次生成的结果，从头生成全部页面")
    portal = parser.add_mutually_exclusive_group()
    portal.add_argument("--only-region", default=None, metavar="地区标识",
                        help="门户项目：只生成 regions 中的这一个地区，输出到 <输出目录>/<地区标识>/")
    portal.add_argument("--join-only", action="store_true",
                        help="门户项目：不生成地区，只用输出目录中已有的各地区网站合成门户首页、地区索引、"
                        "动态调整、统计和搜索页面")
    portal.add_argument("--list-regions", action="store_true",
                        help="门户项目：不生成，只输出 regions 中各地区的标识（JSON 数组，供 CI 的矩阵任务使用）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = (args.out or args.project / "site").resolve()
    try:
        as_of = build_as_of(args.as_of)
    except ValueError as error:
        print(f"--as-of：{error}", file=sys.stderr)
        return EXIT_USAGE
    from generator.regions.config import is_portal

    if is_portal(args.project):
        from generator.regions.command import run_portal  # the join's libraries: a county needs none

        return run_portal(args, out, as_of, report)
    portal_flag = next((f for f, on in (("--only-region", args.only_region), ("--join-only", args.join_only),
                                        ("--list-regions", args.list_regions)) if on), "")
    if portal_flag:
        print(f"{portal_flag}：本项目的 site_config.yml 没有 regions，"
              "不是门户项目；在门户项目的目录中运行，或用 --project 指定门户项目", file=sys.stderr)
        return EXIT_USAGE
    with fewer_collections():
        result = build_site(args.project, out, site_url=args.site_url, search=not args.no_search,
                            history=not args.no_history, force=args.clean, as_of=as_of)
    return report(result, out, args.timings)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cycle collector less often during a build: the catalog and history it keeps (about a
    million objects at 10,000 items) are walked by every full collection, and with the default
    thresholds those took 1.1-1.3 s of CPU in a 6-7 s one-item rebuild (0.3-0.4 s with these)."""
    before = gc.get_threshold()
    gc.set_threshold(10_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def report(result: BuildResult, out: Path, timings: bool) -> int:
    """What a build printed: its errors, its history notices, then where the site is."""
    errors = [p for p in result.problems.sorted() if p.severity == "error"]
    notices = [p for p in result.problems.sorted() if p.rule.startswith("history")]
    for problem in errors + notices:
        print(problem.format_text(), file=sys.stderr)
    if not result.ok:
        print(f"生成失败：{len(errors)} 个错误。原有网站（{out}）保持不变。", file=sys.stderr)
        return 1
    warnings = len(result.problems.warnings)
    if result.unchanged:
        print(f"网站已是最新：{out}（自上次生成以来清单、配置、模板和程序都没有改动）")
    else:
        print(f"已生成网站：{out}（{result.page_count} 个页面；{warnings} 个警告，运行 qingdan check 查看）")
    if timings:
        print("耗时：" + "，".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))
    return 0
