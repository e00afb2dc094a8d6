"""The 繁體 view: every page also in Traditional Chinese under zh-Hant/, labelled as derived from
the official Simplified page, switchable from the header and remembered, searchable.

The demo (`traditional: {variant: tw}`) is built once with its history, for a sub-path, and read
as files and in headless Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from browser_support import RequestLog, search, serve_directory

from generator.problems import Problems
from generator.site.build import build_site
from generator.traditional import PageConverter, convert_unprotected, converter, simplified_counterpart

PROJECT = Path(__file__).resolve().parent.parent
PREFIX = "/qingdan/"
SITE_URL = "https://example.gov.cn" + PREFIX
FOOD = "power/000131127004/"  # 食品经营许可 of 示例县市场监督管理局
TAGS = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hant") / "site"
    result = build_site(PROJECT, out, site_url=SITE_URL)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


def pages(site: Path) -> list[str]:
    """Every Simplified page of the site, as a path from the site root."""
    skip = ("zh-Hant/", "assets/", "downloads/", "pagefind/")
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(skip))


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def main_text(html: str) -> str:
    """What a reader reads in the page's article (tags dropped)."""
    start = html.index('id="qd-main"')
    return TAGS.sub("", html[start:html.index("</article>", start)])


def test_every_page_has_a_traditional_copy_that_names_its_official_page(site):
    simplified = pages(site)
    assert len(simplified) > 400
    for rel in simplified:
        copy = site / "zh-Hant" / rel
        assert copy.is_file(), f"缺少繁体页面：zh-Hant/{rel}"
        if rel == "404.html":
            continue
        text = copy.read_text(encoding="utf-8")
        assert '<html lang="zh-Hant-TW"' in text, rel
        note = re.search(r'<p class="qd-hant-note" role="note">(.*?)</p>', text)
        assert note, f"zh-Hant/{rel} 没有说明“以简体中文页面为准”"
        assert re.search("以<a [^>]*>簡體中文頁面</a>為準", note.group(1)), note.group(1)
        href = re.search(r'href="([^"]*)"', note.group(1)).group(1)
        official = urlsplit(urljoin(f"http://h{PREFIX}zh-Hant/{rel}", href)).path[len(PREFIX):]
        assert official + ("index.html" if official.endswith("/") or not official else "") == rel, (rel, href)


def test_text_is_converted_but_codes_digits_and_latin_letters_are_not(site):
    simplified, traditional = read(site, FOOD + "index.html"), read(site, "zh-Hant/" + FOOD + "index.html")
    assert "食品經營許可" in traditional and "食品经营许可" not in main_text(traditional)
    assert "中華人民共和國食品安全法" in traditional
    # Every run of digits and Latin letters in the article (codes, 文号, dates, phone numbers) is
    # the same, in the same order: only Chinese characters changed.
    runs = re.compile(r"[0-9A-Za-z]+")
    assert runs.findall(main_text(simplified)) == runs.findall(main_text(traditional))
    assert '<span class="qd-code" translate="no">000131127004</span>' in traditional
    # Registration numbers are identifiers: kept as registered.
    assert "赣ICP备12345678号" in traditional and "赣公网安备 36079902000123号" in traditional
    assert '<meta name="SiteName" content="示例县权责清单公开平台">' in traditional


def test_every_link_of_a_traditional_page_leads_somewhere(site):
    missing = []
    for rel in pages(site):
        if rel == "404.html":
            continue
        text = read(site, "zh-Hant/" + rel)
        here = f"http://h{PREFIX}zh-Hant/{rel}"
        for url in re.findall(r'(?:href|src)="([^"#][^"]*)"', text):
            target = urlsplit(urljoin(here, url))
            if target.netloc != "h" or target.scheme != "http":
                continue
            path = unquote(target.path)[len(PREFIX):]
            file = site / (path + "index.html" if path.endswith("/") or path == "" else path)
            if not file.exists() and not (site / path / "index.html").exists():
                missing.append(f"zh-Hant/{rel} → {url}")
    assert not missing, missing[:10]


def test_pages_link_to_pages_in_the_same_script_and_to_the_one_official_download(site):
    text = read(site, "zh-Hant/" + FOOD + "index.html")
    assert 'href="../../departments/scjgj/"' in text  # a page: stays in zh-Hant/
    assert 'href="../../../assets/stylesheets/' in text  # Material's assets: shared
    assert 'src="../../assets/qingdan/qingdan.js"' in text  # Qingdan's words: converted copy
    assert "朗讀" in read(site, "zh-Hant/assets/qingdan/qingdan.js")
    assert f'href="{SITE_URL}zh-Hant/{FOOD}"' in text  # canonical
    data = read(site, "zh-Hant/data/index.html")
    assert re.search(r'href="\.\./\.\./downloads/[^"]+\.xlsx"', data), "下载文件应指向唯一的正式文件"
    assert not (site / "zh-Hant" / "downloads").exists()


def test_sitemap_lists_the_traditional_pages_too(site):
    sitemap = read(site, "sitemap.xml")
    assert f"<loc>{SITE_URL}{FOOD}</loc>" in sitemap and f"<loc>{SITE_URL}zh-Hant/{FOOD}</loc>" in sitemap


def test_a_page_converted_in_memory_is_the_page_the_view_publishes(site):
    """convert_page (what a build calls while it renders) gives, for one page of every kind, the
    very bytes of that page's published Traditional copy."""
    from a11y_support import MISSING, page_kinds

    from generator.traditional import convert_page

    kinds = page_kinds(site)
    assert len(kinds) >= 15, kinds
    for kind, path in kinds.items():
        rel = "404.html" if path == MISSING else path + "index.html"
        converted = convert_page(read(site, rel), rel, "tw", SITE_URL)
        assert converted == read(site, "zh-Hant/" + rel), kind
        if rel != "404.html":  # the page's own path, as a build names it, gives the same page
            assert convert_page(read(site, rel), path, "tw", SITE_URL) == converted, kind
    assert "食品經營許可" in convert_page(read(site, FOOD + "index.html"), FOOD, "tw", SITE_URL)


def test_phrase_level_conversion_in_each_variant():
    assert converter("plain")("头发和发布") == "頭髮和發布"  # 發布: generator/defaults/traditional_phrases.yml
    assert converter("tw")("里程") == "里程" and converter("tw")("为") == "為"
    assert converter("hk")("后台") == "後台"


def test_protected_parts_stay_as_published():
    html = ('<p>许可<span class="qd-code" translate="no">许可-01</span>'
            '<a href="../许可/">许可</a><meta name="SiteName" content="示例县平台"></p>')
    assert convert_unprotected(html, converter("plain")) == (
        '<p>許可<span class="qd-code" translate="no">许可-01</span>'
        '<a href="../许可/">許可</a><meta name="SiteName" content="示例县平台"></p>')


@pytest.mark.parametrize(("url", "page_dir", "expected"), [
    ("../../departments/x/", "power/1", "../../departments/x/"),
    ("../..", "power/1", "../.."),
    ("../../assets/main.css", "power/1", "../../../assets/main.css"),
    ("../../assets/qingdan/qingdan.js", "power/1", "../../assets/qingdan/qingdan.js"),
    ("downloads/all.csv", "", "../downloads/all.csv"),
    ("feed.xml", "", "../feed.xml"),
    ("#qd-main", "power/1", "#qd-main"),
    ("tel:12315", "power/1", "tel:12315"),
    ("https://beian.miit.gov.cn/?a=赣", "", "https://beian.miit.gov.cn/?a=赣"),
    (SITE_URL + "power/1/", "power/1", SITE_URL + "zh-Hant/power/1/"),
    ("/qingdan/", "", "/qingdan/zh-Hant/"),
    ("/qingdan/assets/x.css", "", "/qingdan/assets/x.css"),
    ("../../?dept=%E7%A4%BA%E4%BE%8B%E5%8E%BF", "departments/x", "../../?dept=%E7%A4%BA%E4%BE%8B%E7%B8%A3"),
])
def test_links_of_a_traditional_page(url, page_dir, expected):
    assert PageConverter("plain", SITE_URL).link(url, page_dir) == expected


@pytest.mark.parametrize(("hant", "official"), [
    ("../../zh-Hant/power/1/", "../../../power/1/"),
    ("zh-Hant/", "../"),
    ("/qingdan/zh-Hant/404.html", "/qingdan/404.html"),
])
def test_the_switch_back_to_the_official_page(hant, official):
    assert simplified_counterpart(hant) == official


def demo_with_traditional(tmp_path: Path, section: str) -> Path:
    """A copy of the demo whose `traditional:` section (the last of its config) is `section`."""
    from demo_project import copy_demo_project

    root = copy_demo_project(tmp_path / "county", content=False)
    config = root / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("\ntraditional:") + 1] + section, encoding="utf-8")
    return root


def _config_problems(tmp_path: Path, section: str) -> Problems:
    from generator.config import load_config

    root = demo_with_traditional(tmp_path, section)
    problems = Problems()
    load_config(root, problems)
    return problems


def test_an_unknown_variant_is_a_located_error_naming_the_choices(tmp_path):
    problems = _config_problems(tmp_path, "traditional:\n  variant: macau\n")
    [error] = problems.errors
    assert error.file == "site_config.yml" and error.line is not None
    assert "traditional.variant 不能是“macau”" in error.message
    assert "tw（台湾用字）" in error.hint and "traditional: false" in error.hint


def test_a_site_adds_its_own_phrases(tmp_path):
    """`traditional: phrases:` extends generator/defaults/traditional_phrases.yml for one site."""
    from generator.config import load_config
    from generator.traditional import write_pages

    root = demo_with_traditional(tmp_path, "traditional:\n  variant: tw\n  phrases:\n    台账: 臺帳\n")
    config = load_config(root, Problems())
    assert config.traditional_phrases == {"台账": "臺帳"}
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<html lang="zh-CN"><main id="qd-main" tabindex="-1">购销台账、网签</main></html>',
                                     encoding="utf-8")
    write_pages(site, "tw", SITE_URL, extra_phrases=config.traditional_phrases)
    assert "購銷臺帳、網簽" in (site / "zh-Hant" / "index.html").read_text(encoding="utf-8")
    write_pages(site, "tw", SITE_URL)
    assert "購銷臺賬、網簽" in (site / "zh-Hant" / "index.html").read_text(encoding="utf-8")


def test_a_site_phrase_without_its_traditional_form_is_a_located_error(tmp_path):
    problems = _config_problems(tmp_path, "traditional:\n  variant: tw\n  phrases:\n    台账:\n")
    [error] = problems.errors
    assert error.file == "site_config.yml" and error.line is not None
    assert "台账" in error.message and "网签: 網簽" in error.hint


def test_traditional_false_builds_no_traditional_view(tmp_path):
    root = demo_with_traditional(tmp_path, "traditional: false\n")
    result = build_site(root, root / "site", history=False, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    assert not (root / "site" / "zh-Hant").exists()
    assert "繁體" not in (root / "site" / "index.html").read_text(encoding="utf-8")


# -- in the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(site):
    with serve_directory(site, prefix=PREFIX) as url:
        yield url


@pytest.mark.browser
def test_the_header_switch_leads_to_the_same_page_and_is_remembered(browser, base):
    context = browser.new_context()
    page = context.new_page()
    log = RequestLog(page)
    page.goto(base + FOOD)
    page.locator("a.qd-script").click()
    page.wait_for_url(base + "zh-Hant/" + FOOD)
    assert page.locator("h1").first.inner_text().startswith("食品經營許可")
    assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
    assert "以簡體中文頁面為準" in page.locator(".qd-hant-note").inner_text()
    # Remembered: the official address now opens in Traditional, on this device.
    page.goto(base + "departments/scjgj/")
    page.wait_for_url(base + "zh-Hant/departments/scjgj/")
    # And back: the switch reads 简体, and Simplified is remembered in turn.
    switch = page.locator("a.qd-script")
    assert switch.inner_text() == "简体"
    switch.click()
    page.wait_for_url(base + "departments/scjgj/")
    page.goto(base + FOOD)
    assert page.url == base + FOOD
    assert page.locator("a.qd-script").inner_text() == "繁體"
    assert log.external() == []
    context.close()


@pytest.mark.browser
def test_search_on_a_traditional_page_finds_traditional_pages(browser, base):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "zh-Hant/")
    for query in ("食品經營", "spjy"):
        search(page, query)
        first = page.locator(".md-search-result__item").first
        assert "食品經營許可" in first.locator("h1").inner_text(), query
        href = first.locator("a").get_attribute("href")
        assert urlsplit(urljoin(page.url, href)).path == PREFIX + "zh-Hant/" + FOOD, (query, href)
        page.keyboard.press("Escape")
    assert "顯示更多結果" in page.content() or "鍵入事項名稱" in page.content()
    context.close()


def simplified_only(site: Path) -> set[str]:
    """Characters that are Simplified forms only (营, 经): none may show on a 繁體 page."""
    import json

    s2t = json.loads(read(site, "assets/script-map.json"))["s2t"]
    return {a for a, b in zip(s2t[::2], s2t[1::2], strict=True) if a != b}


@pytest.mark.browser
def test_one_index_serves_both_scripts(browser, base, site):
    """A 繁體 page searches the site's one (Simplified) index: no second index is built or fetched,
    and what the visitor sees is the 繁體 view: names and excerpts in Traditional, links to zh-Hant/."""
    assert not (site / "zh-Hant" / "pagefind").exists()
    context = browser.new_context()
    page = context.new_page()
    log = RequestLog(page)
    page.goto(base + "zh-Hant/")
    search(page, "食品經營")
    fetched = [urlsplit(u).path for u in log.urls]
    assert PREFIX + "pagefind/pagefind.js" in fetched
    assert not [p for p in fetched if p.startswith(PREFIX + "zh-Hant/pagefind/")]
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1").inner_text() == "食品經營許可"
    assert first.locator("mark").first.inner_text() in ("食品經營", "食品", "經營")
    shown = page.locator(".md-search-result__item").all_inner_texts()
    assert len(shown) > 1 and "權力清單 · 縣市場監管局" in shown[0] and "其他資訊" in shown[0]
    leaked = {c for text in shown for c in text} & simplified_only(site)
    assert not leaked, (leaked, shown[:3])
    assert "找到" in page.locator("[data-qd-search-meta]").inner_text()
    context.close()


@pytest.mark.browser
def test_filters_on_a_traditional_page_read_in_traditional_and_filter_the_one_index(browser, base):
    """Names in a 繁體 page's links (?type=行政許可, 在本部門事項中搜尋) are Traditional, the index's
    are Simplified: the filters still apply, and their options read in Traditional."""
    context = browser.new_context()
    page = context.new_page()
    counts = {}
    for start, value in (("", "行政许可"), ("zh-Hant/", "行政許可")):
        page.goto(base + start + "?type=" + value)
        page.wait_for_selector('[data-qd-search-result][aria-busy="false"] .md-search-result__item')
        meta = page.locator("[data-qd-search-meta]").inner_text()
        assert value in meta, meta
        counts[start] = meta.split("（")[0]
    assert counts["zh-Hant/"] == counts[""].replace("项", "項"), counts  # 共 N 項: the same items
    page.locator("[data-qd-search-filters]").hover()
    page.wait_for_function("document.querySelectorAll('[data-qd-param=list] option').length > 1")
    options = page.locator("[data-qd-param=list] option").all_inner_texts()
    assert any(o.startswith("權力清單（") for o in options), options
    page.goto(base + "zh-Hant/departments/scjgj/")
    page.locator("[data-qd-search-department]").first.click()
    page.wait_for_selector('[data-qd-search-result][aria-busy="false"] .md-search-result__item')
    assert "示例縣市場監督管理局" in page.locator("[data-qd-search-meta]").inner_text()
    kinds = page.locator(".qd-search-kind").all_inner_texts()
    assert kinds and all(k.endswith("縣市場監管局") for k in kinds), kinds
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("start, query, expected", [
    ("zh-Hant/", "营业执照", "營業執照（市場主體登記）"),  # Simplified typed on a 繁體 page
    ("zh-Hant/", "网签", "商品房買賣合同網簽備案"),
    ("zh-Hant/", "網簽", "商品房買賣合同網簽備案"),  # 網籤 before the phrase dictionary
    ("", "食品經營", "食品经营许可"),  # Traditional typed on a Simplified page
    ("", "營業執照", "营业执照（市场主体登记）"),
])
def test_search_finds_a_query_typed_in_either_script(browser, base, start, query, expected):
    context = browser.new_context()
    page = context.new_page()
    log = RequestLog(page)
    page.goto(base + start)
    search(page, query)
    titles = page.locator(".md-search-result__item h1").all_inner_texts()
    assert titles and titles[0] == expected, (query, titles[:5])
    assert log.external() == []
    context.close()


def test_the_script_map_is_not_converted_and_holds_the_dictionary(site):
    """search.js converts a query with it (generator/traditional.py: SCRIPT_MAP): it must stay as built."""
    import json

    mapping = json.loads(read(site, "assets/script-map.json"))
    pairs = dict(zip(mapping["s2t"][::2], mapping["s2t"][1::2], strict=True))
    assert pairs["营"] == "營" and pairs["执"] == "執"
    assert dict(zip(mapping["t2s"][::2], mapping["t2s"][1::2], strict=True))["經"] == "经"
    assert mapping["phrases"]["网签"] == "網簽"
    assert not (site / "zh-Hant" / "assets" / "script-map.json").exists()


NETSIGN = "convenience/3607990082000200/"  # 商品房买卖合同网签备案: its 办理结果 is 商品房买卖合同备案信息


def test_the_site_speaks_taiwan_vocabulary_but_legal_text_keeps_its_words(site):
    """Chrome in the variant's words (信息 → 資訊, 打印 → 列印, 链接 → 連結, 加载 → 載入, 搜索 → 搜尋);
    the published text converted character by character (信息 stays 信息)."""
    page = read(site, "zh-Hant/" + NETSIGN + "index.html")
    assert ">其他資訊</h2>" in page and "其他信息" not in page
    assert "商品房買賣合同備案信息" in main_text(page)  # published 办理结果: not 資訊
    assert "商品房買賣合同網簽備案" in main_text(page)
    assert 'title="搜尋"' in page and 'title="搜索"' not in page
    scripts = read(site, "zh-Hant/assets/qingdan/qingdan.js")  # search.js included (mkdocs_shell.OWN_SCRIPT)
    for mainland, taiwan in (("打印", "列印"), ("鏈接", "連結"), ("加載", "載入"), ("搜索", "搜尋")):
        assert mainland not in scripts and taiwan in scripts, mainland
    assert "其他信息" in read(site, NETSIGN + "index.html")  # the Simplified page is untouched
    home, data = read(site, "zh-Hant/index.html"), read(site, "zh-Hant/data/index.html")
    assert "點選頁面頂部的" in home and "點擊" not in home  # the how-to under the search
    assert "電子郵件信箱：" in home and "電子郵箱" not in home  # the portal footer
    assert "<h1 data-qd-chrome>資料開放</h1>" in data
    for mainland, taiwan in (("讀屏", "螢幕報讀"), ("不支持", "不支援"), ("系統設置", "系統設定"),
                             ("設備", "裝置"), ("本地文件", "本機檔案")):  # read aloud, search on file://
        assert mainland not in scripts and taiwan in scripts, mainland


@pytest.mark.browser
@pytest.mark.parametrize("start, site_name", [("zh-Hant/", "示例縣權責清單公開平臺"), ("", "示例县权责清单公开平台")])
def test_the_print_head_names_the_site_in_the_page_script(browser, base, start, site_name):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + start + FOOD)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    head = page.locator(".qd-print-head p").all_inner_texts()
    assert head[0] == site_name
    assert head[2].startswith("列印日期：" if start else "打印日期：")
    context.close()


def test_search_excerpts_speak_the_sites_words_and_keep_the_published_ones(site):
    """Excerpts are converted in the browser with the script map: its chrome entries give the site's
    own words as the page writes them (其他信息 → 其他資訊 in Taiwan); a short word (搜索), which
    published text uses too, is left to the character table, so published text keeps its words."""
    import json

    from generator.traditional import ScriptChars

    mapping = json.loads(read(site, "assets/script-map.json"))
    assert mapping["chrome"]["其他信息"] == "其他資訊"
    assert "搜索" not in mapping["chrome"]
    chars = ScriptChars("tw")
    html = '<body><h2 data-qd-chrome>其他信息</h2><p>备案信息</p></body>'
    chars.add(html, "")
    assert chars.chrome == {"其他信息": "其他資訊"}
