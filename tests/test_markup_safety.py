"""Text from the lists and from site_config.yml never becomes markup or a formula: on every page in both
scripts, in the theme (which MkDocs renders without autoescape) and in the review workbook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from mini_project import make_project, run_check

from generator.site.build import build_site

MARKUP = "<img src=x onerror=alert(1)>"
ATTRIBUTE = '" onmouseover="alert(1)'
REPO_MKDOCS = Path(__file__).resolve().parent.parent / "mkdocs.yml"


def git(root: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE="2023-01-10T09:00:00+08:00", GIT_COMMITTER_DATE="2023-01-10T09:00:00+08:00")
    subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, check=True)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def with_markup(root: Path) -> None:
    """Markup in an item's name, text, list, extra column and basis, and in the portal's footer settings."""
    path = root / "lists/convenience/mzj.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("name: 婚姻登记", f"name: {quoted('婚姻登记' + MARKUP)}", 1)
    text = text.replace("conditions: 双方自愿，符合法定婚龄。", f"conditions: {quoted('双方自愿' + ATTRIBUTE + MARKUP)}\n"
                        f"    extra: {{{quoted('备注' + MARKUP)}: {quoted('内容' + ATTRIBUTE)}}}", 1)
    text = text.replace("materials: [居民身份证, 户口簿]", f"materials: [{quoted('居民身份证' + MARKUP)}, 户口簿]", 1)
    path.write_text(text, encoding="utf-8")
    config = root / "site_config.yml"
    text = config.read_text(encoding="utf-8").replace(
        "  organizer: 测试县委机构编制委员会办公室",
        f"  organizer: {quoted('县编办' + ATTRIBUTE + MARKUP)}\n  contact_address: {quoted('县政府大院' + MARKUP)}\n"
        f"  contact_email: {quoted('bb@example.gov.cn' + ATTRIBUTE)}")
    config.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def markup_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("markup")
    root = make_project(base / "p")
    shutil.copy(REPO_MKDOCS, root / "mkdocs.yml")
    with_markup(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "发布清单<script>alert(1)</script>\x01", "-m", "调整依据: 测政发\x08〔2024〕1号")
    out = base / "site"
    result = build_site(root, out, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


def test_no_page_turns_text_into_markup(markup_site: Path) -> None:
    pages = sorted(markup_site.rglob("*.html"))
    assert any("zh-Hant" in p.parts for p in pages)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html, page.relative_to(markup_site)
        assert 'onmouseover="alert' not in html, page.relative_to(markup_site)
        assert "<script>alert" not in html, page.relative_to(markup_site)
    footer = (markup_site / "index.html").read_text(encoding="utf-8")
    assert "县编办&#34; onmouseover=&#34;alert(1)&lt;img src=x onerror=alert(1)&gt;" in footer  # shown as text
    item = (markup_site / "convenience/BM-mzj-001/index.html").read_text(encoding="utf-8")
    assert "居民身份证&lt;img src=x onerror=alert(1)&gt;" in item


def test_a_site_name_with_markup_is_refused_at_its_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "site_name: 测试县权责清单公开平台", f"site_name: {quoted('测试县' + MARKUP)}"), encoding="utf-8")
    run = run_check(project)
    assert run.returncode == 1
    assert (f"site_config.yml:3:3: 错误：网站名称（site_name）“测试县{MARKUP}”中不能有 < > \" 这几个字符"
            in run.stdout), run.stdout


def test_review_workbook_never_holds_a_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    root = make_project(tmp_path / "p")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "发布清单")
    path = root / "lists/convenience/mzj.yml"
    formula = '=HYPERLINK("http://evil.example/","点击查看")'
    text = path.read_text(encoding="utf-8").replace("name: 婚姻登记", f"name: {quoted(formula)}", 1)
    path.write_text(text.replace("conditions: 双方自愿，符合法定婚龄。", "conditions: \"=1+1\"", 1), encoding="utf-8")
    out = tmp_path / "审核.xlsx"
    proc = subprocess.run([sys.executable, "-m", "generator", "--project", str(root), "diff", "--format", "xlsx",
                           "--output", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    book = load_workbook(out)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell would run as a formula"
    assert formula in [c.value for c in cells] and "=1+1" in [str(c.value) for c in cells]


def test_feeds_stay_valid_whatever_a_commit_message_holds(markup_site: Path) -> None:
    """A control character in a commit message made feed.xml invalid XML: readers drop the whole feed."""
    feed = ET.parse(markup_site / "feed.xml").getroot()
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any("测政发〔2024〕1号" in t for t in titles), titles
    summaries = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}summary")]
    assert any("测政发〔2024〕1号" in s for s in summaries), summaries
    items = json.loads((markup_site / "feed.json").read_text(encoding="utf-8"))["items"]
    assert items and "content_html" not in items[0]  # text only
