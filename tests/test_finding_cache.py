"""A build keeps each item's own findings between builds (generator/findingcache.py): what it reports
must stay exactly what `qingdan check` (which keeps nothing) reports, edit after edit."""

from __future__ import annotations

from pathlib import Path

from generator.project import open_project
from tests.mini_project import make_project

POWER = "lists/power/scjgj.yml"
CONDITIONS = "conditions: 具有与经营的食品品种、数量相适应的经营场所。"
CATCH_ALL = "conditions: 具有与经营的食品品种、数量相适应的经营场所；法律、法规规定的其他条件。"


def _reported(root: Path, cache: bool) -> list[str]:
    return [problem.format_text() for problem in open_project(root, cache=cache).problems.sorted()]


def _build_reports(root: Path) -> list[str]:
    """What a build loads (the cache on), checked against what `qingdan check` reports."""
    kept = _reported(root, cache=True)
    assert kept == _reported(root, cache=False)
    return kept


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_finding_appears_and_disappears_across_cached_builds(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    assert _build_reports(root) == []
    assert (root / ".cache" / "findings.pickle").is_file()

    _edit(root, POWER, CONDITIONS, CATCH_ALL)
    line = next(n for n, text in enumerate((root / POWER).read_text(encoding="utf-8").splitlines(), 1)
                if "其他条件" in text)
    [warning] = _build_reports(root)
    assert f"{POWER}:{line}:5" in warning and "兜底条款" in warning
    assert _build_reports(root) == [warning]  # the second build reads it from the cache

    _edit(root, "lists/power/zjj.yml", "promised: 3", "promised: 9")  # another file: an error there
    reported = _build_reports(root)
    assert len(reported) == 2 and any("承诺时限 9 工作日长于法定时限 7 工作日" in r for r in reported)
    assert warning in reported

    _edit(root, POWER, CATCH_ALL, CONDITIONS)
    _edit(root, "lists/power/zjj.yml", "promised: 9", "promised: 3")
    assert _build_reports(root) == []


def test_a_rule_level_set_in_site_config_reaches_cached_findings(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    _edit(root, POWER, CONDITIONS, CATCH_ALL)
    [warning] = _build_reports(root)
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nrules:\n  levels:\n    catch-all-clause: off\n",
                      encoding="utf-8")
    assert _build_reports(root) == []
    config.write_text(config.read_text(encoding="utf-8").replace("catch-all-clause: off", "catch-all-clause: error"),
                      encoding="utf-8")
    [error] = _build_reports(root)
    assert error != warning and error.split("兜底条款")[0].replace("错误", "警告") == warning.split("兜底条款")[0]


def test_a_main_item_without_basis_is_judged_by_its_sub_items_every_time(tmp_path: Path) -> None:
    """A 主项 with no basis of its own passes when each 子项 has one: that reads other items."""
    root = make_project(tmp_path / "p")
    extra = """
  - code: "000131127099"
    name: 食品生产许可
    type: 行政许可
    subject: 测试县市场监督管理局
    conditions: 具有与生产的食品品种、数量相适应的生产场所。
    procedure: [申请, 受理, 审查, 决定, 送达]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 食品生产许可证
    fee: {basis: 无, standard: 不收费}
  - code: "000131127099-1"
    name: 食品生产许可（首次）
    parent: "000131127099"
    type: 行政许可
    subject: 测试县市场监督管理局
    basis:
      - law: 《中华人民共和国食品安全法》
        article: 第三十五条
    conditions: 具有与生产的食品品种、数量相适应的生产场所。
    procedure: [申请, 受理, 审查, 决定, 送达]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 食品生产许可证
    fee: {basis: 无, standard: 不收费}
"""
    path = root / POWER
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra.lstrip("\n"), encoding="utf-8")
    assert not any("没有设定依据" in r for r in _build_reports(root))
    _edit(root, POWER, "    basis:\n      - law: 《中华人民共和国食品安全法》\n        article: 第三十五条\n    conditions: 具有与生产",
          "    conditions: 具有与生产")
    assert sum("没有设定依据" in r for r in _build_reports(root)) == 2  # the 子项 and now its 主项
