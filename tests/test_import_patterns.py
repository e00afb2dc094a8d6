"""Import of the layouts real departments publish: codes as the real world has them, 主项/子项,
enumerations beyond the standard, a power and its responsibility in one row, formulas, and the
row-by-row preview that a clerk needs when something is wrong."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from mini_project import make_project

from generator.cli import main

LONG_CODE = "11511301008778386B-511A1804500003-511602000000-000-0001-ABCDEFGHIJKLMN"  # 70 characters


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root, check=True,
                   capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "mini")
    return root


def run(root: Path, *args: str, capsys) -> tuple[int, str]:
    code = main(["--project", str(root), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def items(root: Path, rel: str) -> list[dict]:
    return yaml.safe_load((root / rel).read_text(encoding="utf-8"))["items"]


def sheet(path: Path, header: list[str], rows: list[list], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def test_codes_as_published_local_codes_where_there_is_none(project: Path, tmp_path: Path, capsys) -> None:
    path = sheet(tmp_path / "codes.xlsx", ["事项编码", "事项名称", "职权类型", "设定依据"], [
        [LONG_CODE, "客运线路经营主体变更许可", "行政许可", "《道路运输条例》第十条"],
        ["待定", "客运站经营许可", "行政许可", "《道路运输条例》第三十六条"],
        [None, "道路货运经营许可", "行政审批", "《道路运输条例》第二十四条"],
        ["SF-0001", "机动车检验收费甲", "行政征收", "《道路运输条例》第四十条"],
        ["SF-0001", "机动车检验收费乙", "行政征收", "《道路运输条例》第四十条"],
    ])
    code, out = run(project, "import", str(path), "--list", "power", "--department", "mzj", capsys=capsys)
    assert code == 0, out
    by_name = {i["name"]: i for i in items(project, "lists/power/mzj.yml")}
    assert by_name["客运线路经营主体变更许可"]["code"] == LONG_CODE and "local_code" not in by_name["客运线路经营主体变更许可"]
    placeholder = by_name["客运站经营许可"]
    assert placeholder["code"] == "待定" and placeholder["local_code"].startswith("L")  # kept as published
    assert "code" not in by_name["道路货运经营许可"] and by_name["道路货运经营许可"]["local_code"].startswith("L")
    shared = [by_name["机动车检验收费甲"], by_name["机动车检验收费乙"]]
    assert [i["code"] for i in shared] == ["SF-0001", "SF-0001"]  # the shared published code, on both
    assert shared[0]["local_code"] != shared[1]["local_code"]  # each row its own address
    assert "按共用的公布编码保留" in out
    # 行政审批 (the pre-2015 name) is kept; the site reads it as 行政许可.
    assert by_name["道路货运经营许可"]["type"] == "行政审批"

    git(project, "add", "-A")
    git(project, "commit", "-qm", "导入")
    code, out = run(project, "build", "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 0, out
    page = (tmp_path / "site/power" / by_name["道路货运经营许可"]["local_code"] / "index.html").read_text(encoding="utf-8")
    assert "本地编码" in page and "行政许可<span class=\"qd-published-as\">（原文：行政审批）</span>" in page
    assert (tmp_path / "site/power" / LONG_CODE / "index.html").exists()
    page = (tmp_path / "site/power" / placeholder["local_code"] / "index.html").read_text(encoding="utf-8")
    assert "公布编码：<span class=\"qd-code\" translate=\"no\">待定</span>" in page


def test_official_code_replaces_the_local_code_as_a_recode(project: Path, tmp_path: Path, capsys) -> None:
    first = sheet(tmp_path / "a.xlsx", ["事项名称", "职权类型", "设定依据"],
                  [["客运站经营许可", "行政许可", "《道路运输条例》第三十六条"]])
    assert run(project, "import", str(first), "--list", "power", "--department", "mzj", capsys=capsys)[0] == 0
    local = next(i for i in items(project, "lists/power/mzj.yml") if i["name"] == "客运站经营许可")["local_code"]
    git(project, "add", "-A")
    git(project, "commit", "-qm", "导入")
    # The same row imported again, reordered among others, keeps its code; the file does not change.
    before = (project / "lists/power/mzj.yml").read_bytes()
    assert run(project, "import", str(first), "--list", "power", "--department", "mzj", capsys=capsys)[0] == 0
    assert (project / "lists/power/mzj.yml").read_bytes() == before

    second = sheet(tmp_path / "b.xlsx", ["事项编码", "事项名称", "职权类型", "设定依据"],
                   [["000131127099", "客运站经营许可", "行政许可", "《道路运输条例》第三十六条"]])
    code, out = run(project, "import", str(second), "--list", "power", "--department", "mzj", capsys=capsys)
    assert code == 0, out
    item = next(i for i in items(project, "lists/power/mzj.yml") if i["name"] == "客运站经营许可")
    assert item["code"] == "000131127099" and "local_code" not in item
    git(project, "add", "-A")
    git(project, "commit", "-qm", "改用统一编码\n\n调整依据: 示政办〔2026〕1号")
    code, out = run(project, "history", "power/000131127099", capsys=capsys)
    assert code == 0 and "改码" in out, out
    code, out = run(project, "build", "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 0, out
    old_page = (tmp_path / "site/power" / local / "index.html").read_text(encoding="utf-8")
    assert "现编码为 000131127099" in re.sub("<[^>]+>", "", old_page)  # the old address keeps working


def test_code_merged_over_sub_items_is_the_main_items_code(project: Path, tmp_path: Path, capsys) -> None:
    path = sheet(tmp_path / "main.xlsx", ["主项编码", "主项名称", "子项名称", "职权类型"], [
        ["00013112700Y", "食品生产经营许可", "食品经营许可", "行政许可"],
        [None, None, "食品生产许可", "行政许可"],
    ], merges=("A2:A3", "B2:B3"))
    # 主项编码 is the parent field; a plain 事项编码 column merged the same way means the same thing.
    path2 = sheet(tmp_path / "main2.xlsx", ["事项编码", "主项名称", "子项名称", "职权类型"], [
        ["00013112700Y", "食品生产经营许可", "食品经营许可", "行政许可"],
        [None, None, "食品生产许可", "行政许可"],
    ], merges=("A2:A3", "B2:B3"))
    for source in (path, path2):
        code, out = run(project, "import", str(source), "--list", "power", "--department", "scjgj", "--dry-run",
                        capsys=capsys)
        assert code == 0, out
    code, out = run(project, "import", str(path2), "--list", "power", "--department", "scjgj", capsys=capsys)
    subs = [i for i in items(project, "lists/power/scjgj.yml") if i.get("parent_name") == "食品生产经营许可"]
    assert [(i["name"], i["parent"]) for i in subs] == [("食品经营许可", "00013112700Y"), ("食品生产许可", "00013112700Y")]
    assert all("code" not in i and i["local_code"] for i in subs)


def test_dry_run_previews_every_row_with_its_problems_even_with_errors(project: Path, tmp_path: Path,
                                                                        capsys) -> None:
    path = sheet(tmp_path / "bad.xlsx", ["事项名称", "职权类型", "办理时限", "设定依据"], [
        ["甲事项", "行政许可", "二十多天", "《某法》第三条"],
        ["乙事项", "行政许可", "5个工作日", "《某法》第四条"],
    ])
    code, out = run(project, "import", str(path), "--list", "power", "--department", "mzj", "--dry-run",
                    capsys=capsys)
    assert code == 1
    assert not (project / "lists/power/mzj.yml").exists()  # nothing written
    preview = out[out.index("预览：表格中的每一行"):]
    first, second = preview.index("第2行 → 新增"), preview.index("第3行 → 新增")
    assert "C列 错误：无法识别时限“二十多天”" in preview[first:second]
    assert "错误" not in preview[second:preview.index("导入未完成")]


def test_a_formula_without_a_saved_value_is_explained(project: Path, tmp_path: Path, capsys) -> None:
    path = sheet(tmp_path / "f.xlsx", ["事项名称", "职权类型", "设定依据"],
                 [["甲事项", "行政许可", '=CONCATENATE("《某法》","第三条")']])
    code, out = run(project, "import", str(path), "--list", "power", "--department", "mzj", capsys=capsys)
    assert code == 1
    assert "第2行 C列：错误［power］：这个单元格是公式" in out and "保存一次后再导入" in out


def test_power_and_responsibility_in_one_row_fill_both_lists(project: Path, tmp_path: Path, capsys) -> None:
    path = sheet(tmp_path / "both.xlsx", ["序号", "权力类型", "项目名称", "实施依据", "责任事项", "追责情形"], [
        [1, "行政确认", "独生子女父母光荣证核发", "《某省人口与计划生育条例》第三十九条",
         "1、受理阶段责任:公示材料;\n2、送达阶段责任:发放证件。", "因不履行职责,有下列情形的:\n1、对符合条件不予受理的;"],
    ])
    code, out = run(project, "import", str(path), "--list", "power", "--department", "mzj", capsys=capsys)
    assert code == 0, out
    power = next(i for i in items(project, "lists/power/mzj.yml") if i["name"] == "独生子女父母光荣证核发")
    [duty] = [i for i in items(project, "lists/responsibility/mzj.yml") if i["name"] == "独生子女父母光荣证核发"]
    assert duty["power"] == power["local_code"]
    assert duty["duties"] == ["1、受理阶段责任:公示材料;", "2、送达阶段责任:发放证件。"]
    assert duty["accountability"] == ["因不履行职责,有下列情形的:", "1、对符合条件不予受理的;"]
    assert "extra" not in power  # the responsibility columns went to the responsibility list
    assert "1 个责任事项已一并导入并与对应的权力事项关联" in out


def test_key_value_detail_pages_one_item_per_block(project: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "事项详情"
    for row in [["行政权力事项详情"], [],
                ["事项名称", "档案行政检查"], ["职权类型", "行政检查"],
                ["设定依据", "《中华人民共和国档案法》第四十二条\n档案主管部门依照法律、行政法规有关档案管理的规定……"],
                ["办理时限", "法定20个工作日"], ["联系人", "王五"], [],
                ["事项名称", "档案行政处罚"], ["职权类型", "行政处罚"], ["设定依据", "《中华人民共和国档案法》第四十八条"],
                ["办理时限", "二十多天"]]:
        ws.append(row)
    wb.save(tmp_path / "detail.xlsx")
    code, out = run(project, "import", str(tmp_path / "detail.xlsx"), "--list", "power", "--department", "mzj",
                    "--dry-run", capsys=capsys)
    assert code == 1
    assert "「detail.xlsx」工作表「事项详情」第12行 B列：错误［power］：无法识别时限“二十多天”" in out  # the field's own cell
    assert "第9行 → 新增" in out and "第12行 B列 错误：无法识别时限" in out

    ws["B12"] = "二十个工作日"
    wb.save(tmp_path / "detail.xlsx")
    code, out = run(project, "import", str(tmp_path / "detail.xlsx"), "--list", "power", "--department", "mzj",
                    capsys=capsys)
    assert code == 0, out
    by_name = {i["name"]: i for i in items(project, "lists/power/mzj.yml")}
    check = by_name["档案行政检查"]
    assert check["type"] == "行政检查" and check["time_limit"] == {"statutory": 20, "unit": "工作日"}
    assert check["basis"].startswith("《中华人民共和国档案法》第四十二条\n") and check["extra"] == {"联系人": "王五"}
    assert by_name["档案行政处罚"]["time_limit"] == {"promised": 20, "unit": "工作日"}


def test_list_and_department_pages_group_sub_items_under_their_main_item(project: Path, tmp_path: Path,
                                                                         capsys) -> None:
    path = sheet(tmp_path / "main.xlsx", ["主项名称", "子项名称", "职权类型", "设定依据"], [
        ["食品生产许可", "食品生产许可（新办）", "行政许可", "《中华人民共和国食品安全法》第三十五条"],
        [None, "食品生产许可（变更、延续）", "行政许可", "《食品生产许可管理办法》第三十二条"],
        ["药品零售企业经营许可", None, "行政许可", "《中华人民共和国药品管理法》第五十一条"],
    ], merges=("A2:A3",))
    assert run(project, "import", str(path), "--list", "power", "--department", "scjgj", capsys=capsys)[0] == 0
    git(project, "add", "-A")
    git(project, "commit", "-qm", "导入")
    code, out = run(project, "build", "--out", str(tmp_path / "site"), capsys=capsys)
    assert code == 0, out
    page = (tmp_path / "site/departments/scjgj/index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)  # the 主项 heading is a link to its page now
    heading = text.index("主项：食品生产许可")
    first, second = text.index("食品生产许可（新办）"), text.index("食品生产许可（变更、延续）")
    assert heading < first < second and page.count('class="qd-sub-row"') == 2
    sub = next(i for i in items(project, "lists/power/scjgj.yml") if i["name"] == "食品生产许可（新办）")
    item_page = (tmp_path / "site/power" / sub["local_code"] / "index.html").read_text(encoding="utf-8")
    item_text = re.sub(r"<[^>]+>", "", item_page)  # the 主项 is a link now
    assert "所属主项：食品生产许可" in item_text and "本项为子项" in item_text


def test_a_missing_required_value_is_asked_for_in_spreadsheet_terms(project: Path, tmp_path: Path, capsys) -> None:
    path = sheet(tmp_path / "missing.xlsx", ["事项名称", "职权类型", "设定依据"], [
        ["甲事项", None, "《某法》第三条"],
    ])
    code, out = run(project, "import", str(path), "--list", "power", "--department", "mzj", capsys=capsys)
    assert code == 1
    assert "第2行 B列：错误［power" in out and "缺少必填的“职权类型”" in out
    assert "在“职权类型”列填写，然后重新导入" in out
    assert "type:" not in out and "添加一行" not in out  # no YAML talk to a spreadsheet user


def test_group_rows_of_any_width_group_and_are_kept_as_published(project: Path, tmp_path: Path, capsys) -> None:
    path = sheet(tmp_path / "fees.xlsx", ["序 号", "执收部门", "收 费 项 目", "收费标准", "收费依据"], [
        ["一", "公安部门", None, None, None],
        [1, "县公安局", "证照费", None, None],
        [None, None, "①居民身份证工本费", "每证20元", "价费字〔2003〕18号；财综〔2007〕34号"],
        [None, None, "②临时居民身份证工本费", "每证10元", "价费字〔2003〕18号"],
        ["二", "自然资源部门", None, None, None],
        [2, "县自然资源局", "不动产登记费", "住宅类每件80元", "财税〔2016〕79号"],
    ])
    code, out = run(project, "import", str(path), "--list", "fee", "--department", "zjj", capsys=capsys)
    assert code == 0, out
    fees = {i["name"]: i for i in items(project, "lists/fee/zjj.yml") if "extra" in i}
    assert sorted(fees) == ["①居民身份证工本费", "②临时居民身份证工本费", "不动产登记费", "证照费"]  # no group row
    assert fees["①居民身份证工本费"]["parent_name"] == "证照费" and fees["①居民身份证工本费"]["extra"]["分组"] == "公安部门"
    assert fees["不动产登记费"]["extra"]["分组"] == "自然资源部门" and fees["不动产登记费"]["collector"] == "县自然资源局"
