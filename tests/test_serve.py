"""`qingdan serve`: a clerk edits a list file and the preview shows the change without a restart."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_preview_rebuilds_after_an_edit_and_survives_a_broken_file(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for name in ("site_config.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    shutil.copytree(PROJECT / "lists", root / "lists")
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "generator", "--project", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = None
        deadline = time.monotonic() + 300
        output = []
        while base is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            output.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            if match:
                base = match.group(1)
        assert base, "".join(output)
        page = base + "power/000131127004/"
        assert "食品经营许可证" in fetch(page)

        item_file = root / "lists" / "power" / "scjgj.yml"
        original = item_file.read_text(encoding="utf-8")
        item_file.write_text(original.replace("result: 食品经营许可证", "result: 食品经营许可证（电子证照）", 1),
                             encoding="utf-8")
        deadline = time.monotonic() + 300
        while "食品经营许可证（电子证照）" not in fetch(page):
            assert time.monotonic() < deadline, "the preview never showed the edit"
            time.sleep(1)

        # A broken file: the preview keeps serving the last good site and says what is wrong.
        item_file.write_text(original + "\n  - code: [broken\n", encoding="utf-8")
        seen = []
        deadline = time.monotonic() + 300
        while not any("生成失败" in line for line in seen):
            assert time.monotonic() < deadline, "".join(seen)
            seen.append(process.stdout.readline())
        assert any("scjgj.yml" in line and "YAML 语法错误" in line for line in seen)
        assert "食品经营许可证（电子证照）" in fetch(page)
    finally:
        process.terminate()
        process.wait(timeout=30)
