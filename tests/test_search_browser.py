"""Search in headless Chromium: a visitor types into the header search box of the built demo site.

The demo is built once (with its Pagefind index) for a sub-path, https://example.gov.cn/qingdan/,
and served from http://127.0.0.1:<port>/qingdan/. Every request the page makes is recorded; any
request to another host fails the test. The demo data keeps growing, so assertions are about what
a visitor must see (the right item first, every result inside the chosen department, the Chinese
"no results" message), not about counts.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_support import search, serve_directory, wait_done

from generator.site.build import build_site

PROJECT = Path(__file__).resolve().parent.parent
PREFIX = "/qingdan/"
FOOD = "食品经营许可"  # power item 000131127004 of 示例县市场监督管理局
FOOD_URL = "power/000131127004/"
SCJGJ = "示例县市场监督管理局"
SCJGJ_SHORT = "县市场监管局"
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("search") / "site"
    result = build_site(PROJECT, out, history=False, site_url="https://example.gov.cn" + PREFIX)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    assert (out / "pagefind" / "pagefind.js").is_file()
    return out


@pytest.fixture(scope="session")
def base(site):
    with serve_directory(site, prefix=PREFIX) as url:
        yield url



def status(page) -> str:
    return page.locator("[data-qd-search-meta]").inner_text()


def results(page) -> list[dict[str, str]]:
    """Shown results: name, the list/department line, the snippet and the link."""
    out = []
    for item in page.locator(".md-search-result__item").all():
        out.append({
            "title": item.locator("h1").inner_text(),
            "kind": item.locator(".qd-search-kind").inner_text(),
            "snippet": item.locator("p").last.inner_text(),
            "marked": " ".join(item.locator("mark").all_inner_texts()),
            "href": item.locator("a").get_attribute("href"),
        })
    return out


def all_results(page) -> list[dict[str, str]]:
    """Every result, pressing 显示更多结果 until it goes. Each press fetches a batch of result
    fragments (from every part of a split index): on a loaded 2-core machine that can take a while."""
    more = page.locator("[data-qd-search-more]")
    while more.is_visible():
        shown = page.locator(".md-search-result__item").count()
        more.click()
        page.wait_for_function(
            f"document.querySelectorAll('.md-search-result__item').length > {shown}", timeout=120_000)
        wait_done(page)
    return results(page)


def test_two_character_word_finds_items_with_highlighted_snippets(visit, base):
    page = visit(base)
    search(page, "食品")
    shown = results(page)
    assert status(page).startswith("找到")
    assert shown, status(page)
    assert shown[0]["title"].startswith("食品"), shown[0]
    assert FOOD in [r["title"] for r in shown]
    food = next(r for r in shown if r["title"] == FOOD)
    assert food["kind"] == f"权力清单 · {SCJGJ_SHORT}"  # the item's list and department
    assert "食品" in food["marked"]  # the match is highlighted
    # Snippets are the page's text: hidden search terms (pinyin) and filter values stay out.
    for r in shown:
        assert not re.search(r"[a-z]{12,}", r["snippet"]), r
    assert page.locator(".md-search-result__item h1 mark").first.inner_text() == "食品"
    # Filter values are fetched only when the visitor reaches for the filters.
    assert not [u for u in page.log.urls if "/pagefind/filter/" in u]
    print(f"\n首次搜索（含页面加载）传输字节：{page.log.total_bytes():,}")
    for url, size in sorted(page.log.sizes.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {size:>9,}  {url.split(PREFIX, 1)[-1] or '/'}")


def test_phrase_inside_a_longer_name(visit, base):
    page = visit(base)
    search(page, "经营许可")
    shown = all_results(page)
    titles = [r["title"] for r in shown]
    assert FOOD in titles
    assert "经营许可" in titles[0]
    # Names holding the phrase come before pages that only mention it.
    holding = [i for i, t in enumerate(titles) if "经营许可" in t]
    assert holding == list(range(len(holding)))


@pytest.mark.parametrize("query", ["shipinjingyingxuke", "shi pin jing ying xu ke", "ShiPin JingYing XuKe"])
def test_full_pinyin_with_or_without_spaces(visit, base, query):
    page = visit(base)
    search(page, query)
    shown = results(page)
    assert shown and shown[0]["title"] == FOOD, shown[:3]
    assert shown[0]["snippet"].startswith("拼音：shi pin jing ying xu ke")


def test_initials_and_partial_initials(visit, base):
    page = visit(base)
    search(page, "spjyxk")
    assert results(page)[0]["title"] == FOOD
    search(page, "spjy")
    shown = results(page)
    assert FOOD in [r["title"] for r in shown]
    assert shown[0]["title"].startswith("食品经营")
    # The matched syllables are marked in the name and in the pinyin line.
    first = page.locator(".md-search-result__item").first
    assert first.locator("h1 mark").inner_text() == "食品经营"
    assert first.locator(".qd-search-pinyin mark").inner_text() == "shi pin jing ying"


def test_department_by_name_short_name_and_pinyin(visit, base):
    page = visit(base)
    for query in (SCJGJ, "市场监督管理局", SCJGJ_SHORT, "scjdglj", "shichangjianduguanliju"):
        search(page, query)
        first = results(page)[0]
        assert (first["title"], first["kind"]) == (SCJGJ, "部门"), (query, first)
        assert first["href"].endswith("/departments/scjgj/")


def test_filter_by_department_removes_other_departments(visit, base):
    page = visit(base)
    search(page, "许可")
    before = all_results(page)
    assert any(SCJGJ_SHORT not in r["kind"] for r in before), "演示数据应有其他部门的许可事项"
    page.hover('select[data-qd-filter="部门"]')  # reaching for the filters loads their values
    page.select_option('select[data-qd-filter="部门"]', SCJGJ)
    wait_done(page)
    assert f"{SCJGJ}（" in page.locator('select[data-qd-filter="部门"] option:checked').inner_text()  # with its count
    after = all_results(page)
    assert after and len(after) < len(before)
    assert all(r["kind"].endswith(SCJGJ_SHORT) or r["kind"] == "部门" for r in after), after
    assert FOOD in [r["title"] for r in after]
    assert f"筛选：{SCJGJ}" in status(page)
    # The list filter narrows further: only 权力清单 items remain.
    page.select_option('select[data-qd-filter="清单"]', "权力清单")
    wait_done(page)
    assert all(r["kind"] == f"权力清单 · {SCJGJ_SHORT}" for r in results(page))


def test_url_parameters_open_the_search_filtered(visit, base):
    page = visit(f"{base}?q={quote('食品')}&dept={quote(SCJGJ)}")
    wait_done(page)
    assert page.locator("#__search").is_checked()
    assert page.locator(".md-search__input").input_value() == "食品"
    assert page.locator('select[data-qd-filter="部门"]').input_value() == SCJGJ
    shown = results(page)
    assert shown and all(r["kind"].endswith(SCJGJ_SHORT) for r in shown), shown
    # Another department's filter finds none of the 市场监管局's food items.
    page = visit(f"{base}?q={quote(FOOD)}&dept={quote('示例县公安局')}")
    wait_done(page)
    assert FOOD not in [r["title"] for r in results(page)]


def test_search_within_this_department_link(visit, base):
    page = visit(base + "departments/scjgj/")
    page.get_by_text("在本部门事项中搜索").click()
    wait_done(page)
    assert page.locator("#__search").is_checked()
    assert page.locator('select[data-qd-filter="部门"]').input_value() == SCJGJ
    assert status(page).startswith("共 ")  # every item of the department, before typing
    shown = results(page)
    assert shown and all(r["kind"].endswith(SCJGJ_SHORT) or r["kind"] == "部门" for r in shown)
    search(page, "食品")
    assert all(r["kind"].endswith(SCJGJ_SHORT) for r in results(page))


def test_no_match_says_so_in_chinese(visit, base):
    page = visit(base)
    search(page, "量子计算机")
    assert results(page) == []
    assert status(page).startswith("未找到与“量子计算机”相关的事项")
    search(page, "食品 zzqx")  # one word that matches nothing is enough
    assert status(page).startswith("未找到与“食品 zzqx”相关的事项")


def test_keyboard_slash_arrows_enter_and_escape(visit, base):
    page = visit(base + "departments/")
    page.keyboard.press("/")
    assert page.locator("#__search").is_checked()
    assert page.evaluate("document.activeElement.matches('.md-search__input')")
    page.keyboard.type(FOOD, delay=20)
    wait_done(page)
    page.keyboard.press("Escape")
    assert not page.locator("#__search").is_checked()
    page.keyboard.press("s")
    assert page.locator("#__search").is_checked()
    wait_done(page)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.matches('.md-search-result__link')")
    assert page.evaluate("document.activeElement.querySelector('h1').textContent") == FOOD
    page.keyboard.press("Enter")
    page.wait_for_url(base + FOOD_URL)
    assert page.locator("article h1").first.inner_text() == FOOD


def test_phone_search_is_full_screen(visit, base):
    page = visit(base, viewport=PHONE, is_mobile=True, has_touch=True)
    page.locator('label.md-header__button[for="__search"]').click()
    box = page.locator(".md-search__inner").bounding_box()
    assert box["width"] >= PHONE["width"] - 1 and box["height"] >= PHONE["height"] - 1
    search(page, "spjy")
    assert FOOD in [r["title"] for r in results(page)]
    page.locator(".md-search-result__link").first.tap()
    page.wait_for_url(re.compile(re.escape(base) + r"(power|responsibility)/"))


def test_file_protocol_explains_why_search_is_unavailable(visit, site):
    page = visit((site / "index.html").as_uri())
    page.locator(".md-search__input").click()
    page.keyboard.type("食品")
    wait_done(page)
    assert "file://" in status(page) and "无法使用搜索" in status(page)


def test_only_generated_and_content_pages_are_indexed(site):
    """Navigation, footer and the home page's boilerplate never reach the index."""
    import gzip
    import json

    texts = {}
    for fragment in site.glob("pagefind/**/fragment/*.pf_fragment"):  # one bundle or keyed parts
        data = json.loads(gzip.decompress(fragment.read_bytes())[len("pagefind_dcd"):])
        texts[data["url"]] = data["content"].replace("\u200b", "")
    assert f"{PREFIX}{FOOD_URL}" in texts or f"/{FOOD_URL}" in texts
    for url, text in texts.items():
        assert "主办单位" not in text and "网站标识码" not in text, url  # the portal footer
        if url.startswith("/departments/") or url.count("/") == 3:  # department and item pages
            assert "阅读辅助" not in text and "高对比" not in text, url  # header buttons
            assert "拼音索引" not in text, url  # navigation
            assert "调整记录" not in text, url  # an item's history section
    content_pages = [u for u in texts if u.rstrip("/").endswith("about")]
    assert content_pages, "content/about.md 应被索引"
    home = texts.get("/", "")
    assert "查找事项" not in home  # the home page's how-to line is left out


@pytest.fixture(scope="session")
def parts_base(tmp_path_factory):
    """The demo indexed in parts (as a site of 100,000 items is), merged in the browser."""
    from generator import search as searching

    out = tmp_path_factory.mktemp("search-parts") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(searching, "PART_SIZE", 150)
        result = build_site(PROJECT, out, history=False, site_url="https://example.gov.cn" + PREFIX)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    merged = json.loads((out / "pagefind" / searching.PARTS_FILE).read_text(encoding="utf-8"))[searching.BUNDLES_KEY]
    assert len(merged) >= 2 and all((out / "pagefind" / d / "pagefind-entry.json").is_file() for d in merged)
    with serve_directory(out, prefix=PREFIX) as url:
        yield url


@pytest.mark.parametrize("query", ["食品", "shipin", "许可", FOOD])
def test_an_index_in_parts_finds_what_the_whole_index_finds(visit, base, parts_base, query):
    """Every page the whole index finds, the merged parts find; an item's exact name comes first.

    A part where no page has the exact word (pinyin "shipin") falls back to Pagefind's prefix
    matches ("shipinanquan"), so the parts may find more pages than the whole index, never fewer;
    and each part scores with its own word statistics, so the order of other matches may differ."""
    found = {}
    for name, url in (("whole", base), ("parts", parts_base)):
        page = visit(url)
        search(page, query)
        found[name] = [r["href"] for r in all_results(page)]
    assert found["whole"] and set(found["whole"]) <= set(found["parts"])
    if query == FOOD:
        assert found["parts"][0] == found["whole"][0] == PREFIX + FOOD_URL


KEYED_BUCKETS = 4  # as a site past search.PART_SIZE items is split (the demo is one bundle)


@pytest.fixture(scope="session")
def keyed_site(tmp_path_factory):
    """The demo built with its index in KEYED_BUCKETS item parts and the site part, as the build
    splits a site past search.PART_SIZE items (search.part_of, search.index_parts)."""
    from generator import search as searching
    from generator.project import open_project
    from generator.steps.search_index import DocumentStore

    out = tmp_path_factory.mktemp("search-keyed") / "site"
    items = sum(open_project(PROJECT).catalog.counts().values())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(searching, "PART_SIZE", -(-items // KEYED_BUCKETS))
        assert searching.buckets(items) == KEYED_BUCKETS
        result = build_site(PROJECT, out, history=False, site_url="https://example.gov.cn" + PREFIX)
        assert result.ok, [p.format_text() for p in result.problems.errors]
    store = DocumentStore(result.search_docs)
    bundles = json.loads((out / "pagefind" / searching.PARTS_FILE).read_text(encoding="utf-8"))[searching.BUNDLES_KEY]
    assert bundles == [p + "/" for p in searching.part_names(KEYED_BUCKETS)]
    assert sorted(store.parts()) == sorted(searching.part_names(KEYED_BUCKETS))
    site_documents = json.loads((result.search_docs / f"{searching.SITE_PART}.json").read_text(encoding="utf-8"))
    assert len(site_documents) < 100, len(site_documents)
    return out


@pytest.fixture(scope="session")
def keyed_base(keyed_site):
    with serve_directory(keyed_site, prefix=PREFIX) as url:
        yield url


@pytest.mark.parametrize("query", ["食品", "shipin", "许可", FOOD, "spjy", SCJGJ])
def test_an_index_in_keyed_parts_finds_what_the_whole_index_finds(visit, base, keyed_base, query):
    """Every page the whole index finds, the keyed parts find; a name typed whole comes first.

    Each part scores pages with its own word statistics, so the order of other matches (许可 is in
    hundreds of names) may differ from the whole index's."""
    found = {}
    for name, url in (("whole", base), ("keyed", keyed_base)):
        page = visit(url)
        search(page, query)
        found[name] = [r["href"] for r in all_results(page)]
    assert found["whole"] and set(found["whole"]) <= set(found["keyed"]), query
    if query in (FOOD, "spjy", SCJGJ):
        assert found["keyed"][0] == found["whole"][0], query


def test_filters_of_an_index_in_keyed_parts_count_every_part(visit, base, keyed_base):
    """The filter options (with their counts) are those of the whole index."""
    options = {}
    for name, url in (("whole", base), ("keyed", keyed_base)):
        page = visit(url)
        page.locator(".md-search__input").click()
        page.locator("[data-qd-search-filters]").hover()
        page.wait_for_function("document.querySelectorAll('[data-qd-param=dept] option').length > 1")
        options[name] = page.locator("[data-qd-param=dept] option").all_inner_texts()
    assert options["keyed"] == options["whole"]


# -- What people type (issue 12, item 10) -----------------------------------------------------

UNLICENSED = "对未取得食品经营许可从事食品经营活动的处罚"


@pytest.mark.parametrize("query", ["spjy", "shipinjingying"])
def test_pinyin_matches_inside_a_name_not_only_at_its_start(visit, base, query):
    page = visit(base)
    search(page, query)
    titles = [r["title"] for r in all_results(page)]
    assert UNLICENSED in titles, titles[:10]
    assert FOOD in titles[:3]  # names starting with the match still come first
    assert "关于本站" not in titles  # help text quoting the example is not a hit


@pytest.mark.parametrize("code", ["000131127004", "SF-gaj-001"])
def test_an_item_is_found_by_its_code(visit, base, site, code):
    page = visit(base)
    search(page, code)
    shown = results(page)
    assert shown and shown[0]["href"].rstrip("/").endswith("/" + code), shown[:3]


@pytest.mark.parametrize("everyday, official", [
    ("营业执照", "市场主体登记（设立、变更、注销）"), ("开店", "市场主体登记（设立、变更、注销）"),
    ("办证", "食品经营许可"), ("驾照", None),
])
def test_everyday_names_find_the_official_item(visit, base, everyday, official):
    page = visit(base)
    search(page, everyday)
    titles = [r["title"] for r in all_results(page)]
    if official:
        assert official in titles, titles[:10]
    else:
        assert titles  # a term the demo has no such item for still finds its related items


def test_filter_counts_agree_with_the_home_page(visit, base, site):
    home = (site / "index.html").read_text(encoding="utf-8")
    counts = dict(re.findall(r'departments/(\w+)/"><span class="qd-card-title">[^<]+</span><span class="qd-card-count">(\d+) 项', home))
    page = visit(base + "?q=" + quote("许可"))
    wait_done(page)
    page.hover('select[data-qd-filter="部门"]')
    page.wait_for_function("document.querySelectorAll('select[data-qd-filter=\"部门\"] option').length > 5")
    options = page.locator('select[data-qd-filter="部门"] option').all_inner_texts()
    shown = dict(re.findall(r"(.+)（(\d+)）", "\n".join(options)))
    assert shown[SCJGJ] == counts["scjgj"], (shown, counts)
    lists = page.locator('select[data-qd-filter="清单"] option').all_inner_texts()
    power = next(o for o in lists if o.startswith("权力清单"))
    items = [p for p in (site / "power").glob("*/index.html")  # item pages, not 主项-only pages
             if "qd-main-item" not in p.read_text(encoding="utf-8")]
    assert power == f"权力清单（{len(items)}）"


def test_every_filter_fits_on_a_phone(visit, base):
    page = visit(base + "?q=" + quote("许可"), viewport=PHONE, is_mobile=True, has_touch=True)
    wait_done(page)
    page.locator('select[data-qd-filter="部门"]').dispatch_event("focusin")
    for name in ("清单", "部门", "类型"):
        box = page.locator(f'select[data-qd-filter="{name}"]').bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (name, box)


def test_large_text_scales_search_results(visit, base):
    sizes = []
    for large in (False, True):
        page = visit(base + "?q=" + quote("食品"), viewport=PHONE)
        if large:
            page.get_by_role("button", name="大字").first.evaluate("b => b.click()")
        wait_done(page)
        sizes.append(page.locator(".md-search-result__item h1").first.evaluate("h => parseFloat(getComputedStyle(h).fontSize)"))
        sizes.append(page.locator(".md-search-result__item p").last.evaluate("p => parseFloat(getComputedStyle(p).fontSize)"))
    assert sizes[2] >= sizes[0] * 1.4 and sizes[3] >= sizes[1] * 1.4, sizes


SPACED_OUT = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff] [\u4e00-\u9fff](?![\u4e00-\u9fff])")  # 营 业 执 照


def page_text(site: Path, href: str) -> str:
    """What the page a result leads to shows, without tags, spaces and the full stops Pagefind adds
    between blocks of its content."""
    path = href.split("#")[0].split("?")[0]
    path = path[len(PREFIX):] if path.startswith(PREFIX) else path.lstrip("/")
    text = (site / path / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", "", text, flags=re.DOTALL)
    return re.sub(r"[\s.]", "", html.unescape(text))


@pytest.mark.parametrize("query", ["开饭店", "开餐馆", "营业执照", "spjy"])
def test_excerpts_show_the_page_text_not_the_index_only_terms(visit, base, site, query):
    """Pinyin, 俗称 and their spaced-out characters find items but are never shown: every excerpt is
    text of the page it leads to (the 拼音 line of a pinyin match is the name's syllables)."""
    page = visit(base)
    search(page, query)
    shown = results(page)
    assert shown, query
    for result in shown:
        snippet = result["snippet"]
        if snippet.startswith("拼音："):
            syllables = snippet[len("拼音："):].split(" ")
            assert len(syllables) == len(result["title"]) and all(s.isalpha() and s.islower() for s in syllables)
            continue
        assert not SPACED_OUT.search(snippet), snippet
        shown_on_page = page_text(site, result["href"])
        for piece in re.split(r"[\s…]+", snippet):  # the excerpt may leap over parts search skips
            assert piece.rstrip(".") in shown_on_page, (query, result["title"], piece, snippet)


def test_everyday_words_for_a_restaurant_find_the_food_business_licence(visit, base):
    page = visit(base)
    for query in ("开餐馆", "开饭馆", "开饭店"):
        search(page, query)
        assert FOOD in [r["title"] for r in all_results(page)], query


# -- after an edit: the recent changes on top of the index built before ---------------------------
EDITED = "power/3607990010100100/"  # 企业投资项目核准 (lists/power/fgw.yml of the demo)
OLD_NAME, NEW_NAME = "企业投资项目核准", "重大项目落地审批"
OLD_HANT, NEW_HANT = "企業投資項目核准", "重大項目落地審批"


@pytest.fixture(scope="module")
def renamed_base(tmp_path_factory):
    """The demo built, an item renamed, built again from the previous build: the index is the
    bundle built before plus the recent changes (generator/search.py: RECENT_PART)."""
    from demo_project import demo_with_history

    from generator import search as searching

    root = demo_with_history(tmp_path_factory.mktemp("search-renamed") / "county")
    out = root.parent / "site"
    site_url = "https://example.gov.cn" + PREFIX
    assert build_site(root, out, history=False, site_url=site_url).ok
    assert searching.RECENT_PART not in (out / "pagefind" / searching.PARTS_FILE).read_text(encoding="utf-8")
    fgw = root / "lists/power/fgw.yml"
    fgw.write_text(fgw.read_text(encoding="utf-8").replace(f"name: {OLD_NAME}\n", f"name: {NEW_NAME}\n", 1),
                   encoding="utf-8")
    result = build_site(root, out, history=False, site_url=site_url)
    assert result.ok and "shell" not in result.timings  # from the previous build, not a cold one
    listed = json.loads((out / "pagefind" / searching.PARTS_FILE).read_text(encoding="utf-8"))
    assert listed[searching.BUNDLES_KEY][-1] == searching.RECENT_PART + "/" and listed[searching.SUPERSEDED_KEY]
    with serve_directory(out, prefix=PREFIX) as url:
        yield url


@pytest.mark.parametrize(("start", "old", "new"), [("", OLD_NAME, NEW_NAME), ("zh-Hant/", OLD_HANT, NEW_HANT)])
def test_an_edited_item_is_found_by_its_new_name_and_no_longer_by_its_old_one(visit, renamed_base, start, old, new):
    """In both scripts (a 繁體 page searches the one index and leads to zh-Hant/ pages)."""
    page = visit(renamed_base + start)
    search(page, new)
    shown = results(page)
    assert shown and shown[0]["title"] == new, shown[:3]
    assert shown[0]["href"].rstrip("/").endswith(start + EDITED.rstrip("/")), shown[0]["href"]
    assert [r["title"] for r in shown].count(new) == 1, shown  # the page once, not its old copy too
    # The old words are still in the item's 依据 (《企业投资项目核准和备案管理条例》): the item is found
    # by them, under its new name only, and no page under the old one.
    search(page, old)
    found = all_results(page)
    assert found and old not in [r["title"] for r in found], found
    assert {r["title"] for r in found if r["href"].rstrip("/").endswith(EDITED.rstrip("/"))} <= {new}, found
