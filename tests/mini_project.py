"""A small valid project to copy into a temp directory, and `qingdan check` run as a real process.

tests/fixtures/mini/ holds three departments and one or two valid items in each default list;
`qingdan check` passes on it with no error and no warning. Tests copy it, overlay the files they
need and look at what a user would see.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

MINI = Path(__file__).parent / "fixtures" / "mini"


def make_project(dest: Path, files: dict[str, str | bytes] | None = None, remove: tuple[str, ...] = ()) -> Path:
    """Copy the mini project to `dest`, delete `remove` and write `files` (text is dedented, UTF-8)."""
    shutil.copytree(MINI, dest)
    for rel in remove:
        (dest / rel).unlink()
    for rel, content in (files or {}).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else textwrap.dedent(content).encode("utf-8"))
    return dest


def make_git_project(dest: Path) -> Path:
    """The mini project at `dest` as a git repository with one commit (import compares against it)."""
    root = make_project(dest)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "mini"],
                   cwd=root, check=True)
    return root


@dataclass
class CheckRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run_check(project: Path, *args: str, timeout: float = 120) -> CheckRun:
    """`python -m generator --project <project> check <args>`, as a user would run it."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "--project", str(project), "check", *args],
        capture_output=True,
        timeout=timeout,
    )
    return CheckRun(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def qingdan(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`qingdan --project ROOT ARGS…` as a user runs it, in its own process, from the project folder
    (relative --output paths land there). The timeout only stops a hung run; a long import takes minutes."""
    return subprocess.run([sys.executable, "-m", "generator", "--project", str(root), *args], capture_output=True,
                          cwd=root if root.is_dir() else None, text=True, timeout=600)


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file (which must hold it) with `new`."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
