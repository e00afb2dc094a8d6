"""One pipeline: after each edit a clerk makes, `qingdan build` (from the previous build) and
`qingdan serve` (in place) give the site a fresh clone builds, and only what changed is redone.

"The same site" is every file byte for byte, except the search index: after an edit its changes go
into a small bundle of recent changes on top of the bundle built before (generator/search.py:
RECENT_PART), so its files differ from a fresh build's while a search finds exactly the same. For
it, the test compares the effective search documents, what a query can find: every page of every
bundle parts.json lists, less the pages the recent changes supersede, as Pagefind stored them."""

from __future__ import annotations

import filecmp
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from demo_project import demo_with_history

from generator import search
from generator.publish.manifest import is_part, read_manifest
from generator.site.build import build_site

ITEM = "power/3607990010100100/"  # 企业投资项目核准 (lists/power/fgw.yml)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rename(root: Path) -> None:
    _replace(root / "lists/power/fgw.yml", "name: 企业投资项目核准\n", "name: 企业投资项目核准（含变更）\n")


def change_type(root: Path) -> None:
    _replace(root / "lists/power/fgw.yml", "type: 行政许可\n    subject: 示例县发展和改革委员会\n    office: 固定资产投资股",
             "type: 行政确认\n    subject: 示例县发展和改革委员会\n    office: 固定资产投资股")


def cancel(root: Path) -> None:
    fee = root / "lists/fee/zjj.yml"
    text = fee.read_text(encoding="utf-8")
    fee.write_text(text[: text.index("  - code: SF-zjj-004")], encoding="utf-8")


def move_department(root: Path) -> None:
    source, target = root / "lists/fee/zjj.yml", root / "lists/fee/rsj.yml"
    text = source.read_text(encoding="utf-8")
    at = text.index("  - code: SF-zjj-002")
    source.write_text(text[:at], encoding="utf-8")
    target.write_text(target.read_text(encoding="utf-8").rstrip("\n") + "\n" + text[at:], encoding="utf-8")


def change_basis(root: Path) -> None:
    _replace(root / "lists/power/fgw.yml", "article: 第三条、第九条\n", "article: 第三条、第九条、第十条\n")


# Each edit, and files it must change besides the item page, its 繁體 copy, the adjustment pages and
# feeds, and the download of everything (a commit each: what the public reads of the adjustment);
# an item feed that did not exist must appear. The feeds of what an edit does not touch are not
# written again (UNTOUCHED_FEEDS).
EDITS: list[tuple[str, Callable[[Path], None], str, tuple[str, ...]]] = [
    ("rename", rename, ITEM, ("pinyin/index.html", "zh-Hant/pinyin/index.html", "departments/fgw/index.html",
                              ITEM + "feed.xml", "departments/fgw/feed.xml", "power/feed.xml",
                              "api/v1/lists/power.json", "api/v1/items/power/3607990010100100.json")),
    ("type", change_type, ITEM, ("stats/index.html", "zh-Hant/stats/index.html", "downloads/stats.json",
                                 ITEM + "feed.xml", "departments/fgw/feed.xml",
                                 "api/v1/items/power/3607990010100100.json")),
    ("cancel", cancel, "fee/SF-zjj-004/", ("fee/index.html", "stats/index.html", "pinyin/index.html",
                                           "index.html", "departments/zjj/index.html",
                                           "fee/SF-zjj-004/feed.xml", "departments/zjj/feed.xml", "fee/feed.xml",
                                           "api/v1/lists/fee.json", "api/v1/items/fee/SF-zjj-004.json")),
    ("move", move_department, "fee/SF-zjj-002/", ("departments/zjj/index.html", "departments/rsj/index.html",
                                                   "fee/index.html", "fee/SF-zjj-002/feed.xml",
                                                   "departments/zjj/feed.xml", "departments/rsj/feed.xml",
                                                   "api/v1/items/fee/SF-zjj-002.json")),
    ("basis", change_basis, ITEM, (ITEM + "feed.xml", "api/v1/items/power/3607990010100100.json")),
]
EVERY_EDIT = ("adjustments/index.html", "feed.xml", "downloads/all.json.zip", "zh-Hant/adjustments/index.html",
              "api/v1/index.json")
UNTOUCHED_FEEDS = ("power/000131127004/feed.xml", "departments/scjgj/feed.xml", "departments/jyj/feed.xml")


def differences(a: Path, b: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Every file that is not the same in both trees (missing on one side, or other bytes)."""
    out = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        out.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.funny_files)
        out.extend(prefix + name for name in cmp.common_files
                   if not filecmp.cmp(Path(cmp.left) / name, Path(cmp.right) / name, shallow=False))
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b, ignore=[]), "")
    return sorted(d for d in out if not d.startswith(skip))


def searchable(site: Path) -> dict[str, dict]:
    """What a search of `site` can find: {page URL: what Pagefind holds of it}, from every bundle
    parts.json lists, without the pages the recent changes supersede (as search.js drops them)."""
    index = site / search.PAGEFIND_DIR
    listed = json.loads((index / search.PARTS_FILE).read_text(encoding="utf-8"))
    gone = set(listed.get(search.SUPERSEDED_KEY, []))
    found: dict[str, dict] = {}
    seen: set[str] = set()
    for bundle in listed[search.BUNDLES_KEY]:
        for fid, fragment in search.read_fragments(index / bundle).items():
            if fid in gone or fid in seen:  # one id: one page as Pagefind holds it (search.js shows it once)
                continue
            seen.add(fid)
            assert fragment["url"] not in found, f"{fragment['url']} is found twice"
            found[fragment["url"]] = {k: fragment.get(k) for k in ("content", "meta", "filters", "word_count")}
    return found


def manifest_without_search(site: Path) -> dict | None:
    """The manifest's build record and every file it lists (its parts read and checked) but the
    search index's and the parts themselves (which list the index's files too)."""
    manifest = read_manifest(site)
    if manifest is None:
        return None
    files = {k: v for k, v in manifest.files.items() if not k.startswith(search.PAGEFIND_DIR + "/") and not is_part(k)}
    return {"build": manifest.build, "files": files}


def same_site(built: Path, fresh: Path) -> list[str]:
    """The files in which `built` is not the site `fresh` is: every file byte for byte but the
    search index and the manifest's lines for it; for those, what a search finds."""
    out = differences(built, fresh, skip=(search.PAGEFIND_DIR + "/", "qingdan-manifest"))  # its root and parts
    if searchable(built) != searchable(fresh):
        out.append(search.PAGEFIND_DIR + "/ (what a search finds)")
    if manifest_without_search(built) != manifest_without_search(fresh):
        out.append("qingdan-manifest.json")
    return out


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-06-01T10:00:00+08:00", "GIT_COMMITTER_DATE": "2025-06-01T10:00:00+08:00",
           "GIT_AUTHOR_NAME": "法制办", "GIT_AUTHOR_EMAIL": "fzb@example.gov.cn",
           "GIT_COMMITTER_NAME": "法制办", "GIT_COMMITTER_EMAIL": "fzb@example.gov.cn"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


@pytest.fixture
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")


def test_a_build_after_each_clerk_edit_is_the_site_a_fresh_clone_builds(tmp_path, fixed_date):
    root = demo_with_history(tmp_path / "county")
    out = tmp_path / "site"
    first = build_site(root, out)
    assert first.ok, [p.format_text() for p in first.problems.errors]
    for name, edit, page, touched in EDITS:
        before = {rel: (out / rel).read_bytes() if (out / rel).exists() else None
                  for rel in (page + "index.html", f"zh-Hant/{page}index.html", *touched, *EVERY_EDIT)}
        kept = {rel: (out / rel).stat().st_ino for rel in UNTOUCHED_FEEDS}
        edit(root)
        _git(root, "commit", "-qam", f"调整：{name}\n\n调整依据: 示府办字〔2025〕{len(name)}号\n发布日期: 2025-06-01")
        result = build_site(root, out)
        assert result.ok, [p.format_text() for p in result.problems.errors]
        # Only what the edit touched was redone: MkDocs did not run, most pages were not rewritten.
        assert "shell" not in result.timings, result.timings
        assert 0 < len(result.written) + len(result.removed) < first.page_count // 4, (name, len(result.written))
        for rel, data in before.items():
            now = out / rel
            if data is None:
                assert now.exists(), f"{name}: {rel} was not written"
            else:
                assert not now.exists() or now.read_bytes() != data, f"{name}: {rel} was not updated"
        assert {rel: (out / rel).stat().st_ino for rel in UNTOUCHED_FEEDS} == kept, f"{name}: untouched feeds rewritten"
        if name == "cancel":  # the page stays, saying since when the item is no longer on the list
            assert "本事项已取消" in (out / page / "index.html").read_text(encoding="utf-8")
        clone = tmp_path / f"clone-{name}"
        subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
        fresh = build_site(clone, tmp_path / f"fresh-{name}")
        assert fresh.ok
        assert same_site(out, tmp_path / f"fresh-{name}") == [], name
        assert search.RECENT_PART in (out / search.PAGEFIND_DIR / search.PARTS_FILE).read_text(encoding="utf-8")


def test_a_character_no_page_holds_any_more_leaves_the_search_script_map(tmp_path, fixed_date):
    """The map that lets a 繁體 query find Simplified pages lists the characters the site's pages
    hold: after an edit removes the only page text with 鼍, a build from the previous one drops it,
    as a fresh clone's build does."""
    root = demo_with_history(tmp_path / "county")
    out = tmp_path / "site"

    def script_map() -> str:
        return (out / "assets/script-map.json").read_text(encoding="utf-8")

    # A clerk's draft, built but never committed (a committed name would stay in the item's history).
    _replace(root / "lists/power/fgw.yml", "name: 企业投资项目核准\n", "name: 企业投资项目核准（鼍）\n")
    assert build_site(root, out).ok and "鼍" in script_map()
    _replace(root / "lists/power/fgw.yml", "name: 企业投资项目核准（鼍）\n", "name: 企业投资项目核准\n")
    assert build_site(root, out).ok
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    assert build_site(clone, tmp_path / "fresh").ok
    assert script_map() == (tmp_path / "fresh/assets/script-map.json").read_text(encoding="utf-8")


def test_nothing_changed_means_nothing_is_done(tmp_path, fixed_date):
    root = demo_with_history(tmp_path / "county")
    assert build_site(root, tmp_path / "site").ok
    again = build_site(root, tmp_path / "site")
    assert again.ok and again.unchanged


def test_a_site_changed_by_hand_is_built_again_from_nothing(tmp_path, fixed_date):
    """The record of the previous build is trusted only for the site it describes."""
    root = demo_with_history(tmp_path / "county")
    out = tmp_path / "site"
    assert build_site(root, out).ok
    (out / ITEM / "index.html").write_text("被人改过", encoding="utf-8")
    (out / "index.html").touch()
    rename(root)
    result = build_site(root, out)
    assert result.ok and "shell" in result.timings  # cold: MkDocs ran
    assert "被人改过" not in (out / ITEM / "index.html").read_text(encoding="utf-8")


def test_the_preview_after_each_clerk_edit_is_the_site_a_build_writes(tmp_path, fixed_date):
    """`qingdan serve`: after each edit the open tab's page changes at once, and once the preview
    caught up (downloads, search, sitemap) its folder is the site `qingdan build` writes."""
    import urllib.error

    from test_serve import fetch, start_serve

    def shown_at(url: str) -> str:
        try:
            return fetch(url)
        except urllib.error.HTTPError as error:  # an item removed before its removal is committed
            return f"HTTP {error.code}"

    root = demo_with_history(tmp_path / "county")
    process, lines, base = start_serve(root)
    try:
        for name, edit, page, _touched in EDITS:
            shown = shown_at(base + page)
            edit(root)
            assert re.search(r"已更新 \d+ 个页面", lines.wait_for("已更新|生成失败")), "".join(lines.seen[-5:])
            assert shown_at(base + page) != shown, name
            lines.wait_for("下载文件和搜索索引已更新")
            fresh = build_site(root, tmp_path / f"fresh-{name}")
            assert fresh.ok
            # the manifest aside, which serve leaves as the last build wrote it
            assert same_site(root / "site", tmp_path / f"fresh-{name}") == ["qingdan-manifest.json"], name
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_rename_in_large_lists_rewrites_the_index_pages_it_touches(tmp_path, fixed_date, monkeypatch):
    """Lists as large as a county's (here: as if more than 5 items were many): list pages link to
    department pages and the 拼音索引 has a page per letter. A rename within its letter rewrites
    that letter's page and not the others; one to another letter changes every letter's count.
    Either way the site is the one a fresh build writes."""
    from generator.render.pages import PageBuilder

    monkeypatch.setattr(PageBuilder, "list_threshold", 5)
    root = demo_with_history(tmp_path / "county")
    out = tmp_path / "site"
    assert build_site(root, out).ok
    assert (out / "pinyin/q/index.html").exists() and (out / "pinyin/z/index.html").exists()
    steps = [("same letter", "企业投资项目核准", "企业投资项目核准（含变更）", "pinyin/q/"),
             ("other letter", "企业投资项目核准（含变更）", "变更后的企业投资项目核准", "pinyin/b/")]
    for name, old, new, page in steps:
        _replace(root / "lists/power/fgw.yml", f"name: {old}\n", f"name: {new}\n")
        result = build_site(root, out)
        assert result.ok, name
        written = set(result.written)
        assert {"pinyin/q/", page, "power/", "departments/fgw/"} <= written, (name, written)
        if name == "same letter":
            assert "pinyin/z/" not in written and "pinyin/" not in written, written
        else:
            assert {"pinyin/z/", "pinyin/"} <= written, written
        assert new in (out / page / "index.html").read_text(encoding="utf-8")
        assert build_site(root, tmp_path / f"fresh-{name}").ok
        assert same_site(out, tmp_path / f"fresh-{name}") == [], name


def test_a_rename_reaches_the_tombstone_that_links_the_renamed_item(tmp_path, fixed_date):
    """A code changed (改码) leaves a page at the old address linking the item by its current name:
    renaming that item rewrites the tombstone as a fresh build writes it; other renames do not
    render the adjustment pages again."""
    root = demo_with_history(tmp_path / "county")
    for path in (root / "lists").rglob("*.yml"):  # the item and the references to it
        path.write_text(path.read_text(encoding="utf-8").replace("3607990010100100", "3607990010100199"),
                        encoding="utf-8")
    _git(root, "commit", "-qam", "统一事项编码\n\n调整依据: 示府办字〔2025〕9号\n发布日期: 2025-06-01")
    out = tmp_path / "site"
    assert build_site(root, out).ok
    tombstone = out / ITEM / "index.html"
    assert "现编码为" in tombstone.read_text(encoding="utf-8")
    _replace(root / "lists/fee/zjj.yml", "name: ", "name: 改名后的")
    other = build_site(root, out)
    assert other.ok and not any(p.startswith("adjustments/") or p == ITEM for p in other.written), other.written
    _replace(root / "lists/power/fgw.yml", "name: 企业投资项目核准\n", "name: 企业投资项目核准（含变更）\n")
    result = build_site(root, out)
    assert result.ok and ITEM in result.written
    assert "企业投资项目核准（含变更）" in tombstone.read_text(encoding="utf-8")
    assert build_site(root, tmp_path / "fresh").ok
    assert same_site(out, tmp_path / "fresh") == []
