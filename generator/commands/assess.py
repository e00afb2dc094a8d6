"""`qingdan assess`: 清单评估 — every rule over the whole current lists, per department.

Exit code 1 when an error-level finding remains or a rule named in --fail-on found anything,
2 for a usage error, else 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from generator.commands.usage import UsageError, run_reporting_usage
from generator.commands.usage import parse_fail_on as _parse_ids
from generator.config import did_you_mean, load_config
from generator.problems import Problems, report_and_fail
from generator.project import open_project
from generator.rules import LIST_RULES, PORTAL_RULES, RULES

FORMATS = ["text", "json", "html", "xlsx"]
EXIT_OK, EXIT_FOUND = 0, 1


def _rules_help() -> str:
    lines = ["规则（--fail-on 和 site_config.yml 的 rules: levels: 使用的标识）："]
    lines += [f"  {r:<28}{RULES[r].label}：{RULES[r].meaning}" for r in LIST_RULES]
    lines.append("比较两个版本才能发现的问题（提高收费、时限延长……）由 qingdan diff 提示，见 qingdan diff --help。")
    lines += [f"门户项目（site_config.yml 有 regions）中比较各地区：{r:<16}{RULES[r].label}：{RULES[r].meaning}"
              for r in PORTAL_RULES]
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "assess",
        description="对当前的全部清单（不是一次调整）运行全部规则：兜底条款、已废止的依据、无依据的权力和收费、"
                    "时限、职责交叉和重复、八公开缺失、引用错误、久未调整。",
        epilog=_rules_help() + "\n\n示例：\n  qingdan assess\n  qingdan assess --department scjgj --format html "
               "--output 评估.html\n  qingdan assess --format xlsx --output 评估.xlsx\n"
               "  qingdan assess --format json --fail-on repealed-law,catch-all-clause",
    )
    parser.add_argument("--list", dest="list_id", default="", metavar="清单", help="只评估一个清单，例如 power")
    parser.add_argument("--department", default="", metavar="部门", help="只评估一个部门，例如 scjgj")
    parser.add_argument("--format", choices=FORMATS, default="text", help="报告格式（默认 text）")
    parser.add_argument("--output", type=Path, default=None, metavar="文件", help="写入文件（默认输出到屏幕）")
    parser.add_argument("--fail-on", default="", metavar="规则",
                        help="这些规则发现问题时退出码为 1（逗号分隔，或 any）；错误级的问题总是退出码 1")
    parser.add_argument("--as-of", default="", metavar="日期", help="评估日期 YYYY-MM-DD（默认今天），用于“久未调整”")
    parser.add_argument("--no-history", action="store_true", help="不读取 git 调整记录（不检查“久未调整”）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_reporting_usage("assess", _run, args)


def parse_fail_on(value: str) -> set[str]:
    return _parse_ids(value, LIST_RULES, "规则", "可用的标识见 qingdan assess --help，或写 any")


def _run(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and args.output is None:
        raise UsageError("Excel 格式的报告需要用 --output 指定文件名", "例如 --format xlsx --output 评估.xlsx")
    as_of = _as_of(args.as_of)
    portal_problems = Problems()
    portal = load_config(args.project, portal_problems)
    if portal is not None and portal.regions:
        from generator.commands.assess_portal import run_portal

        return run_portal(args, portal, portal_problems, as_of)
    fail_on = parse_fail_on(args.fail_on)
    project = open_project(args.project)
    if project.catalog is None or project.config is None:
        report_and_fail(project.problems, "qingdan assess：配置文件有错误，无法评估；请先修正上面的问题。")
        return EXIT_FOUND
    config, catalog = project.config, project.catalog
    lists, codes = [t.id for t in config.list_types], [d.code for d in config.departments]
    if args.list_id and args.list_id not in lists:
        raise UsageError(f"没有标识为“{args.list_id}”的清单", did_you_mean(args.list_id, lists, what="清单"))
    if args.department and args.department not in codes:
        raise UsageError(f"没有代码为“{args.department}”的部门", did_you_mean(args.department, codes, what="部门"))
    last_adjusted = None if args.no_history else _last_adjusted(project)
    from generator.assess import assess

    result = assess(catalog, list_filter=args.list_id, department_filter=args.department,
                    last_adjusted=last_adjusted, as_of=as_of)
    load_errors = [p for p in project.problems.errors if p.rule not in RULES]
    if load_errors:
        result.notes.insert(0, f"清单有 {len(load_errors)} 个校验错误，有问题的事项或文件可能未参加评估；"
                               "请运行 qingdan check 查看。")
    _write(result, args)
    return _verdict(result, fail_on)


def _as_of(text: str) -> dt.date | None:
    """The --as-of day (None: today)."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of 的日期“{text}”应写成 YYYY-MM-DD", "例如 --as-of 2024-12-31") from None


def _verdict(result, fail_on: set[str]) -> int:  # noqa: ANN001 - an assess.Result
    """The exit code: found when an error-level finding remains or a --fail-on rule found anything (said why)."""
    levels = result.level_counts()
    raised = sorted({f.rule for f in result.findings} & fail_on, key=LIST_RULES.index)
    if levels["error"] or raised:
        why = [f"错误级问题 {levels['error']} 个"] if levels["error"] else []
        why += [f"{RULES[r].label} {len(result.by_rule(r))} 个（--fail-on）" for r in raised]
        sys.stderr.write("评估未通过：" + "，".join(why) + "\n")
        return EXIT_FOUND
    return EXIT_OK


def _last_adjusted(project) -> dict[tuple[str, str], str] | None:
    """(list, code) → the day of the item's latest adjustment, from git; None without git."""
    from generator.history import extract_history
    from generator.problems import Problems

    history = extract_history(project.config, Problems(), cache_dir=project.root / ".cache" / "history")
    if not history.head:
        return None
    out: dict[tuple[str, str], str] = {}
    for event in history.events:  # newest first: the first seen is the latest
        out.setdefault((event.list_id, event.code), event.day)
    return out


def _write(result, args: argparse.Namespace) -> None:
    fmt = args.format
    if fmt == "xlsx":
        from generator.assess import render_xlsx

        args.output.write_bytes(render_xlsx.render(result))
    else:
        if fmt == "json":
            from generator.assess import render_json

            text = render_json.render(result)
        elif fmt == "html":
            from generator.assess import render_html

            text = render_html.render(result, args.project / "templates")
        else:
            from generator.assess import render_text

            text = render_text.render(result)
        if args.output is None:
            sys.stdout.write(text)
            return
        args.output.write_text(text, encoding="utf-8")
    levels = result.level_counts()
    sys.stderr.write(f"评估报告已写入 {args.output}：错误 {levels['error']}，警告 {levels['warning']}，"
                     f"提示 {levels['notice']}。\n")
