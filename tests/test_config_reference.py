"""docs/config-reference.md is generated from the declared options, so it can never drift from what
`qingdan check` accepts; and every option a clerk can write is documented there."""

from __future__ import annotations

from generator.config import ROOT
from generator.configdocs import PAGE, main, render
from generator.configoptions import Option, Section


def _declared(option: Option, path: str = ""):
    """Every option under `option`, with its dotted path."""
    below = option.below()
    children = option.options if isinstance(option, Section) else [below[1]] if below else []
    for child in children:
        child_path = f"{path}.{child.key}".strip(".") if child.key else path
        yield child_path, child
        yield from _declared(child, child_path)


def test_committed_reference_page_is_what_the_declarations_generate():
    assert PAGE.read_text(encoding="utf-8") == render(), "请运行 python -m generator.configdocs 重新生成 docs/config-reference.md"


def test_check_mode_reports_a_stale_page(tmp_path, monkeypatch):
    stale = tmp_path / "config-reference.md"
    stale.write_text(render().replace("网站名称", "站名"), encoding="utf-8")
    monkeypatch.setattr("generator.configdocs.PAGE", stale)
    assert main(["--check"]) == 1
    assert main([]) == 0 and main(["--check"]) == 0


def test_every_option_has_chinese_words_and_documentation():
    keyed = [(path, option) for path, option in _declared(ROOT) if option.key]
    assert len(keyed) > 60
    undocumented = [path for path, option in keyed if not option.words or not option.doc]
    assert not undocumented, f"没有说明的设置：{undocumented}"


def test_every_declared_option_is_on_the_page():
    page = render()
    for path, option in _declared(ROOT):
        if option.key:
            assert f"| `{option.key}` |" in page, path
