"""`qingdan import FILE --list L`: a department's Excel/CSV list → lists/<list>/<department>.yml."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from openpyxl.utils import get_column_letter

from generator.config import load_config
from generator.load import load_catalog
from generator.problems import Problems, report_and_fail
from generator.progress import Progress
from generator.tabular.importer import ImportPlan, apply_plan, plan_import

ORDER = {"error": 0, "warning": 1, "info": 2}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        description="读取部门报送的表格，校验后写入 lists/<清单>/<部门>.yml；有错误时不写入任何文件。",
        epilog="示例：\n  qingdan import 权力清单.xlsx --list power --department scjgj --dry-run\n"
        "  qingdan import 收费清单.csv --list fee --department scjgj",
    )
    parser.add_argument("file", type=Path, metavar="表格", help="表格文件：.xlsx、.xls 或 .csv")
    parser.add_argument("--list", dest="list_id", required=True, metavar="清单",
                        help="清单标识，例如 power、responsibility")
    parser.add_argument("--department", metavar="部门", help="部门代码或名称；不写时按表格中的“部门”列")
    parser.add_argument("--sheet", metavar="工作表", help="只导入这个工作表（名称或从 1 开始的序号）")
    parser.add_argument("--dry-run", action="store_true", help="只显示将要做的修改，不写入文件")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    parser.add_argument("--no-info", action="store_true", help="不显示说明性信息，只显示错误和警告")
    parser.add_argument("--catalogue", action="store_true",
                        help="作为省级通用目录导入（门户项目）：写入 site_config.yml 中 catalogue 指定的文件")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    config = load_config(args.project, problems)
    if config is None:
        report_and_fail(problems, "配置有错误，无法导入。")
        return 1
    if args.catalogue:
        return _import_catalogue(args, config)
    catalog = load_catalog(config, problems)
    source = args.file if args.file.is_absolute() else Path.cwd() / args.file
    progress = Progress()
    plan = plan_import(config, catalog, problems, source, args.list_id, args.department, args.sheet, progress)
    progress.step("正在写入清单文件" if not args.dry_run else "正在整理结果")
    written = [] if args.dry_run else apply_plan(config, plan)
    progress.done()
    if args.format == "json":
        print(json.dumps(_json(plan, written, args.dry_run), ensure_ascii=False, indent=2))
    else:
        _print_text(plan, written, args, catalog)
    return 0 if plan.ok else 1


def _import_catalogue(args: argparse.Namespace, config) -> int:  # noqa: ANN001 - a SiteConfig
    """The province's 通用目录 spreadsheet → the portal's catalogue file (generator/regions/catalogue.py)."""
    from generator.regions.catalogue import write_catalogue
    from generator.tabular.report import Messages

    messages = Messages()
    source = args.file if args.file.is_absolute() else Path.cwd() / args.file
    written = None if args.dry_run else write_catalogue(config, source, args.list_id, messages)
    if args.dry_run:
        from generator.regions.catalogue import import_catalogue

        import_catalogue(source, config, messages, args.list_id)
    if args.format == "json":
        print(json.dumps({"ok": not messages.has_errors(), "dry_run": args.dry_run,
                          "written": config.catalogue if written else "",
                          "messages": [m.to_json() for m in messages.items]}, ensure_ascii=False, indent=2))
    else:
        for message in sorted(messages.items, key=lambda m: ORDER[m.severity]):
            print(message.format_text())
        if messages.has_errors():
            print(f"导入未完成：{len(messages.errors)} 个错误，没有写入通用目录。请按上面的位置修改表格后重新导入。")
        elif written:
            print(f"通用目录已写入 {config.catalogue}。请提交它；qingdan assess 会把各地区与它对照。")
        else:
            print("预览（--dry-run）：表格可以导入，没有写入文件。")
    return 1 if messages.has_errors() else 0


def _json(plan: ImportPlan, written: list[str], dry_run: bool) -> dict:
    return {
        "ok": plan.ok,
        "dry_run": dry_run,
        "rows": plan.rows,
        "encoding": plan.encoding,
        "messages": [m.to_json() for m in plan.messages.items],
        "files": {
            rel: {
                "changed": fp.changed,
                "written": rel in written,
                "added": fp.merge.added,
                "kept": fp.merge.kept,
                "changes": [
                    {"code": c.code, "name": c.name, "field": c.field, "old": c.old, "new": c.new}
                    for c in fp.merge.changes
                ],
            }
            for rel, fp in sorted(plan.files.items())
        },
    }


def _print_text(plan: ImportPlan, written: list[str], args: argparse.Namespace, old_catalog) -> None:
    shown = [m for m in plan.messages.items if not (args.no_info and m.severity == "info")]
    for message in sorted(shown, key=lambda m: ORDER[m.severity]):
        print(message.format_text())
    for rel, fp in sorted(plan.files.items()):
        changed_items = {c.code for c in fp.merge.changes} - set(fp.merge.added)
        fields = sum(1 for c in fp.merge.changes if c.code in changed_items)
        if not fp.changed:
            print(f"{rel}：没有变化")
            continue
        print(f"{rel}：新增 {len(fp.merge.added)} 项，修改 {len(changed_items)} 项（{fields} 个字段），"
              f"{len(fp.merge.kept)} 项不在表格中、原样保留")
    if args.dry_run:
        _print_preview(plan)
    if args.dry_run and plan.ok and plan.new_catalog is not None and old_catalog is not None:
        _print_diff(plan, old_catalog)
    errors = len(plan.messages.errors)
    if errors:
        print(f"导入未完成：{errors} 个错误，没有写入任何文件。请按上面的位置修改表格后重新导入。")
    elif args.dry_run:
        print(f"预览（--dry-run）：读取 {plan.rows} 行，没有写入任何文件。")
    elif written:
        print(f"导入完成：读取 {plan.rows} 行，写入 {'、'.join(written)}。请运行 qingdan check 并提交。")
    else:
        print(f"导入完成：读取 {plan.rows} 行，文件内容没有变化。")


def _print_preview(plan: ImportPlan) -> None:
    """Row by row, what the import would do, with that row's problems beside it (errors included:
    that is when the person holding the spreadsheet needs the preview most)."""
    by_row: dict[tuple[str, int | None], list] = {}
    for message in plan.messages.items:
        if message.where is not None and message.where.row is not None and message.severity != "info":
            by_row.setdefault((message.where.sheet, message.where.row), []).append(message)
    print()
    print("预览：表格中的每一行")
    for where, list_id, rel, code, name, spans in sorted(plan.preview, key=lambda p: (p[0].sheet, p[0].row or 0, p[1])):
        fp = plan.files.get(rel)
        changed = fp is not None and any(c.code == code for c in fp.merge.changes)
        action = "新增" if fp is not None and code in fp.merge.added else "修改" if changed else "不变"
        sheet = f"工作表「{where.sheet}」" if where.sheet else ""
        print(f"  {sheet}第{where.row}行 → {action} {list_id}/{code} {name}")
        for message in [m for r in sorted(spans) for m in by_row.pop((where.sheet, r), [])]:
            label = {"error": "错误", "warning": "警告"}[message.severity]
            column = f"{get_column_letter(message.where.column)}列 " if message.where.column else ""
            if message.where.row != where.row:  # a detail page: the field's own row
                column = f"第{message.where.row}行 {column}"
            print(f"      {column}{label}：{message.text}")
    print()


def _print_diff(plan: ImportPlan, old_catalog) -> None:
    """The field-level changes, through the review diff engine (the same view `qingdan diff` gives)."""
    from generator.diff import Version, compare
    from generator.diff.render_text import render

    result = compare(
        old_catalog, plan.new_catalog, Version("导入前", "catalog"), Version(f"导入 {plan.source} 后", "catalog"),
        list_filter=plan.list_id,
    )
    if not result.empty:
        print()
        print(render(result, color=sys.stdout.isatty()), end="")
