"""`qingdan diff` on a real git repository: revisions, tags, dates, the working tree, exit codes, files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from generator.cli import main

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
FOOD = "000131127004"


def git(root: Path, *args: str, date: str = "2016-12-01T10:00:00+08:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "编办", "GIT_AUTHOR_EMAIL": "bb@example.gov.cn",
           "GIT_COMMITTER_NAME": "编办", "GIT_COMMITTER_EMAIL": "bb@example.gov.cn",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """v2016: the mini project. v2017: 承诺时限 5→3 and a catch-all clause. Working tree: a fee."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("repo") / "project"
    shutil.copytree(MINI, root)
    (root / ".gitignore").write_text(".cache/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "初始清单")
    git(root, "tag", "v2016")
    power = root / "lists/power/scjgj.yml"
    replace(power, "statutory: 20, promised: 5", "statutory: 20, promised: 3")
    replace(power, "数量相适应的经营场所。", "数量相适应的经营场所，以及法律、法规规定的其他条件。")
    git(root, "commit", "-q", "-am", "缩短食品经营许可承诺时限", date="2017-06-01T10:00:00+08:00")
    git(root, "tag", "v2017")
    replace(power, "fee: {basis: 无, standard: 不收费}\n  - code", "fee: {basis: 无, standard: 每件80元}\n  - code")
    return root


def run(repo: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(repo), "diff", *args])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(repo: Path, capsys, *args: str) -> dict:
    code, out, err = run(repo, capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def changed_fields(data: dict) -> list[tuple[str, str, list[str]]]:
    return [(i["code"], i["status"], [c["field"] for c in i["changes"]]) for i in data["items"]]


def test_default_compares_head_with_uncommitted_edits(repo, capsys):
    data = as_json(repo, capsys)
    assert (data["a"]["label"], data["a"]["kind"]) == ("HEAD", "commit")
    assert data["b"]["kind"] == "worktree"
    assert changed_fields(data) == [(FOOD, "changed", ["fee"])]
    flags = [f["id"] for f in data["items"][0]["flags"]]
    assert flags == ["catch-all-clause", "fee-added", "fee-without-basis"]


def test_tags_name_versions_with_their_commit_dates(repo, capsys):
    data = as_json(repo, capsys, "v2016", "v2017")
    assert data["a"]["date"] == "2016-12-01 10:00" and data["b"]["date"] == "2017-06-01 10:00"
    assert data["b"]["subject"] == "缩短食品经营许可承诺时限"
    assert data["a"]["commit"] == git(repo, "rev-parse", "v2016").strip()
    assert changed_fields(data) == [(FOOD, "changed", ["conditions", "time_limit"])]
    assert [f["id"] for f in data["items"][0]["flags"]] == ["catch-all-clause"]
    sha = git(repo, "rev-parse", "v2016").strip()
    assert as_json(repo, capsys, sha, "v2017")["a"]["title"] == sha[:10]


def test_dates_pick_the_version_in_force(repo, capsys):
    data = as_json(repo, capsys, "2016-12-31", "2017-06-01")
    assert (data["a"]["kind"], data["b"]["kind"]) == ("date", "date")
    assert data["a"]["commit"] == git(repo, "rev-parse", "v2016").strip()
    assert data["b"]["commit"] == git(repo, "rev-parse", "v2017").strip()
    assert changed_fields(data) == [(FOOD, "changed", ["conditions", "time_limit"])]
    assert as_json(repo, capsys, "2017-01-01", "2017-05-31")["items"] == []


def test_fail_on_turns_chosen_flags_into_exit_code_1(repo, capsys):
    code, out, err = run(repo, capsys, "v2016", "v2017", "--fail-on", "catch-all-clause")
    assert code == 1 and "审核未通过：兜底条款 1 项" in err
    assert "兜底条款" in out  # the report is still written
    assert run(repo, capsys, "v2016", "v2017", "--fail-on", "fee-added,no-legal-basis")[0] == 0
    assert run(repo, capsys, "--fail-on", "any")[0] == 1
    assert run(repo, capsys, "v2016", "v2016", "--fail-on", "any")[0] == 0


def test_fail_on_takes_the_rule_ids_of_check_and_assess_and_the_old_flag_ids(repo, capsys):
    """One id per rule in check, assess and diff; CI pipelines that still name the old flag ids
    (no-basis, catch-all, fee-no-basis) keep failing on the same rules."""
    from generator.rules import RULES

    data = as_json(repo, capsys)
    ids = [f["id"] for f in data["items"][0]["flags"]]
    assert ids and all(i in RULES for i in ids)
    assert set(data["flag_labels"]) <= set(RULES)
    code, _, err = run(repo, capsys, "v2016", "v2017", "--fail-on", "catch-all")
    assert code == 1 and "审核未通过：兜底条款 1 项" in err
    assert run(repo, capsys, "--fail-on", "fee-no-basis")[0] == 1
    assert run(repo, capsys, "v2016", "v2017", "--fail-on", "no-basis")[0] == 0
    code, out, _ = run_help(capsys)
    assert "catch-all 即 catch-all-clause" in out and "no-basis 即 no-legal-basis" in out
    assert "fee-no-basis 即 fee-without-basis" in out


def run_help(capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["diff", "--help"])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_reports_are_written_to_files(repo, capsys, tmp_path):
    for fmt in ("md", "html", "xlsx", "text", "json"):
        target = tmp_path / f"review.{fmt}"
        code, out, err = run(repo, capsys, "v2016", "--format", fmt, "--output", str(target))
        assert code == 0 and out == ""
        assert f"审核报告已写入 {target}：变更 1；审核提示 3 项。" in err
    assert "<ins>每件80元</ins>" in (tmp_path / "review.md").read_text(encoding="utf-8")
    html = (tmp_path / "review.html").read_text(encoding="utf-8")
    assert "v2016，提交 " in html and "工作区（未提交的修改）" in html and "2016-12-01 10:00" in html
    wb = openpyxl.load_workbook(tmp_path / "review.xlsx")
    assert wb.sheetnames == ["汇总", "权力清单"]


@pytest.mark.parametrize("args,message", [
    (["nope"], "找不到版本“nope”"),
    (["2015-01-01"], "2015-01-01 早于最早的清单记录（2016-12-01）"),
    (["--list", "powr"], "没有标识为“powr”的清单"),
    (["--department", "abc"], "没有代码为“abc”的部门"),
    (["--fail-on", "catchall"], "是不是想写“catch-all-clause”"),
    (["--format", "xlsx"], "Excel 格式的报告需要用 --output 指定文件名"),
])
def test_usage_errors_explain_themselves(repo, capsys, args, message):
    code, out, err = run(repo, capsys, *args)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_filters_and_ignore_format(repo, capsys):
    assert as_json(repo, capsys, "v2016", "v2017", "--list", "fee")["items"] == []
    assert as_json(repo, capsys, "v2016", "v2017", "--department", "zjj")["items"] == []
    data = as_json(repo, capsys, "v2016", "v2017", "--department", "scjgj", "--list", "power")
    assert data["filters"] == {"list": "power", "department": "scjgj", "ignore_format": False}
    assert len(data["items"]) == 1


def test_a_file_with_a_syntax_error_is_not_read_as_cancelled(tmp_path, capsys):
    root = tmp_path / "p"
    shutil.copytree(MINI, root)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "初始清单")
    replace(root / "lists/power/zjj.yml", "unit: 工作日}", "unit: 工作日")
    replace(root / "lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 4")
    data = as_json(root, capsys)
    assert changed_fields(data) == [(FOOD, "changed", ["time_limit"])]
    assert data["notes"] == ["B（工作区（未提交的修改））中有 1 个清单文件无法读取，其中的事项未参加比较："
                             "lists/power/zjj.yml。请先运行 qingdan check 修正。"]


def test_outside_a_git_repository(tmp_path, capsys):
    root = tmp_path / "p"
    shutil.copytree(MINI, root)
    code, _, err = run(root, capsys)
    assert code == 2 and "不在 git 仓库中" in err
