"""One unreadable list file is one problem to fix: references into its list are not reported as broken one
by one, and the file says once how many could not be checked."""

from __future__ import annotations

from pathlib import Path

from demo_project import copy_demo_project
from mini_project import run_check


def break_file(path: Path) -> None:
    """One tab in an indent, as an editor might leave it: the whole file cannot be read."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = "\t" + lines[3].lstrip(" ")
    path.write_text("".join(lines), encoding="utf-8")


def test_a_broken_list_file_says_once_that_references_into_it_were_not_checked(tmp_path: Path) -> None:
    root = copy_demo_project(tmp_path / "proj", content=False)
    break_file(root / "lists/power/zrzyj.yml")
    result = run_check(root, "--format", "json")
    assert result.returncode == 1
    errors = result.json["errors"]
    assert [(e["file"], e["rule"]) for e in errors] == [("lists/power/zrzyj.yml", "tab-indent")]
    notes = [w for w in result.json["warnings"] if w["rule"] == "references-unchecked"]
    assert len(notes) == 1
    assert notes[0]["file"] == "lists/power/zrzyj.yml"
    assert "这个文件没能读取，其他清单中指向这个文件中事项的 24 处引用（responsibility/ZR-zrzyj-0001、" in notes[0]["message"]
    assert "先修正这个文件中的错误" in notes[0]["hint"]


def test_a_reference_to_a_missing_item_of_a_readable_list_is_still_an_error(tmp_path: Path) -> None:
    root = copy_demo_project(tmp_path / "proj", content=False)
    break_file(root / "lists/power/zrzyj.yml")
    path = root / "lists/responsibility/scjgj.yml"
    text = path.read_text(encoding="utf-8")
    code = next(line.split('"')[1] for line in text.splitlines() if line.strip().startswith("power:"))
    path.write_text(text.replace(f'power: "{code}"', 'power: "009999999999"', 1), encoding="utf-8")
    result = run_check(root, "--format", "json")
    broken = [e for e in result.json["errors"] if e["rule"] == "broken-reference"]
    assert len(broken) == 1 and "009999999999" in broken[0]["message"]
