"""The pages generated from the lists (10,000+ at county scale) carry no markup the theme can
serve once: the header and 回到页面顶部 icons come from qingdan.css, Material's page helpers from
assets/qingdan/md-base.js. A visitor sees the same icons and Material's scripts work as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import serve_directory

from generator.site.build import build_site

PROJECT = Path(__file__).resolve().parent.parent
ITEM = "power/000131127004/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shell") / "site"
    result = build_site(PROJECT, out, history=False, site_url="https://example.gov.cn/qingdan/")
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


def test_item_pages_leave_icons_and_helpers_to_shared_files(site: Path) -> None:
    html = (site / ITEM / "index.html").read_text(encoding="utf-8")
    assert "<path" not in html and "__md_scope=" not in html
    assert html.count('class="qd-i ') == 4
    helpers = html.index('<script src="../../assets/qingdan/md-base.js" defer>')
    assert helpers < html.index("assets/javascripts/bundle.")  # deferred scripts run in order
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "__md_scope=" in home  # pages outside the shell keep Material's inline helpers
    # Material's mount points that only other pages fill (drawer overlay, table-of-contents skip
    # link, announcement bar, clipboard dialog) are left out; its two toggles stay (its bundle needs them).
    for unused in ('class="md-overlay"', 'data-md-component="skip"', 'data-md-component="announce"',
                   'data-md-component="dialog"'):
        assert unused not in html and unused in home, unused
    assert 'data-md-toggle="drawer"' in html and 'data-md-toggle="search"' in html
    assert '<script id="__config" type="application/json">{"annotate":null,"base":"../.."' in html
    ours = re.findall(r'<(?:link rel="stylesheet" href|script src)="../../assets/qingdan/([^"]+)"', html)
    assert ours == ["qingdan.css", "md-base.js", "qingdan.js"]  # search's styles and script included
    assert not (site / "assets/qingdan/search.js").exists()
    assert "data-qd-search" in (site / "assets/qingdan/qingdan.js").read_text(encoding="utf-8")


ICONS = """[...document.querySelectorAll('.qd-i')].map(e => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return [e.classList[1], Math.round(r.width), Math.round(r.height), s.maskImage || s.webkitMaskImage,
            s.backgroundColor === s.color];
})"""


def shown_icons(page) -> dict[str, tuple[int, int]]:
    """The icons the visitor sees (Material hides some at some widths), with their size; each is
    drawn in the text colour through its SVG mask."""
    shown = {}
    for name, width, height, mask, coloured in page.evaluate(ICONS):
        if width and height:
            assert mask.startswith('url("data:image/svg+xml') and coloured, name
            shown[name] = (width, height)
    return shown


@pytest.mark.browser
def test_icons_paint_and_materials_scripts_run_on_an_item_page(site: Path, browser) -> None:
    with serve_directory(site, prefix="/qingdan/") as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + ITEM)
        page.wait_for_load_state("networkidle")
        header = {"qd-i-logo", "qd-i-menu", "qd-i-search"}  # the top button has its box while hidden
        assert {k: v for k, v in shown_icons(page).items() if k in header} == {
            "qd-i-logo": (24, 24), "qd-i-menu": (24, 24)}
        page.set_viewport_size({"width": 390, "height": 844})
        assert {k: v for k, v in shown_icons(page).items() if k in header} == {
            "qd-i-menu": (24, 24), "qd-i-search": (24, 24)}
        # Material's helpers have the scope the inline copy gave them: the site root.
        assert page.evaluate("__md_scope.href") == base
        page.evaluate("__md_set('__qd_probe', 1)")
        assert page.evaluate("localStorage.getItem('/qingdan/.__qd_probe')") == "1"
        # Material's bundle runs: scrolling down then up shows the 回到页面顶部 button with its arrow.
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(300)
        page.mouse.wheel(0, -400)
        page.wait_for_function("!document.querySelector('.md-top').hidden")
        page.wait_for_timeout(300)
        assert shown_icons(page)["qd-i-top"] == (24, 24)
        assert errors == []
        page.close()
