"""Each item's versions through time, from a real git history: the values in force on any day,
and the adjustments approved but not yet in force on the day a site is built for."""

from __future__ import annotations

from pathlib import Path

from generator.config import load_config
from generator.history.versions import build_timeline, is_pending
from generator.load import load_catalog
from generator.problems import Problems
from tests.test_history import BUILD, FOOD, PENALTY, commit, edit, history, new_repo

SCJGJ = "lists/power/scjgj.yml"
ONE_DAY = "2024-03-01T09:00:00+08:00"  # every commit entered on one day, as in the demo county


def timeline(project: Path, as_of: str):
    found, _ = history(project)
    problems = Problems()
    config = load_config(project, problems)
    catalog = load_catalog(config, problems)
    return build_timeline(found, catalog.items(), as_of)


def make_record(tmp_path: Path) -> Path:
    """A record entered in one day: the 时限 shortened in 2020, the penalty cancelled in 2022, and an
    approved change of the 时限 that takes effect on 2027-01-01."""
    top, project = new_repo(tmp_path)
    edit(project, SCJGJ, "{statutory: 20, promised: 5", "{statutory: 20, promised: 3")
    commit(top, "关于压缩食品经营许可承诺时限的通知\n\n调整依据: 测政发〔2020〕1号\n生效日期: 2020-06-01", ONE_DAY)
    text = (project / SCJGJ).read_text(encoding="utf-8")
    start = text.index('  - code: "000231001000"')
    (project / SCJGJ).write_text(text[:start], encoding="utf-8")
    commit(top, "关于取消一项行政处罚的通知\n\n调整依据: 测政发〔2022〕2号\n发布日期: 2022-05-10", ONE_DAY)
    edit(project, SCJGJ, "{statutory: 20, promised: 3", "{statutory: 15, promised: 2")
    commit(top, "关于再次压缩食品经营许可时限的通知\n\n调整依据: 测政发〔2026〕9号\n决定日期: 2026-11-20\n"
           "生效日期: 2027-01-01", ONE_DAY)
    return project


def test_values_in_force_on_any_day_follow_the_record_dates_not_the_commit_dates(tmp_path: Path) -> None:
    record = timeline(make_record(tmp_path), "2026-12-07")
    promised = {day: record.in_force("power", FOOD, day).values["time_limit"]["promised"]
                for day in ("2019-12-31", "2020-06-01", "2026-12-31", "2027-01-01")}
    assert promised == {"2019-12-31": 5, "2020-06-01": 3, "2026-12-31": 3, "2027-01-01": 2}
    assert record.in_force("power", FOOD).values["time_limit"] == {"statutory": 20, "promised": 3, "unit": "工作日"}


def test_a_cancelled_item_is_in_force_until_its_cancellation_and_not_after(tmp_path: Path) -> None:
    record = timeline(make_record(tmp_path), "2026-12-07")
    assert record.in_force("power", PENALTY, "2022-05-09").values["name"] == "对生产经营不符合食品安全标准的食品的处罚"
    assert not record.in_force("power", PENALTY, "2022-05-10").listed
    assert record.in_force("power", BUILD, "2022-05-10").listed  # other items are untouched


def test_a_change_effective_after_the_as_of_day_is_pending_until_that_day(tmp_path: Path) -> None:
    project = make_record(tmp_path)
    before = timeline(project, "2026-12-31")
    assert [a.basis for a in before.pending] == ["测政发〔2026〕9号"]
    (upcoming,) = before.pending_versions("power", FOOD)
    assert (upcoming.valid_from, upcoming.values["time_limit"]["statutory"]) == ("2027-01-01", 15)
    after = timeline(project, "2027-01-01")
    assert after.pending == [] and after.pending_versions("power", FOOD) == []
    assert not is_pending(after.in_force("power", FOOD).event, "2027-01-01")


def test_each_version_ends_the_day_the_next_one_starts(tmp_path: Path) -> None:
    versions = timeline(make_record(tmp_path), "2026-12-07").versions[("power", FOOD)]
    assert [(v.valid_from, v.valid_to) for v in versions] == [
        ("2016-01-04", "2020-06-01"), ("2020-06-01", "2027-01-01"), ("2027-01-01", "")]
    assert [(v.adjustment.title, v.adjustment.basis) for v in versions] == [
        ("发布权责清单", ""), ("关于压缩食品经营许可承诺时限的通知", "测政发〔2020〕1号"),
        ("关于再次压缩食品经营许可时限的通知", "测政发〔2026〕9号")]


def test_the_current_version_is_hidden_only_by_a_declared_effective_date(tmp_path: Path) -> None:
    """What the site shows as 现行 on its as-of day: a change with a later 生效日期 is pending; one whose
    commit (or 发布日期) is dated after the as-of day but declares no 生效日期 is not hidden."""
    project = make_record(tmp_path)
    record = timeline(project, "2026-12-07")
    assert record.current("power", FOOD).values["time_limit"]["promised"] == 3
    early = timeline(project, "2021-01-01")  # every commit is dated 2024-03-01, after this day
    assert early.current("power", FOOD).values["time_limit"]["promised"] == 3  # 生效日期 2020-06-01: in force
    # its 取消 declares only a 发布日期 (2022): not pending, so the site shows it cancelled, as committed,
    # while by the record's dates (`in_force`, for a look back at that day) it was still listed then
    assert not early.current("power", PENALTY).listed
    assert early.in_force("power", PENALTY).listed
    assert timeline(project, "2027-01-01").current("power", FOOD).values["time_limit"]["promised"] == 2
