"""`qingdan assess` in a portal project (site_config.yml has `regions:`): 十统一 across the regions and
each region against the province's 通用目录, as text, JSON, printable HTML or XLSX."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from generator.commands.usage import UsageError
from generator.commands.usage import parse_fail_on as _parse_ids
from generator.problems import Problems, report_and_fail
from generator.rules import PORTAL_RULES, RULES
from generator.siteconfig import SiteConfig

EXIT_OK, EXIT_FOUND = 0, 1


def run_portal(args: argparse.Namespace, config: SiteConfig, problems: Problems, as_of: dt.date | None) -> int:
    """Assess the portal's regions; exit 1 on a region that could not be read, an error-level
    finding, or a finding of a rule named in --fail-on."""
    if args.list_id or args.department:
        raise UsageError("门户项目（site_config.yml 有 regions）的评估比较各地区，不能用 --list 或 --department",
                         "在地区的项目目录中运行 qingdan assess 可以只评估一个清单或部门")
    fail_on = _parse_ids(args.fail_on, PORTAL_RULES, "规则", "门户项目可用的标识：" + "、".join(PORTAL_RULES) + "，或 any")
    from generator.regions import render
    from generator.regions.assess import assess_portal

    result = assess_portal(config, problems, as_of)
    if problems.items:
        report_and_fail(problems, "qingdan assess：有的地区或通用目录有错误，未完整评估；请先修正上面的问题。")
    if args.format == "xlsx":
        args.output.write_bytes(render.render_xlsx(result))
    else:
        text = {"json": render.render_json, "text": render.render_text, "html": _html}[args.format](result)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
    if args.output is not None:
        sys.stderr.write(f"评估报告已写入 {args.output}：各地区不一致 {len(result.differences)} 处，"
                         f"与通用目录不同 {len(result.catalogue_findings)} 处。\n")
    found = result.differences or result.catalogue_findings
    errors = any(d.level == "error" for d in result.differences)
    raised = [r for r in PORTAL_RULES if r in fail_on and found]
    if raised or errors:
        sys.stderr.write("评估未通过：" + "，".join(f"{RULES[r].label}（--fail-on）" for r in raised)
                         + ("错误级问题" if errors and not raised else "") + "\n")
        return EXIT_FOUND
    return EXIT_FOUND if problems.has_errors() else EXIT_OK


def _html(result) -> str:  # noqa: ANN001 - a PortalAssessment
    """A printable page around the portal page's own body."""
    from markupsafe import escape

    from generator.regions.uniformity import STYLE, uniformity_page

    title = f"{result.site_name}十统一评估（{result.as_of}）"
    catalogue = result.catalogue
    body = uniformity_page(result.differences, result.catalogue_findings if catalogue else None,
                           catalogue.title if catalogue else "通用目录")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head>"
            f"<body><h1>{escape(title)}</h1>\n{body}</body></html>\n")
