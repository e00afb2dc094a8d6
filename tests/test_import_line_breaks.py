"""`qingdan import` of cells pasted from Word: U+000B (Word's manual line break), the xlsx escape
_x000B_ and U+2028/U+2029 are line breaks; any other control character is refused at its cell."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from mini_project import make_git_project

from generator.cli import main

HEADER = ["事项编码", "事项名称", "职权类型", "实施主体", "设定依据"]
CODE = "000231001001"
BASIS = "《中华人民共和国食品安全法》第一百二十二条\n《食品经营许可和备案管理办法》第四条"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_git_project(tmp_path / "proj")


def run(root: Path, *args: str, capsys) -> tuple[int, str]:
    code = main(["--project", str(root), *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def imported(root: Path, source: Path, capsys) -> dict:
    """Import, then check as the clerk would next: both must pass, and the item is returned."""
    code, out = run(root, "import", str(source), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    code, out = run(root, "check", capsys=capsys)
    assert code == 0, out
    assert "控制字符" not in out
    data = yaml.safe_load((root / "lists/power/scjgj.yml").read_text(encoding="utf-8"))
    return {item.get("code"): item for item in data["items"]}[CODE]


def row(basis: str) -> list[str]:
    return [CODE, "对未取得许可从事食品经营的处罚", "行政处罚", "测试县市场监督管理局", basis]


def xls(path: Path, basis: str) -> Path:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("行政处罚")
    for r, values in enumerate([HEADER, row(basis)]):
        for c, value in enumerate(values):
            ws.write(r, c, value)
    book.save(str(path))
    return path


def test_word_line_break_in_an_xls_cell_is_a_line_break(project: Path, tmp_path: Path, capsys) -> None:
    source = xls(tmp_path / "处罚.xls", BASIS.replace("\n", "\x0b"))
    assert imported(project, source, capsys)["basis"] == BASIS


def test_escaped_line_break_in_an_xlsx_string_is_a_line_break(project: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "行政处罚"
    ws.append(HEADER)
    ws.append(row(BASIS.replace("\n", "_x000B_") + "_x000D__x000A_第五条"))
    wb.save(tmp_path / "处罚.xlsx")
    with zipfile.ZipFile(tmp_path / "处罚.xlsx") as z:  # what Excel writes for a cell holding U+000B
        assert "第一百二十二条_x000B_《食品经营" in z.read("xl/worksheets/sheet1.xml").decode()
    assert imported(project, tmp_path / "处罚.xlsx", capsys)["basis"] == BASIS + "\n第五条"  # CR LF: one break


def test_line_and_paragraph_separators_in_a_csv_are_line_breaks(project: Path, tmp_path: Path, capsys) -> None:
    basis = BASIS.replace("\n", "\x0b", 1) + "\u2028第五条\u2029第六条"
    text = ",".join(HEADER) + "\n" + ",".join(row(f'"{basis}"')) + "\n"
    (tmp_path / "处罚.csv").write_text(text, encoding="utf-8")
    assert imported(project, tmp_path / "处罚.csv", capsys)["basis"] == BASIS + "\n第五条\n第六条"


@pytest.mark.parametrize("kind", ["xls", "csv"])
def test_other_control_characters_are_refused_at_their_cell(project: Path, tmp_path: Path, capsys,
                                                            kind: str) -> None:
    before = (project / "lists/power/scjgj.yml").read_bytes()
    basis = "《中华人民共和国食品安全法》\x01第一百二十二条"
    if kind == "xls":
        source = xls(tmp_path / "处罚.xls", basis)
    else:
        source = tmp_path / "处罚.csv"
        source.write_text(",".join(HEADER) + "\n" + ",".join(row(basis)) + "\n", encoding="utf-8")
    code, out = run(project, "import", str(source), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code != 0
    assert "不可见的控制字符（U+0001）" in out
    assert "第2行 E列" in out, out
    assert "Traceback" not in out
    assert (project / "lists/power/scjgj.yml").read_bytes() == before  # nothing written
