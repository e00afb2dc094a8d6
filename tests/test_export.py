"""`qingdan export` and the site's downloads: what a clerk opens, and that it imports back unchanged."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import openpyxl
import pytest
from mini_project import make_project

from generator.cli import main
from generator.project import open_project
from generator.tabular.export import SCHEMA_FILE, write_downloads

LIST_IDS = ["power", "responsibility", "fee", "prerequisite", "intermediary", "convenience"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    # Values that are easy to lose on the way through a spreadsheet: a multi-line text, a code
    # of digits only, a phone number, a law without 《》, a basis note, a time-limit note.
    extra = textwrap.dedent("""\
      - code: "000131127099"
        name: 食品小作坊登记
        type: 行政确认
        subject: 测试县市场监督管理局
        office: 食品经营监管股
        channels: [网上办, 一次办]
        in_service_center: false
        supervision_phone: "12315"
        basis:
          - law: 江西省食品小作坊小餐饮小食杂店管理条例
            article: 第十条
          - law: 《食品小作坊登记管理办法》
            note: 省级规章
        conditions: |-
          有固定的生产场所；
          有符合要求的设备。
        procedure: [申请, 受理, 决定]
        time_limit: {statutory: 15, promised: 0, unit: 工作日, note: 材料齐全的当场办结}
        result: 食品小作坊登记证
        fee: {basis: 无, standard: 不收费}
    """)
    path = root / "lists/power/scjgj.yml"
    path.write_text(path.read_text(encoding="utf-8") + textwrap.indent(extra, "  "), encoding="utf-8")
    assert main(["--project", str(root), "check"]) == 0
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "lists").rglob("*.yml"))}


def test_xlsx_has_one_readable_sheet_per_list(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "全部.xlsx"
    assert main(["--project", str(project), "export", "--output", str(out)]) == 0
    assert "已导出" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["权力清单", "责任清单", "行政事业性收费清单", "前置审批事项清单", "行政审批中介服务事项清单",
                               "便民服务事项目录清单"]
    ws = book["权力清单"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["部门", "事项编码", "事项名称", "职权类型"]
    assert {"办理依据", "法定时限", "承诺时限", "时限单位", "时限说明", "收费依据", "收费标准"} <= set(headers)
    assert "行使层级" not in headers  # empty in every item: left out so the sheet fits A4
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == int(ws.PAPERSIZE_A4)
    assert ws.print_title_rows == "$1:$1"
    rows = {r[1]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    item = rows["000131127099"]
    assert item["部门"] == "县市场监管局"
    assert item["办理依据"] == "江西省食品小作坊小餐饮小食杂店管理条例第十条\n《食品小作坊登记管理办法》（说明：省级规章）"
    assert item["四办"] == "网上办、一次办"
    assert item["进驻政务服务中心"] == "否"
    assert item["承诺时限"] == 0 and item["时限说明"] == "材料齐全的当场办结"
    code_cell = next(c for c in ws["B"] if c.value == "000131127099")
    assert code_cell.number_format == "@" and code_cell.alignment.wrap_text
    widths = [ws.column_dimensions[c].width for c in "ABCDE"]
    assert all(w and w >= 10 for w in widths)


def test_xlsx_and_csv_round_trip_with_no_change(project: Path, tmp_path: Path, capsys) -> None:
    before = snapshot(project)
    xlsx = tmp_path / "all.xlsx"
    assert main(["--project", str(project), "export", "-o", str(xlsx)]) == 0
    for list_id in LIST_IDS:
        code = main(["--project", str(project), "import", str(xlsx), "--list", list_id])
        assert code == 0, capsys.readouterr().out
        csv_file = tmp_path / f"{list_id}.csv"
        assert main(["--project", str(project), "export", "--list", list_id, "--format", "csv", "-o", str(csv_file)]) == 0
        code = main(["--project", str(project), "import", str(csv_file), "--list", list_id])
        assert code == 0, capsys.readouterr().out
    assert snapshot(project) == before


def test_edited_export_imports_back_as_the_edit(project: Path, tmp_path: Path, capsys) -> None:
    xlsx = tmp_path / "power.xlsx"
    assert main(["--project", str(project), "export", "--list", "power", "--department", "scjgj", "-o", str(xlsx)]) == 0
    book = openpyxl.load_workbook(xlsx)
    ws = book.active
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "000131127004")
    row[headers.index("承诺时限")].value = 2
    book.save(xlsx)
    before = (project / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    assert main(["--project", str(project), "import", str(xlsx), "--list", "power"]) == 0
    after = (project / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    assert after == before.replace("{statutory: 20, promised: 5, unit: 工作日}", "{statutory: 20, promised: 2, unit: 工作日}")


def test_csv_is_utf8_with_bom_and_needs_a_list(project: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.csv"
    assert main(["--project", str(project), "export", "--list", "power", "--format", "csv", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("部门,事项编码,事项名称,职权类型")
    assert '"有固定的生产场所；\r\n有符合要求的设备。"' not in text  # cells keep \n inside quotes
    assert '"有固定的生产场所；\n有符合要求的设备。"' in text
    capsys.readouterr()
    assert main(["--project", str(project), "export", "--format", "csv"]) == 2
    assert "请用 --list 指定" in capsys.readouterr().err


def test_json_follows_the_shipped_schema(project: Path, capsys) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["--project", str(project), "export", "--format", "json", "-o", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    power = next(lst for lst in data["lists"] if lst["id"] == "power")
    item = next(i for i in power["items"] if i["code"] == "000131127099")
    assert item["department"] == "scjgj"
    assert item["fields"]["time_limit"] == {"statutory": 15, "promised": 0, "unit": "工作日", "note": "材料齐全的当场办结"}
    assert list(item["fields"])[:3] == ["code", "name", "type"]  # field order of the list type
    assert {"name": "basis", "label": "办理依据", "type": "basis", "required": False} in power["fields"]


def test_write_downloads_names_files_and_is_deterministic(project: Path, tmp_path: Path) -> None:
    opened = open_project(project)
    first = write_downloads(opened.catalog, tmp_path / "a", list_id="power", department="scjgj")
    assert first == {"xlsx": "power-scjgj.xlsx", "json": "power-scjgj.json", "csv": "power-scjgj.csv"}
    write_downloads(opened.catalog, tmp_path / "b", list_id="power", department="scjgj")
    for name in first.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    everything = write_downloads(opened.catalog, tmp_path / "all")
    assert everything["xlsx"] == "all.xlsx" and everything["csv:fee"] == "fee.csv"
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(everything.values())
    only_scjgj = json.loads((tmp_path / "a" / "power-scjgj.json").read_text(encoding="utf-8"))
    assert {i["department"] for lst in only_scjgj["lists"] for i in lst["items"]} == {"scjgj"}


def test_all_columns_keeps_empty_columns_for_a_template(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    assert main(["--project", str(project), "export", "--list", "power", "--all-columns", "-o", str(out)]) == 0
    headers = [c.value for c in openpyxl.load_workbook(out).active[1]]
    assert "行使层级" in headers and "网上可办" in headers


def test_exported_workbook_imports_per_list_in_a_git_repo(project: Path, tmp_path: Path, capsys) -> None:
    """The whole cycle as a clerk would do it in a real repository: export, import, nothing to commit."""
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x"],
                   cwd=project, check=True)
    xlsx = tmp_path / "all.xlsx"
    assert main(["--project", str(project), "export", "-o", str(xlsx)]) == 0
    assert main(["--project", str(project), "import", str(xlsx), "--list", "responsibility"]) == 0
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_formula_like_values_open_as_text_and_import_back_exactly(project: Path, tmp_path: Path, capsys) -> None:
    """A published value that starts like a formula (=, +, -, @) must not run in Excel or WPS when the
    public CSV is opened; XLSX keeps it as a text cell; both import back as the published text."""
    import csv
    import io

    path = project / "lists/power/scjgj.yml"
    values = {"result": '=HYPERLINK("http://evil.example/","点击领取")', "office": "+86 食品经营监管股",
              "conditions": "-1 无需其他条件", "supervision_phone": "@12315", "subject": "'=已带单引号的原文"}
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"    {name}: "))
        text = text.replace(line, f"    {name}: {json.dumps(value, ensure_ascii=False)}", 1)
    path.write_text(text, encoding="utf-8")
    assert main(["--project", str(project), "check"]) == 0, capsys.readouterr().out
    before = snapshot(project)
    csv_file = tmp_path / "power.csv"
    assert main(["--project", str(project), "export", "--list", "power", "--format", "csv", "-o", str(csv_file)]) == 0
    rows = list(csv.reader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig"), newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], "a cell would run as a formula"
    assert "'" + values["result"] in cells and "''=已带单引号的原文" in cells
    xlsx = tmp_path / "power.xlsx"
    assert main(["--project", str(project), "export", "--list", "power", "-o", str(xlsx)]) == 0
    ws = openpyxl.load_workbook(xlsx).active
    cell = next(c for row in ws.iter_rows() for c in row if c.value == values["result"])
    assert cell.data_type == "s"  # a text cell, not a formula
    for source in (csv_file, xlsx):
        assert main(["--project", str(project), "import", str(source), "--list", "power"]) == 0, capsys.readouterr().out
        assert snapshot(project) == before
