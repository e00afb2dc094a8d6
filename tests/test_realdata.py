"""Real published tables (../shared/realdata/sheets) import as published, with no hand edits.

For each table: one `qingdan import` exits 0; every row that is an item becomes exactly one item
(and each 主项 merged over its 子项 rows one more); every non-empty published cell is stored (the
CSVs too; tests/realdata_summary.py prints the counts) and shown on the item's page; every 依据 cell appears on
the page character for character (whitespace aside) and comes back identical from export; the same
sheet imported again changes no byte, and reordering its rows changes no generated code.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from mini_project import qingdan

from generator.legaltext import comparable
from generator.tabular.read import read_workbook

REPO = Path(__file__).resolve().parent.parent
SHEETS = REPO.parent / "shared" / "realdata" / "sheets"
if not SHEETS.is_dir():  # CI and developers have ../shared beside the clone
    pytest.skip("../shared/realdata is not beside the project", allow_module_level=True)

DEPARTMENTS = """departments:
  - {code: lnsj, name: 辽宁省直部门, short_name: 省直部门}
  - {code: dag, name: 市委办公室(市档案局), short_name: 市档案局}
  - {code: mnjd, name: 明光市明南街道办事处, short_name: 明南街道}
  - {code: zltgaj, name: 扎赉特旗公安局, short_name: 旗公安局}
  - {code: qzcz, name: 钦州市财政局, short_name: 市财政局}
  - {code: ycsp, name: 应城市行政审批局, short_name: 市审批局}
  - {code: gaj, name: 广安区公安分局, short_name: 区公安分局}
  - {code: jtj, name: 广安区交通运输局, short_name: 区交通运输局}

"""

# (file, list, --department, header row (1-based), item rows (1-based), basis column, name column)
TABLES = {
    "liaoning_power.xlsx": ("power", "lnsj", 2, range(3, 18), "E", "C"),
    "dangan_power.xlsx": ("power", "dag", 4, range(5, 17), None, None),
    "mingnan_power.xlsx": ("power", "mnjd", 2, range(3, 4), "F", "D"),
    "zhalaite_certificate.xlsx": ("certificate", "zltgaj", 2, range(3, 4), "D", "B"),
    "qinzhou_fee.xlsx": ("fee", "qzcz", 2, range(3, 11), "F", "C"),
    "qinzhou_fee_gbk.csv": ("fee", "qzcz", 2, range(3, 11), "F", "C"),
    "yingcheng_intermediary.xlsx": ("intermediary", "ycsp", 3, range(4, 7), "D", "B"),
    "yingcheng_intermediary_utf8bom.csv": ("intermediary", "ycsp", 3, range(4, 7), "D", "B"),
    "guangan_convenience.xlsx": ("convenience", None, 2, range(3, 19), None, "C"),
}


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "county"
    project.mkdir(parents=True)
    config = (REPO / "site_config.yml").read_text(encoding="utf-8")
    start, end = config.index("departments:"), config.index("extra_list_types:")
    (project / "site_config.yml").write_text(config[:start] + DEPARTMENTS + config[end:], encoding="utf-8")
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    (project / "lists").mkdir()
    return project


# 主项 published as a cell merged over (or repeated on) their 子项 rows, with no row of their own:
# each becomes an item too (dangan: 3 主项 merged over two 子项 each; guangan: see its README entry).
MAIN_ITEMS_MADE = {"dangan_power.xlsx": 3, "guangan_convenience.xlsx": 4}


def import_table(project: Path, name: str, source: Path | None = None, json_output: bool = False
                 ) -> subprocess.CompletedProcess:
    list_id, dept, *_ = TABLES[name]
    args = ["import", str(source or SHEETS / name), "--list", list_id, *(["--format", "json"] if json_output else [])]
    return qingdan(project, *args, *(["--department", dept] if dept else []))


def _stored_text(value) -> str:
    if isinstance(value, dict):
        return " ".join(_stored_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_stored_text(v) for v in value)
    return "" if value is None else str(value)


def cells_kept(project: Path, name: str) -> tuple[int, int, list[str]]:
    """(cells stored, published cells, the lost ones) of a table imported into `project`.

    A published cell is every non-empty cell of an item row (a merged range counted once, at its
    top-left), running numbers (序号) aside; it is stored when its text, layout whitespace aside, is in
    the YAML of the lists the table filled — whole, or (multi-value cells such as 市、县 or 2,3) each
    of its values."""
    names = {d["code"]: f"{d['name']} {d['short_name']}" for d in yaml.safe_load(DEPARTMENTS)["departments"]}
    files = list((project / "lists").glob("*/*.yml"))  # a 部门 cell is the file its rows went to
    stored = comparable(" ".join(_stored_text(yaml.safe_load(p.read_text(encoding="utf-8"))) + " " + names[p.stem]
                                 for p in files))
    sheet = read_workbook(SHEETS / name).sheets[0]
    _, _, header_row, rows, *_ = TABLES[name]
    covered = {(r, c) for r1, c1, r2, c2 in sheet.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
               if (r, c) != (r1, c1)}
    total, lost = 0, []
    for row in rows:
        for col in range(sheet.width):
            value = sheet.value(row - 1, col)
            if value is None or not str(value).strip() or (row - 1, col) in covered:
                continue
            header = str(sheet.value(header_row - 1, col) or "")
            if re.fullmatch(r"\s*序\s*号\s*", header) or re.fullmatch(r"\d+", str(value).strip()):
                continue  # running numbers are layout, not content
            total += 1
            text = comparable(str(value))
            if text not in stored and not all(comparable(v) in stored for v in re.split(r"[,，、]", str(value))):
                lost.append(f"{chr(ord('A') + col)}{row}: {str(value)[:40]!r}")
    return total - len(lost), total, lost


def items_of(project: Path, list_id: str) -> list[dict]:
    out = []
    for path in sorted((project / "lists" / list_id).glob("*.yml")):
        out.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])
    return out


def page_text(site: Path, list_id: str, item: dict) -> str:
    page = (site / list_id / str(item.get("local_code") or item["code"]) / "index.html").read_text(encoding="utf-8")
    body = page[page.index('class="qd-item"'): page.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def cell_columns(name: str) -> dict[str, list[str]]:
    """Column letter → cells of the item rows, as published (merged ranges read at their top-left)."""
    book = read_workbook(SHEETS / name)
    sheet = book.sheets[0]
    _, _, header_row, rows, *_ = TABLES[name]
    out: dict[str, list[str]] = {}
    for row in rows:
        for col in range(sheet.width):
            value = sheet.value(row - 1, col)
            if value is not None and str(value).strip():
                out.setdefault(chr(ord("A") + col), []).append(str(value))
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """Every table imported into one project, which is then built."""
    project = make_project(tmp_path_factory.mktemp("realdata"))
    for name in TABLES:
        if name.endswith(".csv"):
            continue  # the CSVs are the same tables: imported separately below
        run = import_table(project, name)
        assert run.returncode == 0, f"{name}\n{run.stdout}\n{run.stderr}"
    build = qingdan(project, "build", "--no-history")
    assert build.returncode == 0, build.stdout + build.stderr
    return project


@pytest.mark.parametrize("name", [n for n in TABLES if not n.endswith(".csv")])
def test_every_item_row_is_one_item_with_every_published_cell_on_its_page(imported: Path, name: str) -> None:
    list_id, dept, header_row, rows, basis_col, _ = TABLES[name]
    items = [i for i in items_of(imported, list_id)
             if dept is None or (imported / "lists" / list_id / f"{dept}.yml").exists()]
    if dept is not None:
        items = yaml.safe_load((imported / "lists" / list_id / f"{dept}.yml").read_text(encoding="utf-8"))["items"]
    assert len(items) == len(rows) + MAIN_ITEMS_MADE.get(name, 0), [i["name"] for i in items]
    pages = " ".join(comparable(page_text(imported / "site", list_id, item)) for item in items)
    if dept is not None:  # lists filled by the same rows (a power table's 责任事项 → the responsibility list)
        for other in (imported / "lists").glob(f"*/{dept}.yml"):
            if other.parent.name != list_id:
                pages += " ".join(comparable(page_text(imported / "site", other.parent.name, item))
                                  for item in yaml.safe_load(other.read_text(encoding="utf-8"))["items"])
    for column, cells in cell_columns(name).items():
        header = str(read_workbook(SHEETS / name).sheets[0].value(header_row - 1, ord(column) - ord("A")) or "")
        if re.fullmatch(r"\s*序号\s*", header) or re.fullmatch(r"\d+", cells[0]):
            continue  # running numbers are layout, not content
        for cell in cells:
            text = comparable(cell)
            if name.startswith("dangan") and column == "E" or "层级" in header and "," in cell:
                continue  # multi-level cells are shown as their standard values (市、县), checked below
            assert text in pages, f"{name} {column}: {cell[:60]!r} not on any item page"


@pytest.mark.parametrize("name", [n for n, t in TABLES.items() if t[4]])
def test_every_basis_cell_is_on_the_page_and_comes_back_from_export(imported: Path, name: str, tmp_path: Path
                                                                    ) -> None:
    list_id, dept, header_row, rows, basis_col, name_col = TABLES[name]
    book = read_workbook(SHEETS / name)
    sheet = book.sheets[0]
    cells = {}
    for row in rows:
        value = sheet.value(row - 1, ord(basis_col) - ord("A"))
        if value:
            cells[str(sheet.value(row - 1, ord(name_col) - ord("A")))] = str(value)
    items = {str(i["name"]): i for i in items_of(imported, list_id)}
    export = qingdan(imported, "export", "--list", list_id, "--format", "csv", "--output", str(tmp_path / "out.csv"))
    assert export.returncode == 0, export.stderr
    exported = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    for item_name, cell in cells.items():
        item = items[item_name]
        assert comparable(cell) in comparable(page_text(imported / "site", list_id, item))
        row = next(r for r in exported if r[next(k for k in r if k.endswith("名称") or k in ("收费项目", "证明名称"))]
                   == item_name)
        assert any(comparable(v or "") == comparable(cell) for v in row.values()), f"{item_name}: export differs"


def test_main_items_and_fee_sub_items_are_kept(imported: Path) -> None:
    dangan = items_of(imported, "power")
    subs = [i for i in dangan if i.get("parent_name") == "对国有企业文件材料归档范围和保管期限表的审查"]
    assert [i["name"] for i in subs] == ["对市属国有企业文件材料归档范围和保管期限表的审查",
                                        "对县(区、市)属国有企业文件材料归档范围和保管期限表的审查"]
    fees = {i["name"]: i for i in items_of(imported, "fee")}
    assert fees["(1)代办外国签证(含加急,限于各国家机关收取的)"]["parent_name"] == "签证费"
    assert "parent_name" not in fees["签证费"]
    page = page_text(imported / "site", "fee", fees["签证费"])
    assert "子项（2 项）" in page and "(2)代填外国签证申请表(限于国家机关)" in page
    guangan = [i for i in items_of(imported, "convenience") if i["name"] == "客运班线延续经营许可"]
    assert guangan and "parent_name" not in guangan[0]  # 未分类 is not a 主项


def test_responsibility_columns_of_a_power_table_fill_the_responsibility_list(imported: Path) -> None:
    [power] = yaml.safe_load((imported / "lists/power/mnjd.yml").read_text(encoding="utf-8"))["items"]
    [duty] = yaml.safe_load((imported / "lists/responsibility/mnjd.yml").read_text(encoding="utf-8"))["items"]
    assert duty["power"] == power["local_code"] and duty["name"] == power["name"]
    sheet = read_workbook(SHEETS / "mingnan_power.xlsx").sheets[0]
    for column, field in ((6, "duties"), (7, "accountability")):
        assert comparable("".join(duty[field])) == comparable(str(sheet.value(2, column)))
    page = page_text(imported / "site", "responsibility", duty)
    assert comparable(str(sheet.value(2, 6))) in comparable(page)


def test_enumerations_keep_what_was_published(imported: Path) -> None:
    power = {i["name"]: i for i in items_of(imported, "power")}
    assert power["对执行档案法等有关管理规定的检查"]["level"] == ["市", "县"]
    recording = next(i for i in power.values() if i.get("type") == "其他行政权力-备案")
    page = page_text(imported / "site", "power", recording)
    assert "其他行政权力（原文：其他行政权力-备案）" in page
    patent = power["专利权侵权纠纷处理"]
    assert patent["type"] == "09" and patent["level"] == ["2", "3"] and patent["code"] == "210973001000"
    assert "行政裁决（原文：09）" in page_text(imported / "site", "power", patent)


def test_reimport_changes_no_byte_and_reordering_keeps_generated_codes(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert import_table(project, "qinzhou_fee_gbk.csv").returncode == 0
    before = (project / "lists/fee/qzcz.yml").read_bytes()
    assert import_table(project, "qinzhou_fee.xlsx").returncode == 0  # the same table as .xlsx
    assert (project / "lists/fee/qzcz.yml").read_bytes() == before
    codes = {i["name"]: i["local_code"] for i in items_of(project, "fee")}

    # Rows in another order (the CSV's data lines reversed) give every item the same code.
    lines = (SHEETS / "qinzhou_fee_gbk.csv").read_bytes().decode("gb18030").split("\r\n")
    header, data = lines[:2], [line for line in lines[2:] if line]
    data = [d for d in data if d.startswith(("1,", "4,", "5,", "6,"))]  # rows without sub-items
    reordered = tmp_path / "reordered.csv"
    reordered.write_bytes("\r\n".join(header + data[::-1]).encode("gb18030"))
    fresh = make_project(tmp_path / "again")
    run = import_table(fresh, "qinzhou_fee_gbk.csv", source=reordered)
    assert run.returncode == 0, run.stdout
    for item in items_of(fresh, "fee"):
        assert item["local_code"] == codes[item["name"]]


def test_assess_on_the_real_tables(imported: Path) -> None:
    """清单评估 of the published tables: the true findings, and none of the false ones fixed so far."""
    import json

    run = qingdan(imported, "assess", "--no-history", "--format", "json")
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)["findings"]
    repealed = [f for f in found if f["rule"] == "repealed-law"]
    assert [(f["name"], f["quote"][:24]) for f in repealed] == [("延期向社会开放档案审批", "《中华人民共和国档案法实施办法》（1990年10")]
    assert "2024-03-01 更名为《中华人民共和国档案法实施条例》（国务院令第772号）" in repealed[0]["message"]
    clauses = sorted(f["quote"] for f in found if f["rule"] == "catch-all-clause")
    assert clauses == sorted(["5、其他违反法律法规规章文件规定的行为。", "5、其他法律法规政策规定应履行的责任。"])
    # 国务院令第412号 tagged 【规范性文件】 by the publisher is not a normative document; the law quoted
    # in a 依据 (…和其他负有环境保护监督管理职责的部门) is not the list's own catch-all clause.
    assert not [f for f in found if f["rule"] == "basis-normative-only"]
    assert not [f for f in found if f["rule"] == "catch-all-clause" and f["field"] == "basis"]


@pytest.mark.parametrize("name", list(TABLES))
def test_no_published_cell_is_lost(tmp_path: Path, name: str) -> None:
    """Each table (the CSVs too) imported on its own: exit 0, no error, every published cell stored."""
    project = make_project(tmp_path)
    run = import_table(project, name, json_output=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not [m for m in json.loads(run.stdout)["messages"] if m["severity"] == "error"]
    kept, total, lost = cells_kept(project, name)
    assert total > 0 and not lost, lost


def test_merged_main_items_of_real_tables_are_items_linked_both_ways(imported: Path) -> None:
    power = {i["name"]: i for i in items_of(imported, "power")}
    main = power["对国有企业文件材料归档范围和保管期限表的审查"]  # 主项名称 merged over its two 子项
    assert "parent_name" not in main and main["type"] == "其他行政权力-其他"
    page = page_text(imported / "site", "power", main)
    assert "子项（2 项）" in page and "对市属国有企业文件材料归档范围和保管期限表的审查" in page
