"""axe-core over the public pages in every reading mode (default, 大字, 高对比, both) at phone and
desktop widths; used by tests/test_accessibility.py and runnable on its own to report figures:

    .venv/bin/python tests/a11y_support.py SITE_DIR     # prints serious/critical counts per mode
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
PREFIX = "/qingdan/"
MODES: dict[str, tuple[str, ...]] = {
    "默认": (), "大字": ("qd-large",), "高对比": ("qd-contrast",), "大字+高对比": ("qd-large", "qd-contrast"),
}
WIDTHS = {"手机": {"width": 390, "height": 844}, "电脑": {"width": 1280, "height": 900}}
SEARCH = "?q=食品"  # the open search with results


def audit_paths(site: Path) -> list[str]:
    """Home, every list, a department, items of three list types, a 主项 page and a 子项, 拼音索引,
    动态调整, 数据开放, 历史版本, a missing page (404) and the open search with results."""
    lists = sorted(p.parent.name for p in site.glob("*/index.html")
                   if p.parent.name in ("power", "responsibility", "fee", "prerequisite", "intermediary",
                                        "convenience", "certificate"))
    items = []
    for list_id in ("power", "fee", "convenience"):
        first = sorted(p.parent.name for p in (site / list_id).glob("*/index.html"))[0]
        items.append(f"{list_id}/{first}/")
    paths = ["", *[f"{lid}/" for lid in lists], "departments/scjgj/", "power/000131127004/", *items[1:],
             "pinyin/", "adjustments/", "data/", "editions/", "no/such/page/", SEARCH,
             "zh-Hant/", "zh-Hant/power/000131127004/",  # the 繁體 view: its note and switch
             "power/000131127005/", "power/00013112700501/"]  # a 主项 only its 子项 publish, and a 子项
    return [p for p in paths if p in ("no/such/page/", SEARCH) or (site / p / "index.html").exists()]


def mode_script(classes: tuple[str, ...]) -> str:
    """Set the modes the way a visitor's earlier choice does: through the remembered setting."""
    sets = "".join(f"localStorage.setItem('{c}', '1');" for c in classes)
    return f"try {{ localStorage.clear(); {sets} }} catch (e) {{}}"


AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations'],
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, count: v.nodes.length,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
}"""


def audit(browser: Any, base: str, paths: list[str]) -> Iterator[tuple[str, str, str, list[dict[str, Any]]]]:
    """(mode, width, path, serious and critical violations) for every page in every mode and width.

    One tab per mode and width, kept open while every page is checked in each.
    """
    tabs = []
    for mode, classes in MODES.items():
        for width, viewport in WIDTHS.items():
            context = browser.new_context(viewport=viewport, is_mobile=width == "手机", has_touch=width == "手机")
            context.add_init_script(mode_script(classes))
            tabs.append((mode, width, context, context.new_page()))
    try:
        for path in paths:
            for mode, width, _, page in tabs:
                page.goto(base + path)
                if path == SEARCH:
                    page.wait_for_selector(".md-search-result__item")
                page.add_script_tag(path=str(AXE))
                yield mode, width, path, page.evaluate(AXE_RUN)
    finally:
        for _, _, context, _ in tabs:
            context.close()


def main(site_dir: str) -> None:
    sys.path.insert(0, str(REPO))
    from playwright.sync_api import sync_playwright

    from generator.browser import launch_browser, serve_directory

    site = Path(site_dir)
    total: dict[str, int] = {}
    with serve_directory(site, prefix=PREFIX) as base, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        for mode, width, path, found in audit(browser, base, audit_paths(site)):
            for v in found:
                key = f"{v['impact']} {v['id']}"
                total[key] = total.get(key, 0) + v["count"]
                print(json.dumps([mode, width, path or "/", v], ensure_ascii=False))
        browser.close()
    print("TOTAL", json.dumps(total, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
