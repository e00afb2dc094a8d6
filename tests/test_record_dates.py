"""The dates of an adjustment (决定日期, 发布日期, 生效日期) and the one meaning of a typed date.

A county types years of notices into git in one day: every commit here has the same commit date,
and only the trailers date the record. `qingdan diff DATE DATE` and `history --since DATE` must pick
by the record date (生效日期, else 发布日期, else the commit's day); an edition's name is a version;
bad dates are located warnings. The demo county's own record, replayed in one day, answers
`qingdan diff 2021版 2024版` and `qingdan diff 2021-12-31 2024-12-31` with the same adjustments.
Also the item field 有效期至 (valid_until): validated where it is written, imported, exported.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from demo_project import demo_record
from mini_project import edit, make_git_project, make_project, qingdan, run_check

ONE_DAY = "2026-11-28T10:00:00+08:00"
BUILD = "000117004000"  # the mini project's 建筑工程施工许可 (lists/power/zjj.yml)


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "县编办", "GIT_AUTHOR_EMAIL": "bb@example.gov.cn",
           "GIT_COMMITTER_NAME": "县编办", "GIT_COMMITTER_EMAIL": "bb@example.gov.cn",
           "GIT_AUTHOR_DATE": ONE_DAY, "GIT_COMMITTER_DATE": ONE_DAY}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def diff_json(root: Path, a: str, b: str) -> dict:
    run = qingdan(root, "diff", a, b, "--format", "json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


BAD_MESSAGE = "关于调整建筑工程施工许可条件的通知\n\n调整依据: 测政办发〔2022〕1号\n决定日期: 2022-03-12\n" \
              "发布日期: 2022-13-10\n生效日期: 2022-03-01"


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """A record entered in one day: the first publication (2017), an adjustment decided, published and
    in force on three days of 2019, one of 2021 stating no 生效日期, one of 2022 with a bad date."""
    root = make_project(tmp_path_factory.mktemp("oneday") / "county")
    power = root / "lists/power/zjj.yml"
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "测试县清单首次公布\n\n清单基线: 首次公布\n发布日期: 2017-06-30")
    edit(power, "promised: 3", "promised: 2")
    git(root, "commit", "-qam", "关于压缩建筑工程施工许可办理时限的通知\n\n调整依据: 测政办发〔2019〕8号\n"
        "决定日期: 2019-02-20\n发布日期: 2019-03-01\n生效日期: 2019-04-01")
    edit(power, "result: 建筑工程施工许可证", "result: 建筑工程施工许可证（电子证照）")
    git(root, "commit", "-qam", "关于推行电子证照的通知\n\n调整依据: 测政办发〔2021〕2号\n批准日期: 2021-04-28\n发布日期: 2021-05-10")
    edit(power, "procedure: [", "procedure: [网上申请, ")
    git(root, "commit", "-qam", BAD_MESSAGE)
    config = root / "site_config.yml"  # an edition declared by date, not committed (read from the working tree)
    config.write_text(config.read_text(encoding="utf-8") + "\neditions:\n  declared:\n"
                      "    - {name: 2019版, date: 2019-12-31}\n", encoding="utf-8")
    assert set(git(root, "log", "--format=%cI").split()) == {ONE_DAY}  # every commit made on one day
    return root


def test_a_typed_date_picks_the_lists_in_force_by_record_date(county) -> None:
    # 2019-03-31: published, not yet in force; 2019-04-01: in force.
    data = diff_json(county, "2019-03-31", "2019-04-01")
    assert (data["a"]["kind"], data["b"]["kind"]) == ("date", "date")
    assert [(i["code"], [c["field"] for c in i["changes"]]) for i in data["items"]] == [(BUILD, ["time_limit"])]
    assert data["adjustments"] == [{
        "title": "关于压缩建筑工程施工许可办理时限的通知", "basis": "测政办发〔2019〕8号", "decided": "2019-02-20",
        "published": "2019-03-01", "effective": "2019-04-01", "record_date": "2019-04-01",
        "commit": data["b"]["commit"], "counts": {"变更": 1}}]
    # Without a 生效日期 the 发布日期 dates the record; the 批准日期 is its 决定日期.
    later = diff_json(county, "2019-12-31", "2021-12-31")
    assert [(a["basis"], a["decided"], a["published"], a["effective"], a["record_date"])
            for a in later["adjustments"]] == [("测政办发〔2021〕2号", "2021-04-28", "2021-05-10", "", "2021-05-10")]
    assert [c["field"] for c in later["items"][0]["changes"]] == ["result"]
    assert diff_json(county, "2019-04-02", "2021-05-09")["items"] == []


def test_dates_before_the_first_publication_say_when_it_was(county) -> None:
    run = qingdan(county, "diff", "2017-06-29", "HEAD")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "2017-06-29 早于清单首次公布（2017-06-30，测试县清单首次公布）" in run.stderr
    assert "生效日期" in run.stderr  # the hint says what a date means
    assert qingdan(county, "diff", "2021-02-30", "HEAD").stderr.startswith("qingdan diff：“2021-02-30”不是有效的日期")


def test_a_declared_edition_is_a_version_and_unknown_names_list_the_editions(county) -> None:
    data = diff_json(county, "2019版", "HEAD")
    assert data["a"]["kind"] == "edition" and data["a"]["date"] == "2019-12-31"
    assert [a["basis"] for a in data["adjustments"]] == ["测政办发〔2021〕2号", "测政办发〔2022〕1号"]
    run = qingdan(county, "diff", "2018版", "HEAD")
    assert run.returncode == 2 and "找不到版本“2018版”" in run.stderr
    assert "历史版本：2019版" in run.stderr and "日期 YYYY-MM-DD" in run.stderr and "分支名" in run.stderr


def test_the_report_shows_the_three_dates_in_every_format(county, tmp_path) -> None:
    text = qingdan(county, "diff", "2019-03-31", "2021-12-31").stdout
    assert "期间的调整（2 次）" in text
    assert "决定日期 2019-02-20，发布日期 2019-03-01，生效日期 2019-04-01；变更 1 项" in text
    assert "2021-05-10  关于推行电子证照的通知（测政办发〔2021〕2号）" in text
    md = qingdan(county, "diff", "2019-03-31", "2021-12-31", "--format", "md").stdout
    assert "| 关于推行电子证照的通知 | 测政办发〔2021〕2号 | 2021-04-28 | 2021-05-10 | — | 变更 1 项 |" in md
    html = qingdan(county, "diff", "2019-03-31", "2021-12-31", "--format", "html").stdout
    assert '<td class="n">2019-02-20</td><td class="n">2019-03-01</td><td class="n">2019-04-01</td>' in html
    out = tmp_path / "审核.xlsx"
    assert qingdan(county, "diff", "2019-03-31", "2021-12-31", "--format", "xlsx", "--output", str(out)).returncode == 0
    rows = [[c for c in row if c is not None] for row in openpyxl.load_workbook(out)["汇总"].iter_rows(values_only=True)]
    assert ["关于推行电子证照的通知", "测政办发〔2021〕2号", "2021-04-28", "2021-05-10", "变更 1 项"] in rows


def test_history_since_compares_record_dates_and_shows_the_decided_date(county) -> None:
    def since(day: str) -> list[str]:
        run = qingdan(county, "history", "--since", day, "--format", "json")
        assert run.returncode == 0, run.stderr
        return [e["basis"] for e in json.loads(run.stdout)["events"]]

    assert since("2019-04-01") == ["测政办发〔2022〕1号", "测政办发〔2021〕2号", "测政办发〔2019〕8号"]
    assert since("2019-04-02") == ["测政办发〔2022〕1号", "测政办发〔2021〕2号"]  # published 03-01, in force 04-01
    assert since("2019版") == ["测政办发〔2022〕1号", "测政办发〔2021〕2号"]  # the adjustments after the edition
    events = json.loads(qingdan(county, "history", "--format", "json").stdout)["events"]
    assert [(e["decided"], e["record_date"]) for e in events] == [
        ("2022-03-12", "2022-03-01"), ("2021-04-28", "2021-05-10"), ("2019-02-20", "2019-04-01")]
    text = qingdan(county, "history", f"power/{BUILD}").stdout
    assert "2019-04-01  变更  权力清单" in text
    assert "调整依据：测政办发〔2019〕8号  决定日期：2019-02-20  发布日期：2019-03-01  生效日期：2019-04-01" in text
    bad = qingdan(county, "history", "--since", "下周")
    assert bad.returncode == 2 and "既不是日期也不是历史版本的名称" in bad.stderr and "2019版" in bad.stderr


def test_bad_and_disordered_dates_are_located_warnings(county) -> None:
    run = qingdan(county, "history", "--format", "json")
    notices = {n["rule"]: n for n in json.loads(run.stdout)["notices"]}
    assert set(notices) == {"history-date", "history-date-order"}
    sha = git(county, "rev-parse", "--short=7", "HEAD").strip()
    where = f"提交 {sha}（2026-11-28，关于调整建筑工程施工许可条件的通知）"
    bad = notices["history-date"]
    assert bad["message"] == f"{where}的发布日期“2022-13-10”不是日期，已忽略"
    assert (bad["severity"], bad["file"], bad["line"]) == ("warning", f"提交 {sha} 的说明", 5)
    assert "发布日期: 2016-12-01" in bad["hint"] and "YYYY-MM-DD" in bad["hint"]
    order = notices["history-date-order"]  # a notice published after it takes effect is lawful: not reported
    assert order["message"] == f"{where}的决定日期 2022-03-12 晚于生效日期 2022-03-01，请核对"
    assert order["line"] == 4
    text = qingdan(county, "history").stderr  # the CLI prints them where they are, not fatal
    assert f"提交 {sha} 的说明:5: 警告：" in text


# -- the demo county's record, entered in one day ------------------------------------------------

BETWEEN_2021_AND_2024 = [
    "示政发〔2022〕2号", "示政办发〔2022〕9号", "示政办发〔2022〕18号", "示政办发〔2022〕25号", "示政办发〔2023〕3号",
    "示政发〔2023〕12号", "示政办发〔2023〕29号", "示发改收费〔2024〕3号", "示政办发〔2024〕11号", "示审改办〔2024〕5号",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = demo_record(tmp_path_factory.mktemp("demo") / "county")
    assert len({line for line in git(root, "log", "--format=%cI").splitlines()}) == 1  # one day
    return root


def test_demo_editions_and_dates_report_the_adjustments_between_them(demo) -> None:
    by_name = diff_json(demo, "2021版", "2024版")
    by_date = diff_json(demo, "2021-12-31", "2024-12-31")
    for data in (by_name, by_date):
        assert [a["basis"] for a in data["adjustments"]] == BETWEEN_2021_AND_2024
        # 示政发〔2024〕28号 was published on 2024-12-16 but took effect on 2025-01-01: not in 2024版
        names = {(i["status"], i["name"]) for i in data["items"]}
        assert ("added", "食品生产许可（新办）") in names
        assert not any("农村公益性墓地" in name for _, name in names)
    assert (by_name["a"]["commit"], by_name["b"]["commit"]) == (by_date["a"]["commit"], by_date["b"]["commit"])
    text = qingdan(demo, "diff", "2021版", "2024版").stdout
    assert "期间的调整（10 次）" in text
    assert "2022-03-01  关于贯彻实施《中华人民共和国市场主体登记管理条例》调整登记事项的通知（示政发〔2022〕2号）" in text
    assert "2024-10-08  关于启用便民服务事项统一编码的通知（示审改办〔2024〕5号）" in text
    early = qingdan(demo, "diff", "2019-12-31", "HEAD")
    assert early.returncode == 2 and "早于清单首次公布（2020-01-01" in early.stderr


# -- 有效期至 ----------------------------------------------------------------------------------------

def test_valid_until_is_a_date_validated_where_it_is_written(tmp_path) -> None:
    root = make_project(tmp_path / "p")
    power = root / "lists/power/scjgj.yml"
    edit(power, "    fee: {basis: 无, standard: 不收费}\n  - code", "    fee: {basis: 无, standard: 不收费}\n"
         "    valid_until: 2026-02-30\n  - code")
    run = run_check(root)
    assert run.returncode == 1
    assert "lists/power/scjgj.yml:15:5: 错误［power/000131127004］：字段“有效期至”应当是日期，而不是“2026-02-30”" in run.stdout
    assert "按 2024-01-31 的格式书写" in run.stdout and "Traceback" not in run.stdout + run.stderr
    edit(power, "valid_until: 2026-02-30", "valid_until: 2026年6月30日")
    assert run_check(root).returncode == 0
    out = tmp_path / "power.csv"
    export = qingdan(root, "export", "--list", "power", "--format", "csv", "--output", str(out))
    assert export.returncode == 0, export.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["有效期至"] for r in rows if r["事项编码"] == "000131127004"] == ["2026-06-30"]


@pytest.mark.parametrize("header", ["有效期至", "有效期限至", "有效截止日期"])
def test_valid_until_imports_from_its_usual_headers(tmp_path, header) -> None:
    root = make_git_project(tmp_path / "p")
    sheet = tmp_path / "list.csv"
    sheet.write_text(f"事项编码,事项名称,职权类型,{header}\n000131127004,食品经营许可,行政许可,2027/3/31\n",
                     encoding="utf-8")
    run = qingdan(root, "import", str(sheet), "--list", "power", "--department", "scjgj")
    assert run.returncode == 0, run.stdout + run.stderr
    data = yaml.safe_load((root / "lists/power/scjgj.yml").read_text(encoding="utf-8"))
    item = next(i for i in data["items"] if i["code"] == "000131127004")
    assert str(item["valid_until"]) == "2027-03-31"
