"""The front door: what a new user types first (`qingdan`, `--help`, a typo), run as real processes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import build_parser
from generator.commands import COMMANDS

QINGDAN = Path(sys.executable).with_name("qingdan")
# argparse's own English; none of it may reach a user.
ENGLISH = ("Traceback", "usage:", "options:", "positional arguments", "optional arguments",
           "show this help message", "error:", "invalid choice", "unrecognized arguments",
           "the following arguments are required", "expected one argument")
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(args: list[str], module: bool = False) -> subprocess.CompletedProcess:
    program = [sys.executable, "-m", "generator"] if module else [str(QINGDAN)]
    return subprocess.run(program + args, capture_output=True, text=True, timeout=120)


def assert_chinese(proc: subprocess.CompletedProcess) -> None:
    text = proc.stdout + proc.stderr
    leaked = [phrase for phrase in ENGLISH if phrase.lower() in text.lower()]
    assert not leaked, f"argparse's English or a traceback reached the user: {leaked}\n{text}"


@pytest.mark.parametrize("args,module", [(["--help"], False), (["-h"], False), (["--help"], True)])
def test_program_help_lists_every_command_in_chinese(args: list[str], module: bool) -> None:
    proc = run(args, module)
    assert proc.returncode == 0, proc.stderr
    assert_chinese(proc)
    assert proc.stdout.startswith("用法：qingdan")
    for command in COMMANDS:
        assert re.search(rf"^  {command.name} +{re.escape(command.summary)}$", proc.stdout, re.M), command.name
    assert "示例：" in proc.stdout


def test_bare_qingdan_shows_the_overview() -> None:
    proc = run([])
    assert proc.returncode == 2
    assert_chinese(proc)
    assert "命令：" in proc.stdout and "qingdan build --help" in proc.stdout


@pytest.mark.parametrize("command", [c.name for c in COMMANDS])
def test_command_help_is_chinese_with_description_and_example(command: str) -> None:
    proc = run([command, "--help"])
    assert proc.returncode == 0, proc.stderr
    assert_chinese(proc)
    usage, _, rest = proc.stdout.partition("\n\n")
    assert usage.startswith(f"用法：qingdan {command} ")
    description = rest.split("\n\n", 1)[0]
    assert CJK.search(description) and not description.startswith(("选项", "参数")), "no description"
    assert not re.search(r"--[\w-]+ [A-Z][A-Z_]+\b", proc.stdout), "an option's value is named in English"
    example = proc.stdout.split("示例：\n", 1)[1]
    assert f"  qingdan {command}" in example


@pytest.mark.parametrize("command", [c.name for c in COMMANDS])
def test_every_option_says_what_it_does_in_chinese(command: str) -> None:
    parser = build_parser([command])
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        assert action.help and CJK.search(action.help), f"qingdan {command} {action.option_strings or action.dest}"


@pytest.mark.parametrize("args", [["biuld"], ["build", "--bogus"], ["check", "--format", "xml"], ["import"],
                                  ["serve", "--port", "八千"], ["publish"], ["--project"]])
def test_usage_errors_are_chinese_and_exit_2(args: list[str]) -> None:
    proc = run(args)
    assert proc.returncode == 2
    assert_chinese(proc)
    assert "用法错误" in proc.stderr and "--help" in proc.stderr


def test_only_the_command_asked_for_is_imported() -> None:
    code = ("import sys; from generator.cli import build_parser; build_parser({}); "
            "print(sorted(m for m in sys.modules if m.startswith('generator.commands.')))")
    for argv, expected in ((["check"], "generator.commands.check"), (["--help"], None)):
        out = subprocess.run([sys.executable, "-c", code.format(argv)], capture_output=True, text=True,
                             check=True).stdout
        loaded = [m for m in eval(out) if m != "generator.commands.usage"]  # noqa: S307 - our own print
        assert loaded == ([expected] if expected else [])


def test_build_needs_no_mkdocs_yml_and_ignores_the_current_directory(tmp_path: Path) -> None:
    """A new project has no mkdocs.yml; MkDocs then read the one in the current directory, or failed
    with an internal error (FileNotFoundError) when there was none."""
    from mini_project import make_project

    project = make_project(tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mkdocs.yml").write_text("site_name: 别的网站\ntheme: {name: readthedocs}\n", encoding="utf-8")
    for cwd in (tmp_path, elsewhere):
        out = tmp_path / f"site-{cwd.name}"
        proc = subprocess.run([str(QINGDAN), "--project", str(project), "build", "--no-search", "--out", str(out)],
                              cwd=cwd, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert_chinese(proc)
        assert "md-header" in (out / "index.html").read_text(encoding="utf-8")  # Material, not readthedocs
