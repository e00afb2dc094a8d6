"""What a careless operator or an attacker with commit access might put into a project."""

from __future__ import annotations

import os
from pathlib import Path

from mini_project import make_project, run_check


def test_list_files_that_are_symbolic_links_are_refused(tmp_path: Path) -> None:
    """A link can reach any file of the build machine; git keeps the link, not the text it finds."""
    root = make_project(tmp_path / "proj")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "lists/power/zjj.yml").rename(outside / "zjj.yml")
    os.symlink("../../../outside/zjj.yml", root / "lists/power/zjj.yml")
    (root / "lists/fee").rename(outside / "fee")
    os.symlink("../../outside/fee", root / "lists/fee")
    result = run_check(root, "--format", "json")
    assert result.returncode == 1
    refused = {(e["file"], e["message"]) for e in result.json["errors"] if e["rule"] == "symlink"}
    assert refused == {("lists/power/zjj.yml", "清单文件是符号链接，已拒绝读取"),
                       ("lists/fee/zjj.yml", "清单文件所在的目录是符号链接，已拒绝读取")}
    assert "outside" not in result.stdout


def test_import_never_writes_through_a_linked_list_directory(tmp_path: Path, capsys) -> None:
    from generator.cli import main

    root = make_project(tmp_path / "proj")
    outside = tmp_path / "outside"
    (root / "lists/power").rename(outside)
    os.symlink("../../outside", root / "lists/power")
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    sheet = tmp_path / "new.csv"
    sheet.write_text("事项编码,事项名称,职权类型\n000131127099,新的事项,行政许可\n", encoding="utf-8")
    code = main(["--project", str(root), "import", str(sheet), "--list", "power", "--department", "scjgj"])
    out = capsys.readouterr().out
    assert code == 1 and "是符号链接，不能导入到这里" in out
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


def test_importing_something_that_is_not_a_file_is_refused_in_chinese(tmp_path: Path, capsys) -> None:
    """A folder (or /dev/zero, which used to be read until memory ran out) is no spreadsheet."""
    from generator.cli import main

    root = make_project(tmp_path / "proj")
    (tmp_path / "报送材料").mkdir()
    code = main(["--project", str(root), "import", str(tmp_path / "报送材料"), "--list", "power", "--department",
                 "scjgj"])
    out = capsys.readouterr().out
    assert code == 1
    assert "报送材料 不是普通文件，无法作为表格导入" in out and "directory" not in out


def test_export_to_a_folder_or_a_full_disk_is_a_sentence_not_an_internal_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = make_project(tmp_path / "proj")
    (tmp_path / "导出").mkdir()
    for target, reason in [(tmp_path / "导出", "这是一个目录"), (Path("/dev/full"), "磁盘空间不足")]:
        result = subprocess.run([sys.executable, "-m", "generator", "--project", str(root), "export", "--list",
                                 "power", "--format", "csv", "--output", str(target)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert f"无法写入 {target}：{reason}" in result.stderr and "内部错误" not in result.stderr


def test_control_characters_written_as_escapes_are_errors_at_their_place(tmp_path: Path) -> None:
    """libyaml refuses a raw control character; an escape ("\\0", "\\v") brought one to the pages unseen."""
    root = make_project(tmp_path / "proj")
    path = root / "lists/power/scjgj.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines) if line.startswith("    result: 食品经营许可证"))
    lines[number] = '    result: "食品经营\\v许可证"\n'
    path.write_text("".join(lines), encoding="utf-8")
    result = run_check(root)
    assert result.returncode == 1
    assert f"lists/power/scjgj.yml:{number + 1}:13: 错误：文字中有不可见的控制字符（U+000B）" in result.stdout
