"""The 统计 page, the department figures, stats.json and the 公开质量 page, checked against counts
computed here from the YAML files (not through Qingdan's own code)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from browser_support import require_chromium, serve_directory
from demo_project import copy_demo_project

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# Spellings planted below and the standard value a reader expects them to count as.
STANDARD = {"09": "行政裁决", "行政审批": "行政许可"}
DAYS = {"工作日": 1.0, "自然日": 5 / 7, "小时": 1 / 8}


def git(root: Path, *args: str, date: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The demo committed in 2023; in 2024 two types respelled, one fee cancelled; quality page on."""
    root = copy_demo_project(tmp_path_factory.mktemp("stats") / "county", content=False)
    git(root, "init", "-q", "-b", "main", date="2023-05-01T10:00:00+08:00")
    git(root, "add", "-A", date="2023-05-01T10:00:00+08:00")
    git(root, "commit", "-q", "-m", "清单", date="2023-05-01T10:00:00+08:00")
    power = root / "lists/power/scjgj.yml"
    text = power.read_text(encoding="utf-8")
    text = text.replace("type: 行政许可", "type: 行政审批", 1).replace("type: 行政裁决", "type: \"09\"", 1)
    text = text.replace("保持规定的距离。", "保持规定的距离；上级交办的其他事项。", 1)  # an open finding
    power.write_text(text, encoding="utf-8")
    wjw = root / "lists/fee/zjj.yml"
    data = wjw.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^  - code:", data, re.M)]
    wjw.write_text(data[:starts[-1]], encoding="utf-8")  # the last item cancelled
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nquality_page: true\n", encoding="utf-8")
    git(root, "add", "-A", date="2024-02-01T10:00:00+08:00")
    git(root, "commit", "-q", "-m", "调整", date="2024-02-01T10:00:00+08:00")
    run = subprocess.run([sys.executable, "-m", "generator", "--project", str(root), "build", "--no-search"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return root


def items(root: Path) -> list[tuple[str, str, dict]]:
    out = []
    for path in sorted((root / "lists").glob("*/*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out += [(path.parent.name, doc["department"], item) for item in doc["items"]]
    return out


def page_text(root: Path, path: str) -> str:
    page = (root / "site" / path / "index.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_stats_json_matches_independent_counts(built):
    stats = json.loads((built / "site/downloads/stats.json").read_text(encoding="utf-8"))
    all_items = items(built)
    assert stats["items"] == len(all_items)
    assert {r["list"]: r["items"] for r in stats["lists"]} == Counter(lid for lid, _, _ in all_items)
    assert {r["department"]: r["items"] for r in stats["departments"]} == Counter(d for _, d, _ in all_items)
    powers = [i for lid, _, i in all_items if lid == "power"]
    types = Counter(STANDARD.get(str(i["type"]), str(i["type"])) for i in powers)
    assert {r["type"]: r["items"] for r in stats["power_types"]} == types
    assert types["行政裁决"] == 2  # "09" counted with 行政裁决
    handling = Counter(i["handling"] for lid, _, i in all_items if "handling" in i)
    assert {r["handling"]: r["items"] for r in stats["handling"]} == handling
    statutory = promised = 0.0
    count = 0
    for _, _, item in all_items:
        limit = item.get("time_limit") or {}
        if limit.get("statutory") and limit.get("promised") is not None:
            count += 1
            statutory += limit["statutory"] * DAYS[limit.get("unit", "工作日")]
            promised += limit["promised"] * DAYS[limit.get("unit", "工作日")]
    total = stats["time_limits"]["total"]
    assert total["items"] == count
    assert total["statutory_days"] == round(statutory, 1) and total["saved_days"] == round(statutory - promised, 1)
    fees = [(d, i) for lid, d, i in all_items if lid == "fee"]
    assert {r["department"]: r["items"] for r in stats["fees"]["departments"]} == Counter(d for d, _ in fees)
    assert {r["fund_management"]: r["items"] for r in stats["fees"]["fund_management"]} == Counter(
        i["fund_management"] for _, i in fees)
    years = {r["year"]: r for r in stats["adjustments"]}
    assert years["2023"]["新增"] == len(all_items) + 1  # everything added in 2023, one since cancelled
    assert years["2024"]["取消"] == 1 and years["2024"]["变更"] == 2


def test_stats_page_shows_the_same_figures_in_tables_and_summaries(built):
    text = page_text(built, "stats")
    stats = json.loads((built / "site/downloads/stats.json").read_text(encoding="utf-8"))
    assert f"共 {stats['items']} 项事项" in text
    total = stats["time_limits"]["total"]
    assert f"平均压缩 {total['average_reduction_percent']:.1f}%" in text
    page = (built / "site/stats/index.html").read_text(encoding="utf-8")
    article = page.split("<article")[1].split(">", 1)[1].split("</article>")[0]
    # lists, departments, types, handling, time, fees, funds, adjustments: each with a title and a summary
    assert article.count('<svg class="qd-chart"') == 8 and article.count("<title id=") == 8
    assert article.count("<figcaption>") == 8 and "<script" not in article
    words = re.findall(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", "", article))
    assert set(words) <= {"JSON"}  # Chinese only, apart from the name of the file format


def test_department_page_shows_its_own_figures(built):
    text = page_text(built, "departments/scjgj")
    mine = [i for lid, d, i in items(built) if d == "scjgj"]
    assert f"本部门共 {len(mine)} 项事项" in text
    penalties = sum(1 for i in mine if i.get("type") == "行政处罚")
    assert re.search(rf"行政处罚 {penalties}\b", text)


def test_quality_page_lists_open_findings_per_department(built):
    page = (built / "site/quality/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="#quality-scjgj">1</a>', page)
    assert re.search(r'<li><a href="../power/000131127004/">食品经营许可</a>（权力清单）：兜底条款。'
                     r'“办理条件”中有兜底条款：“上级交办的其他事项。”</li>', page)
    assert "catch-all" not in page and "lists/" not in page  # no internal ids or paths
    home = (built / "site/index.html").read_text(encoding="utf-8")
    assert 'href="quality/"' in home and 'href="stats/"' in home  # both in the nav


def test_quality_page_is_off_by_default(tmp_path):
    root = copy_demo_project(tmp_path / "plain", content=False)
    run = subprocess.run([sys.executable, "-m", "generator", "--project", str(root), "build", "--no-search",
                          "--no-history"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert (root / "site/stats/index.html").exists() and not (root / "site/quality").exists()


@pytest.mark.browser
def test_charts_render_with_titles_and_pass_axe(built, browser):
    require_chromium()
    if not AXE.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("axe-core 未安装：在项目根目录运行 npm ci")
        pytest.skip("axe-core 未安装（npm ci）")
    with serve_directory(built / "site") as base:
        for path in ("stats/", "departments/scjgj/", "quality/"):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            try:
                page.goto(base + path)
                charts = page.locator("svg.qd-chart")
                for n in range(charts.count()):
                    chart = charts.nth(n)
                    box = chart.bounding_box()
                    assert box and box["width"] > 200 and box["height"] > 30
                    assert chart.locator("title").text_content().strip()
                    assert chart.locator("rect").count() >= 1
                for contrast in (False, True):
                    if contrast:
                        page.evaluate("document.documentElement.classList.add('qd-contrast')")
                        fill = page.evaluate("getComputedStyle(document.querySelector('.qd-chart-bar') || document.body).fill")
                        assert fill in ("rgb(0, 0, 0)", "none") or "qd-chart" not in page.content()
                    page.add_script_tag(path=str(AXE))
                    result = page.evaluate("""async () => {
                        const r = await axe.run(document.querySelector('article') || document, {
                            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
                        return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
                    }""")
                    assert result == [], (path, contrast, result)
            finally:
                page.close()


@pytest.mark.browser
def test_every_chart_label_is_shown_whole_on_a_phone(built, browser):
    """At 390 px a reader sees the full name of each list beside its bar, never "行政审批中介服务…"."""
    require_chromium()
    stats = json.loads((built / "site/downloads/stats.json").read_text(encoding="utf-8"))
    titles = {row["title"] for row in stats["lists"]}
    assert "行政审批中介服务事项清单" in titles
    with serve_directory(built / "site") as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        try:
            page.goto(base + "stats/")
            chart = page.locator("svg.qd-chart").first
            labels = chart.locator("text.qd-chart-label")
            shown = [labels.nth(n).text_content() for n in range(labels.count())]
            assert titles <= set(shown), shown
            assert not any("…" in label for label in page.locator("svg.qd-chart text.qd-chart-label").all_text_contents())
            svg = chart.bounding_box()
            for n in range(labels.count()):
                box = labels.nth(n).bounding_box()
                assert box and box["x"] >= svg["x"] - 0.5 and box["y"] + box["height"] <= svg["y"] + svg["height"] + 0.5, \
                    (shown[n], box, svg)
            for kind in ("rect.qd-chart-bar", "text.qd-chart-label"):
                boxes = [chart.locator(kind).nth(n).bounding_box() for n in range(labels.count())]
                for above, below in zip(boxes, boxes[1:], strict=False):
                    assert above["y"] + above["height"] <= below["y"] + 0.5, f"{kind} overlap"
        finally:
            page.close()
