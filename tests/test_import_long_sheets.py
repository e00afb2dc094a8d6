"""Long sheets: a sheet stretched by formatted empty rows stops being read and says where; a long import
shows its progress on a terminal and stays quiet in a log."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import xlsxwriter
from mini_project import make_project, qingdan

HEADER = ["事项编码", "事项名称", "职权类型", "实施主体", "设定依据"]


def formatted_empty_rows(path: Path, empty: int) -> Path:
    """One item, `empty` rows of bordered empty cells (what a clerk's formatting leaves), one more item."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("权力清单")
    border = book.add_format({"border": 1})
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ["000131127010", "食品经营许可（延续）", "行政许可", "测试县市场监督管理局",
                        "《中华人民共和国食品安全法》第三十五条"])
    for r in range(2, 2 + empty):
        for c in range(10):
            ws.write_blank(r, c, None, border)
    ws.write_row(2 + empty, 0, ["000131127011", "表格末尾的事项", "行政许可", "测试县市场监督管理局", "《食品安全法》"])
    book.close()
    return path


def test_a_sheet_stretched_by_formatted_empty_rows_stops_and_says_where(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    sheet = formatted_empty_rows(tmp_path / "拉长的表格.xlsx", 20_000)
    result = qingdan(root, "import", str(sheet), "--list", "power", "--department", "scjgj")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "「拉长的表格.xlsx」工作表「权力清单」第3行：警告：从第 3 行起连续 1000 行都是空行，第 1002 行以后的内容没有读取" in out
    assert "删除中间的空行" in out
    text = (root / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    assert "食品经营许可（延续）" in text and "表格末尾的事项" not in text


def run_in_terminal(argv: list[str], cwd: Path) -> tuple[int, str]:
    """Run a command with a pseudo-terminal as its stdout and stderr, as in a console window."""
    main, child = pty.openpty()
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=child, stderr=child)
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 600)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(main, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", errors="strict")


def test_a_long_import_shows_progress_on_a_terminal_and_not_in_a_log(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")

    def sheet(name: str, count: int) -> list[str]:
        rows = [",".join(HEADER)] + [f"9{n:011d},第{n}项食品经营许可,行政许可,测试县市场监督管理局,"
                                     "《中华人民共和国食品安全法》第三十五条" for n in range(count)]
        (tmp_path / name).write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
        return [sys.executable, "-m", "generator", "--project", str(root), "import", str(tmp_path / name),
                "--list", "power", "--department", "scjgj", "--dry-run"]

    code, shown = run_in_terminal(sheet("long.csv", 1000), root)
    assert code == 0, shown
    assert "正在转换第 500 个事项……" in shown or "正在整理结果……" in shown, shown
    assert "\r\033[K" in shown  # the progress line is cleared before the report

    logged = subprocess.run(sheet("short.csv", 3), cwd=root, capture_output=True, text=True, timeout=600)
    assert logged.returncode == 0, logged.stdout + logged.stderr
    assert "正在" not in logged.stderr and "\033" not in logged.stdout + logged.stderr


def test_a_csv_cell_longer_than_csvs_default_limit_is_imported_whole(tmp_path: Path) -> None:
    """Python's csv refuses fields over 131,072 characters by default: that was an internal error."""
    root = make_project(tmp_path / "proj")
    basis = "《中华人民共和国食品安全法》第三十五条：" + "从事食品生产、食品销售、餐饮服务，应当依法取得许可。" * 6000
    (tmp_path / "long-cell.csv").write_text(
        ",".join(HEADER) + "\r\n" + f"000131127099,长依据的事项,行政许可,测试县市场监督管理局,{basis}\r\n", encoding="utf-8")
    result = qingdan(root, "import", str(tmp_path / "long-cell.csv"), "--list", "power", "--department", "scjgj")
    assert result.returncode == 0, result.stdout + result.stderr
    assert basis in (root / "lists/power/scjgj.yml").read_text(encoding="utf-8")
