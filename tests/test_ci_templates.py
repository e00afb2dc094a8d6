"""The CI templates cannot run here; they are checked against the GitHub-workflow and GitLab-CI
schemas that check-jsonschema ships (vendored: no network), and for what publishing relies on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
OFFLINE = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def check_jsonschema() -> list[str]:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    if not found:
        pytest.fail("check-jsonschema is a test dependency: pip install -r requirements/test.lock")
    return [found]


@pytest.mark.parametrize(("schema", "files"), [
    ("vendor.github-workflows", WORKFLOWS),
    ("vendor.gitlab-ci", [ROOT / ".gitlab-ci.yml"]),
])
def test_templates_match_their_schema_offline(schema: str, files: list[Path]) -> None:
    assert files
    run = subprocess.run([*check_jsonschema(), "--builtin-schema", schema, *map(str, files)], env=OFFLINE,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_publishing_jobs_take_full_history_and_publish_after_the_checks() -> None:
    github = yaml.safe_load((ROOT / ".github" / "workflows" / "qingdan-publish.yml").read_text(encoding="utf-8"))
    on = github.get("on") or github.get(True)  # PyYAML reads the key `on` as True
    assert on["push"]["branches"] == ["main"] and on["push"]["tags"]
    steps = github["jobs"]["publish"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = "\n".join(s.get("run", "") for s in steps)
    order = [runs.index(c) for c in ("is-shallow-repository", "qingdan check", "qingdan build", "--dry-run",
                                     'qingdan publish --to "$QINGDAN_TARGET" --format json', "--verify")]
    assert order == sorted(order)

    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    script = "\n".join(gitlab["qingdan-publish"]["script"])
    assert "is-shallow-repository" in script and 'qingdan publish --to "$QINGDAN_TARGET"' in script
    review = "\n".join(gitlab["qingdan-review"]["script"])
    assert "qingdan check" in review and "qingdan diff" in review
    pr = (ROOT / ".github" / "workflows" / "qingdan-review.yml").read_text(encoding="utf-8")
    assert "qingdan check" in pr and "qingdan diff" in pr


def test_publishing_jobs_keep_the_build_cache_keyed_on_the_lock() -> None:
    """Both templates restore and save .cache/ before `qingdan build`, keyed on the lock file (and
    the commit on GitHub, whose caches cannot be rewritten), with a fallback to the newest older cache."""
    github = yaml.safe_load((ROOT / ".github" / "workflows" / "qingdan-publish.yml").read_text(encoding="utf-8"))
    steps = github["jobs"]["publish"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    cache = steps[next(i for i, u in enumerate(uses) if u.startswith("actions/cache@"))]
    build = next(i for i, s in enumerate(steps) if s.get("run", "").strip() == "qingdan build")
    assert steps.index(cache) < build
    assert cache["with"]["path"] == ".cache"
    key, restore = cache["with"]["key"], cache["with"]["restore-keys"].splitlines()
    assert "requirements/runtime.lock" in key and key.endswith("${{ github.sha }}")
    assert restore and all(key.startswith(prefix) for prefix in restore)

    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    job_cache = gitlab["qingdan-publish"]["cache"]
    assert job_cache["paths"] == [".cache/"]
    assert "requirements/runtime.lock" in job_cache["key"]["files"]
    assert job_cache.get("policy", "pull-push") == "pull-push"


# 2024-06-01: the builds' as-of day (generator/dates.py), after the 生效日期 of the adjustment below,
# which is therefore in force, not pending
EPOCH = {"SOURCE_DATE_EPOCH": "1717200000"}


def _ci_build(origin: Path, checkout: Path, cache: Path | None = None) -> Path:
    """What a CI job does: a fresh clone, the restored .cache/ (if any), `qingdan build`."""
    from publish_support import qingdan

    subprocess.run(["git", "clone", "-q", str(origin), str(checkout)], check=True, capture_output=True)
    if cache is not None:
        shutil.copytree(cache, checkout / ".cache")
    run = qingdan(checkout, "build", env=EPOCH)
    assert run.returncode == 0, run.stdout + run.stderr
    return checkout / "site"


def test_a_stale_cache_gives_the_same_site_as_a_cold_build(tmp_path: Path) -> None:
    """The claim the cache keys rest on: the cache saved by the previous commit's job, restored into
    the next commit's checkout, gives a site byte-identical to a cold build of that commit; and so
    does a rebuild in place over the old site and cache (a runner that keeps its work folder)."""
    from mini_project import make_project
    from publish_support import GIT_ENV, qingdan, tree

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=origin, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)

    origin = make_project(tmp_path / "origin")
    fee = origin / "lists" / "fee" / "zjj.yml"
    one_fee = fee.read_text(encoding="utf-8")
    second = one_fee.split("items:\n", 1)[1].replace("SF-zjj-001", "SF-zjj-002").replace("修复费", "补偿费")
    fee.write_text(one_fee + second, encoding="utf-8")  # the fee item the next commit cancels
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "清单首次公布")
    first = _ci_build(origin, tmp_path / "job1")
    saved = tmp_path / "job1" / ".cache"
    assert {"parsed", "history", "downloads"} <= {p.name for p in saved.iterdir()}

    power = origin / "lists" / "power" / "scjgj.yml"
    text = power.read_text(encoding="utf-8")
    edited = (text.replace("name: 食品经营许可\n", "name: 食品经营许可（含仅销售预包装食品备案）\n", 1)  # rename
              .replace("type: 行政处罚", "type: 行政检查", 1)  # change its type
              .replace("article: 第一百二十四条", "article: 第一百二十五条", 1))  # change a 依据
    assert edited.count("\n") == text.count("\n") and edited != text
    power.write_text(edited, encoding="utf-8")
    fee.write_text(one_fee, encoding="utf-8")  # cancel SF-zjj-002
    git("commit", "-qam", "调整权责清单\n\n调整依据: 测府字〔2024〕1号\n生效日期: 2024-03-01")

    warm = _ci_build(origin, tmp_path / "job2", cache=saved)
    cold = _ci_build(origin, tmp_path / "job3")
    assert "食品经营许可（含仅销售预包装食品备案）" in (warm / "power" / "000131127004" / "index.html").read_text(
        encoding="utf-8")
    cancelled = Path("fee", "SF-zjj-002", "index.html")
    assert "已取消" not in (first / cancelled).read_text(encoding="utf-8")
    assert "已取消" in (warm / cancelled).read_text(encoding="utf-8")
    assert tree(warm) != tree(first)
    assert tree(warm) == tree(cold)

    # The first job's folder, pulled to the new commit, built over its old site and cache.
    subprocess.run(["git", "pull", "-q", "--ff-only"], cwd=tmp_path / "job1", env={**os.environ, **GIT_ENV},
                   check=True, capture_output=True)
    run = qingdan(tmp_path / "job1", "build", env=EPOCH)
    assert run.returncode == 0, run.stdout + run.stderr
    assert tree(first) == tree(cold)


def test_the_site_is_built_every_day_so_approved_changes_take_effect_on_their_day() -> None:
    """A change approved with a later 生效日期 shows as in force only in a build on or after that day:
    both templates build daily (GitHub `schedule`, GitLab a pipeline schedule its rules publish), on
    Beijing's day."""
    github = yaml.safe_load((ROOT / ".github" / "workflows" / "qingdan-publish.yml").read_text(encoding="utf-8"))
    on = github.get("on") or github.get(True)
    (cron,) = [entry["cron"] for entry in on["schedule"]]
    minute, hour, day, month, weekday = cron.split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")  # once a day
    assert (int(hour) + 8) % 24 == 0  # just after midnight in Beijing
    assert github["jobs"]["publish"]["env"]["TZ"] == "CST-8"

    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in gitlab["qingdan-publish"]["rules"]
    assert gitlab["variables"]["TZ"] == "CST-8"
    docs = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    assert "流水线计划" in docs and "5 0 * * *" in docs


def test_cst_minus_8_is_beijing_time_without_a_time_zone_database() -> None:
    run = subprocess.run([sys.executable, "-c", "import time; print(time.strftime('%z', time.localtime()))"],
                         env={**os.environ, "TZ": "CST-8"}, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "+0800"
