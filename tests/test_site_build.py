"""The published site: built for real with MkDocs + Material, asserted on the HTML a visitor gets."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from demo_project import copy_demo_project

from generator.project import open_project
from generator.site.build import build_site

PROJECT = Path(__file__).resolve().parent.parent
EIGHT = ["办理主体", "办理依据", "办理条件", "办理程序", "办理时限", "办理结果", "收费依据", "收费标准"]


class LinkCollector(HTMLParser):
    """Collects every URL a page refers to, and whether it is a resource or a link."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "alternate"):
            self.resources.append(a["href"])
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")


def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "site"
    result = build_site(PROJECT, out, search=False, history=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


@pytest.fixture(scope="module")
def demo_catalog():
    project = open_project(PROJECT)
    assert project.ok
    return project.catalog


def copy_project(tmp_path: Path) -> Path:
    return copy_demo_project(tmp_path / "project")


def test_every_item_has_a_page_with_all_eight_disclosures_in_order(demo_site, demo_catalog):
    items = list(demo_catalog.items())
    assert items
    for item in items:
        page = demo_site / item.list_id / item.code / "index.html"
        assert page.exists(), f"missing page for {item.key}"
        text = page.read_text(encoding="utf-8")
        block = text[text.index('class="qd-disclosures"'):]
        applicable = [label for _, label in demo_catalog.config.applicable_disclosures(item.list_id)]
        assert [label for label in EIGHT if label in applicable] == applicable  # in the fixed order
        positions = [block.index(f"<dt>{label}</dt>") for label in applicable]
        assert positions == sorted(positions), f"disclosures out of order on {item.key}"
        for label in set(EIGHT) - set(applicable):  # e.g. 办理程序 of a fee: not 未公开, not shown
            assert f"<dt>{label}</dt>" not in block[: block.index("</section>")]
        assert item.name in text


def test_item_page_links_both_ways_to_related_items(demo_site, demo_catalog):
    responsibility = next(demo_catalog.items("responsibility"))
    power_code = responsibility.data["power"]
    resp_html = (demo_site / "responsibility" / responsibility.code / "index.html").read_text(encoding="utf-8")
    power_html = (demo_site / "power" / power_code / "index.html").read_text(encoding="utf-8")
    assert f'href="../../power/{power_code}/"' in resp_html
    assert f'href="../../responsibility/{responsibility.code}/"' in power_html


def test_portal_footer_and_meta_tags(demo_site, demo_catalog):
    config = demo_catalog.config
    item = next(demo_catalog.items("power"))
    pages = {
        "home": demo_site / "index.html",
        "list": demo_site / "power" / "index.html",
        "department": demo_site / "departments" / item.department / "index.html",
        "item": demo_site / "power" / item.code / "index.html",
    }
    for kind, path in pages.items():
        page = parse(path)
        assert page.meta["SiteName"] == config.portal.site_name, kind
        assert page.meta["SiteDomain"] == "qingdan.example.gov.cn", kind
        assert page.meta["SiteIDCode"] == config.portal.site_id_code, kind
        text = path.read_text(encoding="utf-8")
        for value in (config.portal.sponsor, config.portal.organizer, config.portal.icp, config.portal.police_record):
            assert value in text, (kind, value)
    list_meta = parse(pages["list"]).meta
    assert list_meta["ColumnName"] == "权力清单" and list_meta["ColumnType"] == "清单"
    department_meta = parse(pages["department"]).meta
    assert department_meta["ColumnName"] == config.department(item.department).name
    item_meta = parse(pages["item"]).meta
    assert item_meta["ArticleTitle"] == item.name
    assert item_meta["ContentSource"] == config.department(item.department).name
    # What a search engine shows: the item's own description, the site's on nav pages.
    department = config.department(item.department).name
    assert item_meta["description"] == f"权力清单：{item.name}（{department}）"
    assert department_meta["description"] == f"{department}的全部清单事项"
    assert parse(pages["home"]).meta["description"] == config.portal.description
    assert "QDSHELL" not in pages["item"].read_text(encoding="utf-8")


def test_no_resource_is_loaded_from_another_host(demo_site):
    for path in demo_site.rglob("*.html"):
        page = parse(path)
        for url in page.resources:
            assert not urlsplit(url).netloc, f"{path}: loads {url} from another host"
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_every_internal_link_resolves_under_a_sub_path(tmp_path):
    out = tmp_path / "site"
    result = build_site(PROJECT, out, search=False, history=False, site_url="https://example.gov.cn/qingdan/")
    assert result.ok
    base = "https://example.gov.cn/qingdan/"
    checked = 0
    for path in out.rglob("*.html"):
        page_url = urljoin(base, path.relative_to(out).as_posix())
        for href in parse(path).links + parse(path).resources:
            target = urlsplit(urljoin(page_url, href))
            if target.netloc != "example.gov.cn" or href.startswith("#"):
                continue
            assert target.path.startswith("/qingdan/"), f"{path}: {href} escapes the sub-path"
            local = out / target.path[len("/qingdan/"):]
            if target.path.endswith("/"):
                local = local / "index.html"
            assert local.exists(), f"{path}: broken link {href}"
            checked += 1
    assert checked > 5 * len(list(out.rglob("*.html")))  # the nav alone links every page to several others
    canonical = (out / "power" / "000131127004" / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical" href="https://example.gov.cn/qingdan/power/000131127004/"' in canonical


def test_list_data_is_shown_as_text_never_as_markup(tmp_path):
    root = copy_project(tmp_path)
    path = root / "lists" / "power" / "scjgj.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("result: 食品经营许可证", 'result: "<script>alert(1)</script> **粗体** <b>x</b>"', 1)
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    assert build_site(root, out, search=False, history=False).ok
    html = (out / "power" / "000131127004" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **粗体** &lt;b&gt;x&lt;/b&gt;" in html


def test_project_template_overrides_the_default(tmp_path):
    root = copy_project(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "timeline.html").write_text("<p>本县自定义的调整记录模板</p>", encoding="utf-8")
    out = tmp_path / "site"
    assert build_site(root, out, search=False, history=False).ok
    assert "本县自定义的调整记录模板" in (out / "power" / "000131127004" / "index.html").read_text(encoding="utf-8")


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_failed_build_leaves_the_previous_site_untouched(tmp_path):
    root = copy_project(tmp_path)
    out = tmp_path / "site"
    assert build_site(root, out, search=False, history=False).ok
    before = tree_digest(out)
    bad = root / "lists" / "power" / "scjgj.yml"
    bad.write_text(bad.read_text(encoding="utf-8") + "\n  - code: [broken\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "generator", "--project", str(root), "build", "--no-search", "--no-history"],
        capture_output=True, text=True,
    )
    assert run.returncode == 1
    assert "scjgj.yml" in run.stderr and "YAML 语法错误" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert "原有网站" in run.stderr
    assert tree_digest(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")], "staging dirs left behind"


def test_same_input_gives_byte_identical_output(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert build_site(PROJECT, first, search=False, history=False).ok
    assert build_site(PROJECT, second, search=False, history=False).ok
    assert tree_digest(first) == tree_digest(second)


def test_an_index_in_parts_is_byte_identical_across_builds(tmp_path, monkeypatch):
    """A large site's search index comes in parts (search.PART_SIZE); publish relies on each being
    reproducible (normalise_index per part)."""
    from generator import search as searching

    monkeypatch.setattr(searching, "PART_SIZE", 150)
    first, second = tmp_path / "a", tmp_path / "b"
    assert build_site(PROJECT, first, history=False).ok
    assert build_site(PROJECT, second, history=False).ok
    parts = json.loads((first / "pagefind" / searching.PARTS_FILE).read_text(encoding="utf-8"))[searching.BUNDLES_KEY]
    assert len(parts) >= 3 and parts[0] == "site/"
    assert tree_digest(first) == tree_digest(second)


def test_pinyin_index_lists_every_item_in_pinyin_order(demo_site, demo_catalog):
    html = (demo_site / "pinyin" / "index.html").read_text(encoding="utf-8")
    names = re.findall(r'<li><a href="\.\./[a-z]+/[^"]+/">([^<]+)</a>', html)
    assert len(names) == sum(demo_catalog.counts().values())
    from generator import pinyin

    assert names == sorted(names, key=pinyin.sort_key)
    section = html[html.index('id="py-S"'):]
    assert "食品经营许可" in section[: section.find('<h2 id="py-', 10)]


def test_large_lists_split_the_pinyin_index_by_letter_and_link_lists_to_departments(demo_catalog):
    from generator.render.env import TemplateRenderer
    from generator.render.pages import PageBuilder

    builder = PageBuilder(demo_catalog, TemplateRenderer())
    builder.list_threshold = 5  # as if the lists were large
    pages = builder.index_pages()
    overview, letters = pages[0], pages[1:]
    assert overview.path == "pinyin/" and len(letters) > 1
    assert all(re.fullmatch(r"pinyin/([a-z]|other)/", p.path) for p in letters)
    linked = [name for p in letters for name in re.findall(r'<li><a href="\.\./\.\./[a-z]+/[^"]+/">([^<]+)</a>', p.body)]
    assert sorted(linked) == sorted(i.name for i in demo_catalog.items())
    assert 'href="../pinyin/s/"' in overview.body
    power = builder.list_page(demo_catalog.config.list_type("power"))
    assert "qd-table" not in power.body
    assert re.search(r'href="\.\./departments/[a-z]+/#list-power"', power.body)


def test_list_and_department_pages_offer_downloads_that_open(demo_site, demo_catalog):
    import csv
    import io
    import json
    import zipfile

    from openpyxl import load_workbook

    page = demo_site / "power" / "index.html"
    links = [h for h in parse(page).links if "downloads/" in h]
    # A workbook and a CSV file per list (the demo sets downloads: csv: true), and the one JSON
    # file of every list, zipped.
    assert {h.rsplit(".", 1)[1] for h in links} == {"xlsx", "csv", "zip"}
    files = {h.rsplit(".", 1)[1]: (page.parent / h).resolve() for h in links}
    power_count = demo_catalog.counts()["power"]
    sheet = load_workbook(files["xlsx"], read_only=True).worksheets[0]
    assert sheet.max_row == power_count + 1  # header + one row per item
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert "事项名称" in rows[0]
    text = files["csv"].read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    csv_rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(csv_rows) == power_count + 1 and csv_rows[0] == [str(c) for c in rows[0]]
    assert "食品经营许可" in {cell for row in rows for cell in row}
    with zipfile.ZipFile(files["zip"]) as archive:  # one file, all.json, that any unzip tool opens
        assert [(i.filename, i.compress_type) for i in archive.infolist()] == [("all.json", zipfile.ZIP_DEFLATED)]
        data = json.loads(archive.read("all.json"))
    assert "食品经营许可" in json.dumps(data, ensure_ascii=False)
    department = demo_site / "departments" / "scjgj" / "index.html"
    dept_links = [h for h in parse(department).links if "downloads/" in h]
    assert any(h.endswith(".xlsx") for h in dept_links)
    for href in dept_links:
        assert (department.parent / href).resolve().exists(), href
    assert "字段说明" in department.read_text(encoding="utf-8")
    data_page = (demo_site / "data" / "index.html").read_text(encoding="utf-8")
    assert "证明事项清单" in data_page and "（certificate）" not in data_page and "办理时限" in data_page
