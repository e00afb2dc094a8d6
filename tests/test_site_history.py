"""Change an item, commit with a basis trailer, rebuild: the item page, the adjustment log, the home
page and the feeds all show it with its basis; a cancelled item keeps a page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_support import RequestLog, serve_directory
from demo_project import copy_demo_project

from generator.site.build import build_site

ATOM = "{http://www.w3.org/2005/Atom}"
ITEM = Path("lists/power/scjgj.yml")


def git(root: Path, *args: str, date: str = "2024-03-01T10:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    run = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return run.stdout


@pytest.fixture(scope="module")
def adjusted_site(tmp_path_factory) -> tuple[Path, Path]:
    """A project with two commits: the lists as published, then one adjustment with trailers."""
    base = tmp_path_factory.mktemp("history")
    root = copy_demo_project(base / "project")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "发布2024年版权责清单", "-m", "调整依据: 示府办发〔2024〕1号", date="2024-01-15T09:00:00+08:00")
    path = root / ITEM
    text = path.read_text(encoding="utf-8")
    assert "promised: 5" in text
    path.write_text(text.replace("promised: 5", "promised: 3", 1), encoding="utf-8")
    git(root, "commit", "-q", "-am", "压缩食品经营许可承诺时限",
        "-m", "调整依据: 示府办发〔2024〕7号\n生效日期: 2024-04-01", date="2024-03-20T10:00:00+08:00")
    out = base / "site"
    result = build_site(root, out, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root, out


def test_item_page_shows_the_change_with_its_basis(adjusted_site):
    _, out = adjusted_site
    html = (out / "power" / "000131127004" / "index.html").read_text(encoding="utf-8")
    timeline = html[html.index('id="qd-history"'):]
    assert "2024-03-20" in timeline and "变更" in timeline
    assert "示府办发〔2024〕7号" in timeline and "生效日期：2024-04-01" in timeline
    assert "承诺时限 5 工作日" in timeline and "承诺时限 3 工作日" in timeline
    assert timeline.index("2024-03-20") < timeline.index("2024-01-15")  # newest first
    assert '<meta name="PubDate" content="2024-03-20 10:00">' in html


def test_adjustment_log_home_page_and_department_log(adjusted_site):
    _, out = adjusted_site
    log = (out / "adjustments" / "index.html").read_text(encoding="utf-8")
    assert "压缩食品经营许可承诺时限" in log and "调整依据：示府办发〔2024〕7号" in log
    assert "变更 1 项" in log
    home = (out / "index.html").read_text(encoding="utf-8")
    latest = home[home.index("最新调整"):]
    assert "压缩食品经营许可承诺时限" in latest and "示府办发〔2024〕7号" in latest
    department = (out / "adjustments" / "scjgj" / "index.html").read_text(encoding="utf-8")
    assert "食品经营许可" in department and "示府办发〔2024〕7号" in department


def test_a_long_adjustment_lists_the_rest_of_its_items_on_the_departments_pages(adjusted_site):
    """The first publication adds all 455 items of the demo: the log names the first ones and sends
    the reader to each department's log for the rest, instead of one page of every item."""
    root, out = adjusted_site
    log = (out / "adjustments" / "index.html").read_text(encoding="utf-8")
    first = log[log.index("发布2024年版权责清单"):]
    total = sum(len(re.findall(r"^  - code: ", f.read_text(encoding="utf-8"), re.M)) for f in (root / "lists").rglob("*.yml"))
    links = re.findall(r'<a href="\.\./adjustments/(\w+)/">([^<（]+)（(\d+) 项）</a>', first)
    assert f"另有 {total - 60} 项，按部门查看" in first
    assert sum(int(n) for _, _, n in links) == total - 60 and "scjgj" in [code for code, _, _ in links]
    assert first.count('<li><span class="qd-tag qd-kind">新增</span>') == 60
    department_log = (out / "adjustments" / "scjgj" / "index.html").read_text(encoding="utf-8")
    assert department_log.count('<span class="qd-tag qd-kind">新增</span>') == sum(
        len(re.findall(r"^  - code: ", f.read_text(encoding="utf-8"), re.M)) for f in (root / "lists").glob("*/scjgj.yml"))


def test_feeds_parse_and_carry_the_adjustment(adjusted_site):
    _, out = adjusted_site
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    # the adjustment once when approved and once when in force (生效日期 2024-04-01), and the first one
    assert len(entries) == 3
    effective, approved = entries[0], entries[1]
    assert effective.find(f"{ATOM}title").text == "调整施行 2024-04-01 压缩食品经营许可承诺时限"
    assert effective.find(f"{ATOM}updated").text.startswith("2024-04-01")
    assert approved.find(f"{ATOM}title").text == "已批准调整 2024-03-20 压缩食品经营许可承诺时限"
    assert approved.find(f"{ATOM}updated").text.startswith("2024-03-20T10:00:00")
    assert "示府办发〔2024〕7号" in approved.find(f"{ATOM}summary").text
    data = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["items"][0]["_qingdan"]["basis"] == "示府办发〔2024〕7号"
    first = data["items"][-1]["_qingdan"]  # the first publication: 455 items, the first 100 named
    assert len(first["events"]) == 100 and first["events_omitted"] == sum(first["counts"].values()) - 100


def test_cancelled_item_keeps_a_page_saying_when_and_why(tmp_path, adjusted_site):
    root, _ = adjusted_site
    work = tmp_path / "project"
    shutil.copytree(root, work)
    path = work / ITEM
    published = path.read_text(encoding="utf-8")
    extra = published.split("\n  - code:", 2)[1]  # the first item, re-coded below
    path.write_text(published + "\n  - code: \"TEST-CANCEL-1\"\n" + extra.split("\n", 1)[1]
                    .replace("食品经营许可", "临时性测试许可", 1), encoding="utf-8")
    git(work, "commit", "-q", "-am", "新增临时性测试许可", date="2024-04-10T09:00:00+08:00")
    path.write_text(published, encoding="utf-8")
    git(work, "commit", "-q", "-am", "取消临时性测试许可", "-m", "Basis: 示府发〔2024〕9号",
        date="2024-05-01T09:00:00+08:00")
    out = tmp_path / "site"
    assert build_site(work, out, search=False).ok
    html = (out / "power" / "TEST-CANCEL-1" / "index.html").read_text(encoding="utf-8")
    assert "临时性测试许可" in html
    assert "本事项已取消" in html and "示府发〔2024〕9号" in html and "2024-05-01" in html
    log = (out / "adjustments" / "index.html").read_text(encoding="utf-8")
    assert "取消 1 项" in log and "新增 1 项" in log


@pytest.mark.browser
def test_timeline_is_visible_in_the_browser(adjusted_site, browser):
    _, out = adjusted_site
    with serve_directory(out) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        log = RequestLog(page)
        page.goto(base + "power/000131127004/")
        events = page.locator(".qd-timeline .qd-event")
        assert events.count() == 2
        first = events.first
        assert first.is_visible()
        assert "变更" in first.inner_text() and "示府办发〔2024〕7号" in first.inner_text()
        assert "承诺时限 3 工作日" in first.locator("ins").inner_text()
        feeds = page.locator('link[type="application/atom+xml"]')  # feed readers find the item's feed first
        assert feeds.count() == 2 and feeds.first.get_attribute("href").endswith("power/000131127004/feed.xml")
        page.wait_for_load_state("networkidle")
        assert not [u for u in log.urls if "sitemap" in u], "the feed link made Material fetch the sitemap"
        assert not log.external()
        page.close()


# Article 33 of the 食品安全法 (first four clauses), as a county might publish an item's 条件.
LONG_CONDITIONS = (
    "食品生产经营应当符合食品安全标准，并符合下列要求：（一）具有与生产经营的食品品种、数量相适应的食品原料处理和"
    "食品加工、包装、贮存等场所，保持该场所环境整洁，并与有毒、有害场所以及其他污染源保持规定的距离；（二）具有与"
    "生产经营的食品品种、数量相适应的生产经营设备或者设施，有相应的消毒、更衣、盥洗、采光、照明、通风、防腐、防尘、"
    "防蝇、防鼠、防虫、洗涤以及处理废水、存放垃圾和废弃物的设备或者设施；（三）有专职或者兼职的食品安全专业技术人员、"
    "食品安全管理人员和保证食品安全的规章制度；（四）具有合理的设备布局和工艺流程，防止待加工食品与直接入口食品、"
    "原料与成品交叉污染，避免食品接触有毒物、不洁物。"
)
LONG_ADJUSTED = LONG_CONDITIONS.replace("规定的距离", "规定的安全距离").replace("专职或者兼职的", "专职的")


@pytest.fixture(scope="module")
def long_change_site(tmp_path_factory) -> Path:
    """The demo with a long 条件 published, then adjusted by a few characters under a notice."""
    base = tmp_path_factory.mktemp("longchange")
    root = copy_demo_project(base / "project")
    path = root / ITEM
    text = path.read_text(encoding="utf-8")
    short = "具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所，保持该场所环境整洁，并与有毒、有害场所以及其他污染源保持规定的距离。"
    assert short in text
    path.write_text(text.replace(short, LONG_CONDITIONS, 1), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "发布2024年版权责清单", date="2024-01-15T09:00:00+08:00")
    path.write_text(path.read_text(encoding="utf-8").replace(LONG_CONDITIONS, LONG_ADJUSTED, 1), encoding="utf-8")
    git(root, "commit", "-q", "-am", "关于调整食品经营许可条件的通知",
        "-m", "调整依据: 示府办发〔2024〕9号\n生效日期: 2024-05-01", date="2024-04-10T10:00:00+08:00")
    out = base / "site"
    result = build_site(root, out, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


@pytest.mark.browser
def test_a_long_text_change_shows_what_changed_and_the_whole_text_on_request(long_change_site, browser):
    with serve_directory(long_change_site) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        try:
            page.goto(base + "power/000131127004/")
            event = page.locator(".qd-timeline .qd-event").first
            head = event.locator(".qd-event-head").inner_text()
            # The notice's title beside its 文号, as 调整依据, not below the changes.
            assert "调整依据：《关于调整食品经营许可条件的通知》（示府办发〔2024〕9号）" in head.replace("\n", "")
            change = event.locator(".qd-changes li").first
            # Only what changed is marked, said in words for screen readers, not by colour alone.
            assert [t.strip() for t in change.locator("ins").all_text_contents()] == ["新增：安全"]
            assert [t.strip() for t in change.locator("del").all_text_contents()] == ["删除：或者兼职"]
            assert change.locator("ins .qd-sr").first.is_hidden() is False
            assert change.locator("ins .qd-sr").first.bounding_box()["width"] <= 1  # heard, not seen
            assert "未改动的" in change.inner_text()  # what is left out is said
            visible = change.locator(".qd-diff").inner_text()
            assert len(visible) < len(LONG_ADJUSTED) / 2
            # The whole new (and old) text one click away, exactly as published.
            full_new = change.locator("details", has_text="调整后全文")
            assert not full_new.locator(".qd-published").is_visible()
            full_new.locator("summary").click()
            assert full_new.locator(".qd-published").inner_text() == LONG_ADJUSTED
            full_old = change.locator("details", has_text="调整前全文")
            full_old.locator("summary").click()
            assert full_old.locator(".qd-published").inner_text() == LONG_CONDITIONS
        finally:
            page.close()
