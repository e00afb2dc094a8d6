"""Importing the site's own download with --department: its 部门 column names that department, which is
not extra information; a 部门 column that says something else still is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import yaml
from mini_project import make_project, qingdan

TARGET = "lists/power/scjgj.yml"


def test_reimporting_a_departments_own_download_adds_nothing(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    before = (root / TARGET).read_text(encoding="utf-8")
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"power-scjgj.{fmt}"
        exported = qingdan(root, "export", "--list", "power", "--department", "scjgj", "--format", fmt,
                           "--output", str(out))
        assert exported.returncode == 0, exported.stderr
        result = qingdan(root, "import", str(out), "--list", "power", "--department", "scjgj")
        assert result.returncode == 0, result.stdout + result.stderr
        after = (root / TARGET).read_text(encoding="utf-8")
        assert "extra" not in after and "部门" not in after, after
        assert yaml.safe_load(after) == yaml.safe_load(before)


def test_a_department_column_naming_something_else_is_still_kept(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["部门", "事项编码", "事项名称", "职权类型"])
    sheet.append(["食品生产安全监督管理科", "000131127004", "食品经营许可", "行政许可"])
    book.save(tmp_path / "科室.xlsx")
    result = qingdan(root, "import", str(tmp_path / "科室.xlsx"), "--list", "power", "--department", "scjgj")
    assert result.returncode == 0, result.stdout + result.stderr
    item = next(i for i in yaml.safe_load((root / TARGET).read_text(encoding="utf-8"))["items"]
                if i["code"] == "000131127004")
    assert item["extra"] == {"部门": "食品生产安全监督管理科"}
