"""Feeds where people follow things: the site, each list, each department and each item with a
history have an Atom feed; each page links its own in <head> and shows a 订阅 link; an adjustment
with a later 生效日期 is announced when approved and again when it takes effect."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import serve_directory
from demo_project import CANCELLED_FEE, FOOD, demo_with_history

from generator.site.build import build_site

ATOM = "{http://www.w3.org/2005/Atom}"
UNCHANGED_ITEM = "power/3607990010100100/"  # 企业投资项目核准: never adjusted in the demo (fgw)


def _git(root: Path, *args: str, date: str = "2025-06-01T10:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("feeds")
    root = demo_with_history(base / "county")
    out = base / "site"
    result = build_site(root, out, search=False, as_of="2025-06-15")
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root, out


def _feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.xml"))


def _entries(path: Path) -> list[dict[str, str]]:
    root = ET.parse(path).getroot()
    return [{"id": e.findtext(f"{ATOM}id"), "title": e.findtext(f"{ATOM}title"),
             "updated": e.findtext(f"{ATOM}updated"), "summary": e.findtext(f"{ATOM}summary") or ""}
            for e in root.findall(f"{ATOM}entry")]


def test_every_feed_is_atom_with_unique_ids_and_no_commit_hash(demo):
    root, site = demo
    paths = _feeds(site)
    rel = {p.relative_to(site).as_posix() for p in paths}
    # the site, every list, every department, and the two items the demo adjusted
    assert {"feed.xml", "power/feed.xml", "fee/feed.xml", "departments/scjgj/feed.xml",
            FOOD + "feed.xml", CANCELLED_FEE + "feed.xml"} <= rel
    assert not any(r.startswith("zh-Hant/") for r in rel), "the 繁體 view shares the feed files"
    assert UNCHANGED_ITEM + "feed.xml" not in rel, "an item never adjusted gets no empty feed of its own"
    hashes = _git(root, "rev-list", "--all").split()
    for path in paths:
        feed = ET.parse(path).getroot()
        assert feed.tag == f"{ATOM}feed", path
        for required in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{required}") is not None, (path, required)
        assert feed.find(f"{ATOM}link[@rel='self']") is not None
        assert re.search(r"[\u4e00-\u9fff]", feed.findtext(f"{ATOM}title")), path
        ids = []
        for entry in feed.findall(f"{ATOM}entry"):
            for required in ("id", "title", "updated", "link", "summary"):
                assert entry.find(f"{ATOM}{required}") is not None, (path, required)
            ids.append(entry.findtext(f"{ATOM}id"))
            assert re.search(r"[\u4e00-\u9fff]", entry.findtext(f"{ATOM}title")), path
        assert len(ids) == len(set(ids)), path
        text = path.read_text(encoding="utf-8")
        assert not [h for h in hashes if h[:7] in text], f"{path}: a commit hash reached a feed"


def test_an_item_feed_tells_what_changed_field_by_field(demo):
    _, site = demo
    entries = _entries(site / FOOD / "feed.xml")
    # 发布日期 2024-03-01, 生效日期 2024-04-01: once approved, once in force; newest first
    assert [e["title"] for e in entries] == ["调整施行 2024-04-01 变更：食品经营许可",
                                             "已批准调整 2024-03-01 变更：食品经营许可"]
    assert entries[0]["id"].endswith(f"/{FOOD}#adj-2024-03-01-1-effective")
    assert entries[1]["id"].endswith(f"/{FOOD}#adj-2024-03-01-1-approved")
    approved = entries[1]["summary"]
    assert "办理时限：" in approved and "承诺时限 5 工作日 → " in approved and "承诺时限 3 工作日" in approved
    assert "示府办字〔2024〕3号" in approved and "自 2024-04-01 起施行" in approved
    assert entries[0]["updated"].startswith("2024-04-01")
    cancelled = _entries(site / CANCELLED_FEE / "feed.xml")
    assert len(cancelled) == 2 and "取消" in cancelled[0]["title"] and "本事项从" in cancelled[1]["summary"]


def test_department_and_list_feeds_carry_their_adjustments(demo):
    _, site = demo
    scjgj = _entries(site / "departments/scjgj/feed.xml")
    assert [e["title"].split(" ")[0] for e in scjgj] == ["调整施行", "已批准调整"]
    assert "变更 1 项" in scjgj[1]["summary"] and "食品经营许可（办理时限）" in scjgj[1]["summary"]
    assert "城市生活垃圾处理费" not in scjgj[1]["summary"]  # another department's item
    assert _entries(site / "departments/fgw/feed.xml") == []  # a department never adjusted: an empty feed to follow
    fee = _entries(site / "fee/feed.xml")
    assert fee and all("食品经营许可" not in e["summary"] for e in fee)


def test_feed_links_are_absolute_and_reach_the_pages_and_the_feed_itself(demo):
    """Links carry the site's full address (many readers ignore xml:base, and a feed is read far
    from the site) and the default relation; each reaches the very page or feed file it names."""
    _, site = demo
    for path in _feeds(site):
        text = path.read_bytes()
        assert text.startswith(b"<feed ") and b' rel="alternate"' not in text, path
        feed = ET.parse(path).getroot()
        assert "{http://www.w3.org/XML/1998/namespace}base" not in feed.attrib, path
        page = feed.findtext(f"{ATOM}id")
        rel = path.relative_to(site).as_posix()
        self_href = feed.find(f"{ATOM}link[@rel='self']").get("href")
        assert self_href.startswith("https://") and self_href.endswith("/" + rel), (path, self_href)
        root = self_href[:-len(rel)]
        site_path = urlsplit(root).path
        assert page.startswith(root), (path, page)
        assert [link.get("href") for link in feed.findall(f"{ATOM}link") if "rel" not in link.attrib] == [page]
        for entry in feed.findall(f"{ATOM}entry"):
            assert entry.findtext(f"{ATOM}id").startswith(page + "#"), "readers know entries by their ids"
            target = urlsplit(entry.find(f"{ATOM}link").get("href"))
            assert target.scheme == "https" and target.netloc == urlsplit(root).netloc
            assert (site / target.path[len(site_path):] / "index.html").is_file(), (path, target)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternate: list[dict[str, str]] = []
        self.anchors: list[tuple[dict[str, str], str]] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "link" and "alternate" in attrs.get("rel", "").split() and attrs.get("type") == "application/atom+xml":
            self.alternate.append(attrs)
        if tag == "a" and attrs.get("type") == "application/atom+xml":
            self._open = attrs
            self.anchors.append((attrs, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.anchors[-1]
            self.anchors[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def _links(site: Path, page: str) -> _Links:
    parser = _Links()
    parser.feed((site / page / "index.html").read_text(encoding="utf-8"))
    return parser


def _target(site: Path, page: str, href: str) -> Path:
    return site / posixpath.normpath(posixpath.join(page, href))


@pytest.mark.parametrize("page, feed, label", [
    (FOOD, FOOD + "feed.xml", "订阅本事项的调整（Atom）"),
    (CANCELLED_FEE, CANCELLED_FEE + "feed.xml", "订阅本事项的调整（Atom）"),
    (UNCHANGED_ITEM, "departments/fgw/feed.xml", "订阅本部门的调整（Atom）"),
    ("power/", "power/feed.xml", "订阅本清单的调整（Atom）"),
    ("departments/scjgj/", "departments/scjgj/feed.xml", "订阅本部门的调整（Atom）"),
])
def test_each_page_links_its_own_feed_and_its_traditional_copy_the_same_file(demo, page, feed, label):
    _, site = demo
    for copy in (page, "zh-Hant/" + page):
        links = _links(site, copy)
        own = [a for a in links.alternate if _target(site, copy, a["href"]) == site / feed]
        assert len(own) == 1, (copy, links.alternate)
        assert re.search(r"[\u4e00-\u9fff]", own[0]["title"])
        assert links.alternate[0] is own[0], "a page's own feed comes before the site's"
        assert (site / feed).is_file()
        visible = [(a, text) for a, text in links.anchors if _target(site, copy, a["href"]) == site / feed]
        assert len(visible) == 1, (copy, links.anchors)
        attrs, text = visible[0]
        assert text == label if copy == page else "訂閱" in text


@pytest.mark.browser
def test_a_feed_link_says_what_a_feed_is_on_both_scripts(demo, visit):
    """The 订阅 link's title (its tooltip, read by screen readers as its description) is set by
    qingdan.js, not written into every page: the visitor gets it on an item page and its 繁體 copy."""
    _, site = demo
    with serve_directory(site, prefix="/qingdan/") as base:
        for copy, words in ((FOOD, ("订阅", "阅读器")), ("zh-Hant/" + FOOD, ("訂閱", "閱讀器")),
                            ("adjustments/", ("订阅", "阅读器"))):
            page = visit(base + copy)
            page.wait_for_load_state("load")
            titles = page.eval_on_selector_all('.qd-feed a[type="application/atom+xml"]', "as => as.map(a => a.title)")
            assert len(titles) == 1 and all(w in titles[0] for w in words), (copy, titles)
            assert 'title="' not in (site / copy / "index.html").read_text(encoding="utf-8").split('class="qd-feed"')[1][:300]


def test_the_item_page_shows_the_link_by_its_history(demo):
    _, site = demo
    html = (site / FOOD / "index.html").read_text(encoding="utf-8")
    history = html[html.index('id="qd-history"'):]
    assert history.index("订阅本事项的调整") < history.index("qd-timeline")


def test_feeds_are_the_same_in_a_second_build(demo, tmp_path):
    root, site = demo
    again = tmp_path / "again"
    assert build_site(root, again, search=False, as_of="2025-06-15").ok
    for path in _feeds(site):
        rel = path.relative_to(site)
        assert (again / rel).read_bytes() == path.read_bytes(), rel


def _pending_project(tmp_path: Path) -> Path:
    """The demo, then an adjustment published 2025-06-01 that takes effect 2025-09-01."""
    root = demo_with_history(tmp_path / "county")
    power = root / "lists/power/fgw.yml"
    text = power.read_text(encoding="utf-8")
    assert "article: 第三条、第九条\n" in text
    power.write_text(text.replace("article: 第三条、第九条\n", "article: 第三条、第九条、第十条\n", 1), encoding="utf-8")
    _git(root, "commit", "-qam", "关于调整企业投资项目核准依据的通知\n\n调整依据: 示府办字〔2025〕8号\n"
         "发布日期: 2025-06-01\n生效日期: 2025-09-01")
    return root


def test_a_pending_adjustment_is_announced_when_approved_and_again_when_it_takes_effect(tmp_path):
    root = _pending_project(tmp_path)
    out = tmp_path / "site"
    feed = out / UNCHANGED_ITEM / "feed.xml"
    assert build_site(root, out, search=False, as_of="2025-07-01").ok
    before = _entries(feed)
    assert [e["title"] for e in before] == ["已批准调整 2025-06-01 变更：企业投资项目核准"]
    assert "自 2025-09-01 起施行" in before[0]["summary"] and "办理依据：" in before[0]["summary"]
    site_feed = _entries(out / "feed.xml")
    assert site_feed[0]["title"] == "已批准调整 2025-06-01 关于调整企业投资项目核准依据的通知"
    untouched = {rel: (out / rel).stat().st_ino for rel in (FOOD + "feed.xml", "departments/scjgj/feed.xml")}
    department = (out / "departments/fgw/feed.xml").read_bytes()

    # The build on the day it takes effect: the second entry, the first one as it was.
    assert build_site(root, out, search=False, as_of="2025-09-01").ok
    after = _entries(feed)
    assert [e["title"] for e in after] == ["调整施行 2025-09-01 变更：企业投资项目核准", before[0]["title"]]
    assert after[1] == before[0]
    assert after[0]["id"] == before[0]["id"].replace("-approved", "-effective")
    assert after[0]["updated"].startswith("2025-09-01")
    assert _entries(out / "feed.xml")[0]["title"].startswith("调整施行 2025-09-01")
    assert (out / "departments/fgw/feed.xml").read_bytes() != department
    # Feeds the adjustment does not concern were not written again.
    assert {rel: (out / rel).stat().st_ino for rel in untouched} == untouched

    fresh = tmp_path / "fresh"
    assert build_site(root, fresh, search=False, as_of="2025-09-01").ok
    for path in _feeds(out):
        assert (fresh / path.relative_to(out)).read_bytes() == path.read_bytes(), path
    assert sorted(p.relative_to(fresh) for p in _feeds(fresh)) == sorted(p.relative_to(out) for p in _feeds(out))


def test_no_history_no_feeds_and_no_links(tmp_path):
    from demo_project import copy_demo_project

    root = copy_demo_project(tmp_path / "county")
    out = tmp_path / "site"
    assert build_site(root, out, search=False, history=False).ok
    assert _feeds(out) == []
    assert "订阅" not in (out / FOOD / "index.html").read_text(encoding="utf-8")


def _atom_by_elementtree(head, entries) -> bytes:
    """The Atom document as ElementTree writes it (what the feeds were written with before):
    the text writer must give the same bytes, so no published feed changes."""
    from generator.render.feeds import _NOT_XML, ATOM_NS, _time

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": "zh-CN"})

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = _NOT_XML.sub("", text)
        return element

    sub(feed, "id", head.id)
    sub(feed, "title", head.title)
    sub(feed, "subtitle", head.subtitle)
    sub(feed, "updated", max((e.updated for e in entries), key=_time) if entries else "1970-01-01T00:00:00+00:00")
    sub(feed, "link", rel="self", href=head.self_href)
    sub(feed, "link", href=head.id)
    sub(sub(feed, "author"), "name", head.author)
    for e in entries:
        entry = sub(feed, "entry")
        sub(entry, "id", e.id)
        sub(entry, "title", e.title)
        sub(entry, "updated", e.updated)
        sub(entry, "link", href=e.link)
        sub(entry, "summary", e.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=False).replace(b" />", b"/>")


@pytest.mark.parametrize("text", [
    "普通文字", "", "\x01\x0b", "a & b < c > d \"e\" 'f'", "行一\n行二\r\n\t缩进", "&amp; 已转义", "\ud800 孤立代理",
    "\ufffe\uffff\x7f é 𠀀", " />", "]]>",
])
def test_the_atom_writer_writes_what_elementtree_wrote(text):
    from generator.render.feeds import Entry, FeedHead, atom

    head = FeedHead(f"https://example.gov.cn/a/{text}/", f"标题{text}", text, f"https://example.gov.cn/{text}feed.xml",
                    text or "编办")
    entries = [Entry(f"https://example.gov.cn/#adj-{text}", text, "2025-06-01T10:00:00+08:00",
                     f"https://example.gov.cn/?q={text}", f"摘要：{text}"),
               Entry("https://example.gov.cn/#adj-2", "第二条", "2025-06-02T00:00:00+08:00", "https://example.gov.cn/", text)]
    for shown in ([], entries[:1], entries):
        assert atom(head, shown) == _atom_by_elementtree(head, shown)
