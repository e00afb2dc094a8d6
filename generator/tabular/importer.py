"""A spreadsheet → planned changes to lists/<list>/<department>.yml, validated before anything is written.

`plan_import` reads, maps, normalises and merges in memory, then runs the same loader and rules as
`qingdan check` on the would-be project. Problems that the import would introduce are reported at
their sheet, row and column; `apply_plan` writes only a plan without errors.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import ListType, SiteConfig, did_you_mean
from generator.fieldtypes import PLACEHOLDER_CODES
from generator.load import build_catalog, list_files, parse_list_bytes
from generator.model import SAFE_CODE, Catalog, local_code
from generator.problems import Problem, Problems
from generator.progress import Progress
from generator.rules import check_catalog
from generator.tabular.convert import Converted, RowConverter
from generator.tabular.export import CUT_MARK
from generator.tabular.mapping import Header, Synonyms, Target, locate_header
from generator.tabular.merge import ListDocument, MergeError, MergeResult
from generator.tabular.normalize import clean_text
from generator.tabular.read import EMPTY_RUN_LIMIT, ReadError, Sheet, Workbook, read_workbook
from generator.tabular.report import Messages, Where
from generator.tabular.rows import RowRecord, detail_labels, detail_records, sheet_rows
from generator.yamlsource import LocatedList, LocatedMap, parse_yaml


@dataclass
class FilePlan:
    rel_path: str
    old_text: str | None
    merge: MergeResult
    pairings: list[tuple[int, str, str]] = field(default_factory=list)  # (row, name, code) matched by name

    @property
    def new_text(self) -> str:
        return self.merge.text

    @property
    def changed(self) -> bool:
        return self.old_text != self.merge.text


@dataclass
class ImportPlan:
    list_id: str
    source: str
    messages: Messages
    files: dict[str, FilePlan] = field(default_factory=dict)
    encoding: str = ""
    rows: int = 0
    new_catalog: Catalog | None = None  # the project as it would be after the import
    # Every row read: (where, list id, file, item address, name, the rows it spans), for --dry-run.
    preview: list[tuple[Where, str, str, str, str, set[int]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.messages.has_errors()


def _department_lookup(config: SiteConfig) -> dict[str, str]:
    """Code, full name and short name of every department → its code."""
    table: dict[str, str] = {}
    for d in config.departments:
        for key in (d.code, d.name, d.short_name):
            if key:
                table[key] = d.code
    return table


def plan_import(
    config: SiteConfig,
    catalog: Catalog | None,
    baseline: Problems,
    path: Path,
    list_id: str,
    department: str | None = None,
    sheet_name: str | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    messages = Messages()
    plan = ImportPlan(list_id, path.name, messages)
    list_type = config.list_type(list_id)
    if list_type is None:
        messages.error(f"没有名为“{list_id}”的清单", hint=did_you_mean(list_id, [t.id for t in config.list_types]))
        return plan
    departments = _department_lookup(config)
    if department is not None:
        if department not in departments:
            messages.error(
                f"部门“{department}”没有在 site_config.yml 中登记",
                hint=did_you_mean(department, [d.code for d in config.departments]),
            )
            return plan
        department = departments[department]
    try:
        book = read_workbook(path, progress)
    except ReadError as exc:
        messages.error(exc.message, Where(path.name, exc.sheet, exc.row, exc.column), hint=exc.hint, rule="import-read")
        return plan
    plan.encoding = book.encoding
    if book.kind == "csv":
        messages.info(f"CSV 文件按 {book.encoding} 编码读取", Where(book.display), rule="import-encoding")
    converted: list[tuple[Converted, str]] = []
    companions: dict[str, list[tuple[Converted, str]]] = {}
    for sheet in book.sheets:
        if sheet.stopped_at is not None:
            messages.warning(
                f"从第 {sheet.stopped_at - EMPTY_RUN_LIMIT + 1} 行起连续 {EMPTY_RUN_LIMIT} 行都是空行，"
                f"第 {sheet.stopped_at} 行以后的内容没有读取",
                _sheet_where(book, sheet, sheet.stopped_at - EMPTY_RUN_LIMIT + 1), rule="import-empty-rows",
                hint="空行通常只是格式（边框、底色）拉长了表格；如果下面还有事项，请删除中间的空行后再导入",
            )
    for sheet in _choose_sheets(book, config, list_type, sheet_name, messages):
        own, linked = _read_sheet(book, sheet, config, list_type, catalog, department, departments, messages,
                                  progress)
        converted.extend(own)
        for other_id, rows in linked.items():
            companions.setdefault(other_id, []).extend(rows)
    plan.rows = len(converted)
    if not converted:
        if not messages.has_errors() and not any(m.rule == "import-empty" for m in messages.items):
            messages.error("表格中没有可导入的事项", Where(book.display), hint="检查表头是否在前 30 行、表头下面是否有数据")
        return plan
    _merge(plan, config, list_type, converted)
    everything = list(converted)
    for other_id, rows in companions.items():
        other = config.list_type(other_id)
        assert other is not None
        _link_companions(other, list_type, rows, converted)
        _merge(plan, config, other, rows)
        everything.extend(rows)
        messages.info(
            f"表格中同时有{other.title}的列，{len(rows)} 个{other.item_label}已一并导入并与对应的{list_type.item_label}关联",
            Where(book.display), rule="import-companion", list=other_id,
        )
    if any(fp.changed for fp in plan.files.values()):  # unchanged files: the project is as it was
        _validate(plan, config, baseline, everything)
    return plan


def _companion_header(config: SiteConfig, list_type: ListType, header: Header) -> dict[str, Header]:
    """Other lists filled by the same rows: a list whose items refer to this one (责任清单 → 权力清单)
    and whose own columns (责任事项, 追责情形) stand in this sheet, unmapped for this list."""
    out: dict[str, Header] = {}
    for other in config.list_types:
        link = next((f for f in other.fields if f.type == "ref" and f.ref == list_type.id and f.required), None)
        if other.id == list_type.id or link is None:
            continue
        shared = {f.name for f in list_type.fields} | {"code", "name", "local_code", "parent_name", "parent", "extra"}
        synonyms = Synonyms.for_list(other)
        columns = {}
        for col, text in header.unmapped.items():
            path = synonyms.match(text)
            if path and path.split(".")[0] not in shared and other.field(path.split(".")[0]) is not None:
                columns[col] = Target(path, text)
        if columns:
            out[other.id] = Header(header.first_row, header.last_row, columns, {}, dict(header.ignored))
    return out


def _link_companions(other: ListType, list_type: ListType, rows: list[tuple[Converted, str]],
                     main: list[tuple[Converted, str]]) -> None:
    """Each companion row takes its name from the main row beside it and refers to that item."""
    link = next(f for f in other.fields if f.type == "ref" and f.ref == list_type.id and f.required)
    by_row = {(r.where.sheet, r.where.row): r for r, _ in main}
    for row, _ in rows:
        partner = by_row.get((row.where.sheet, row.where.row))
        if partner is None:
            continue
        row.data.setdefault("name", partner.data.get("name", ""))
        row.data[link.name] = str(partner.data.get("local_code") or partner.data.get("code", ""))


def _sheet_where(book: Workbook, sheet: Sheet, row: int | None = None, col: int | None = None) -> Where:
    return Where(book.display, "" if book.kind == "csv" else sheet.name, row, col)


def _choose_sheets(
    book: Workbook, config: SiteConfig, list_type: ListType, sheet_name: str | None, messages: Messages
) -> list[Sheet]:
    if not book.sheets:
        messages.error("文件中没有可见的工作表", Where(book.display), rule="import-sheet")
        return []
    if sheet_name is not None:
        chosen = [s for s in book.sheets if s.name == sheet_name]
        if not chosen and sheet_name.isdigit() and 1 <= int(sheet_name) <= len(book.sheets):
            chosen = [book.sheets[int(sheet_name) - 1]]
        if not chosen:
            names = [s.name for s in book.sheets]
            messages.error(
                f"找不到工作表“{sheet_name}”", Where(book.display), rule="import-sheet",
                hint="文件中的工作表：" + "、".join(names),
            )
        return chosen
    # A workbook exported by qingdan has one sheet per list, named by the list's title.
    titles = {t.title: t.id for t in config.list_types} | {t.id: t.id for t in config.list_types}
    own = [s for s in book.sheets if titles.get(s.name.strip()) == list_type.id]
    if own:
        return own
    return [s for s in book.sheets if titles.get(s.name.strip()) is None]


def _read_sheet(
    book: Workbook, sheet: Sheet, config: SiteConfig, list_type: ListType, catalog: Catalog | None,
    department: str | None, departments: dict[str, str], messages: Messages, progress: Progress | None = None,
) -> tuple[list[tuple[Converted, str]], dict[str, list[tuple[Converted, str]]]]:
    """The rows of one sheet for this list, and for lists filled by the same rows (see _companion_header)."""
    synonyms = Synonyms.for_list(list_type)
    header, details = _sheet_layout(book, sheet, synonyms, list_type, messages)
    if header is None:
        if sheet.rows:
            _report_no_header(book, sheet, list_type, messages)
        return [], {}
    linked_headers = _companion_header(config, list_type, header)
    for other_header in linked_headers.values():
        for col in other_header.columns:
            header.unmapped.pop(col, None)
    _check_cells(book, sheet, header, list_type, messages)
    _report_unmapped(book, sheet, header, list_type, synonyms, messages)
    by_path = _columns_by_path(book, sheet, header, list_type, messages)
    if not _rows_can_be_placed(book, sheet, header, list_type, department, by_path, messages):
        return [], {}
    converter = RowConverter(
        config, list_type, catalog, book.display, sheet, header, "" if book.kind == "csv" else sheet.name, messages
    )
    converter.department_is_extra = department is not None and "department" in by_path
    converter.own_department_names = {text for text, code in departments.items() if code == department}
    records = detail_records(sheet, details) if details else sheet_rows(sheet, header, csv=book.kind == "csv")
    if not records:
        messages.warning("表头下面没有事项", _sheet_where(book, sheet, header.first_row + 1), rule="import-empty",
                         list=list_type.id)
    out = _convert_rows(book, sheet, config, list_type, converter, records, department, departments, messages,
                        progress)
    _attach_sub_items([row for row, _ in out])
    out, made = _main_items(out)
    if made:
        _report_main_items(book, sheet, list_type, made, messages)
    return out, _convert_companions(book, sheet, config, catalog, linked_headers, out, messages)


def _report_main_items(book: Workbook, sheet: Sheet, list_type: ListType, made: list[Converted],
                       messages: Messages) -> None:
    names = "、".join(f"“{r.data['name']}”（第{r.where.row}行起）" for r in made[:5]) + ("…" if len(made) > 5 else "")
    messages.info(f"{len(made)} 个主项没有自己的一行（名称合并在子项行上，或写在每个子项行上），各作为一个事项导入："
                  f"{names}", _sheet_where(book, sheet), rule="import-main-item", list=list_type.id)


def _convert_rows(book: Workbook, sheet: Sheet, config: SiteConfig, list_type: ListType, converter: RowConverter,
                  records: list[RowRecord], department: str | None, departments: dict[str, str], messages: Messages,
                  progress: Progress | None) -> list[tuple[Converted, str]]:
    """Each record converted, with its department (`department`, or the row's own 部门 cell); a row
    whose department is not registered is reported and left out."""
    out = []
    for number, record in enumerate(records, start=1):
        if progress is not None and number % 500 == 0:
            progress.step(f"正在转换{'' if book.kind == 'csv' else f'工作表「{sheet.name}」的'}第 {number} 个事项")
        row_dept = department if department is not None else _row_department(
            book, sheet, record, config, list_type, departments, messages)
        if row_dept is not None:
            out.append((converter.convert(record), row_dept))
    converter.finish()
    return out


def _sheet_layout(book: Workbook, sheet: Sheet, synonyms: Synonyms, list_type: ListType, messages: Messages
                  ) -> tuple[Header | None, dict]:
    """The sheet's header, or a header of field names for a detail sheet (one item per page, each
    field on a row of its own: 事项名称 | …) together with its labels."""
    header = locate_header(sheet, synonyms)
    details = detail_labels(sheet, synonyms.match)
    detail_fields = {path for path, _ in details.values() if path}
    if len(detail_fields) >= 3 and (header is None or len(detail_fields) > len(header.columns)):
        header = Header(0, -1, {i: Target(p, p) for i, p in enumerate(sorted(detail_fields))}, {}, {})
        messages.info("按“一项一页”的详情表读取（每行一个字段：左边是项目，右边是内容）", _sheet_where(book, sheet),
                      rule="import-detail-page", list=list_type.id)
        return header, details
    return header, {}


def _report_no_header(book: Workbook, sheet: Sheet, list_type: ListType, messages: Messages) -> None:
    messages.warning(
        f"没有找到表头，已跳过{'' if book.kind == 'csv' else '这个工作表'}", _sheet_where(book, sheet),
        rule="import-no-header",
        hint=f"表头应至少包含两个能识别的列名，例如 {list_type.field('name').label if list_type.field('name') else '事项名称'}、"
        f"{list_type.field('code').label if list_type.field('code') else '编码'}",
    )


def _check_cells(book: Workbook, sheet: Sheet, header: Header, list_type: ListType, messages: Messages) -> None:
    """Cells whose text the file does not hold whole: a formula saved without its value, or a long
    text cut at Excel's cell limit by our own export."""
    for (r, c), formula in sorted(sheet.unsaved_formulas.items()):
        if r > header.last_row and (c in header.columns or c in header.unmapped):
            messages.error(
                f"这个单元格是公式（{formula[:40]}），但文件中没有保存它的计算结果", _sheet_where(book, sheet, r + 1, c + 1),
                rule="import-formula", list=list_type.id,
                hint="用 WPS 或 Excel 打开这个文件，保存一次后再导入（保存时会写入公式的计算结果）；或把公式改成它的值",
            )
    for r in range(header.last_row + 1, len(sheet.rows)):
        for c, value in enumerate(sheet.rows[r]):
            cut = CUT_MARK.search(value) if isinstance(value, str) else None
            if cut:
                messages.error(
                    f"这个单元格只有一段长文字的开头（全文共 {cut.group(1)} 字，超出 Excel 单元格上限），导入它会丢掉后面的文字",
                    _sheet_where(book, sheet, r + 1, c + 1), rule="import-cut-text", list=list_type.id,
                    hint="请改为导入同一清单的 CSV 导出（qingdan export --format csv --list 清单），其中是完整文字；"
                    "或把这一格换成完整文字后另存为 CSV 再导入",
                )


def _report_unmapped(book: Workbook, sheet: Sheet, header: Header, list_type: ListType, synonyms: Synonyms,
                     messages: Messages) -> None:
    for col, text in sorted(header.unmapped.items()):
        messages.info(
            f"列“{text}”不对应{list_type.title}的任何字段，按原表头作为“其他信息”保存并在事项页上显示",
            _sheet_where(book, sheet, header.first_row + 1, col + 1), rule="import-unmapped", list=list_type.id,
            hint=_close_headers(text, synonyms.known_headers())
            + f"如确是同一字段，可在 site_config.yml 的 import_synonyms: {{{list_type.id}: {{字段名: [{text}]}}}} 中登记",
        )


def _columns_by_path(book: Workbook, sheet: Sheet, header: Header, list_type: ListType, messages: Messages
                     ) -> dict[str, list[int]]:
    """Field path → its columns; several columns for a one-value field are reported (the first
    non-empty value of a row is taken)."""
    by_path: dict[str, list[int]] = {}
    for col, target in header.columns.items():
        by_path.setdefault(target.path, []).append(col)
    for path, cols in by_path.items():
        fdef = list_type.field(path)
        if len(cols) > 1 and not (fdef and fdef.type in ("basis", "list")):
            messages.warning(
                f"有 {len(cols)} 列都对应字段“{fdef.label if fdef else path}”，每行取第一个非空的值",
                _sheet_where(book, sheet, header.first_row + 1, cols[1] + 1), rule="import-duplicate-column",
                list=list_type.id,
            )
    return by_path


def _rows_can_be_placed(book: Workbook, sheet: Sheet, header: Header, list_type: ListType, department: str | None,
                        by_path: dict[str, list[int]], messages: Messages) -> bool:
    """Whether each row can be told apart (a code or a name column) and given a department."""
    header_row = header.first_row + 1
    if "code" not in by_path and "name" not in by_path and "sub_name" not in by_path:
        messages.error(
            "表格中既没有编码列也没有名称列，无法对应事项", _sheet_where(book, sheet, header_row),
            rule="import-no-key", list=list_type.id, hint="至少要有“事项编码”或“事项名称”一列",
        )
        return False
    if department is None and "department" not in by_path:
        messages.error(
            "不知道这些事项属于哪个部门", _sheet_where(book, sheet, header_row), rule="import-no-department",
            list=list_type.id, hint="加上 --department 部门代码，或在表格中加一列“部门”",
        )
        return False
    return True


def _row_department(book: Workbook, sheet: Sheet, record: RowRecord, config: SiteConfig, list_type: ListType,
                    departments: dict[str, str], messages: Messages) -> str | None:
    """The registered department a row's 部门 cell names; None (reported) when it names none."""
    hit = record.first("department")
    text = clean_text(hit[0]) if hit else ""
    row_dept = departments.get(text)
    if row_dept is None:
        messages.error(
            f"部门“{text}”没有在 site_config.yml 中登记" if text else "这一行没有填写部门",
            _sheet_where(book, sheet, *record.place(hit[1] if hit else record.column("department"))),
            rule="import-department", list=list_type.id,
            hint=did_you_mean(text, [d.short_name for d in config.departments]) if text else "填写部门代码或部门名称",
        )
    return row_dept


def _convert_companions(book: Workbook, sheet: Sheet, config: SiteConfig, catalog: Catalog | None,
                        linked_headers: dict[str, Header], out: list[tuple[Converted, str]], messages: Messages
                        ) -> dict[str, list[tuple[Converted, str]]]:
    """The same rows read for each companion list, each in the department of its main row."""
    linked: dict[str, list[tuple[Converted, str]]] = {}
    departments_of = {(r.where.sheet, r.where.row): d for r, d in out}
    for other_id, other_header in linked_headers.items():
        other = config.list_type(other_id)
        companion = RowConverter(config, other, catalog, book.display, sheet, other_header,
                                 "" if book.kind == "csv" else sheet.name, messages)
        for record in sheet_rows(sheet, other_header, csv=book.kind == "csv"):
            row = companion.convert(record)
            dept = departments_of.get((row.where.sheet, row.where.row))
            if dept is not None and row.data:
                linked.setdefault(other_id, []).append((row, dept))
        companion.finish()
    return linked


_SUB_ITEM = re.compile(r"^\s*(?:[（(]\d{1,2}[)）]|[①-⑳]|\d{1,2}[.．、](?!\d))")
# A running number that numbers a 子项: (1) (一) ① in the 序号 column, under a 主项 numbered 1 or 一.
_SUB_SERIAL = re.compile(r"^\s*(?:[（(]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]|[①-⑳])\s*$")
SHARED_SKIP = ("name", "code", "local_code", "parent", "parent_name", "extra")  # never copied to a 主项


def _attach_sub_items(rows: list[Converted]) -> None:
    """Fee sub-items: a row numbered (1) / ① / 1. in its name and with no running number of its own,
    or numbered (一) / (6) / ① in the 序号 column, belongs to the last row above it with a running
    number of the upper level (签证费 over (1)代办外国签证…; 5 | 证照费 over (6) | 居民身份证工本费;
    一 | 身份证 over (一) | 申领…)."""
    parent: Converted | None = None
    for row in rows:
        serial = row.record.serial
        if serial and not _SUB_SERIAL.match(serial):
            parent = row
            continue
        name = str(row.data.get("name", ""))
        numbered = bool(serial) or _SUB_ITEM.match(name) is not None
        if parent is not None and numbered and "parent_name" not in row.data and "parent" not in row.data:
            row.data["parent_name"] = str(parent.data.get("name", ""))


def _is_main_row(row: Converted) -> bool:
    """The first row of a merged code is the 主项 itself unless it carries a 子项 ((a): 职权名称 |
    子项名称 with the first 子项 on the merge's first row; (b): the fee's own row above its ①②③)."""
    return row.record.first("sub_name") is None and not _SUB_ITEM.match(str(row.data.get("name", "")))


def _main_items(rows: list[tuple[Converted, str]]) -> tuple[list[tuple[Converted, str]], list[Converted]]:
    """Rows in published order, with an item for each 主项 that has no row of its own (and those items).

    A 主项 whose name (and code, and shared cells) is merged down over its 子项 rows, or repeated on
    each of several 子项 rows, was published as that cell: it becomes an item named by it, with the
    merged code (or the 主项编码) and every cell merged over, or the same on, all of its 子项 (the
    子项 keep them too, as each row reads). Placed just before its first 子项, so that the rows keep
    their published order.
    """
    own = {(dept, str(r.data.get("name", ""))) for r, dept in rows if not r.data.get("parent_name")}
    groups: dict[tuple[str, str], list[Converted]] = {}
    for row, dept in rows:
        main = str(row.data.get("parent_name", ""))
        if main and (dept, main) not in own:
            groups.setdefault((dept, main), []).append(row)
    made: dict[int, tuple[Converted, str]] = {}
    for (dept, main), members in groups.items():
        item = _main_item(main, members)
        if item is not None:
            made[id(members[0])] = (item, dept)
    out = []
    for row, dept in rows:
        if id(row) in made:
            out.append(made[id(row)])
        out.append((row, dept))
    return out, [row for row, _ in made.values()]


def _main_item(main: str, members: list[Converted]) -> Converted | None:
    """The item of a 主项 named `main` over its 子项 rows `members`; None for a 主项 named beside one
    子项 only, which stays that 子项's parent name."""
    first = members[0]
    merged = {p.split(".")[0] for p in first.record.merged_down}
    if not merged & {"name", "parent_name", "code", "parent"} and len(members) < 2:
        return None
    data: dict = {"name": main}
    columns = {"name": first.columns.get("parent_name") or first.columns.get("name")}
    source = _main_code_source(merged, members)
    if source is not None:
        data["code"] = first.data[source]
        columns["code"] = first.columns.get(source)
    for name, value in first.data.items():
        if name in SHARED_SKIP or (name not in merged and len(members) < 2):
            continue
        if all(m.data.get(name) == value for m in members):  # merged, or the same on every 子项
            data[name] = value
            columns[name] = first.columns.get(name)
    record = RowRecord(first.record.sheet, first.record.row, dict(first.record.cells), group=first.record.group)
    return Converted(record, first.where, data, {}, {k: v for k, v in columns.items() if v})


def _main_code_source(merged: set[str], members: list[Converted]) -> str | None:
    """Where a 主项's code stands: a 主项编码 column (`parent`), or a code cell merged over the 子项
    (`code`), the same on every 子项; None when it has none."""
    for source in ("parent", "code"):
        code = members[0].data.get(source)
        if code and (source == "parent" or "code" in merged) and all(m.data.get(source) == code for m in members):
            return source
    return None


def _close_headers(text: str, known: list[str]) -> str:
    close = difflib.get_close_matches(text, known, n=3, cutoff=0.5)
    return f"是不是“{'”“'.join(close)}”？" if close else ""


def _usable_code(code: str) -> bool:
    return bool(code) and code not in PLACEHOLDER_CODES and SAFE_CODE.match(code) is not None


def _assign_codes(list_type: ListType, converted: list[tuple[Converted, str]], messages: Messages) -> None:
    """Give every row an address: its published code when that can serve, else a local code.

    - a code cell merged down over a 主项's 子项 rows is the 主项's code (`parent`), and the code of
      the merge's first row when that row is the 主项 itself (see _is_main_row);
    - a published code on several separate rows is shared: each row keeps it as published and gets
      its own local code as address;
    - an empty, placeholder (待定, 无) or unusable code gets a local code; a non-empty one is kept.
    """
    counts = _published_code_counts(converted)
    keys: dict[tuple[str, str], list[Converted]] = {}
    told: set[tuple[str, str]] = set()  # shared codes already reported (once per code, not per row)
    for row, dept in converted:
        code = str(row.data.get("code", ""))
        if _usable_code(code) and counts.get((dept, code), 0) == 1:
            continue
        if code and counts.get((dept, code), 0) > 1 and (dept, code) not in told:
            told.add((dept, code))
            messages.info(
                f"编码“{code}”在表格中用于 {counts[(dept, code)]} 行，按共用的公布编码保留；每行另有本地编码作为网址",
                row.at("code"), rule="import-shared-code", list=list_type.id, code=code,
            )
        parent = str(row.data.get("parent_name", "") or row.data.get("parent", ""))
        base = local_code(dept, list_type.id, parent, str(row.data.get("name", "")))
        keys.setdefault((dept, base), []).append(row)
    for (dept, base), rows in keys.items():
        _give_local_codes(list_type, dept, base, rows)


def _published_code_counts(converted: list[tuple[Converted, str]]) -> dict[tuple[str, str], int]:
    """(department, code) → the rows that carry it as their own code. A usable code merged down over
    子项 rows becomes their `parent` (the merge's first row keeps it when it is the 主项 itself)."""
    counts: dict[tuple[str, str], int] = {}
    for row, dept in converted:
        code = str(row.data.get("code", ""))
        if "code" in row.record.merged_down and _usable_code(code) and not (
                "code" in row.record.merge_top and _is_main_row(row)):
            row.data["parent"] = code
            row.data.pop("code")
            continue
        if _usable_code(code):
            counts[(dept, code)] = counts.get((dept, code), 0) + 1
    return counts


def _give_local_codes(list_type: ListType, dept: str, base: str, rows: list[Converted]) -> None:
    """The local code `base` for one row; rows that share it are told apart by their content."""
    if len(rows) == 1:
        rows[0].data["local_code"] = base
        return
    salts = [json.dumps({k: v for k, v in r.data.items() if k != "code"}, ensure_ascii=False, sort_keys=True)
             for r in rows]
    seen: dict[str, int] = {}
    for row, salt in zip(rows, salts, strict=True):
        code = local_code(dept, list_type.id, str(row.data.get("parent_name", "")), str(row.data.get("name", "")),
                          salt)
        seen[code] = seen.get(code, 0) + 1
        row.data["local_code"] = code if seen[code] == 1 else f"{code}-{seen[code]}"  # identical rows


def _merge(plan: ImportPlan, config: SiteConfig, list_type: ListType, converted: list[tuple[Converted, str]]) -> None:
    messages = plan.messages
    documents: dict[str, ListDocument] = {}
    seen: dict[tuple[str, str], Converted] = {}
    _assign_codes(list_type, converted, messages)
    for row, dept in converted:
        rel = f"{config.lists_dir}/{list_type.id}/{dept}.yml"
        if rel not in documents:
            doc = _open_document(plan, config, list_type, rel, dept)
            if doc is None:
                return
            documents[rel] = doc
        doc = documents[rel]
        address = str(row.data.get("local_code") or row.data.get("code", ""))
        name = str(row.data.get("name", ""))
        if (rel, address) in seen:
            first = seen[(rel, address)].where
            messages.error(
                f"编码“{address}”在表格中出现了两次（第一次在第{first.row}行）", row.at("code"),
                rule="import-duplicate-row", list=list_type.id, code=address,
                hint="同一事项只填一行；子项请使用各自的编码",
            )
            continue
        seen[(rel, address)] = row
        index = doc.codes().get(address)
        drop: set[str] = set()
        if index is None:
            index = _pair_by_name(plan.files[rel], doc, row, seen, drop)
        if index is None:
            doc.append(row.data)
        else:
            doc.update(index, row.data, row.parts, row.soft, drop)
        stored = doc.item_code(index) if index is not None else ""
        address = str(row.data.get("local_code") or row.data.get("code") or stored)
        spans = {r for r, _ in row.record.positions.values()} | {row.where.row or 0}
        plan.preview.append((row.where, list_type.id, rel, address, name, spans))
    for rel, doc in documents.items():
        plan.files[rel].merge = doc.result()
    _report_merge(plan, list_type)


def _open_document(plan: ImportPlan, config: SiteConfig, list_type: ListType, rel: str, dept: str
                   ) -> ListDocument | None:
    """The list file the rows of `dept` merge into (registered in the plan); None (reported) when it
    cannot be written or read."""
    file = config.root / rel
    if file.is_symlink() or file.parent.is_symlink():  # writing would go wherever the link points
        plan.messages.error(
            "要写入的清单文件（或它所在的目录）是符号链接，不能导入到这里", Where(rel, yaml_line=1),
            rule="import-target", hint="清单文件必须是 lists/ 中的普通文件：把链接换成它指向的文件或目录",
        )
        return None
    try:
        old = file.read_text(encoding="utf-8-sig") if file.exists() else None
        doc = ListDocument(old, dept, list_type, config)
    except (MergeError, UnicodeDecodeError) as exc:
        plan.messages.error(
            f"现有文件无法读取，不能合并：{exc}", Where(rel, yaml_line=1), rule="import-target",
            hint="先运行 qingdan check 并修正这个文件",
        )
        return None
    plan.files[rel] = FilePlan(rel, old, MergeResult(old or ""))
    return doc


def _pair_by_name(fp: FilePlan, doc: ListDocument, row: Converted, seen: dict[tuple[str, str], Converted],
                  drop: set[str]) -> int | None:
    """An item not in the file under the row's address is the file's item of the same name (and 主项),
    written by hand with a code or under a local code until now: its index, or None.

    The file's address stays; when the official code has arrived for an item under a local code
    (改码), `local_code` is added to `drop`."""
    name = str(row.data.get("name", ""))
    matches = [i for i in doc.names().get(name, []) if doc.parent_name(i) == str(row.data.get("parent_name", ""))]
    if len(matches) != 1 or (fp.rel_path, doc.item_code(matches[0])) in seen:
        return None
    index = matches[0]
    existing_local = doc.has_local_code(index)
    if "local_code" in row.data:
        row.data.pop("local_code")
        if not existing_local:
            row.data.pop("code", None)
    elif existing_local:
        drop.add("local_code")
    fp.pairings.append((row.where.row or 0, name, doc.item_code(index)))
    return index


def _report_merge(plan: ImportPlan, list_type: ListType) -> None:
    """Rows matched to items by name, and items of the files that the sheet left as they were."""
    for rel, fp in plan.files.items():
        for row_no, name, code in fp.pairings:
            plan.messages.info(f"第{row_no}行“{name}”按名称对应到已有事项 {code}", Where(rel), rule="import-pairing",
                               list=list_type.id, code=code)
        if fp.merge.kept:
            plan.messages.info(
                f"{rel} 中有 {len(fp.merge.kept)} 个事项不在表格中，已原样保留：{'、'.join(fp.merge.kept[:10])}"
                + ("…" if len(fp.merge.kept) > 10 else ""),
                rule="import-kept", list=list_type.id,
            )


MAX_GAP_MESSAGES = 10  # missing-disclosure warnings shown one by one; more are summed up
_MISSING = re.compile(r"缺少必填字段“([^”]+)”")  # a refused blank (load.py): the field's name
_BLANK = re.compile(r"必填项“([^”]+)”空白")  # a blank published as 未公开 (rules.py): the field's label


def _problem_key(p: Problem) -> tuple:
    return (p.severity, p.file, p.rule, p.code, p.message)


def _field_lines(text: str, rel: str) -> dict[str, list[tuple[int, str]]]:
    """Item code → [(line, field)] of the would-be file, to turn a YAML problem back into a cell."""
    root = parse_yaml(text, rel, Problems())
    out: dict[str, list[tuple[int, str]]] = {}
    items = root.get("items") if isinstance(root, LocatedMap) else None
    if not isinstance(items, LocatedList):
        return out
    for index, item in enumerate(items):
        if isinstance(item, LocatedMap):
            code = str(item.get("local_code") or item.get("code", f"第{index + 1}项"))
            out[code] = sorted((loc.line, key) for key, loc in item.key_locs.items())
    return out


def _validate(plan: ImportPlan, config: SiteConfig, baseline: Problems, converted: list[tuple[Converted, str]]) -> None:
    """Load the would-be project with the same loader and rules as `qingdan check`."""
    problems = _would_be_problems(plan, config)
    before: dict[tuple, int] = {}
    for p in baseline.items:
        before[_problem_key(p)] = before.get(_problem_key(p), 0) + 1
    rows = {str(c.data.get("local_code") or c.data.get("code", "")): c for c, _ in converted
            if c.data.get("local_code") or c.data.get("code")}
    lines: dict[str, dict] = {}
    gaps: list[tuple[Where, Problem]] = []
    blanks: dict[tuple, list[Where]] = {}  # (file, sheet, list, field, column) → the rows it is blank on
    for p in problems.items:
        key = _problem_key(p)
        if before.get(key, 0) > 0:
            before[key] -= 1  # there before the import: not ours to report
            continue
        row = rows.get(p.code) if p.file in plan.files else None
        if row is None:
            plan.messages.add(p.severity, p.message, Where(p.file, yaml_line=p.line), hint=p.hint, list=p.list,
                              code=p.code, rule=p.rule)
            continue
        if p.file not in lines:
            lines[p.file] = _field_lines(plan.files[p.file].new_text, p.file)
        where, field_name, missing, blank = _problem_cell(plan, config, p, row, lines[p.file].get(p.code, []))
        if p.rule == "missing-disclosure":
            gaps.append((where, p))
            continue
        if p.rule == "missing-required" and blank:
            blanks.setdefault((where.file, where.sheet, p.list, field_name, where.column), []).append(where)
            continue
        message, hint = _missing_message(plan, config, p, missing, where) if missing else (p.message, p.hint)
        plan.messages.add(p.severity, message, where, hint=hint, list=p.list, code=p.code, rule=p.rule)
    for (file, sheet, list_id, field_name, column), places in blanks.items():
        _report_blank_column(plan, config, file, sheet, list_id, field_name, column, places)
    _report_gaps(plan, gaps)


def _would_be_problems(plan: ImportPlan, config: SiteConfig) -> Problems:
    """Every problem of the project as it would be after the import (its catalog kept in the plan)."""
    problems = Problems()
    items = []
    root = config.root
    paths = {p.relative_to(root).as_posix() for p in list_files(root / config.lists_dir)} | set(plan.files)
    for rel in sorted(paths):
        data = plan.files[rel].new_text.encode("utf-8") if rel in plan.files else (root / rel).read_bytes()
        items.extend(parse_list_bytes(data, rel, config, problems))
    plan.new_catalog = build_catalog(config, items, problems)
    check_catalog(plan.new_catalog, problems)
    return problems


def _problem_cell(plan: ImportPlan, config: SiteConfig, p: Problem, row: Converted, entries: list[tuple[int, str]]
                  ) -> tuple[Where, str, re.Match | None, re.Match | None]:
    """The cell of the sheet a problem of an imported item is about, the field it names, and whether
    it is a refused blank (`missing`) or a blank published as 未公开 (`blank`).

    `entries` are the (line, field) of the item in the would-be file; a problem on the item's own line
    (or a missing field) points at the row, or at the empty cell of that field if it has a column."""
    missing = _MISSING.search(p.message) if p.rule == "missing-field" else None
    blank = _BLANK.search(p.message) if p.rule == "missing-required" else None
    field_name = _problem_field(plan, config, p, entries, missing, blank)
    if missing or blank:
        where = row.at(field_name) if field_name in row.columns else Where(
            row.where.file, row.where.sheet, *row.record.place(row.record.column(field_name)))
    else:
        on_item_line = bool(entries) and entries[0][1] == field_name and p.rule != "duplicate-code"
        where = row.at(field_name) if field_name in row.columns and not on_item_line else row.where
    return where, field_name, missing, blank


def _problem_field(plan: ImportPlan, config: SiteConfig, p: Problem, entries: list[tuple[int, str]],
                   missing: re.Match | None, blank: re.Match | None) -> str:
    """The field a problem names: the missing or blank one, else the last field of the item that
    starts at or above the problem's line."""
    if missing:
        return missing.group(1)
    if blank:
        list_type = config.list_type(p.list or plan.list_id)
        fdef = next((f for f in list_type.fields if f.label == blank.group(1)), None) if list_type else None
        return fdef.name if fdef else ""
    field_name = ""
    for line, name in entries:
        if p.line is not None and line <= p.line:
            field_name = name
    return field_name


def _missing_message(plan: ImportPlan, config: SiteConfig, p: Problem, missing: re.Match, where: Where
                     ) -> tuple[str, str]:
    """A refused blank said for the person holding the spreadsheet, not the YAML file: message, hint."""
    list_type = config.list_type(p.list or plan.list_id)
    fdef = list_type.field(missing.group(1)) if list_type else None
    label = fdef.label if fdef else missing.group(1)
    hint = (f"在“{label}”列填写" if where.column else f"在表格中加一列“{label}”，并为每个事项填写") + "，然后重新导入"
    return f"缺少必填的“{label}”", hint


def _report_gaps(plan: ImportPlan, gaps: list[tuple[Where, Problem]]) -> None:
    """Missing-disclosure warnings one by one; for a sheet without the disclosure columns, one line."""
    if len(gaps) <= MAX_GAP_MESSAGES:
        for where, p in gaps:
            plan.messages.add(p.severity, p.message, where, hint=p.hint, list=p.list, code=p.code, rule=p.rule)
        return
    rows = "、".join(str(w.row) for w, _ in gaps[:10]) + "…"
    plan.messages.warning(
        f"{len(gaps)} 个事项的八公开要素不全（第{rows}行），网站上将显示“未公开”",
        Where(gaps[0][0].file, gaps[0][0].sheet), hint=gaps[0][1].hint, list=plan.list_id,
        rule="missing-disclosure",
    )


def _report_blank_column(plan: ImportPlan, config: SiteConfig, file: str, sheet: str, list_id: str,
                         field_name: str, column: int | None, places: list[Where]) -> None:
    """A required field the sheet leaves blank: one warning per column (or per missing column) and
    sheet, naming the rows; the items are imported as published and show 未公开 there."""
    list_type = config.list_type(list_id or plan.list_id)
    fdef = list_type.field(field_name) if list_type else None
    label = fdef.label if fdef else field_name
    what = list_type.item_label if list_type else "事项"
    numbers = sorted({w.row for w in places if w.row})
    rows = "、".join(str(n) for n in numbers[:10]) + ("…" if len(numbers) > 10 else "")
    if column is not None:
        message = f"“{label}”列有 {len(places)} 格空白（第{rows}行），这些{what}照原样导入，网站上“{label}”显示“未公开”"
        hint = f"“{label}”是{list_type.title if list_type else '本清单'}的必填项；部门公布后在这一列填写并重新导入"
    else:
        message = f"表格中没有“{label}”一列：{len(places)} 个{what}（第{rows}行）照原样导入，网站上“{label}”显示“未公开”"
        hint = (f"“{label}”是{list_type.title if list_type else '本清单'}的必填项；部门公布后在表格中加一列“{label}”"
                "并重新导入。要拒绝缺少必填项的表格，在 site_config.yml 中把这个清单类型或字段标为 strict: true")
    plan.messages.warning(message, Where(file, sheet, None, column), hint=hint, list=list_id,
                          rule="missing-required")


def apply_plan(config: SiteConfig, plan: ImportPlan) -> list[str]:
    """Write the changed files (atomically, one by one); nothing when the plan has errors."""
    if not plan.ok:
        return []
    written = []
    for rel, fp in sorted(plan.files.items()):
        if not fp.changed:
            continue
        target = config.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".import-", suffix=".yml")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(fp.new_text)
        os.replace(tmp, target)
        written.append(rel)
    return written
