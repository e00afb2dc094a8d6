"""A province's 通用目录 (common catalogue): imported from its spreadsheet, kept as YAML in the portal
project (`catalogue:` in site_config.yml), and each region's list reported against it.

Provinces publish their catalogues as tables (code, name, type, basis, time limits); the import reads
them with the list import's own machinery (generator/tabular/: header matching, merged cells, time
limits and bases as clerks write them) so every error names the sheet, row and column. Each region
is then reported against the catalogue: 缺少 (a catalogue item the region does not list), 多出 (an
item the catalogue does not have), 名称不同 (the same code under another name) and 要素不同 (type,
basis or a time limit differs). Items are matched as across regions (generator/regions/tenfold.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.legaltext import comparable
from generator.model import Catalog, Item
from generator.problems import Problems
from generator.regions.config import Region
from generator.regions.tenfold import (
    BLANK,
    ELEMENTS,
    RULE,
    Member,
    RegionCatalog,
    code_key,
    comparable_value,
    element_text,
    one_line,
)
from generator.siteconfig import SiteConfig
from generator.tabular.convert import RowConverter
from generator.tabular.mapping import Synonyms, locate_header
from generator.tabular.merge import plain
from generator.tabular.read import ReadError, read_workbook
from generator.tabular.report import Messages, Where
from generator.tabular.rows import RowRecord, sheet_rows
from generator.yamlsource import LocatedList, LocatedMap, load_yaml_file

DEFAULT_LIST = "power"
FIELDS = ("code", "name", "type", "basis", "time_limit")  # what a catalogue holds of an item
KINDS = {"missing": "缺少", "extra": "多出", "renamed": "名称不同", "different": "要素不同"}
CATALOGUE_REGION = Region("catalogue", "通用目录", "")
DATA_NAME = "catalogue"  # downloads/catalogue.json, .csv, .xlsx


@dataclass
class Catalogue:
    """The entries of a 通用目录, as items of the list it catalogues (so they read like any item)."""

    title: str
    list_id: str
    items: list[Item]
    config: SiteConfig
    file: str = ""

    def as_catalog(self) -> Catalog:
        """The entries as a Catalog of one list: what the export code writes."""
        return Catalog(self.config, {self.list_id: {item.code: item for item in self.items}})


@dataclass(frozen=True)
class CatalogueFinding:
    """One way a region differs from the catalogue."""

    region: str
    region_name: str
    kind: str  # missing, extra, renamed, different
    code: str  # the catalogue's code (the region's, for an extra item)
    name: str
    label: str = ""  # the element that differs (名称不同 and 要素不同)
    catalogue_value: str = ""
    region_value: str = ""
    region_code: str = ""  # the item's code in the region
    rule: str = RULE

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def message(self) -> str:
        if self.kind == "missing":
            return f"{self.region_name}没有通用目录中的“{self.name}”"
        if self.kind == "extra":
            return f"{self.region_name}的“{self.name}”不在通用目录中"
        return (f"{self.label}与通用目录不同：通用目录 {one_line(self.catalogue_value)}；"
                f"{self.region_name} {one_line(self.region_value)}")


# --- import ----------------------------------------------------------------------------------------

def import_catalogue(source: Path, config: SiteConfig, messages: Messages, list_id: str = DEFAULT_LIST
                     ) -> tuple[str, list[dict[str, Any]]]:
    """The title (the text above the header, else the file's name) and entries (each {code, name,
    type, basis, time_limit}) of a catalogue spreadsheet; errors, located by sheet, row and column,
    go to `messages` (an entry with an error is left out)."""
    list_type = config.list_type(list_id)
    if list_type is None:
        messages.error(f"没有标识为“{list_id}”的清单", Where(source.name), rule="catalogue-list")
        return "", []
    try:
        book = read_workbook(source)
    except ReadError as error:
        messages.error(error.message, Where(source.name, error.sheet, error.row, error.column), hint=error.hint,
                       rule="import-read")
        return "", []
    synonyms = Synonyms.for_list(list_type)
    entries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}  # code → the row it was first on
    title = ""
    for sheet in book.sheets:
        header = locate_header(sheet, synonyms)
        if header is None:
            continue
        converter = RowConverter(config, list_type, None, book.display, sheet, header,
                                 "" if book.kind == "csv" else sheet.name, messages)
        title = title or converter.title.strip()
        for record in sheet_rows(sheet, header, csv=book.kind == "csv"):
            entry = _entry(converter, record, seen)
            if entry is not None:
                entries.append(entry)
        converter.finish()
    if not entries and not messages.has_errors():
        messages.error("表格中没有找到通用目录的事项", Where(book.display), rule="catalogue-empty",
                       hint="表头应包含 事项编码（或基本编码）、事项名称、职权类型、设定依据、法定时限、承诺时限")
    return title or source.stem, entries


def _entry(converter: RowConverter, record: RowRecord, seen: dict[str, int]) -> dict[str, Any] | None:
    """One row as a catalogue entry; None (reported at its cell) for a row without a name, a code
    seen before, or a cell that cannot be read."""
    row = converter.convert(record)
    entry = {k: row.data[k] for k in FIELDS if k in row.data}
    code, list_id, messages = str(entry.get("code") or ""), converter.list_type.id, converter.messages
    if not str(entry.get("name") or "").strip():
        at = Where(converter.file, converter.sheet_label, *record.place(record.column("name")))
        messages.error("通用目录的这一行没有事项名称", at, rule="catalogue-row", list=list_id, code=code,
                       hint="每一行写一个事项的名称；不是事项的行（说明、合计）请删除")
        return None
    if code and code in seen:
        messages.error(f"编码“{code}”在通用目录中重复（第一次在第{seen[code]}行）", row.at("code"),
                       rule="catalogue-row", list=list_id, code=code, hint="通用目录中每个编码只能出现一次")
        return None
    if code:
        seen[code] = row.where.row or 0
    return entry if row.ok else None


def catalogue_yaml(title: str, list_id: str, entries: list[dict[str, Any]]) -> str:
    """The catalogue file: a title, the list it catalogues and its entries, in the lists' own YAML style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from generator.tabular.merge import _yaml, to_yaml  # the lists' own YAML style

    doc = CommentedMap()
    doc["title"] = title
    doc["list"] = list_id
    items = CommentedSeq()
    for entry in entries:
        node = CommentedMap()
        for key in FIELDS:
            if key == "code" and entry.get("code"):
                node[key] = DoubleQuotedScalarString(str(entry["code"]))  # a code is text: "0090100100"
            elif key in entry:
                node[key] = to_yaml(entry[key], "time_limit" if key == "time_limit" else "")
        items.append(node)
    doc["items"] = items
    out = io.StringIO()
    out.write("# 通用目录：由 qingdan import --catalogue 从表格生成；各地区的事项与它对照（十统一）。\n")
    _yaml().dump(doc, out)
    return out.getvalue()


def write_catalogue(config: SiteConfig, source: Path, list_id: str, messages: Messages) -> Path | None:
    """`qingdan import 表格 --catalogue`: the spreadsheet → the file `catalogue:` names (written only
    when the whole sheet reads without error)."""
    if not config.catalogue:
        messages.error("site_config.yml 中没有写通用目录文件（catalogue）", Where("site_config.yml"),
                       rule="catalogue-missing", hint="例如在 site_config.yml 中写 catalogue: catalogue.yml")
        return None
    title, entries = import_catalogue(source, config, messages, list_id)
    if messages.has_errors():
        return None
    path = config.root / config.catalogue
    path.write_text(catalogue_yaml(title, list_id, entries), encoding="utf-8")
    return path


# --- reading the YAML ------------------------------------------------------------------------------

def load_catalogue(config: SiteConfig, problems: Problems) -> Catalogue | None:
    """The portal's catalogue (None when it has none or the file cannot be read; entries with
    errors are reported, located in the file, and left out)."""
    if not config.catalogue:
        return None
    rel = config.catalogue
    path = config.root / rel
    if not path.exists():
        problems.error(f"找不到通用目录文件 {rel}", file="site_config.yml", rule="catalogue-missing",
                       hint="用 qingdan import 表格 --catalogue 生成它，或改正 site_config.yml 中 catalogue 的文件名")
        return None
    raw = load_yaml_file(path, rel, problems)
    if raw is None:
        return None
    if not isinstance(raw, LocatedMap) or not isinstance(raw.get("items"), LocatedList):
        problems.error("通用目录文件应当有 items: 列表", file=rel, line=1, column=1, rule="catalogue-format",
                       hint="用 qingdan import 表格 --catalogue 重新生成")
        return None
    list_id = str(raw.get("list") or DEFAULT_LIST)
    if config.list_type(list_id) is None:
        problems.error(f"通用目录的清单“{list_id}”不是本项目的清单", file=rel, line=raw.loc.line, column=raw.loc.column,
                       rule="catalogue-format", hint="list: 写通用目录对应的清单标识，例如 power")
        return None
    items = [item for index, entry in enumerate(raw["items"])
             if (item := _catalogue_item(raw["items"], index, entry, list_id, rel, problems)) is not None]
    return Catalogue(str(raw.get("title") or "通用目录"), list_id, items, config, rel)


def _catalogue_item(entries: LocatedList, index: int, entry: Any, list_id: str, rel: str, problems: Problems
                    ) -> Item | None:
    loc = entries.item_locs[index] if index < len(entries.item_locs) else None
    line, column = (loc.line, loc.column) if loc else (None, None)
    if not isinstance(entry, dict) or not str(entry.get("name") or "").strip():
        problems.error(f"通用目录的第 {index + 1} 项没有事项名称", file=rel, line=line, column=column,
                       rule="catalogue-format", hint="每一项写明 name（事项名称）")
        return None
    data = {k: plain(entry[k]) for k in FIELDS if k in entry}
    code = str(data.get("code") or "") or f"#{index + 1}"
    return Item(list_id, "", code, data, file=rel, line=line or 0, column=column or 0)


# --- each region against the catalogue -------------------------------------------------------------

def compare(catalogue: Catalogue, rc: RegionCatalog) -> list[CatalogueFinding]:
    """How one region's list differs from the catalogue: by code first, then by name."""
    region, items = rc.region, list(rc.catalog.items(catalogue.list_id))
    by_code = {}
    for item in items:
        for key in dict.fromkeys((code_key(item, region), str(item.data.get("code") or ""))):
            if key:
                by_code.setdefault(key, item)
    by_name = {comparable(item.name): item for item in reversed(items)}
    used: set[int] = set()
    out: list[CatalogueFinding] = []
    for entry in catalogue.items:
        code = str(entry.data.get("code") or "")
        item = by_code.get(code) if code else None
        if item is None or id(item) in used:
            item = by_name.get(comparable(entry.name))
            item = None if item is None or id(item) in used else item
        if item is None:
            out.append(CatalogueFinding(region.id, region.name, "missing", code, entry.name))
            continue
        used.add(id(item))
        out += _element_findings(catalogue, entry, Member(region, item, rc.catalog.config))
    out += [CatalogueFinding(region.id, region.name, "extra", item.code, item.name, region_code=item.code)
            for item in items if id(item) not in used]
    return out


def _element_findings(catalogue: Catalogue, entry: Item, member: Member) -> list[CatalogueFinding]:
    region, item = member.region, member.item
    code = str(entry.data.get("code") or "")
    out = []
    key = code_key(item, region)
    if code and key and code not in (key, str(item.data.get("code") or "")):  # matched by name: 基本编码 is one of 十统一
        out.append(CatalogueFinding(region.id, region.name, "different", code, entry.name, "事项编码", code, item.code,
                                    item.code))
    for element, label in ELEMENTS:
        expected = _expected(catalogue, entry).get(element)
        if expected is None or expected[0] == comparable_value(member, element):
            continue  # the catalogue does not set it, or the region agrees
        kind = "renamed" if element == "name" else "different"
        out.append(CatalogueFinding(region.id, region.name, kind, code, entry.name, label, expected[1],
                                    element_text(member, element), item.code))
    return out


def _expected(catalogue: Catalogue, entry: Item) -> dict[str, tuple[str, str]]:
    """An entry's elements as (compared, shown), worked out once for every region (none for an
    element the catalogue leaves blank: it sets nothing there)."""
    cache = catalogue.__dict__.setdefault("_expected", {})
    if id(entry) not in cache:
        member = Member(CATALOGUE_REGION, entry, catalogue.config)
        shown = {element: element_text(member, element) for element, _ in ELEMENTS}
        cache[id(entry)] = {element: (comparable_value(member, element), text) for element, text in shown.items()
                            if element == "name" or text != BLANK}
    return cache[id(entry)]


def report(catalogue: Catalogue, regions: list[RegionCatalog]) -> list[CatalogueFinding]:
    """Every region against the catalogue, region by region in the portal's order."""
    return [f for rc in regions for f in compare(catalogue, rc)]


# --- open data -------------------------------------------------------------------------------------

def write_catalogue_data(out_dir: Path, catalogue: Catalogue) -> list[Path]:
    """The catalogue as open data: downloads/catalogue.json, .csv and .xlsx, written by the lists' own
    export (same columns, same bytes for the same input)."""
    from generator.tabular.export import csv_bytes, json_bytes, xlsx_bytes

    catalog = catalogue.as_catalog()
    target = out_dir / "downloads"
    target.mkdir(parents=True, exist_ok=True)
    files = {
        f"{DATA_NAME}.json": json_bytes(catalog, [catalogue.list_id]),
        f"{DATA_NAME}.csv": csv_bytes(catalog, catalogue.list_id),
        f"{DATA_NAME}.xlsx": xlsx_bytes(catalog, [catalogue.list_id]),
    }
    written = []
    for name, data in files.items():
        path = target / name
        path.write_bytes(data)
        written.append(path)
    return written
