"""A portal of regions (issue 25): the example province built from a fresh copy, one region built
as the county would build itself, a region rebuilt without touching the others, the join's errors,
and `regions:` read with located errors.

Every build here is the real command in its own process (`python -m generator build`), on a copy
of the repository's example in a tmp dir: the demo county at the copy's root, the province in
examples/province/ of the copy, as on a fresh clone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from a11y_support import AXE, MISSING, PREFIX, VNU, audit, need, nu_errors
from browser_support import serve_directory
from demo_project import PROJECT, copy_demo_project, demo_with_history
from mini_project import edit

from generator.publish.manifest import read_manifest

AS_OF = "2026-01-01"  # every build shows the same day, so two builds can be compared byte for byte
BASE = "https://qingdan.example.gov.cn/"
REGIONS = {"demo": "示例县", "dongxian": "东县", "xixian": "西县"}


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`qingdan ARGS…` typed in cwd, as an operator does."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def copy_province(root: Path, history: bool = False) -> Path:
    """A fresh copy: the demo county at root (history: with a public record in git), the example
    portal at root/examples/province (not committed: its two small regions build without history)."""
    demo_with_history(root) if history else copy_demo_project(root)
    province = root / "examples" / "province"
    shutil.copytree(PROJECT / "examples" / "province", province,
                    ignore=shutil.ignore_patterns("site", ".site.*", ".cache"))
    return province


def tree_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    """The example built once with plain `qingdan build` in examples/province."""
    province = copy_province(tmp_path_factory.mktemp("fresh"), history=True)
    done = run(province, "build", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    return province


def test_the_example_builds_from_a_fresh_copy(province: Path) -> None:
    site = province / "site"
    for region_id in REGIONS:
        assert (site / region_id / "index.html").is_file()
        assert (site / region_id / "pagefind").is_dir()
    home = (site / "index.html").read_text(encoding="utf-8")
    for region_id, name in REGIONS.items():
        stats = json.loads((site / region_id / "downloads" / "stats.json").read_text(encoding="utf-8"))
        row = home[home.index(f'<a href="{region_id}/">{name}</a>'):]
        assert f'<td data-label="事项" class="qd-num qd-nowrap">{stats["items"]}</td>' in row[: row.index("</tr>")]
    index = (site / "regions" / "index.html").read_text(encoding="utf-8")
    assert all(f">{name}</a>" in index for name in REGIONS.values())
    portal_stats = json.loads((site / "downloads" / "stats.json").read_text(encoding="utf-8"))
    assert [r["region"] for r in portal_stats["regions"]] == list(REGIONS)
    assert portal_stats["items"] == sum(r["items"] for r in portal_stats["regions"])
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert all(f"{BASE}{region_id}/sitemap.xml" in sitemap for region_id in REGIONS)


def test_the_portal_gathers_every_regions_adjustments_and_feeds(province: Path) -> None:
    site = province / "site"
    demo_feed = json.loads((site / "demo" / "feed.json").read_text(encoding="utf-8"))
    newest = demo_feed["items"][0]
    assert newest["url"].startswith(BASE + "demo/adjustments/#adj-")
    anchor = newest["url"][len(BASE):]
    for page in ("index.html", "adjustments/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        prefix = "../" if "/" in page else ""
        assert f'<span class="qd-portal-region">示例县</span> <a href="{prefix}{anchor}">{newest["title"]}</a>' in html
    assert (site / anchor.split("#")[0] / "index.html").is_file()  # the link leads to the region's page
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert feed["feed_url"] == BASE + "feed.json"
    assert feed["items"][0]["title"] == f"【示例县】{newest['title']}" and feed["items"][0]["id"] == newest["id"]
    assert f"<id>{newest['id']}</id>" in (site / "feed.xml").read_text(encoding="utf-8")


def test_the_manifest_covers_the_whole_tree(province: Path) -> None:
    site = province / "site"
    manifest = read_manifest(site)  # the root and its parts, each part checked against the root
    assert manifest is not None
    on_disk = {rel: digest for rel, digest in tree_hashes(site).items() if rel != "qingdan-manifest.json"}
    assert {rel: entry.sha256 for rel, entry in manifest.files.items()} == on_disk
    assert any(rel.startswith("qingdan-manifest/") for rel in on_disk)


def test_only_region_is_the_county_built_alone_under_its_folder(province: Path, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    done = run(province.parent.parent, "build", "--out", str(alone), "--site-url", BASE + "demo/", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert tree_hashes(province / "site" / "demo") == tree_hashes(alone)


def test_rebuilding_one_region_leaves_the_others_byte_identical(province: Path) -> None:
    site = province / "site"
    before = {region_id: tree_hashes(site / region_id) for region_id in ("demo", "dongxian")}
    edit(province / "regions/xixian/lists/power/mzj.yml", "name: 慈善组织公开募捐资格审批", "name: 慈善组织公开募捐资格认定")
    assert run(province, "build", "--only-region", "xixian", "--as-of", AS_OF).returncode == 0
    joined = run(province, "build", "--join-only")
    assert joined.returncode == 0, joined.stderr
    assert {region_id: tree_hashes(site / region_id) for region_id in before} == before
    joined_once = tree_hashes(site)
    assert run(province, "build", "--join-only").returncode == 0
    assert tree_hashes(site) == joined_once  # a join of the same regions writes the same bytes
    assert "慈善组织公开募捐资格认定" in (site / "xixian" / "power" / "3607970040100900" / "index.html").read_text(
        encoding="utf-8")


def test_join_only_names_the_missing_region_and_what_to_run(province: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    for region_id in ("demo", "xixian"):
        shutil.copytree(province / "site" / region_id, out / region_id)
    done = run(province, "build", "--join-only", "--out", str(out))
    assert done.returncode == 1
    assert "东县" in done.stderr and "qingdan build --only-region dongxian" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (out / "index.html").exists()


def test_an_unknown_region_names_the_known_ones(tmp_path: Path) -> None:
    province = copy_province(tmp_path)
    done = run(province, "build", "--only-region", "nanxian")
    assert done.returncode == 2
    assert "nanxian" in done.stderr and "demo、dongxian、xixian" in done.stderr


def test_only_region_outside_a_portal_says_why(tmp_path: Path) -> None:
    county = copy_demo_project(tmp_path / "county", content=False)
    done = run(county, "build", "--join-only")
    assert done.returncode == 2 and "不是门户项目" in done.stderr


def test_a_region_with_errors_fails_the_build_and_names_the_region(tmp_path: Path) -> None:
    province = copy_province(tmp_path)
    config = province / "site_config.yml"
    edit(config, "  - {id: demo, name: 示例县, code: \"360799\", path: ../..}\n", "")
    edit(province / "regions/xixian/lists/power/mzj.yml", "    name: 慈善组织公开募捐资格审批\n", "")
    done = run(province, "build", "--as-of", AS_OF)
    assert done.returncode == 1
    assert "【西县】（regions/xixian）\nlists/power/mzj.yml:" in done.stderr and "360797004010090" in done.stderr
    assert "生成失败：西县的清单有错误" in done.stderr
    assert (province / "site" / "dongxian" / "index.html").is_file()  # the others are built all the same
    assert not (province / "site" / "index.html").exists()  # but not joined without the failed one


def test_check_in_a_portal_checks_every_region(tmp_path: Path) -> None:
    province = copy_province(tmp_path)
    edit(province / "regions/xixian/lists/power/mzj.yml", "    name: 慈善组织公开募捐资格审批\n", "")
    done = run(province, "check", "--no-warnings")
    assert done.returncode == 1
    out = done.stdout
    assert out.index("【示例县】（../..）") < out.index("【东县】（regions/dongxian）") < out.index("【西县】（regions/xixian）")
    xixian = out[out.index("【西县】"):]
    assert "lists/power/mzj.yml:27:5: 错误" in xixian and "缺少必填字段“name”" in xixian
    assert "lists/power/mzj.yml" not in out[: out.index("【西县】")]
    report = json.loads(run(province, "check", "--format", "json").stdout)
    assert report["ok"] is False and list(report["regions"]) == list(REGIONS)
    assert report["regions"]["dongxian"]["ok"] and not report["regions"]["xixian"]["ok"]


def _commit(repo: Path, message: str) -> None:
    for args in (("add", "-A"), ("commit", "-q", "-m", message)):
        subprocess.run(["git", "-c", "user.name=西县编办", "-c", "user.email=xx@example.gov.cn", *args], cwd=repo,
                       check=True, capture_output=True)


def _names_on_pages(site: Path, *names: str) -> set[str]:
    """Which of `names` an item page of the 权力清单 has as its title (its 调整记录 may name old ones)."""
    text = "".join(p.read_text(encoding="utf-8") for p in (site / "power").rglob("index.html"))
    return {name for name in names if f"<h1>{name}</h1>" in text}


def test_a_region_given_by_git_is_fetched_at_its_ref_on_every_build(tmp_path: Path) -> None:
    """A county with its own repository: the portal names it by address, holds no copy, and each
    build shows what the ref names now; a ref that does not exist is a clear error, not a traceback."""
    province = copy_province(tmp_path / "portal")
    origin = tmp_path / "xixian.git"
    shutil.move(province / "regions" / "xixian", origin)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=origin, check=True)
    _commit(origin, "西县权责清单")
    edit(province / "site_config.yml", "path: regions/xixian}", f"git: '{origin}', ref: main}}")
    old, new = "慈善组织公开募捐资格审批", "慈善组织公开募捐资格认定"

    done = run(province, "build", "--only-region", "xixian", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert _names_on_pages(province / "site" / "xixian", old, new) == {old}

    edit(origin / "lists/power/mzj.yml", f"name: {old}", f"name: {new}")
    _commit(origin, "调整慈善组织公开募捐资格事项名称")
    done = run(province, "build", "--only-region", "xixian", "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert _names_on_pages(province / "site" / "xixian", old, new) == {new}
    assert run(province, "check").returncode == 0

    edit(province / "site_config.yml", "ref: main}", "ref: 2099版}")
    done = run(province, "build", "--only-region", "xixian", "--as-of", AS_OF)
    assert done.returncode == 1
    assert "没有分支、标签或提交“2099版”" in done.stderr and "Traceback" not in done.stderr


BAD_REGIONS = """regions:
  - {id: demo, name: 示例县, code: "360799", path: ../..}
  - {id: demo, name: 东县, code: "360798", path: regions/dongxian}
  - {id: nanxian, name: 南县, code: "360796"}
  - {id: beixian, name: 北县, code: "360795", path: regions/beixian}
  - {id: lists, name: 西县, code: "360797", path: regions}
  - {id: search, name: 中县, code: "360794", path: regions/xixian}
"""


def test_bad_regions_are_errors_located_in_site_config(tmp_path: Path) -> None:
    province = copy_province(tmp_path)
    config = province / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("regions:")] + BAD_REGIONS, encoding="utf-8")
    line = text[: text.index("regions:")].count("\n") + 1  # the line of `regions:`
    done = run(province, "build")
    assert done.returncode == 1
    errors = done.stderr
    assert f"site_config.yml:{line + 2}:" in errors and "地区标识“demo”重复" in errors
    assert f"site_config.yml:{line + 3}:" in errors and "地区“nanxian”缺少项目目录（path）" in errors
    assert f"site_config.yml:{line + 4}:" in errors and "“regions/beixian”不存在" in errors
    assert f"site_config.yml:{line + 5}:" in errors and "不是清单项目" in errors
    assert f"site_config.yml:{line + 6}:" in errors and "地区标识“search”是门户自己的网址" in errors
    assert "Traceback" not in errors and not (province / "site").exists()


def test_the_portal_404_leads_only_to_pages_the_portal_has(province: Path) -> None:
    """The page a missing address shows: its links are absolute (it is served at any depth), and
    each must lead somewhere on the portal, which has no 部门 or 拼音索引 pages of its own."""
    import re

    site = province / "site"
    for page in ("404.html", "zh-Hant/404.html"):
        html = (site / page).read_text(encoding="utf-8")
        links = [link for link in re.findall(r'<a href="(/[^"]*)"', html)]
        assert len(links) >= 3, page
        for link in links:
            target = site / link.lstrip("/")  # "/." is the home page
            assert (target / "index.html" if target.is_dir() else target).is_file(), (page, link)


PORTAL_PAGES = ["", "regions/", "adjustments/", "stats/", "search/", "uniformity/"]
HANT_PAGES = [f"zh-Hant/{p}" for p in PORTAL_PAGES]


def test_the_portal_has_a_traditional_view_with_the_switch_both_ways(province: Path, visit) -> None:
    site = province / "site"
    with serve_directory(site, prefix=PREFIX) as base:
        page = visit(base)
        page.locator('a[data-qd-script="hant"]').first.click()
        page.wait_for_url(base + "zh-Hant/")
        assert page.evaluate("document.documentElement.lang") == "zh-Hant"  # the portal's variant: plain
        assert "本頁由簡體中文頁面自動轉換" in page.locator(".qd-hant-note").inner_text()
        page.goto(base + "zh-Hant/regions/")
        page.locator("main a", has_text="示例縣").first.click()  # the region has a 繁體 view: its own
        page.wait_for_url(base + "demo/zh-Hant/")
        page.goto(base + "zh-Hant/regions/")
        page.locator("main a", has_text="東縣").first.click()  # built without one: its Simplified home
        page.wait_for_url(base + "dongxian/")
        page.goto(base + "zh-Hant/stats/")
        page.locator('a[data-qd-script="hans"]').first.click()
        page.wait_for_url(base + "stats/")
    sitemap = (site / "sitemap-portal.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE}zh-Hant/regions/</loc>" in sitemap
    listed = read_manifest(site).files
    assert "zh-Hant/index.html" in listed and "assets/script-map.json" in listed


@pytest.mark.browser
def test_portal_pages_pass_axe_in_every_mode_and_fit_a_phone(province: Path, browser) -> None:
    need(AXE, "axe-core")
    site = province / "site"
    failures = []
    with serve_directory(site, prefix=PREFIX) as base:
        for mode, width, path, violations in audit(browser, base, [*PORTAL_PAGES, *HANT_PAGES, MISSING]):
            failures += [f"{mode} {width} /{path}: {v['impact']} {v['id']} {v['nodes'][:2]}" for v in violations]
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        for path in [*PORTAL_PAGES, *HANT_PAGES]:
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert page.locator("h1").first.inner_text() in (
                "示例省权责清单公开平台", "地区", "动态调整", "统计", "搜索", "十统一",
                "示例省權責清單公開平臺", "地區", "動態調整", "統計", "搜尋", "十統一"), path
        context.close()
    assert not failures, "\n".join(failures[:20])


def test_portal_pages_pass_the_nu_html_checker(province: Path) -> None:
    need(VNU, "vnu-jar")
    if shutil.which("java") is None:
        pytest.skip("没有 Java（apt-get install default-jre-headless）")
    site = province / "site"
    pages = [*PORTAL_PAGES, *HANT_PAGES]
    assert not nu_errors([str(site / p / "index.html") for p in pages] + [str(site / "404.html"), str(site / "zh-Hant/404.html")])


def test_the_whole_tree_publishes_once_committed(province: Path, tmp_path: Path) -> None:
    """Last: it commits the copy, which changes what every later build's manifest records."""
    root = province.parent.parent
    for args in (("add", "-A"), ("commit", "-q", "-m", "示例省门户")):
        subprocess.run(["git", "-c", "user.name=省编办", "-c", "user.email=sbb@example.gov.cn", *args], cwd=root,
                       check=True, capture_output=True)
    target = tmp_path / "www"
    assert run(province, "build", "--join-only").returncode == 0
    refused = run(province, "publish", "--to", str(target))  # the regions were built before the commit
    assert refused.returncode != 0 and "未提交" in refused.stderr
    assert run(province, "build", "--as-of", AS_OF).returncode == 0  # the manifests name the commit built
    published = run(province, "publish", "--to", str(target))
    assert published.returncode == 0, published.stderr
    for page in ("index.html", "regions/index.html", "demo/index.html", "xixian/power/index.html"):
        assert (target / "current" / page).is_file(), page
    verified = run(province, "publish", "--to", str(target), "--verify")
    assert verified.returncode == 0 and "核对通过" in verified.stdout
