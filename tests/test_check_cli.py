"""`qingdan check` as a user runs it: a real process, its exit code, its text and its JSON."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mini_project import make_project, run_check

MINI_COUNTS = {
    "power": 3, "responsibility": 1, "fee": 1, "prerequisite": 1, "intermediary": 1, "convenience": 1,
}
# A power item with its name and type but none of the eight disclosures: loads, with warnings.
BARE_POWER = """\
department: mzj
items:
  - code: MZ-001
    name: 社会团体成立登记
    type: 行政许可
"""
CERTIFICATE_TYPE = """
extra_list_types:
  - id: certificate
    title: 证明事项清单
    item_label: 证明事项
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 证明名称, type: text, required: true}
      - {name: requester, label: 索要单位, type: text, required: true}
      - {name: status, label: 清理结果, type: enum, enum: certificate_status, required: true}
"""


def test_valid_project_passes_with_counts(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    text = run_check(project)
    assert text.returncode == 0 and text.stderr == ""
    assert text.stdout.splitlines() == [
        "事项数：power 3，responsibility 1，fee 1，prerequisite 1，intermediary 1，convenience 1",
        "校验通过：0 个错误，0 个警告。",
    ]
    data = run_check(project, "--format", "json").json
    assert data == {"ok": True, "errors": [], "warnings": [], "counts": MINI_COUNTS}


def test_warnings_alone_do_not_fail_and_can_be_hidden(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"lists/power/mzj.yml": BARE_POWER})
    run = run_check(project)
    assert run.returncode == 0
    assert (
        "lists/power/mzj.yml:3:5: 警告［power/MZ-001］：八公开要素缺少：办理主体、办理依据、办理条件、办理程序、"
        "办理时限、办理结果、收费依据、收费标准（网站上将显示“未公开”）" in run.stdout
    )
    assert "lists/power/mzj.yml:3:5: 警告［power/MZ-001］：权力事项没有设定依据" in run.stdout
    assert run.stdout.splitlines()[-1] == "校验通过：0 个错误，2 个警告。"

    quiet = run_check(project, "--no-warnings")
    assert quiet.returncode == 0
    assert "警告［" not in quiet.stdout
    assert quiet.stdout.splitlines()[-1] == "校验通过：0 个错误，2 个警告。"

    data = run_check(project, "--format", "json").json
    assert data["ok"] is True and data["errors"] == []
    assert {w["rule"] for w in data["warnings"]} == {"missing-disclosure", "no-legal-basis"}
    for warning in data["warnings"]:
        assert warning["severity"] == "warning"
        assert (warning["file"], warning["line"], warning["column"]) == ("lists/power/mzj.yml", 3, 5)
        assert (warning["list"], warning["code"]) == ("power", "MZ-001")


def test_every_mistake_in_every_file_is_reported_in_one_run(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {
        "lists/power/mzj.yml": BARE_POWER.replace("行政许可", "行政批准") + "    nmae: 重复名称\n",
        "lists/convenience/zjj.yml": "department: zjj\nitems:\n  - code: BM 1\n    name: 查询\n    location: 窗口\n",
        "lists/fee/mzj.yml": "",
    })
    run = run_check(project, "--format", "json")
    assert run.returncode == 1 and run.stderr == ""
    data = run.json
    located = [(e["file"], e["line"], e["column"], e["rule"]) for e in data["errors"]]
    assert located == [  # sorted by file, then line and column
        ("lists/convenience/zjj.yml", 3, 5, "field-value"),
        ("lists/fee/mzj.yml", 1, 1, "empty-file"),
        ("lists/power/mzj.yml", 6, 5, "unknown-field"),
    ]
    # A type outside the enumeration is kept as published, with a warning at its place.
    assert ("lists/power/mzj.yml", 5, 5, "field-value") in [
        (w["file"], w["line"], w["column"], w["rule"]) for w in data["warnings"]]
    for error in data["errors"]:
        assert set(error) >= {"file", "line", "column", "list", "code", "message", "hint"}
        assert error["message"] and error["hint"]
    # What loaded is still counted: the bad-code item is dropped, the power item stays.
    assert data["counts"] == {**MINI_COUNTS, "power": 4}

    text = run_check(project)
    assert text.returncode == 1
    assert "lists/power/mzj.yml:6:5: 错误［power/MZ-001］：未知的字段“nmae”\n    提示：是不是想写“name”（事项名称）？" in text.stdout
    assert text.stdout.splitlines()[-1] == "校验未通过：3 个错误，3 个警告。"


def test_a_broken_site_config_stops_before_the_lists(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"lists/power/mzj.yml": "not: [closed\n"})
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace('"360799"', '"3607"'), encoding="utf-8")
    run = run_check(project, "--format", "json")
    assert run.returncode == 1
    data = run.json
    assert [e["file"] for e in data["errors"]] == ["site_config.yml"]
    assert "行政区划代码应为 6 位数字" in data["errors"][0]["message"]
    assert data["counts"] == {}


def test_missing_site_config_is_explained(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_check(empty)
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    assert "site_config.yml: 错误：找不到配置文件 site_config.yml" in run.stdout
    assert "提示：在项目根目录运行 qingdan，或用 --project 指定项目目录" in run.stdout


def test_missing_lists_directory_is_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    for path in sorted(project.glob("lists/*/*.yml")):
        path.unlink()
    for path in sorted(project.glob("lists/*")):
        path.rmdir()
    (project / "lists").rmdir()
    data = run_check(project, "--format", "json").json
    assert [(e["file"], e["rule"]) for e in data["errors"]] == [("lists", "io")]
    assert "找不到清单目录 lists/" in data["errors"][0]["message"]


def test_seventh_list_type_added_by_config_alone(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {
        "lists/certificate/mzj.yml": """\
            department: mzj
            items:
              - code: ZM-mzj-001
                name: 无犯罪记录证明
                requester: 测试县民政局
                status: 保留
                subject: 测试县公安局
                basis: 《中华人民共和国社会组织登记管理条例》
                conditions: 申请人本人申请
                procedure: [申请, 出具]
                time_limit: {promised: 0, note: 即办}
                result: 无犯罪记录证明
                fee: {basis: 无, standard: 不收费}
            """,
    })
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + CERTIFICATE_TYPE, encoding="utf-8")
    run = run_check(project, "--format", "json")
    assert run.returncode == 0, run.stdout
    assert run.json["counts"] == {**MINI_COUNTS, "certificate": 1}
    assert run.json["warnings"] == []


def test_runs_in_the_current_directory_without_project_option(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"lists/power/mzj.yml": BARE_POWER.replace("MZ-001", "MZ/001")})
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "check"], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert "lists/power/mzj.yml:3:5: 错误［power/MZ/001］：编码“MZ/001”不能用于网址和文件名" in proc.stdout


def test_usage_error_is_chinese_and_exits_2(tmp_path: Path) -> None:
    run = run_check(make_project(tmp_path / "p"), "--format", "xml")
    assert run.returncode == 2
    assert "用法错误" in run.stderr and "Traceback" not in run.stderr
