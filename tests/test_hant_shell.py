"""The 繁體 shells (generator/site/hant_shell.py) give every page exactly the bytes that converting the
whole page gives: the shell is converted once per depth, only what fills it per page (each line of it
once per build); and the Chinese characters of both pages that the script map counts."""

from __future__ import annotations

import posixpath

from demo_project import copy_demo_project

from generator import traditional
from generator.site.hant_shell import hant_shells
from generator.site.shell import page_html
from generator.steps import STEPS
from generator.steps.runner import Options, Runner

SITE_URL = "https://qingdan.example.gov.cn/sub/"


def test_every_shell_page_is_converted_as_the_whole_page_would_be(tmp_path):
    root = copy_demo_project(tmp_path / "county")
    runner = Runner(STEPS, root, tmp_path / "site", Options(search=False, site_url=SITE_URL))
    assert runner.run().ok
    config = runner.products["@catalog"].config
    shells = runner.products["@shells"]
    compared = set()
    for variant in ("tw", "hk"):
        converter = traditional.PageConverter(variant, SITE_URL, traditional.site_phrases(config.traditional_phrases))
        by_depth = hant_shells(shells, converter)
        for spec in runner.products["@pages"]:
            if spec.nav:
                continue
            page = spec.make()
            simplified = page_html(shells, page, SITE_URL)
            whole = converter.page(simplified, posixpath.dirname(page.path + "index.html"))
            # One filling gives both pages, and the characters the script map counts for each.
            assert by_depth[page.depth].fill_both(page, SITE_URL) == (
                simplified, whole, traditional.han_chars(simplified), traditional.han_chars(whole)), page.path
            compared.add(page.kind)
    # Every kind of shell page was compared: items, 主项, departments, 拼音 letters.
    assert {"item", "main", "department"} <= compared, compared
