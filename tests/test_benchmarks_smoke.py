"""The benchmark corpus is a valid project with a realistic git history (timings live in benchmarks/)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is not an installed package

from benchmarks.corpus import generate  # noqa: E402


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def check(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "--project", str(project), "check"],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "project"
    generate(path, items=300, departments=8, commits=40, seed=3)
    return path


def test_generated_project_passes_check_without_warnings(repo: Path) -> None:
    result = check(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "校验通过：0 个错误，0 个警告。" in result.stdout
    for list_id in ("power", "responsibility", "fee", "prerequisite", "intermediary", "convenience"):
        assert f"{list_id} 0，" not in result.stdout + "，", f"no {list_id} items"


def test_history_has_the_requested_commits_and_a_clean_tree(repo: Path) -> None:
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "40"
    assert git(repo, "status", "--porcelain").strip() == ""


def test_history_looks_like_adjustments(repo: Path) -> None:
    messages = git(repo, "log", "--format=%B%x00").split("\x00")
    with_basis = [m for m in messages if "调整依据: " in m and "生效日期: " in m]
    assert len(with_basis) > len(messages) // 2
    renames = git(repo, "log", "-M", "--diff-filter=R", "--name-status", "--format=")
    assert "lists/" in renames  # .yaml → .yml, or a department renamed in the reorganisation
    stat = git(repo, "log", "--format=", "--numstat", "--", "lists")
    assert stat.strip(), "adjustments change list files"


def test_an_older_commit_is_valid_too(repo: Path, tmp_path: Path) -> None:
    middle = git(repo, "rev-list", "HEAD").split()[20]
    archive = tmp_path / "old.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "archive", middle], cwd=repo, check=True, stdout=handle)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "old", filter="data")
    result = check(tmp_path / "old")
    assert result.returncode == 0, result.stdout + result.stderr


def test_same_seed_same_history(repo: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", items=300, departments=8, commits=40, seed=3)
    other = generate(tmp_path / "other", items=300, departments=8, commits=40, seed=4)
    assert again.head == git(repo, "rev-parse", "HEAD").strip()
    assert other.head != again.head


def test_without_commits_it_writes_files_only(tmp_path: Path) -> None:
    stats = generate(tmp_path / "plain", items=120, departments=3, commits=0, seed=1)
    assert not (tmp_path / "plain" / ".git").exists()
    assert stats.items >= 100
    assert check(tmp_path / "plain").returncode == 0


def test_the_province_benchmark_runs_small_and_keeps_the_other_results(tmp_path: Path) -> None:
    """`python -m benchmarks.province` at a tiny size: every region built in its own process and
    measured, the join measured, the record stored under `province` beside the keys already there."""
    import json

    out = tmp_path / "results.md"
    out.with_suffix(".json").write_text(json.dumps({"history": {"kept": True}}), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "benchmarks.province", "--regions", "2", "--items", "40",
                          "--departments", "3", "--work", str(tmp_path / "work"), "--out", str(out), "--no-single"],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=900)
    # The portal's own search index is another part of issue 25: until it exists, the one
    # measurement allowed to fail is the first query at the portal.
    failures = [line for line in run.stderr.splitlines() if "：" in line and not line.startswith(("构建", "合并"))]
    assert run.returncode == 0 or failures == ["门户首次查询：未测得（门户首页的搜索没有下载任何索引）"], run.stderr
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert results["history"] == {"kept": True}
    province = results["province"]
    assert list(province["regions"]) == ["dongling", "xixi"] and province["region_count"] == 2
    for region in province["regions"].values():
        assert region["seconds"] > 0 and region["site_bytes"] > 0
        assert isinstance(region["peak_bytes"], int) and region["peak_bytes"] > 10**7  # bytes, not MiB
    join = province["join"]
    assert join["seconds"] > 0 and join["peak_bytes"] > 10**7 and join["top_level_files"] > 0
    assert sum(province["items"].values()) == province["total_items"] >= 80
    text = out.read_text(encoding="utf-8")
    assert "| --only-region dongling |" in text and "| --join-only |" in text
