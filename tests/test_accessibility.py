"""Accessibility of the published demo in every reading mode, and valid HTML.

axe-core (WCAG 2.1 A and AA): no serious or critical violation on every page kind (a11y_support.page_kinds:
home, lists, departments, 拼音索引, items, 子项, a 主项 page, a cancelled item, 调整记录, 历史版本 with an edition, its items
and a comparison, 统计, 公开质量, 数据开放, 关于本站, 404) on both sides (简体 and 繁體), and on the open search
with results — in default, 大字, 高对比 and 大字+高对比, at 390 and 1280 px.
The Nu HTML checker (vnu-jar, Java): no error from Qingdan's own markup on the same pages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from a11y_support import (
    AXE,
    HANT,
    MISSING,
    PREFIX,
    SEARCH,
    VNU,
    audit,
    audit_paths,
    need,
    nu_errors,
    page_kinds,
)
from browser_support import serve_directory
from demo_project import demo_with_history

from generator.site.build import build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = demo_with_history(tmp_path_factory.mktemp("a11y") / "county")
    config = root / "site_config.yml"  # the optional 公开质量 page too
    config.write_text(config.read_text(encoding="utf-8") + "\nquality_page: true\n", encoding="utf-8")
    result = build_site(root, root / "site", site_url="https://example.gov.cn" + PREFIX)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root / "site"


@pytest.mark.browser
def test_axe_finds_nothing_serious_in_any_mode_at_phone_and_desktop_width(site, browser):
    need(AXE, "axe-core")
    kinds = page_kinds(site)
    assert {"子项", "版本比较", "某版事项", "统计", "公开质量", "已取消的事项", "部门调整记录"} <= set(kinds), kinds
    paths = audit_paths(site)
    assert len(paths) == 2 * len(kinds) + 1 and HANT + kinds["版本比较"] in paths
    failures = []
    checked = 0
    with serve_directory(site, prefix=PREFIX) as base:
        for mode, width, path, violations in audit(browser, base, paths):
            checked += 1
            for v in violations:
                failures.append(f"{mode} {width} /{path}: {v['impact']} {v['id']} ×{v['count']} {v['nodes'][:2]}")
    assert checked == len(paths) * 8
    assert not failures, "\n".join(failures[:20])


def test_nu_html_checker_finds_no_error_in_qingdans_markup(site):
    need(VNU, "vnu-jar")
    if shutil.which("java") is None:
        pytest.skip("没有 Java（apt-get install default-jre-headless）")
    pages = [p.replace(MISSING, "404.html") for p in audit_paths(site) if p != SEARCH]
    files = [str(site / p) if p.endswith(".html") else str(site / p / "index.html") for p in pages]
    assert all(Path(f).is_file() for f in files) and len(files) >= 40
    ours = nu_errors(files)
    assert not ours, "\n".join(ours[:20])
