"""A table the government published is imported even when a required column or cell is blank: the
blank is a warning (one per column and sheet, naming the rows), 未公开 on the item page and a finding
of `qingdan assess`. A department that wants such tables refused marks the list type or the field
`strict: true` (tests/fixtures/strict)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from layout_sheets import intermediary_without_approval, power_without_accountability
from mini_project import make_project, qingdan

REPO = Path(__file__).resolve().parent.parent
STRICT = Path(__file__).parent / "fixtures" / "strict"


def items(root: Path, rel: str) -> list[dict]:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))["items"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def test_a_power_table_without_accountability_is_imported_checked_built_and_assessed(project: Path,
                                                                                    tmp_path: Path) -> None:
    run = qingdan(project, "import", str(power_without_accountability(tmp_path / "p.xlsx")), "--list", "power",
                  "--department", "scjgj")
    assert run.returncode == 0, run.stdout + run.stderr
    warnings = [line for line in run.stdout.splitlines() if "追责情形" in line and "警告" in line]
    assert warnings == ["「p.xlsx」工作表「Sheet1」：警告［responsibility］：表格中没有“追责情形”一列：2 个责任事项"
                        "（第3、4行）照原样导入，网站上“追责情形”显示“未公开”"]
    duties = [i for i in items(project, "lists/responsibility/scjgj.yml") if i["name"] == "对计量器具的监督检查"]
    assert duties and duties[0]["duties"] == ["1.检查责任：依法实施监督检查。"] and "accountability" not in duties[0]

    check = qingdan(project, "check", "--format", "json")
    assert check.returncode == 0, check.stdout
    report = json.loads(check.stdout)
    found = [p for p in report["warnings"] if p["rule"] == "missing-required"]
    assert len(found) == 2 and all(p["list"] == "responsibility" for p in found) and not report["errors"]

    build = qingdan(project, "build", "--no-history", "--out", str(tmp_path / "site"))
    assert build.returncode == 0, build.stdout + build.stderr
    page = (tmp_path / "site/responsibility" / duties[0]["local_code"] / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<div class="qd-row qd-row-missing"><dt>追责情形</dt><dd>(.*?)</dd>', page, re.S)
    assert row and re.sub(r"<[^>]+>", "", row.group(1)).strip() == "未公开"

    assess = qingdan(project, "assess", "--format", "json")
    report = json.loads(assess.stdout)
    [scjgj] = [d for d in report["departments"] if d["department"] == "scjgj"]
    assert scjgj["by_rule"]["missing-required"] == 2


def test_an_intermediary_table_without_its_approval_column_is_imported(project: Path, tmp_path: Path) -> None:
    run = qingdan(project, "import", str(intermediary_without_approval(tmp_path / "i.xlsx")), "--list",
                  "intermediary", "--department", "zjj")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("表格中没有“涉及的审批事项”一列：2 个中介服务事项（第3、4行）") == 1
    names = [i["name"] for i in items(project, "lists/intermediary/zjj.yml")]
    assert "建设项目环境影响报告书编制" in names and "建设工程施工图审查" in names


def test_blank_cells_of_a_required_column_are_one_warning_for_the_column(project: Path, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["事项名称", "职权类型", "设定依据"], ["甲事项", None, "《某法》第三条"], ["乙事项", "行政许可", None],
                ["丙事项", None, "《某法》第四条"]):
        ws.append(row)
    wb.save(tmp_path / "blank.xlsx")
    run = qingdan(project, "import", str(tmp_path / "blank.xlsx"), "--list", "power", "--department", "mzj")
    assert run.returncode == 0, run.stdout
    assert run.stdout.count("职权类型") >= 1
    assert ("「blank.xlsx」工作表「Sheet」 B列：警告［power］：“职权类型”列有 2 格空白（第2、4行），这些权力事项照原样导入，"
            "网站上“职权类型”显示“未公开”") in run.stdout
    assert "type:" not in run.stdout and "添加一行" not in run.stdout  # no YAML talk to a spreadsheet user
    assert [i["name"] for i in items(project, "lists/power/mzj.yml")] == ["甲事项", "乙事项", "丙事项"]


def test_a_strict_list_or_field_keeps_refusing(tmp_path: Path) -> None:
    root = tmp_path / "strict"
    shutil.copytree(STRICT, root)
    before = {p: p.read_bytes() for p in (root / "lists").rglob("*.yml")}
    # The power list is strict: a blank 职权类型 is an error at its cell, and nothing is written.
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项名称", "职权类型", "设定依据", "责任事项", "追责情形"])
    ws.append(["甲事项", None, "《某法》第三条", "1.检查责任", "1.不依法检查的"])
    wb.save(tmp_path / "strict.xlsx")
    run = qingdan(root, "import", str(tmp_path / "strict.xlsx"), "--list", "power", "--department", "scjgj")
    assert run.returncode == 1
    assert "「strict.xlsx」工作表「Sheet」第2行 B列：错误［power" in run.stdout and "缺少必填的“职权类型”" in run.stdout
    # The 追责情形 field is strict: a power table without that column is refused.
    run = qingdan(root, "import", str(power_without_accountability(tmp_path / "p.xlsx")), "--list", "power",
                  "--department", "scjgj")
    assert run.returncode == 1 and "错误［responsibility" in run.stdout and "缺少必填的“追责情形”" in run.stdout
    assert {p: p.read_bytes() for p in (root / "lists").rglob("*.yml")} == before
    # And `qingdan check` refuses a hand-written item without it, where a lenient project only warns.
    rel = "lists/responsibility/scjgj.yml"
    text = (root / rel).read_text(encoding="utf-8").replace("    accountability:\n      - 对符合法定条件的申请不予受理的。\n", "")
    (root / rel).write_text(text, encoding="utf-8")
    check = qingdan(root, "check")
    assert check.returncode == 1 and "错误［responsibility/ZR-scjgj-0001］：缺少必填字段“accountability”" in check.stdout
    lenient = make_project(tmp_path / "lenient", {rel: text})
    check = qingdan(lenient, "check")
    assert check.returncode == 0 and "警告［responsibility/ZR-scjgj-0001］：必填项“追责情形”空白，网站上显示“未公开”" in check.stdout
