"""The 主项/子项 layouts real departments publish, each imported as one 主项 item plus its 子项 items:
every published cell on the right item, the two linked both ways, and a second import changing no
byte. The sheets are built in the shape of ../shared/realdata (tests/layout_sheets.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from layout_sheets import (
    POWER_MERGED_BASIS,
    POWER_MERGED_MAIN,
    POWER_MERGED_SUBS,
    fee_category,
    fee_merged_code,
    fee_serial_levels,
    power_merged_main,
)
from mini_project import make_project, qingdan

from generator.config import load_config
from generator.load import load_catalog
from generator.problems import Problems


def import_twice(root: Path, sheet: Path, list_id: str, department: str) -> tuple[list[dict], str]:
    """Import, check that `qingdan check` has no error, import again: no byte may change.
    Returns the items and what the first import said."""
    run = qingdan(root, "import", str(sheet), "--list", list_id, "--department", department)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "主项编码" not in run.stdout  # no "…找不到对应的主项"
    path = root / "lists" / list_id / f"{department}.yml"
    before = path.read_bytes()
    check = qingdan(root, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    again = qingdan(root, "import", str(sheet), "--list", list_id, "--department", department)
    assert again.returncode == 0 and path.read_bytes() == before, again.stdout
    return yaml.safe_load(before.decode("utf-8"))["items"], run.stdout


def linked(root: Path, list_id: str, main: dict) -> list[str]:
    """Names of the 子项 the catalog finds under `main`, after checking each points back to it."""
    problems = Problems()
    config = load_config(root, problems)
    catalog = load_catalog(config, problems)
    item = catalog.get(list_id, str(main.get("code") or main["local_code"]))
    children = catalog.children(item)
    assert all(catalog.parent(child) is item for child in children)
    return [c.name for c in children]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def test_power_main_item_merged_over_its_sub_items_with_no_row_of_its_own(project: Path, tmp_path: Path) -> None:
    items, said = import_twice(project, power_merged_main(tmp_path / "a.xlsx"), "power", "scjgj")
    assert ("2 个主项没有自己的一行（名称合并在子项行上，或写在每个子项行上），各作为一个事项导入："
            f"“{POWER_MERGED_MAIN}”（第4行起）、“特种设备作业人员资格认定”（第8行起）") in said
    by_name = {i["name"]: i for i in items}
    main = by_name[POWER_MERGED_MAIN]  # the merged 职权名称: an item, with the merged code and cells
    assert main["code"] == "330217001000" and main["type"] == "行政检查" and main["basis"] == POWER_MERGED_BASIS
    assert "parent" not in main and "parent_name" not in main
    subs = [by_name[n] for n in POWER_MERGED_SUBS]  # the first 子项 sits on the merge's first row
    assert all(s["parent"] == "330217001000" and s["parent_name"] == POWER_MERGED_MAIN for s in subs)
    assert [s.get("note") for s in subs] == ["市、县两级", "县级", None]  # each 子项's own cell on its item
    assert all(s["basis"] == POWER_MERGED_BASIS for s in subs)
    assert linked(project, "power", main) == list(POWER_MERGED_SUBS)
    # A 主项 whose 子项 have bases of their own keeps only what they share; an item with no 子项 stays one.
    licence = by_name["特种设备作业人员资格认定"]
    assert licence["code"] == "330217003000" and licence["type"] == "行政许可" and "basis" not in licence
    assert by_name["电梯作业人员资格认定"]["basis"] == "《特种设备安全监察条例》第三十八条"
    assert linked(project, "power", licence) == ["锅炉作业人员资格认定", "电梯作业人员资格认定"]
    check = json.loads(qingdan(project, "check", "--format", "json").stdout)  # its 子项 publish the bases
    assert not [w for w in check["warnings"] if w["rule"] == "no-legal-basis" and w["code"] == "330217003000"]
    assert "parent_name" not in by_name["对计量器具的监督检查"]
    assert len(items) == 2 + 8  # the mini project's two, and the sheet's six rows with two 主项 made items


def test_fee_row_first_with_its_code_merged_over_its_numbered_sub_items(project: Path, tmp_path: Path) -> None:
    items, _ = import_twice(project, fee_merged_code(tmp_path / "b.xlsx"), "fee", "zjj")
    by_name = {i["name"]: i for i in items}
    main = by_name["证照费"]  # the merge's first row is the fee itself, not a child of itself
    assert main["code"] == "110300101" and "parent" not in main and "parent_name" not in main
    assert main["fee"] == {"basis": "价费字〔1992〕240号"} and main["fund_management"] == "缴入中央和地方国库"
    subs = ["①居民身份证工本费", "②临时居民身份证工本费", "③户口簿工本费"]
    assert [by_name[n]["fee"]["standard"] for n in subs] == ["每证20元", "每证10元", "每本6元"]
    assert all(by_name[n]["parent"] == "110300101" and "code" not in by_name[n] for n in subs)
    assert linked(project, "fee", main) == subs
    assert by_name["不动产登记费"]["code"] == "110300102" and "parent" not in by_name["不动产登记费"]


def test_fees_under_a_category_row_belong_to_the_category(project: Path, tmp_path: Path) -> None:
    items, _ = import_twice(project, fee_category(tmp_path / "c.xlsx"), "fee", "zjj")
    by_name = {i["name"]: i for i in items}
    category = by_name["证照费"]  # 5 | 证照费: a category with only a name
    assert "parent_name" not in category and "fee" not in category
    assert linked(project, "fee", category) == ["居民身份证工本费", "临时居民身份证工本费"]
    assert by_name["居民身份证工本费"]["fee"] == {"basis": "发改价格〔2003〕2322号", "standard": "每证20元"}
    assert linked(project, "fee", by_name["签证费"]) == ["(4)代办外国签证", "(5)代填外国签证申请表"]
    assert "parent_name" not in by_name["认证费"]  # the next numbered fee is no 子项


def test_sub_items_numbered_in_the_serial_column_under_chinese_numerals(project: Path, tmp_path: Path) -> None:
    """Found in a published 公安 fee directory: 一 | 身份证, then (一) | 申领、换领第二代居民身份证 …"""
    items, _ = import_twice(project, fee_serial_levels(tmp_path / "d.xlsx"), "fee", "zjj")
    by_name = {i["name"]: i for i in items}
    assert linked(project, "fee", by_name["身份证"]) == [
        "申领、换领第二代居民身份证", "丢失补领或损坏换领第二代居民身份证", "临时第二代居民身份证"]
    assert by_name["身份证"]["fee"] == {"basis": "皖价费〔2004〕346号、发改价格〔2003〕2322号"}
    assert by_name["丢失补领或损坏换领第二代居民身份证"]["fee"]["standard"] == "40元/证"
    assert "parent_name" not in by_name["居民户口簿工本费"] and not linked(project, "fee", by_name["居民户口簿工本费"])
    assert linked(project, "fee", by_name["户口迁移、准迁证工本费"]) == ["户口迁移证工本费", "户口准迁证工本费"]
