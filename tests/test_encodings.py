"""Encodings never silently corrupt: real bytes written by the test, imported and checked as a user would."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from mini_project import make_git_project, make_project, run_check

from generator.cli import main

HEADER = "事项编码,事项名称,职权类型,实施主体,设定依据\r\n"
ROWS = [
    "000131127010,食品经营许可（延续）,行政许可,测试县市场监督管理局,《中华人民共和国食品安全法》第三十五条\r\n",
    "000131127011,食品经营许可（变更）,行政许可,测试县市场监督管理局,《食品经营许可和备案管理办法》第二十七条\r\n",
    "000131127012,食品经营许可（注销）,行政许可,测试县市场监督管理局,《食品经营许可和备案管理办法》第三十条\r\n",
]
TARGET = "lists/power/scjgj.yml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_git_project(tmp_path / "proj")


def run_import(root: Path, path: Path, capsys) -> tuple[int, str]:
    code = main(["--project", str(root), "import", str(path), "--list", "power", "--department", "scjgj"])
    out = capsys.readouterr()
    return code, out.out + out.err


def assert_refused(root: Path, before: bytes, code: int, out: str) -> None:
    """Refused with the ways to save the file again, nothing written, no replacement character anywhere."""
    assert code == 1, out
    assert "已拒绝导入" in out
    assert "CSV UTF-8（逗号分隔）" in out and "WPS" in out and "GB18030" in out
    assert (root / TARGET).read_bytes() == before
    assert "\ufffd" not in out and "Traceback" not in out


def test_utf8_bom_header_over_gb18030_rows_is_refused_at_the_first_gb18030_row(project: Path, tmp_path: Path,
                                                                                capsys) -> None:
    data = b"\xef\xbb\xbf" + HEADER.encode("utf-8") + "".join(ROWS).encode("gb18030")
    (tmp_path / "拼接.csv").write_bytes(data)
    before = (project / TARGET).read_bytes()
    code, out = run_import(project, tmp_path / "拼接.csv", capsys)
    assert_refused(project, before, code, out)
    assert "「拼接.csv」第2行 B列" in out  # the first cell that is not UTF-8 (A holds digits only)
    assert "开头是 UTF-8（带 BOM），第2行 B列起的文字却是GBK/GB18030 编码" in out
    assert "共 3 行" in out


def test_utf8_bom_over_a_gbk_body_names_the_encoding_instead_of_a_missing_header(project: Path, tmp_path: Path,
                                                                                 capsys) -> None:
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + ROWS[0]).encode("gbk"))
    before = (project / TARGET).read_bytes()
    code, out = run_import(project, tmp_path / "bom.csv", capsys)
    assert_refused(project, before, code, out)
    assert "第1行 A列起的文字却是GBK/GB18030 编码" in out
    assert "没有找到表头" not in out


def test_utf8_header_over_gbk_rows_without_bom_is_refused(project: Path, tmp_path: Path, capsys) -> None:
    """Without a BOM the whole file used to be read as GB18030: the UTF-8 header became mojibake."""
    (tmp_path / "mixed.csv").write_bytes(HEADER.encode("utf-8") + "".join(ROWS).encode("gbk"))
    before = (project / TARGET).read_bytes()
    code, out = run_import(project, tmp_path / "mixed.csv", capsys)
    assert_refused(project, before, code, out)
    assert "「mixed.csv」第2行 B列" in out and "开头是 UTF-8" in out


def test_a_csv_already_holding_replacement_characters_is_refused_at_its_cell(project: Path, tmp_path: Path,
                                                                             capsys) -> None:
    broken = ROWS[1].replace("备案管理", "\ufffd\ufffd管理")
    (tmp_path / "lost.csv").write_bytes((HEADER + ROWS[0] + broken).encode("utf-8"))
    before = (project / TARGET).read_bytes()
    code, out = run_import(project, tmp_path / "lost.csv", capsys)
    assert code == 1, out
    assert "「lost.csv」第3行 E列" in out and "U+FFFD" in out and "已拒绝导入" in out
    assert (project / TARGET).read_bytes() == before


def test_a_workbook_cell_holding_a_replacement_character_is_refused_at_its_cell(project: Path, tmp_path: Path,
                                                                                capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "权力清单"
    ws.append(["事项编码", "事项名称", "职权类型", "设定依据"])
    ws.append(["000131127010", "食品经营许可（延续）", "行政许可", "《中华人民共和国食品安全法》第三十五条"])
    ws.append(["000131127011", "食品经营许可（变更）", "行政许可", "《食品经营许可和\ufffd案管理办法》"])
    wb.save(tmp_path / "lost.xlsx")
    before = (project / TARGET).read_bytes()
    code, out = run_import(project, tmp_path / "lost.xlsx", capsys)
    assert code == 1, out
    assert "「lost.xlsx」工作表「权力清单」第3行 D列" in out and "U+FFFD" in out
    assert (project / TARGET).read_bytes() == before


def test_plain_gbk_and_utf8_csv_files_still_import(project: Path, tmp_path: Path, capsys) -> None:
    for name, data in [("gbk.csv", (HEADER + ROWS[0]).encode("gbk")),
                       ("utf8.csv", (HEADER + ROWS[1]).encode("utf-8")),
                       ("bom.csv", b"\xef\xbb\xbf" + (HEADER + ROWS[2]).encode("utf-8"))]:
        (tmp_path / name).write_bytes(data)
        code, out = run_import(project, tmp_path / name, capsys)
        assert code == 0, out
    text = (project / TARGET).read_text(encoding="utf-8")
    assert "食品经营许可（延续）" in text and "《食品经营许可和备案管理办法》第二十七条" in text
    assert "食品经营许可（注销）" in text


def test_check_reports_replacement_characters_in_list_files_at_their_place(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    path = root / TARGET
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if "具有与经营的" in line)
    lines[number] = lines[number].replace("经营场所", "经营场\ufffd")
    path.write_text("".join(lines), encoding="utf-8")
    column = lines[number].index("\ufffd") + 1
    result = run_check(root)
    assert result.returncode == 1, result.stdout
    assert f"{TARGET}:{number + 1}:{column}" in result.stdout
    assert "U+FFFD" in result.stdout
