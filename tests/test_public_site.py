"""What a citizen sees on the published demo (issue 12): readable tables, 适老化 details, a complete
portal (404, robots.txt, registers), how current each item is, print, read-aloud, and only Chinese.

The demo is built once for this module with a public record (demo_project.demo_with_history) under
the sub-path https://example.gov.cn/qingdan/ and served at http://127.0.0.1:<port>/qingdan/.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser_support import serve_directory
from demo_project import CANCELLED_FEE, FOOD, demo_with_history

from generator.site.build import build_site

PREFIX = "/qingdan/"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
UNCHANGED = "power/3607990120100100/"  # an item of the first publication, never adjusted since


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_with_history(tmp_path_factory.mktemp("public") / "county")


@pytest.fixture(scope="module")
def site(demo) -> Path:
    result = build_site(demo, demo / "site", site_url="https://example.gov.cn" + PREFIX)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return demo / "site"


@pytest.fixture(scope="module")
def base(site):
    with serve_directory(site, prefix=PREFIX) as url:
        yield url


def open_page(browser, url: str, viewport=DESKTOP, modes: tuple[str, ...] = (), **options):
    context = browser.new_context(viewport=viewport, is_mobile=viewport == PHONE, **options)
    context.add_init_script("try { localStorage.clear(); " + "".join(
        f"localStorage.setItem('{m}', '1');" for m in modes) + " } catch (e) {}")
    page = context.new_page()
    page.goto(url)
    return page


# -- 3. tables ----------------------------------------------------------------------------------

LINES = """(el) => {
  const range = document.createRange(); range.selectNodeContents(el);
  const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
  return tops.size;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["power/", "fee/", "departments/", "departments/scjgj/", "data/"])
def test_tables_fill_the_width_and_short_cells_never_wrap(browser, base, path):
    page = open_page(browser, base + path)
    try:
        tables = page.locator("table.qd-table")
        assert tables.count() >= 1
        table = tables.first
        width = table.evaluate("t => t.getBoundingClientRect().width")
        article = page.evaluate("document.querySelector('#qd-main').getBoundingClientRect().width")
        assert width >= article - 40 and width > 850, (width, article)  # full width of the content
        style = table.evaluate("t => { const s = getComputedStyle(t.querySelector('th')); return [s.paddingLeft, s.fontWeight, getComputedStyle(t).borderCollapse]; }")
        assert style[0] != "0px" and int(style[1]) >= 700 and style[2] == "collapse"
        rows = table.locator("tbody tr")
        if rows.count() > 1:  # zebra rows
            colours = {rows.nth(i).evaluate("r => getComputedStyle(r).backgroundColor") for i in range(2)}
            assert len(colours) == 2
        cells = page.locator("table.qd-table td, table.qd-table th").all()
        wrapped = []
        for cell in cells[:400]:
            text = cell.inner_text().strip()
            numeric = re.fullmatch(r"[\d.%,\-A-Za-z]+", text) is not None
            short = len(text) <= 8 or numeric or "qd-code" in (cell.get_attribute("class") or "")
            if text and short and (cell.evaluate(LINES) > 1 or cell.evaluate("c => c.scrollWidth > c.clientWidth + 1")):
                wrapped.append(text)
        assert not wrapped, wrapped[:10]
    finally:
        page.context.close()


@pytest.mark.browser
def test_tables_are_cards_on_a_phone_and_tables_in_print(browser, base):
    page = open_page(browser, base + "power/", PHONE)
    try:
        assert page.locator("table.qd-table thead").first.is_hidden()
        cell = page.locator("table.qd-table td.qd-code").first
        assert cell.evaluate("c => getComputedStyle(c).display") == "block"
        assert cell.evaluate("c => getComputedStyle(c, '::before').content").startswith('"编码')
        page.emulate_media(media="print")
        assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
        assert page.locator("table.qd-table thead").first.evaluate("h => getComputedStyle(h).display") == "table-header-group"
    finally:
        page.context.close()


# -- 4. accessibility details (the axe-core matrix is tests/test_accessibility.py) --------------

@pytest.mark.browser
def test_skip_link_is_the_first_tab_stop_and_focus_is_visible(browser, base):
    page = open_page(browser, base + FOOD)
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]")
        assert focused == ["跳到正文", "#qd-main"]
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        assert page.locator(".qd-skip").is_visible()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # the next stop is inside the content, not the header
        assert page.evaluate("!!document.activeElement.closest('#qd-main')")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    finally:
        page.context.close()


@pytest.mark.browser
def test_links_in_text_are_underlined_and_phones_and_mail_are_tappable(browser, base):
    page = open_page(browser, base + "pinyin/")
    try:
        decorations = page.locator("#qd-main .qd-index-list a").evaluate_all(
            "links => links.map(a => getComputedStyle(a).textDecorationLine)")
        assert decorations and all("underline" in d for d in decorations)
        footer = page.locator(".qd-footer")
        assert footer.locator('a[href="tel:07971234567"]').inner_text() == "0797-1234567"
        assert footer.locator('a[href="mailto:qingdan@example.gov.cn"]').count() == 1
        page.goto(base + "departments/scjgj/")
        assert page.locator('#qd-main a[href="tel:07971234512"]').count() == 1
        page.goto(base + FOOD)
        assert page.locator('#qd-main a[href="tel:12315"]').count() >= 1  # 监督电话
    finally:
        page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", FOOD, "power/"])
def test_large_text_never_cuts_the_site_title_on_a_phone(browser, base, path):
    page = open_page(browser, base + path, PHONE, modes=("qd-large",))
    try:
        title = page.locator(".md-header__topic").first
        assert title.inner_text().strip() == "示例县权责清单公开平台"
        box = title.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert title.evaluate("t => { const e = t.querySelector('.md-ellipsis'); return e.scrollWidth <= e.clientWidth + 1; }")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        page.context.close()


# -- 5. portal ----------------------------------------------------------------------------------

@pytest.mark.browser
def test_missing_page_is_chinese_with_search_and_home_under_a_sub_path(browser, base):
    page = open_page(browser, base + "power/no-such-item/")
    try:
        assert page.locator("h1").first.inner_text() == "页面不存在"
        assert "Not found" not in page.content()
        page.locator(".qd-404-search input").fill("食品")
        page.locator(".qd-404-search button").click()
        page.wait_for_selector(".md-search-result__item")
        assert page.url.startswith(base + "?q=")
        page.goto(base + "a/b/c/")
        page.get_by_role("link", name="返回首页").click()
        page.wait_for_url(base)
        assert page.locator(".qd-cards").count() >= 1
    finally:
        page.context.close()


def test_robots_sitemap_site_domain_registers_and_slots(site, demo):
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.gov.cn/qingdan/sitemap.xml" in robots
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<meta name="SiteDomain" content="example.gov.cn/qingdan">' in home
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=36079902000123"' in home
    assert 'href="https://dzjg.example.gov.cn/?site=3607990001"' in home  # 党政机关网站标识
    assert re.search(r'<img src="[^"]*assets/dzjg\.png" alt="党政机关网站标识"', home)
    assert (site / "assets/dzjg.png").is_file()
    assert ">我为政府网站找错</a>" in home


# -- 11. how current an item is -----------------------------------------------------------------

def visible_text(site: Path, path: str) -> str:
    page = (site / path / "index.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_item_pages_say_how_current_they_are(site):
    food = visible_text(site, FOOD)
    assert "现行有效 现行内容自 2024-04-01 起施行，来自 2024-03-01 的变更" in food
    assert "示府办字〔2024〕3号" in food and "生效日期 2024-04-01" in food
    assert "目前没有已批准、尚未施行的调整" in food
    unchanged = visible_text(site, UNCHANGED)
    assert "现行有效 现行内容自 2023-01-10 起施行，为清单首次公布时的内容，此后未作调整" in unchanged
    cancelled = visible_text(site, CANCELLED_FEE)
    assert "已取消 本事项信息截至 2024-03-01" in cancelled and "示府办字〔2024〕3号" in cancelled


def test_an_unchanged_item_page_does_not_change_when_others_do(demo, site, tmp_path):
    import subprocess

    before = (site / UNCHANGED / "index.html").read_bytes()
    path = demo / "lists/power/scjgj.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("promised: 3, unit: 工作日}", "promised: 2, unit: 工作日}", 1),
                    encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "县编办", "GIT_AUTHOR_EMAIL": "bb@example.gov.cn", "GIT_COMMITTER_NAME": "县编办",
           "GIT_COMMITTER_EMAIL": "bb@example.gov.cn", "GIT_AUTHOR_DATE": "2025-06-01T10:00:00+08:00",
           "GIT_COMMITTER_DATE": "2025-06-01T10:00:00+08:00", "PATH": "/usr/bin:/bin"}
    try:
        subprocess.run(["git", "commit", "-qam", "关于再次压缩办理时限的通知\n\n调整依据: 示府办字〔2025〕7号\n发布日期: 2025-06-01"],
                       cwd=demo, env=env, check=True)
        out = tmp_path / "site"
        assert build_site(demo, out, site_url="https://example.gov.cn" + PREFIX, search=False).ok
        assert (out / UNCHANGED / "index.html").read_bytes() == before
        assert "现行内容自 2025-06-01 起施行" in visible_text(out, FOOD)
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=demo, check=True)


# -- 8. print -----------------------------------------------------------------------------------

@pytest.mark.browser
def test_item_page_prints_on_a4_with_address_date_pages_and_the_disclosures_first(browser, base):
    page = open_page(browser, base + FOOD)
    try:
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        for hidden in (".md-header", ".qd-crumbs", ".md-footer", ".md-sidebar", ".qd-skip"):
            loc = page.locator(hidden)
            assert loc.count() == 0 or loc.first.is_hidden(), hidden
        head = page.locator(".qd-print-head")
        assert head.is_visible()
        text = head.inner_text()
        assert "示例县权责清单公开平台" in text and base + FOOD in text
        assert re.search(r"打印日期：\d{4}-\d{2}-\d{2}", text)
        headings = page.locator("#qd-main h2").all_inner_texts()
        assert headings[0] == "八公开"
        assert page.locator(".qd-currency").is_visible()  # the stamp prints too
        rules = page.evaluate("""() => Array.from(document.styleSheets).flatMap(s => { try { return Array.from(s.cssRules); } catch (e) { return []; } })
            .filter(r => r instanceof CSSPageRule).map(r => r.cssText).join(' ')""")
        assert "a4" in rules.lower() and "counter(page)" in rules and "counter(pages)" in rules
        pdf = page.pdf(format="A4", display_header_footer=False, prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        page.context.close()


# -- 7. read aloud ------------------------------------------------------------------------------

SPEECH_STUB = """
window.__spoken = [];
window.__voices = [{lang: 'zh-CN', name: '普通话', localService: true}];
window.__voiceListeners = [];
const synth = {
  speaking: false,
  speak(u) {
    window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}); this.speaking = true;
    if (window.__failWith && u.onerror) { const f = u.onerror; setTimeout(() => f({error: window.__failWith}), 0); }
  },
  cancel() { this.speaking = false; try { localStorage.setItem('qd-test-cancelled', String(Date.now())); } catch (e) {} },
  getVoices() { return window.__voices; }, pause() {}, resume() {},
  addEventListener(type, f) { if (type === 'voiceschanged') window.__voiceListeners.push(f); },
  removeEventListener() {},
};
Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
"""


@pytest.mark.browser
def test_read_aloud_speaks_the_main_content_by_keyboard_and_stops_on_navigation(browser, base):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(SPEECH_STUB)
    page = context.new_page()
    try:
        page.goto(base + FOOD)
        button = page.get_by_role("button", name="朗读")
        button.focus()
        page.keyboard.press("Enter")
        spoken = page.evaluate("window.__spoken")
        assert spoken and spoken[0]["lang"] == "zh-CN"
        text = " ".join(s["text"] for s in spoken)
        assert text.startswith("食品经营许可") and "八公开" in text and "办理依据" in text
        assert "跳到正文" not in text and "主办单位" not in text  # the content, not the page's chrome
        assert button.get_attribute("aria-pressed") == "true"
        page.keyboard.press("Enter")  # the same button stops it
        assert button.get_attribute("aria-pressed") == "false"
        page.keyboard.press("Enter")
        page.evaluate("localStorage.removeItem('qd-test-cancelled')")
        page.locator(".qd-crumbs a").first.click()
        page.wait_for_url(base)
        assert page.evaluate("localStorage.getItem('qd-test-cancelled')")
    finally:
        context.close()


NO_VOICE = "本浏览器没有可用的中文语音"


def read_aloud_fails_plainly(page, words: str, label: str = "朗读") -> None:
    """After a click that cannot be heard: the reason in the live region, the button back to 朗读."""
    status = page.locator(".qd-speech-status[role=status]")
    status.wait_for(state="visible")
    assert words in status.inner_text()
    button = page.get_by_role("button", name=label, exact=True)
    assert button.is_visible() and button.is_enabled()
    assert button.get_attribute("aria-pressed") == "false"


@pytest.mark.browser
@pytest.mark.parametrize("path, label, words", [(FOOD, "朗读", NO_VOICE),
                                                ("zh-Hant/" + FOOD, "朗讀", "本瀏覽器沒有可用的中文語音")])
def test_read_aloud_without_any_voice_says_so_and_releases_the_button(browser, base, path, label, words):
    """Headless Chromium has speech synthesis and no voice at all, like many a desktop without one."""
    page = open_page(browser, base + path)
    try:
        assert page.evaluate("speechSynthesis.getVoices().length") == 0
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # pressed from far down the page
        page.get_by_role("button", name=label, exact=True).click()
        read_aloud_fails_plainly(page, words, label)
        box = page.locator(".qd-speech-status").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], "the message is in sight"
    finally:
        page.context.close()


@pytest.mark.browser
def test_read_aloud_without_speech_synthesis_keeps_the_button_and_explains(browser, base):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.add_init_script("delete window.speechSynthesis; delete Window.prototype.speechSynthesis;"
                            " window.SpeechSynthesisUtterance = undefined;")
    page = context.new_page()
    try:
        page.goto(base + FOOD)
        page.get_by_role("button", name="朗读").click()
        read_aloud_fails_plainly(page, "本浏览器不支持朗读")
    finally:
        context.close()


@pytest.mark.browser
def test_read_aloud_waits_for_late_voices_and_reports_an_engine_error(browser, base):
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(SPEECH_STUB + "window.__voices = [];")
    page = context.new_page()
    try:
        page.goto(base + FOOD)
        button = page.get_by_role("button", name="朗读")
        button.click()  # no voice yet; the browser loads them a moment later
        page.evaluate("""() => { window.__voices = [{lang: 'zh_CN', name: '晚到的语音'}];
                                 window.__voiceListeners.forEach(f => f()); }""")
        page.wait_for_function("window.__spoken.length > 0")
        assert page.evaluate("window.__spoken[0].voice") == "晚到的语音"
        assert button.get_attribute("aria-pressed") == "true"
        assert page.locator(".qd-speech-status").inner_text() == ""
        button.click()
        page.evaluate("window.__failWith = 'audio-hardware'; window.__spoken = []")
        button.click()  # the engine fails: said in words, the button released
        read_aloud_fails_plainly(page, "没有找到可用的声音输出设备")
        page.evaluate("window.__voices = [{lang: 'en-US', name: 'English'}]")
        button.click()  # voices, but none Chinese
        read_aloud_fails_plainly(page, NO_VOICE)
    finally:
        context.close()


# -- no English, no build notices ---------------------------------------------------------------

class _Visible(HTMLParser):
    """The text a visitor sees: no scripts, styles, hidden elements, codes or the skip target."""

    SKIP = {"script", "style", "template", "svg", "head"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base", "embed", "track"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        cls = a.get("class") or ""
        hidden = (tag in self.SKIP or "hidden" in a or a.get("aria-hidden") == "true" or tag == "code"
                  or "qd-code" in cls or "qd-sr" in cls or "md-search" in cls)
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


class _Labels(_Visible):
    """The visible text of each label a visitor reads on its own: links, buttons, headings, captions,
    table headers, field names."""

    LABELS = {"a", "button", "caption", "th", "label", "summary", "dt", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[int, list[str]]] = []
        self.labels: list[str] = []

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if tag in self.LABELS and not self.stack[-1] and dict(attrs).get("translate") != "no":
            self.open.append((len(self.stack), []))

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == len(self.stack):
            self.labels.append("".join(self.open.pop()[1]).strip())
        super().handle_endtag(tag)

    def handle_data(self, data):
        super().handle_data(data)
        if self.open and not self.stack[-1]:
            for _, parts in self.open:
                parts.append(data)


def test_no_label_is_bare_english_and_every_page_declares_its_script(site):
    """"订阅：Atom · JSON" told a citizen nothing: a label with Latin letters also says in Chinese what it is."""
    bare: dict[str, set[str]] = {}
    pages = sorted(site.rglob("*.html"))
    for path in pages:
        page = path.read_text(encoding="utf-8")
        where = path.relative_to(site).as_posix()
        lang = re.search(r'<html lang="([^"]+)"', page).group(1)
        assert lang == ("zh-Hant-TW" if where.startswith("zh-Hant/") else "zh-CN"), (where, lang)
        parser = _Labels()
        parser.feed(page)
        found = {t for t in parser.labels if re.search(r"[A-Za-z]", t) and not re.search(r"[\u4e00-\u9fff]", t)
                 and not re.fullmatch(r"[A-Z]|[\w.-]+@[\w.-]+|https?://\S+", t)}  # 拼音索引 letters, addresses
        if found:
            bare[where] = found
    assert not bare, dict(list(bare.items())[:10])
    stats = visible_text(site, "stats/")
    assert "GB/T 39046 " not in stats.replace("GB/T 39046—2020）", "")  # a standard is named by its title


# File formats and standards by their names, and the pinyin example the help text teaches.
ALLOWED = {"JSON", "CSV", "XLSX", "Excel", "Atom", "Schema", "WPS", "ICP", "GB", "HTML", "UTF", "spjy"}


def test_no_page_shows_english_prose_or_build_notices(site):
    found: dict[str, set[str]] = {}
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 500
    for path in pages:
        parser = _Visible()
        parser.feed(path.read_text(encoding="utf-8"))
        text = html.unescape(" ".join(parser.parts))
        text = re.sub(r"https?://\S+|[\w.-]+@[\w.-]+", " ", text)  # addresses are not prose
        text = re.sub(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+", " ", text)  # codes such as SF-zjj-005
        # Acronyms (CMA, GB) are published names; lower-case prose words are what must not appear.
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z]{2,}", text) if w not in ALLOWED and not w.isupper()}
        notices = [n for n in ("qingdan check", "警告", "warning", "Traceback") if n in text]
        if words or notices:
            found[path.relative_to(site).as_posix()] = words | set(notices)
    assert not found, dict(list(found.items())[:10])
