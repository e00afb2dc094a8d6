"""A text longer than an Excel cell holds (32,767 characters) is never cut without a word: check and
export warn, the workbook cell says where the rest is, CSV keeps it whole, and importing the cut cell back is
refused."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from mini_project import make_project, qingdan, run_check

CLAUSE = "申请人应当具有与所经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所，"
LONG = CLAUSE * 900 + "以及法律、法规规定的其他条件。"  # 39,615 characters, one published text
TARGET = "lists/power/scjgj.yml"


def long_project(tmp_path: Path) -> tuple[Path, int]:
    root = make_project(tmp_path / "proj")
    path = root / TARGET
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if "conditions: 具有与经营的" in line)
    lines[number] = f"    conditions: {LONG}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return root, number + 1


def test_check_warns_about_a_text_too_long_for_an_excel_cell_at_its_line(tmp_path: Path) -> None:
    root, line = long_project(tmp_path)
    result = run_check(root)
    assert result.returncode == 0, result.stdout
    assert f"{TARGET}:{line}:" in result.stdout
    assert "000131127004" in result.stdout and f"“办理条件”有 {len(LONG)} 字，超出 Excel 单元格上限 32767 字" in result.stdout


def test_export_keeps_the_whole_text_in_csv_and_says_where_it_is_in_the_workbook(tmp_path: Path) -> None:
    root, _ = long_project(tmp_path)
    xlsx = qingdan(root, "export", "--list", "power", "--format", "xlsx", "--output", str(tmp_path / "power.xlsx"))
    assert xlsx.returncode == 0, xlsx.stderr
    assert f"权力清单事项 000131127004 的“办理条件”有 {len(LONG)} 字" in xlsx.stderr
    sheet = openpyxl.load_workbook(tmp_path / "power.xlsx").active
    header = [c.value for c in sheet[1]]
    cell = next(row[header.index("办理条件")] for row in sheet.iter_rows(min_row=2, values_only=True)
                if row[header.index("事项编码")] == "000131127004")
    assert len(cell) <= 32767
    kept = cell.index("……【以上是前 ")
    assert LONG.startswith(cell[:kept]) and kept > 32000
    assert cell.endswith(f"全文共 {len(LONG)} 字，超出 Excel 单元格上限 32767 字，完整文字见 JSON 或 CSV 下载】")

    csv = qingdan(root, "export", "--list", "power", "--format", "csv", "--output", str(tmp_path / "power.csv"))
    assert csv.returncode == 0, csv.stderr
    assert LONG in (tmp_path / "power.csv").read_text(encoding="utf-8-sig")


def test_importing_a_cut_cell_back_is_refused_and_the_csv_restores_the_whole_text(tmp_path: Path) -> None:
    root, _ = long_project(tmp_path)
    qingdan(root, "export", "--list", "power", "--format", "xlsx", "--output", str(tmp_path / "power.xlsx"))
    qingdan(root, "export", "--list", "power", "--format", "csv", "--output", str(tmp_path / "power.csv"))
    before = (root / TARGET).read_bytes()
    result = qingdan(root, "import", str(tmp_path / "power.xlsx"), "--list", "power")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"只有一段长文字的开头（全文共 {len(LONG)} 字" in result.stdout + result.stderr
    assert (root / TARGET).read_bytes() == before
    result = qingdan(root, "import", str(tmp_path / "power.csv"), "--list", "power")
    assert result.returncode == 0, result.stdout + result.stderr
    assert LONG in (root / TARGET).read_text(encoding="utf-8")
