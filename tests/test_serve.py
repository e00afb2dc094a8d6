"""`qingdan serve`: a clerk edits a list file and the preview shows the change without a restart."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from demo_project import copy_demo_project
from test_pipeline import same_site

from generator.site.build import build_site
from generator.steps import STEPS
from generator.steps.runner import Options, Runner


class Lines:
    """The process's output lines, read in a thread so that waiting for one can time out."""

    def __init__(self, stream) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.queue.put(line) for line in stream], daemon=True).start()

    def wait_for(self, pattern: str, seconds: float = 300) -> str:
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no output matching {pattern!r}; got: {''.join(self.seen)}") from None
            self.seen.append(line)
            if re.search(pattern, line):
                return line


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def start_serve(root):
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "generator", "--project", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = Lines(process.stdout)
    base = re.search(r"http://127\.0\.0\.1:\d+/", lines.wait_for(r"http://127\.0\.0\.1:\d+/")).group(0)
    return process, lines, base


def test_preview_rebuilds_after_an_edit_and_survives_a_broken_file(tmp_path):
    root = copy_demo_project(tmp_path / "project", content=False)
    process, lines, base = start_serve(root)
    try:
        page = base + "power/000131127004/"
        assert "食品经营许可证" in fetch(page)

        def fragments() -> set:
            return set((root / "site" / "pagefind").glob("*/fragment/*"))

        indexed_before = fragments()
        item_file = root / "lists" / "power" / "scjgj.yml"
        original = item_file.read_text(encoding="utf-8")
        item_file.write_text(original.replace("result: 食品经营许可证", "result: 食品经营许可证（电子证照）", 1),
                             encoding="utf-8")
        deadline = time.monotonic() + 300
        while "食品经营许可证（电子证照）" not in fetch(page):
            assert time.monotonic() < deadline, "the preview never showed the edit"
            time.sleep(1)
        # Its 繁體 copy is rewritten with it (just after the Simplified pages).
        while "食品經營許可證（電子證照）" not in fetch(base + "zh-Hant/power/000131127004/"):
            assert time.monotonic() < deadline, "the preview never showed the edit in 繁體"
            time.sleep(0.2)

        # The page is live first; the search index follows (fragment files are content-hashed).
        lines.wait_for("下载文件和搜索索引已更新")
        indexed_after = fragments()
        assert indexed_after and indexed_after != indexed_before
        # The 繁體 view searches this same index (generator/traditional.py): it has none to fall behind.
        assert not (root / "site" / "zh-Hant" / "pagefind").exists()

        # A broken file: the preview keeps serving the last good site and says what is wrong.
        item_file.write_text(original + "\n  - code: [broken\n", encoding="utf-8")
        lines.wait_for("生成失败")
        assert any("scjgj.yml" in line and "YAML 语法错误" in line for line in lines.seen), "".join(lines.seen)
        assert "食品经营许可证（电子证照）" in fetch(page)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_update_of_two_files_writes_the_site_a_full_build_writes(tmp_path):
    """The preview parses only the changed files again; an edit to two files at once (one save of a
    batch) shows both, and the preview's folder is then the site a full build writes."""
    root = copy_demo_project(tmp_path / "project", content=False)
    runner = Runner(STEPS, root, tmp_path / "preview", Options(history=False), serving=True)
    assert runner.run().ok
    files = [root / "lists" / "power" / f"{dept}.yml" for dept in ("scjgj", "fgw")]
    codes = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        codes.append(re.search(r'^  - code: "?([^"\n]+)"?$', text, re.M).group(1))
        path.write_text(re.sub(r"^(    conditions: .*)$", r"\1（第二次修订）", text, count=1, flags=re.M),
                        encoding="utf-8")
    update = runner.update(set(files))
    assert update.ok and not update.problems.has_errors()
    assert {f"power/{code}/" for code in codes} <= set(update.written)
    assert runner.catch_up().ok
    full = build_site(root, tmp_path / "full", history=False)
    assert full.ok
    for code in codes:
        assert "（第二次修订）" in (tmp_path / "preview" / f"power/{code}/index.html").read_text(encoding="utf-8")
    # A preview writes no manifest: it is not a site to publish. Its search index is the bundle it
    # built first plus the recent changes: compared by what a search finds (test_pipeline.same_site).
    assert same_site(tmp_path / "preview", tmp_path / "full") == ["qingdan-manifest.json"]


def test_a_file_saved_while_the_first_build_runs_is_shown(tmp_path):
    """A clerk starts the preview and saves a fix before it is up: the fix is not lost."""
    root = copy_demo_project(tmp_path / "project", content=False)
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "generator", "--project", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = Lines(process.stdout)
    try:
        lines.wait_for("正在生成网站")
        item_file = root / "lists" / "power" / "scjgj.yml"
        text = item_file.read_text(encoding="utf-8")
        item_file.write_text(text.replace("result: 食品经营许可证", "result: 食品经营许可证（电子证照）", 1),
                             encoding="utf-8")
        base = re.search(r"http://127\.0\.0\.1:\d+/", lines.wait_for(r"http://127\.0\.0\.1:\d+/")).group(0)
        deadline = time.monotonic() + 300
        while "食品经营许可证（电子证照）" not in fetch(base + "power/000131127004/"):
            assert time.monotonic() < deadline, "the edit saved during the first build was lost"
            time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.browser
def test_the_open_tab_reloads_by_itself_after_an_edit(tmp_path, browser):
    root = copy_demo_project(tmp_path / "project", content=False)
    process, lines, base = start_serve(root)
    try:
        page = browser.new_page()
        page.goto(base + "power/000131127004/")
        assert "食品经营许可证" in page.content()
        page.evaluate("window.qdNotReloaded = true")  # gone once the tab reloads
        item_file = root / "lists" / "power" / "scjgj.yml"
        text = item_file.read_text(encoding="utf-8")
        item_file.write_text(text.replace("result: 食品经营许可证", "result: 食品经营许可证（电子证照）", 1),
                             encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('食品经营许可证（电子证照）')", timeout=60_000)
        assert page.evaluate("window.qdNotReloaded === undefined")

        # Only the pages the edit touches are rewritten, not the whole site.
        assert re.search(r"已更新 \d+ 个页面", lines.wait_for("已更新"))
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
