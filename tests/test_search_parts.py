"""The search index in keyed parts (generator/search.py: part_of, index_parts): an edit re-indexes
only the parts it touched, and leaves every other part's files as they were, byte for byte."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from generator import search as searching

BUCKETS = 8


def test_an_items_part_is_stable_and_other_pages_are_in_the_site_part():
    item = searching.part_of("power/000131127004/", BUCKETS)
    assert item.startswith("items-") and item in searching.part_names(BUCKETS)
    assert searching.part_of("power/000131127004/index.html", BUCKETS) == item  # a file path names the same page
    assert item == "items-2"  # the same in every run and on every machine (no salted hash)
    for page in ("", "power/", "departments/scjgj/", "adjustments/scjgj/", "pinyin/", "stats/", "about/"):
        assert searching.part_of(page, BUCKETS) == searching.SITE_PART, page
    codes = [searching.part_of(f"power/{n:012d}/", BUCKETS) for n in range(2000)]
    sizes = [codes.count(p) for p in searching.part_names(BUCKETS)[1:]]
    assert min(sizes) > 0.7 * max(sizes), sizes  # the parts stay even


def test_a_site_is_split_only_past_what_one_pagefind_run_holds():
    """Every split costs the first search bytes (benchmarks/search_parts.py): up to PART_SIZE
    items the whole site is one bundle, as before; past it, no part holds more than PART_SIZE."""
    assert searching.buckets(10_000) == 1 and searching.part_of("power/000131127004/", 1) == searching.SITE_PART
    assert searching.part_names(1) == [searching.SITE_PART]
    for items in (searching.PART_SIZE + 1, 100_000):
        count = searching.buckets(items)
        assert count >= 2 and items / count <= searching.PART_SIZE, items


def _document(title: str, body: str) -> str:
    return searching.lean_document(title, f'<main data-pagefind-body><h1>{title}</h1><p>{body}</p></main>')


def _write(docs: Path, page: str, title: str, body: str) -> str:
    part = searching.part_of(page, BUCKETS)
    target = docs / part / page / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_document(title, body), encoding="utf-8")
    return part


def _files(bundle: Path) -> dict[str, str]:
    return {p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


def test_indexing_the_parts_an_edit_touched_leaves_the_others_untouched(tmp_path):
    docs, output = tmp_path / "docs", tmp_path / "pagefind"
    _write(docs, "", "首页", "清单公开")
    parts = {_write(docs, f"power/{n:012d}/", f"事项{n}", f"食品经营许可 第{n}项") for n in range(40)}
    assert len(parts) == BUCKETS  # 40 items reach every part
    assert searching.index_parts(docs, output, [searching.SITE_PART, *parts]) is None
    listed = json.loads((output / searching.PARTS_FILE).read_text(encoding="utf-8"))[searching.BUNDLES_KEY]
    assert listed == [p + "/" for p in searching.part_names(BUCKETS)]  # the site part first: the primary
    assert (output / "pagefind.js").is_file()
    assert not list(output.glob("*/pagefind-ui.js"))  # Pagefind's own interfaces are not published
    before = {p: _files(output / p) for p in searching.part_names(BUCKETS)}

    edited = _write(docs, "power/000000000007/", "事项7", "食品经营许可 第7项（已调整）")
    assert searching.index_parts(docs, output, [edited]) is None
    after = {p: _files(output / p) for p in searching.part_names(BUCKETS)}
    assert after[edited] != before[edited]
    assert {p: f for p, f in after.items() if p != edited} == {p: f for p, f in before.items() if p != edited}

    # The same pages give the same bytes (a publish sends only what changed).
    _write(docs, "power/000000000007/", "事项7", "食品经营许可 第7项")
    assert searching.index_parts(docs, output, [edited]) is None
    assert _files(output / edited) == before[edited]


def test_a_part_left_without_pages_loses_its_bundle(tmp_path):
    docs, output = tmp_path / "docs", tmp_path / "pagefind"
    _write(docs, "", "首页", "清单公开")
    part = _write(docs, "power/000000000001/", "事项1", "食品经营许可")
    assert searching.index_parts(docs, output, [searching.SITE_PART, part]) is None
    (docs / part / "power" / "000000000001" / "index.html").unlink()
    assert searching.index_parts(docs, output, [part]) is None
    assert not (output / part).exists()
    listed = json.loads((output / searching.PARTS_FILE).read_text(encoding="utf-8"))[searching.BUNDLES_KEY]
    assert listed == [searching.SITE_PART + "/"]


def test_the_package_imports_no_browser_library():
    """The browser driver and the search byte counter are test and benchmark code (benchmarks/browser.py):
    an installed Qingdan never needs Playwright."""
    import re

    package = Path(searching.__file__).parent
    importing = [p.relative_to(package).as_posix() for p in sorted(package.rglob("*.py"))
                 if re.search(r"^\s*(?:from|import)\s+playwright\b", p.read_text(encoding="utf-8"), re.M)]
    assert importing == []
    assert not (package / "browser.py").exists()


def _store_round(folder: Path, output: Path, pages: dict[str, str]) -> tuple[set[str], dict]:
    """One build's documents through the store, the bundles it names indexed by Pagefind as the
    build does; (the bundles indexed again, the recent changes left)."""
    from generator.steps.search_index import DocumentStore

    store = DocumentStore(folder)
    for path, text in pages.items():
        store.put(path, _document(path, text))
    store.finish()
    reader = DocumentStore(folder)
    for bundle in sorted(store.changed):
        docs = folder.parent / "docs"
        shutil.rmtree(docs, ignore_errors=True)
        reader.materialise(bundle, docs / bundle)
        assert searching.index_parts(docs, output, [bundle]) is None
        reader.record_ids(bundle, output / bundle)
    return store.changed, reader.recent()


def test_an_edit_goes_into_the_recent_changes_until_they_pass_their_share(tmp_path):
    """A few changed pages are indexed on their own, on top of the bundle built before, which
    they supersede; past search.FOLD_MIN and search.FOLD_SHARE of the part, the part is indexed
    again whole with them, and the recent changes are empty again."""
    folder, output = tmp_path / "store", tmp_path / "pagefind"
    pages = {f"power/{n:012d}/": f"食品经营许可 第{n}项" for n in range(400)}
    changed, recent = _store_round(folder, output, pages)  # cold: every page into its part
    assert changed >= {searching.SITE_PART} and recent == {}
    before = _files(output / searching.SITE_PART)
    edited = "power/000000000007/"
    changed, recent = _store_round(folder, output, {edited: "餐饮服务许可 第7项"})
    assert changed == {searching.RECENT_PART} and list(recent) == [edited]
    assert _files(output / searching.SITE_PART) == before  # the bundle built before is untouched
    from generator.steps.search_index import DocumentStore

    old_id = searching.fragment_ids(output / searching.SITE_PART)[edited]
    assert DocumentStore(folder).superseded() == [old_id]
    assert list(searching.fragment_ids(output / searching.RECENT_PART)) == [edited]
    many = {f"power/{n:012d}/": f"食品经营许可 第{n}项（已调整）" for n in range(searching.FOLD_MIN + 1)}
    changed, recent = _store_round(folder, output, many)
    assert searching.SITE_PART in changed and recent == {}
    assert edited in searching.fragment_ids(output / searching.SITE_PART)
    assert not (output / searching.RECENT_PART).exists()
