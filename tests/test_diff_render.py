"""The review's formats: terminal text, Markdown for a PR comment, printable HTML, JSON and XLSX."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from io import BytesIO

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText
from test_diff import FOOD, NEW_POWER, PENALTY, Pair

from generator.diff import render_html, render_json, render_md, render_text, render_xlsx
from generator.diff.result import DiffResult

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> DiffResult:
    """新增 (with markup in its name), 变更 with flags, 改码, 格式调整 — one of each."""
    pair = Pair(tmp_path_factory.mktemp("render"))
    pair.append("lists/power/scjgj.yml", NEW_POWER.replace("name: 小餐饮登记", "name: 小餐饮<script>登记</script>"))
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 25")
    pair.edit("lists/power/scjgj.yml", "数量相适应的经营场所。", "数量相适应的经营场所，以及法律、法规规定的其他条件。")
    pair.edit("lists/power/scjgj.yml", f'"{PENALTY}"', '"000231001001"')
    pair.edit("lists/fee/zjj.yml", "赣发改收费〔2017〕1号", "'赣发改收费[2017]1号'")
    return pair.compare()


def test_json_has_a_fixed_documented_shape(result):
    text = render_json.render(result)
    assert text == render_json.render(result)  # deterministic
    data = json.loads(text)
    assert list(data) == ["schema", "a", "b", "filters", "notes", "adjustments", "kinds", "summary", "flag_labels",
                          "items"]
    assert data["schema"] == "qingdan-diff/1"
    assert list(data["summary"]) == ["total", "lists", "departments", "flags"]
    assert {k: v for k, v in data["summary"]["total"].items() if v} == {
        "added": 1, "changed": 1, "recoded": 1, "format": 1}
    assert {k: v for k, v in data["summary"]["flags"].items() if v} == {
        "catch-all-clause": 1, "promise-exceeds-statute": 1, "time-limit-longer": 1}
    food = next(i for i in data["items"] if i["code"] == FOOD)
    assert list(food) == ["list", "status", "kinds", "code", "old_code", "name", "old_name", "department",
                          "old_department", "flags", "fields", "changes", "format_changes"]
    limit = next(c for c in food["changes"] if c["field"] == "time_limit")
    assert [s for s in limit["segments"] if s[0] != "equal"] == [["replace", "5", "25"]]
    assert limit["new_value"] == {"statutory": 20, "promised": 25, "unit": "工作日"}


def test_text_marks_changes_without_colour_unless_asked(result):
    plain = render_text.render(result, color=False)
    assert "\x1b[" not in plain
    assert "承诺时限 [-5-]{+25+} 工作日" in plain
    assert plain.index("审核提示（3）") < plain.index("━━ 权力清单 ━━")
    assert re.search(r"权力清单\s+1\s+0\s+1\s+0\s+1\s+0\s+0", plain)
    coloured = render_text.render(result, color=True)
    assert "\x1b[31m\x1b[9m5\x1b[0m" in coloured and "\x1b[32m\x1b[4m25\x1b[0m" in coloured


def test_markdown_reads_as_a_pull_request_comment(result):
    md = render_md.render(result)
    assert md.startswith("## 清单调整审核：A → B\n")
    assert md.index("### 审核提示（3）") < md.index("### 汇总") < md.index("### 权力清单")
    assert "| 权力清单 | 1 | 0 | 1 | 0 | 1 | 0 | 0 |" in md
    assert "承诺时限 <del>5</del><ins>25</ins> 工作日" in md
    assert "<details><summary>事项全部内容</summary>" in md
    assert "<script>" not in md and "小餐饮&lt;script&gt;登记" in md
    assert md.count("<details>") == md.count("</details>")


def test_markdown_stays_under_the_comment_limit(result):
    full = render_md.render(result)
    md = render_md.render(result, limit=len(full) - 300)
    assert len(md) <= len(full) - 300
    assert "### 审核提示（3）" in md and "### 汇总" in md
    assert "### 权力清单" in md and f"`{FOOD}`" in md  # the items that fit are kept
    assert re.search(r"其余 [1-3] 项未在此显示", md)


class WellFormed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.resources: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.resources.append(a[key])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def test_html_is_standalone_printable_and_escaped(result):
    html = render_html.render(result, "测试县权责清单公开平台")
    parser = WellFormed()
    parser.feed(html)
    assert parser.errors == [] and parser.stack == []
    assert parser.resources == []  # nothing fetched from anywhere
    assert "size: A4" in html and "counter(page)" in html
    assert "<title>测试县权责清单公开平台清单调整审核报告</title>" in html
    assert "<tr><th>版本</th><td>A</td><td>B</td></tr>" in html
    for label in ("兜底条款", "承诺时限超过法定时限", "时限延长"):
        assert f"<td>{label}</td>" in html
    assert "审核人（签字）" in html and "日期：" in html
    assert "<script>" not in html and "小餐饮&lt;script&gt;登记" in html
    assert "承诺时限 <del>5</del> 工作日" in html and "承诺时限 <ins>25</ins> 工作日" in html


def test_project_can_override_the_html_template(result, tmp_path):
    (tmp_path / "diff").mkdir()
    (tmp_path / "diff" / "review.html.j2").write_text("<p>{{ r.a.title }} {{ flagged|length }}</p>", encoding="utf-8")
    assert render_html.render(result, "", tmp_path) == "<p>A 3</p>"


def test_xlsx_has_a_summary_and_one_sheet_per_list(result):
    wb = openpyxl.load_workbook(BytesIO(render_xlsx.render(result)), rich_text=True)
    assert wb.sheetnames == ["汇总", "权力清单", "行政事业性收费清单"]
    summary = [list(r) for r in wb["汇总"].iter_rows(values_only=True)]
    assert ["权力清单", 1, 0, 1, 0, 1, 0, 0] in [r[:8] for r in summary]
    assert ["合计", 1, 0, 1, 0, 1, 0, 1] in [r[:8] for r in summary]
    assert ["兜底条款", "权力清单", FOOD] in [r[:3] for r in summary]
    rows = list(wb["权力清单"].iter_rows(values_only=True))
    assert rows[0] == ("变动类型", "部门", "编码", "原编码", "事项名称", "字段", "原内容", "新内容", "审核提示")
    added = [r for r in rows if r[0] == "新增"]
    assert ("小餐饮<script>登记</script>" in {r[4] for r in added}) and ("办理程序", None, "申请\n受理\n登记") in [
        r[5:8] for r in added]
    limit = next(r for r in rows if r[2] == FOOD and r[5] == "办理时限")
    assert str(limit[6]) == "法定时限 20 工作日；承诺时限 5 工作日" and isinstance(limit[6], CellRichText)
    struck = [b for b in limit[6] if not isinstance(b, str)]
    assert [(b.text, b.font.strike) for b in struck] == [("5", True)]
    first_food = next(r for r in rows if r[2] == FOOD)
    assert "【兜底条款】" in first_food[8] and "【时限延长】" in first_food[8]
    recoded = next(r for r in rows if r[0] == "改码")
    assert recoded[2:4] == ("000231001001", PENALTY)
    fee = list(wb["行政事业性收费清单"].iter_rows(values_only=True))[1]
    assert fee[0] == "格式调整" and fee[5] == "收费"


@pytest.mark.browser
def test_html_prints_on_a4_pages(result, tmp_path, browser):
    page_file = tmp_path / "review.html"
    page_file.write_text(render_html.render(result, "测试县"), encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) >= 2  # the report runs over more than one page
    for width, height in boxes:  # A4 is 595 × 842 points
        assert abs(float(width) - 595.3) < 1.5 and abs(float(height) - 841.9) < 1.5
