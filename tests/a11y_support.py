"""axe-core over every kind of public page in every reading mode (default, 大字, 高对比, both) at phone and
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
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Errors in Material for MkDocs' own templates (base.html's hidden toggles, nav-item.html's section
# labels), not in markup Qingdan writes; every other message fails the test.
MATERIAL_OWN = (
    "Attribute “autocomplete” is only allowed when the input type is",
    "Bad value “” for attribute “tabindex” on element “label”",
)
PREFIX = "/qingdan/"
MODES: dict[str, tuple[str, ...]] = {
    "默认": (), "大字": ("qd-large",), "高对比": ("qd-contrast",), "大字+高对比": ("qd-large", "qd-contrast"),
}
WIDTHS = {"手机": {"width": 390, "height": 844}, "电脑": {"width": 1280, "height": 900}}
SEARCH = "?q=食品"  # the open search with results


def need(path: Path, what: str) -> None:
    """Skip without the checker locally (npm ci installs it); fail without it in CI."""
    import os

    import pytest

    if path.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} 未安装：在项目根目录运行 npm ci")
    pytest.skip(f"{what} 未安装（npm ci）")


def nu_errors(files: list[str]) -> list[str]:
    """The Nu HTML checker's errors in these files, but those of Material's own templates."""
    import subprocess

    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or "{}").get("messages", [])
    return [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}" for m in messages
            if m.get("type") == "error" and not m.get("message", "").startswith(MATERIAL_OWN)]


HANT = "zh-Hant/"
MISSING = "no/such/page/"  # the server answers with the site's 404.html


def _first(site: Path, pattern: str, marker: str = "") -> str | None:
    """The first page matching `pattern` (a glob of index.html files) whose HTML contains `marker`."""
    for page in sorted(site.glob(pattern)):
        if marker in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site).as_posix() + "/"
    return None


def page_kinds(site: Path) -> dict[str, str]:
    """One page of every kind a visitor can reach (kind → path under the site), Simplified side.

    The axe and Nu tests and the screenshot script (tests/screenshots.py) all open these, on both
    sides (`HANT` + path). A kind the built site lacks (no editions, no 公开质量) is left out.
    """
    edition = _first(site, "editions/*/index.html", "qd-edition")
    compare = _first(site, "editions/compare/*/index.html")
    kinds = {
        "首页": "", "清单": "power/", "收费清单": "fee/", "部门一览": "departments/", "部门": "departments/scjgj/",
        "拼音索引": "pinyin/", "事项": "power/000131127004/",
        "收费事项": _first(site, "fee/*/index.html", "qd-disclosure-fee_standard"),
        "已取消的事项": _first(site, "*/*/index.html", "qd-removed"),
        "子项": _first(site, "power/*/index.html", 'class="qd-parent'),
        "主项": _first(site, "power/*/index.html", "qd-main-item"),  # a 主项 only its 子项 publish
        "调整记录": "adjustments/", "部门调整记录": "adjustments/scjgj/", "按日期查看": "as-of/",
        "历史版本": "editions/", "某版清单": edition,
        "某版事项": f"{edition}power/000131127004/" if edition else None, "版本比较": compare,
        "统计": "stats/", "公开质量": "quality/", "数据开放": "data/", "关于本站": "about/",
    }
    found = {kind: path for kind, path in kinds.items()
             if path is not None and (site / path / "index.html").is_file()}
    found["找不到页面"] = MISSING
    return found


def audit_paths(site: Path) -> list[str]:
    """Every page kind on both sides (the 繁體 404 page by its file), and the open search with results."""
    paths = []
    for path in page_kinds(site).values():
        paths += [path, HANT + ("404.html" if path == MISSING else path)]
    return [*paths, SEARCH]


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

    from benchmarks.browser import launch_browser, serve_directory

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
