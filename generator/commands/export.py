"""`qingdan export`: the lists as XLSX (one sheet per list), CSV (UTF-8 with BOM) or JSON."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from generator.config import SiteConfig, did_you_mean
from generator.model import Catalog
from generator.problems import report_and_fail
from generator.project import open_project
from generator.tabular.export import Overlong, csv_bytes, json_bytes, xlsx_bytes


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        description="导出的 Excel/CSV 用中文表头，可以直接修改后用 qingdan import 导回。",
        epilog="示例：\n  qingdan export                                  全部清单，写入 qingdan.xlsx\n"
        "  qingdan export --list power --department scjgj --format csv",
    )
    parser.add_argument("--list", dest="list_id", metavar="清单", help="只导出这个清单（例如 power）；CSV 必须指定")
    parser.add_argument("--department", metavar="部门", help="只导出这个部门（部门代码或名称）")
    parser.add_argument("--format", choices=["xlsx", "csv", "json"], default="xlsx", help="导出格式（默认 xlsx）")
    parser.add_argument("--output", "-o", metavar="文件", help="输出文件；默认按清单和部门命名，写在当前目录；“-”表示标准输出（csv/json）")
    parser.add_argument("--all-columns", action="store_true", help="保留全部列（包括全空的列），便于当作填报模板")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    project = open_project(args.project)
    config, catalog = project.config, project.catalog
    if config is None or catalog is None:
        report_and_fail(project.problems, "配置有错误，无法导出。")
        return 1
    if project.problems.has_errors():
        print(f"注意：清单中有 {len(project.problems.errors)} 个错误（运行 qingdan check 查看），"
              "有错误的事项可能没有导出。", file=sys.stderr)
    list_ids = [t.id for t in config.list_types]
    usable, department = _check_usage(args, config, list_ids)
    if not usable:
        return 2
    selected = [args.list_id] if args.list_id else list_ids
    data = _export_bytes(args, config, catalog, selected, department)
    if args.output == "-":
        return _to_stdout(args.format, data)
    target = Path(args.output or _file_name(args.list_id, department, args.format))
    if not _write(target, data):
        return 1
    count = sum(1 for lid in selected for i in catalog.items(lid) if department is None or i.department == department)
    print(f"已导出 {count} 个事项到 {target}")
    return 0


def _to_stdout(fmt: str, data: bytes) -> int:
    """The export on standard output (CSV and JSON only); the exit code."""
    if fmt == "xlsx":
        print("xlsx 不能写到标准输出，请用 --output 指定文件名", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(data)
    return 0


def _file_name(list_id: str | None, department: str | None, fmt: str) -> str:
    """The default file name: the list and the department, in the current folder (qingdan.xlsx for all)."""
    return "-".join(x for x in (list_id or "qingdan", department) if x) + f".{fmt}"


def _check_usage(args: argparse.Namespace, config: SiteConfig, list_ids: list[str]) -> tuple[bool, str | None]:
    """(whether the options can be followed, the department's code or None); a usage error is said."""
    if args.list_id and args.list_id not in list_ids:
        print(f"没有名为“{args.list_id}”的清单。{did_you_mean(args.list_id, list_ids)}", file=sys.stderr)
        return False, None
    department = _department(config, args.department) if args.department else None
    if department == "":
        return False, None
    if args.format == "csv" and not args.list_id:
        print("CSV 每个文件只能放一个清单，请用 --list 指定，例如 --list power", file=sys.stderr)
        return False, None
    return True, department


def _department(config: SiteConfig, text: str) -> str:
    """The code of the department named by its code, name or short name; "" (said to the user) when
    none is registered."""
    department = next((d.code for d in config.departments if text in (d.code, d.name, d.short_name)), None)
    if department is None:
        codes = [d.code for d in config.departments]
        print(f"部门“{text}”没有在 site_config.yml 中登记。{did_you_mean(text, codes)}", file=sys.stderr)
        return ""
    return department


def _export_bytes(args: argparse.Namespace, config: SiteConfig, catalog: Catalog, selected: list[str],
                  department: str | None) -> bytes:
    """The file's bytes in the format asked; an XLSX cell cut at Excel's limit is said on stderr."""
    if args.format == "xlsx":
        overlong: list[Overlong] = []
        data = xlsx_bytes(catalog, selected, department, args.all_columns, overlong=overlong)
        for cell in overlong:
            print(cell.message(config), file=sys.stderr)
        return data
    if args.format == "csv":
        return csv_bytes(catalog, args.list_id, department, args.all_columns)
    return json_bytes(catalog, selected, department)


def _write(target: Path, data: bytes) -> bool:
    """Write the export; False (said to the user) when the system refuses."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:  # a folder of that name, no permission, a full disk
        print(f"无法写入 {target}：{_os_reason(exc)}。请用 --output 指定另一个文件名，或检查目录权限和磁盘空间",
              file=sys.stderr)
        return False
    return True


def _os_reason(exc: OSError) -> str:
    """The operating system's reason in Chinese for the usual cases (its own words are English)."""
    reasons = {errno.EISDIR: "这是一个目录", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
               errno.ENOSPC: "磁盘空间不足", errno.ENOTDIR: "路径中的某一级不是目录", errno.EROFS: "文件系统只读"}
    return reasons.get(exc.errno, f"系统错误 {exc.errno}")
