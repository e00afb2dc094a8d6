"""git failures reach the user in git's own words; a repository git refuses fails the build.

The dubious-ownership case is made for real: the repository is chowned to another uid, so git
(run by root here) refuses it exactly as on a CI runner whose checkout belongs to another user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mini_project import make_project
from publish_support import GIT_ENV, git

OTHER_UID = 4242


@pytest.fixture
def foreign_repo(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("chown to another uid needs root (CI runs as root)")
    root = make_project(tmp_path / "county")
    (root / ".gitignore").write_text("site/\n.cache/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "初始清单")
    for path in [root, *root.rglob("*")]:
        os.lchown(path, OTHER_UID, OTHER_UID)
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV}  # no global config: no safe.directory exception from this machine
    return subprocess.run([sys.executable, "-m", "generator", "--project", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_dubious_ownership_fails_the_build_and_names_the_fix(foreign_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run(foreign_repo, "build", "--out", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "dubious ownership" in result.stderr  # git's own message, quoted
    assert f"git config --global --add safe.directory {foreign_repo}" in result.stderr
    assert "--no-history" in result.stderr and "生成失败" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()

    without = run(foreign_repo, "build", "--out", str(out), "--no-history")  # on purpose: still possible
    assert without.returncode == 0, without.stderr
    refused = run(foreign_repo, "publish", "--to", str(tmp_path / "www"), "--site", str(out))
    assert refused.returncode == 1
    assert f"git config --global --add safe.directory {foreign_repo}" in refused.stderr
    assert not (tmp_path / "www").exists()


def test_diff_quotes_git_when_it_refuses_the_repository(foreign_repo: Path) -> None:
    result = run(foreign_repo, "diff", "HEAD", "HEAD")
    assert result.returncode == 2
    assert "dubious ownership" in result.stderr and "safe.directory" in result.stderr
    assert "不在 git 仓库中" not in result.stderr


def test_a_project_without_git_still_builds_with_a_warning(tmp_path: Path) -> None:
    root = make_project(tmp_path / "county")
    shutil.rmtree(root / ".git", ignore_errors=True)
    result = run(root, "build", "--out", str(tmp_path / "site"), "--no-search")
    assert result.returncode == 0, result.stderr
    assert "项目目录不在 git 仓库中" in result.stderr
