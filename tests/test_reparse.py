"""A preview parses only the items of a saved file whose text changed (generator/reparse.py): the
items and problems are always those a full parse of the file gives, and an item whose text and
place did not change keeps its object."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from demo_project import PROJECT

from generator.config import SiteConfig, load_config
from generator.load import parse_list_bytes
from generator.problems import Problems
from generator.reparse import record, reparse

REL = "lists/power/fgw.yml"


@pytest.fixture(scope="module")
def config() -> SiteConfig:
    problems = Problems()
    loaded = load_config(PROJECT, problems)
    assert loaded is not None and not problems.has_errors()
    return loaded


def _full(config: SiteConfig, text: str) -> tuple[list, list]:
    problems = Problems()
    return parse_list_bytes(text.encode("utf-8"), REL, config, problems), problems.items


def _saved(config: SiteConfig, before: str, after: str):
    items, problems = _full(config, before)
    assert problems == []
    known = record(before.encode("utf-8"), items)
    assert known is not None  # the demo's file is plainly a header and its items
    found = Problems()
    again, known_after = reparse(after.encode("utf-8"), REL, config, found, known)
    return items, again, found.items, known_after


def _edit_second_item(text: str) -> str:
    return text.replace("name: 固定资产投资项目节能审查\n", "name: 固定资产投资项目节能审查（含变更）\n", 1)


def test_a_save_parses_the_changed_item_and_keeps_the_others(config):
    before = (PROJECT / REL).read_text(encoding="utf-8")
    after = _edit_second_item(before)
    items, again, problems, known = _saved(config, before, after)
    assert problems == []
    assert again == _full(config, after)[0]
    assert again[1].name == "固定资产投资项目节能审查（含变更）"
    kept = [new is old for new, old in zip(again, items, strict=True)]
    assert kept == [i != 1 for i in range(len(items))]
    # the next save starts from this one
    third = after.replace("name: 企业投资项目核准\n", "name: 企业投资项目核准（含变更）\n", 1)
    found = Problems()
    latest, _ = reparse(third.encode("utf-8"), REL, config, found, known)
    assert latest == _full(config, third)[0] and found.items == []
    assert latest[1] is again[1] and latest[0] is not again[0]


def _add_line_to_first(text: str) -> str:
    return text.replace("    office: 固定资产投资股\n", "    office: 固定资产投资股\n    result: 核准文件\n", 1)


def _unknown_field(text: str) -> str:
    return _edit_second_item(text).replace("    office: 能源与节能股\n", "    offfice: 能源与节能股\n", 1)


def _drop_first(text: str) -> str:
    start = text.index("  - code:")
    return text[:start] + text[text.index("  - code:", start + 1):]


def _anchor(text: str) -> str:
    return text.replace("subject: 示例县发展和改革委员会\n", "subject: &s 示例县发展和改革委员会\n", 1)


def _broken_yaml(text: str) -> str:
    return _edit_second_item(text).replace("    level: 县\n", "    level: [县\n", 1)


def _key_after_items(text: str) -> str:
    return text + "department: fgw\n"


@pytest.mark.parametrize("edit", [_add_line_to_first, _unknown_field, _drop_first, _anchor, _broken_yaml,
                                  _key_after_items])
def test_any_save_gives_the_items_and_problems_of_a_full_parse(config, edit: Callable[[str], str]):
    """Lines shifted, an item dropped, an error in the changed item, YAML an item-by-item parse
    could misread: the same items, and every problem at the same place, as a full parse."""
    before = (PROJECT / REL).read_text(encoding="utf-8")
    after = edit(before)
    _, again, problems, known = _saved(config, before, after)
    items, expected = _full(config, after)
    assert again == items
    assert problems == expected
    if expected:  # a file with a problem is parsed whole next time
        assert known is None


def test_a_removed_item_leaves_the_others_at_their_places(config, tmp_path: Path):
    before = (PROJECT / REL).read_text(encoding="utf-8")
    last = before.rindex("  - code:")
    after = before[:last]
    items, again, problems, _ = _saved(config, before, after)
    assert problems == [] and again == _full(config, after)[0]
    # the item before it now ends the file (its text gained the file's last line break): parsed again
    assert all(new is old for new, old in zip(again[:-1], items[:-2], strict=True))


def test_a_preview_keeps_the_items_a_save_left_alone_and_writes_the_site_a_build_writes(tmp_path, monkeypatch):
    """In `qingdan serve`: after a rename, the other items of the saved file are the objects the
    preview already had (their keys are not made again); the renamed one is new; and once the
    preview caught up its folder is the site `qingdan build` writes."""
    from demo_project import demo_with_history
    from test_pipeline import rename, same_site

    from generator.site.build import build_site
    from generator.steps import STEPS
    from generator.steps.runner import Options, Runner

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    root = demo_with_history(tmp_path / "county")
    runner = Runner(STEPS, root, tmp_path / "site", Options(), serving=True)
    assert runner.run().ok

    def fgw() -> list:
        return [i for i in runner.products["@catalog"].catalog.items() if i.file == REL]

    before = fgw()
    rename(root)
    result = runner.update({root / REL})
    assert result.ok and "power/3607990010100100/" in result.written
    after = fgw()
    made_again = [new.name for new, old in zip(after, before, strict=True) if new is not old]
    assert made_again == ["企业投资项目核准（含变更）"]
    assert runner.catch_up().ok
    assert build_site(root, tmp_path / "fresh").ok
    assert same_site(tmp_path / "site", tmp_path / "fresh") == ["qingdan-manifest.json"]
