"""What a citizen sees on a phone (390 px wide), in headless Chromium: tables read as cards, folded
legal text ends on a whole line, labels stay with their values."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import serve_directory
from demo_project import demo_with_history

from generator.site.build import build_site

PHONE = {"width": 390, "height": 844}
PREFIX = "/qingdan/"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = demo_with_history(tmp_path_factory.mktemp("phone") / "county")
    result = build_site(root, root / "site", site_url="https://example.gov.cn" + PREFIX, search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root / "site"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


# Each body cell of each table as the visitor reads it on a card: the label the style puts before it,
# the column's name in the header row (hidden on a phone) and the row's own heading, if any.
CARD_CELLS = """() => [...document.querySelectorAll('.qd-table')].flatMap(table => {
  const names = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
  return [...table.querySelectorAll('tbody tr')].flatMap(tr => {
    const heading = tr.querySelector('th[scope=row]');
    return [...tr.children]
      .map((cell, i) => ({cell, column: names[i], row: heading ? heading.innerText.trim() : '',
                          shown: getComputedStyle(cell, '::before').content, text: cell.innerText.trim()}))
      .filter(c => c.cell.tagName === 'TD' && c.cell.colSpan === 1 && !c.cell.classList.contains('qd-name'))
      .map(({cell, ...rest}) => rest);
  });
})"""


@pytest.mark.parametrize("path", ["stats/", "departments/scjgj/", "departments/", "editions/compare/2023...current/"])
def test_every_card_cell_on_a_phone_begins_with_its_column_name(site, phone, path):
    with serve_directory(site, prefix=PREFIX) as base:
        phone.goto(base + path)
        cells = phone.evaluate(CARD_CELLS)
        assert len(cells) >= 4, f"no table cells found on /{path}"
        wrong = [c for c in cells
                 if not (c["shown"].startswith(tuple(f'"{n}' for n in (c["column"], c["row"]) if n))
                         and c["shown"].endswith('："'))]
        assert not wrong, f"/{path}: cells without their column name: {wrong[:5]}"


def test_table_captions_on_a_phone_are_one_line_not_one_character_per_line(site, phone):
    with serve_directory(site, prefix=PREFIX) as base:
        phone.goto(base + "stats/")
        captions = phone.evaluate("""() => [...document.querySelectorAll('.qd-table caption')].map(c =>
          ({text: c.innerText, lines: Math.round(c.getBoundingClientRect().height
              / parseFloat(getComputedStyle(c).lineHeight))}))""")
        assert len(captions) >= 5
        assert all(c["lines"] <= 2 for c in captions), captions


FOLDED = """() => [...document.querySelectorAll('.qd-published.qd-folded')].map(b => {
  const line = parseFloat(getComputedStyle(b).lineHeight);
  return {lines: b.clientHeight / line, hidden: b.scrollHeight > b.clientHeight};
})"""


@pytest.mark.parametrize("large", [False, True], ids=["默认", "大字"])
def test_folded_legal_text_shows_whole_lines(site, browser, large):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    if large:
        context.add_init_script("localStorage.setItem('qd-large', '1')")
    page = context.new_page()
    try:
        with serve_directory(site, prefix=PREFIX) as base:
            folded = []
            for item in sorted(site.glob("power/*/index.html")):
                if "qd-long" in item.read_text(encoding="utf-8"):
                    page.goto(base + f"power/{item.parent.name}/")
                    folded = page.evaluate(FOLDED)
                    break
            assert folded, "no folded 依据 found in the demo"
            for block in folded:
                assert block["hidden"]
                assert abs(block["lines"] - round(block["lines"])) < 0.05, f"folded at {block['lines']:.2f} lines"
    finally:
        context.close()


# Every inline element of the kind, with the number of lines it takes (an inline box broken over two
# lines has two client rectangles).
LINES_OF = """sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)
  .map(e => ({text: e.textContent.trim(), lines: new Set([...e.getClientRects()].map(r => Math.round(r.top))).size}))"""


@pytest.mark.parametrize("path", ["power/000131127004/", "adjustments/", "editions/compare/2023...current/"])
def test_labels_stay_with_their_values_and_dates_stay_whole_in_large_text(site, browser, path):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.add_init_script("localStorage.setItem('qd-large', '1')")
    page = context.new_page()
    try:
        with serve_directory(site, prefix=PREFIX) as base:
            page.goto(base + path)
            pairs = page.evaluate(LINES_OF, ".qd-pair")
            dates = page.evaluate(LINES_OF, ".md-typeset time")
            assert any(p["text"].startswith("电子邮箱：") for p in pairs)  # the footer
            assert dates, f"no dates on /{path}"
            if path != "editions/compare/2023...current/":
                assert any(p["text"].startswith("生效日期：") for p in pairs)
            broken = [p for p in pairs + dates if p["lines"] != 1]
            assert not broken, broken
    finally:
        context.close()


def test_published_text_is_a_named_group_for_screen_readers(site, phone):
    with serve_directory(site, prefix=PREFIX) as base:
        phone.goto(base + "power/00013112700501/")  # 食品生产许可（新办）: its 依据 as published
        published = phone.get_by_role("group", name="公布原文")
        assert published.count() >= 1
        assert "食品安全法" in published.first.inner_text()


def test_item_pages_have_a_menu_to_the_sites_sections(site, phone):
    with serve_directory(site, prefix=PREFIX) as base:
        phone.goto(base + "power/000131127004/")
        menu = phone.locator("summary", has_text="栏目")
        assert menu.is_visible()
        menu.click()
        sections = phone.get_by_role("navigation", name="栏目")
        for name in ("首页", "权力清单", "部门", "拼音索引", "统计"):
            assert sections.get_by_role("link", name=name, exact=True).is_visible(), name
        sections.get_by_role("link", name="拼音索引", exact=True).click()
        phone.wait_for_url(base + "pinyin/")
        assert phone.locator("h1").first.inner_text().startswith("拼音索引")
