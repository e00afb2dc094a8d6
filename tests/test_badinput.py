"""The bad-input corpus: one directory per mistake under tests/badinput/, checked by `qingdan check`.

Each case directory holds the project files of that case (a list file, or site_config.yml), laid
over a copy of tests/fixtures/mini/, and an expect.yml:

    description: 用 Tab 而不是空格缩进          # what the mistake is, for the person reading the case
    errors:                                   # each must be reported as an error, exactly here
      - {message: 制表符（Tab）, file: lists/power/mzj.yml, line: 11, column: 1, hint: 空格}
    accept: true                              # instead of errors: the input must load cleanly
    counts: {power: 4}                        # optional: items per list after loading
    remove: [lists/power/zjj.yml]             # optional: fixture files to delete first

`message` and `hint` are substrings of the Chinese text; `list` and `code` must match exactly.
To add a case, add a directory; no code changes are needed.

Every case runs `python -m generator --project <copy> check --format json` as a real process (a
crash or a traceback cannot hide there); the text output is checked through the same entry point
in-process, because each process start costs about a second of imports.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from mini_project import CheckRun, make_project, run_check

from generator.cli import main

CORPUS = Path(__file__).parent / "badinput"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yml").is_file())
PROBLEM_KEYS = {"file", "line", "column", "list", "code", "message", "hint", "rule", "severity"}


def expectation(case: str) -> dict:
    return yaml.safe_load((CORPUS / case / "expect.yml").read_text(encoding="utf-8"))


def build_case(case: str, tmp_path: Path) -> Path:
    project = make_project(tmp_path / "project", remove=tuple(expectation(case).get("remove", ())))
    for source in (CORPUS / case).rglob("*"):
        if source.is_file() and source.name != "expect.yml":
            target = project / source.relative_to(CORPUS / case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)  # bytes as they are: GBK, BOM and CRLF stay
    return project


def matches(want: dict, got: dict) -> bool:
    return (
        got["file"] == want["file"]
        and got["line"] == want["line"]
        and ("column" not in want or got["column"] == want["column"])
        and want["message"] in got["message"]
        and want.get("hint", "") in got["hint"]
        and all(got[key] == want[key] for key in ("list", "code") if key in want)
    )


def test_corpus_has_at_least_thirty_self_describing_cases() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        expect = expectation(case)
        assert expect.get("description"), case
        assert expect.get("accept") or expect.get("errors"), case
        assert any(p.name != "expect.yml" for p in (CORPUS / case).rglob("*") if p.is_file()), case


def test_encoded_cases_hold_the_bytes_they_describe() -> None:
    """Guard the corpus itself: an editor or a checkout must not have converted these files."""
    gbk = (CORPUS / "encoding-gbk" / "lists/power/mzj.yml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "社会团体成立登记" in gbk.decode("gbk")
    bom_crlf = (CORPUS / "encoding-bom-crlf-accepted" / "lists/power/mzj.yml").read_bytes()
    assert bom_crlf.startswith(b"\xef\xbb\xbf")
    assert bom_crlf.count(b"\r\n") == bom_crlf.count(b"\n") > 10
    assert (CORPUS / "encoding-utf16" / "lists/power/mzj.yml").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert "\x07" in (CORPUS / "yaml-control-character" / "lists/power/mzj.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def json_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, CheckRun]:
    """Run the selected cases' `check --format json` processes side by side, once."""
    selected = sorted({
        item.callspec.params["case"] for item in request.session.items
        if getattr(item, "originalname", "") == "test_check_json_reports_the_mistake_where_it_is"
    })
    projects = {case: build_case(case, tmp_path_factory.mktemp(case)) for case in selected}
    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        futures = {case: pool.submit(run_check, project, "--format", "json") for case, project in projects.items()}
        return {case: future.result() for case, future in futures.items()}


@pytest.mark.parametrize("case", CASES)
def test_check_json_reports_the_mistake_where_it_is(case: str, json_runs: dict[str, CheckRun]) -> None:
    expect = expectation(case)
    run = json_runs[case]
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr == ""
    data = run.json
    assert set(data) >= {"ok", "errors", "warnings", "counts"}
    for problem in data["errors"] + data["warnings"]:
        assert set(problem) >= PROBLEM_KEYS
    if expect.get("accept"):
        assert run.returncode == 0, data["errors"]
        assert data["ok"] is True and data["errors"] == [] and data["warnings"] == []
    else:
        assert run.returncode == 1
        assert data["ok"] is False
        for want in expect["errors"]:
            assert any(matches(want, got) for got in data["errors"]), (
                f"expected {want}\ngot {[{k: e[k] for k in ('file', 'line', 'column', 'message')} for e in data['errors']]}"
            )
    for list_id, count in expect.get("counts", {}).items():
        assert data["counts"][list_id] == count
    for error in data["errors"]:  # every error a user sees is located and explained
        assert error["file"] and error["line"] is not None and error["hint"], error


@pytest.mark.parametrize("case", CASES)
def test_check_text_prints_location_message_and_hint(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect = expectation(case)
    returncode = main(["--project", str(build_case(case, tmp_path)), "check"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert err == ""
    lines = out.splitlines()
    if expect.get("accept"):
        assert returncode == 0
        assert lines[-1] == "校验通过：0 个错误，0 个警告。"
        return
    assert returncode == 1
    assert lines[-1].startswith("校验未通过：")
    for want in expect["errors"]:
        where = f"{want['file']}:{want['line']}" + (f":{want['column']}" if "column" in want else "")
        found = [
            i for i, line in enumerate(lines) if line.startswith(where + ":") and "错误" in line
            and want["message"] in line
        ]
        assert found, f"no line starting {where} with {want['message']!r} in:\n{out}"
        if want.get("hint"):
            hint_line = lines[found[0] + 1]
            assert hint_line.startswith("    提示：") and want["hint"] in hint_line
