"""The CI templates cannot run here; they are checked against the GitHub-workflow and GitLab-CI
schemas that check-jsonschema ships (vendored: no network), and for what publishing relies on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_pipeline import same_site

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# The portal's templates (issue 25), where operators copy them from.
PORTAL = ROOT / "examples" / "province"
PORTAL_WORKFLOW = PORTAL / ".github" / "workflows" / "qingdan-portal.yml"
PORTAL_GITLAB = PORTAL / ".gitlab-ci.yml"
OFFLINE = {**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def check_jsonschema() -> list[str]:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    if not found:
        pytest.fail("check-jsonschema is a test dependency: pip install -r requirements/test.lock")
    return [found]


@pytest.mark.parametrize(("schema", "files"), [
    ("vendor.github-workflows", [*WORKFLOWS, PORTAL_WORKFLOW]),
    ("vendor.gitlab-ci", [ROOT / ".gitlab-ci.yml", PORTAL_GITLAB]),
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
    # Over its old site the edit's pages go to the search index's recent changes: every other file
    # is the cold build's byte for byte, and a search finds what it finds there (test_pipeline).
    assert same_site(first, cold) == []


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


# ---------------------------------------------------------------------------------------------
# The portal (issue 25): regions built as a matrix, collected, joined, link-checked, published


def _example_region_ids() -> list[str]:
    """What `qingdan build --list-regions` prints in the example portal: the matrix GitHub builds."""
    run = subprocess.run([sys.executable, "-m", "generator", "build", "--list-regions"], cwd=PORTAL,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def _order(text: str, *commands: str) -> list[int]:
    return [text.index(command) for command in commands]


def _step(steps: list[dict], action: str) -> int:
    """The index of the step that uses `action` (e.g. actions/cache)."""
    return next(i for i, s in enumerate(steps) if s.get("uses", "").startswith(action + "@"))


def _portal_jobs() -> dict:
    return yaml.safe_load(PORTAL_WORKFLOW.read_text(encoding="utf-8"))["jobs"]


def test_the_portal_workflow_reads_its_matrix_from_every_region_of_the_example() -> None:
    config = yaml.safe_load((PORTAL / "site_config.yml").read_text(encoding="utf-8"))
    ids = _example_region_ids()
    assert ids == [region["id"] for region in config["regions"]] and len(ids) >= 3
    jobs = _portal_jobs()
    listing = jobs["regions"]
    (step,) = [s for s in listing["steps"] if "--list-regions" in s.get("run", "")]
    assert "qingdan build --list-regions" in step["run"] and '"$GITHUB_OUTPUT"' in step["run"]
    assert listing["outputs"]["ids"] == "${{ steps." + step["id"] + ".outputs.ids }}"
    assert jobs["region"]["needs"] == "regions"
    assert jobs["region"]["strategy"]["matrix"]["region"] == "${{ fromJSON(needs.regions.outputs.ids) }}"


def test_listing_the_regions_fails_with_the_place_to_fix_when_the_config_is_wrong(tmp_path: Path) -> None:
    """The list job stops the pipeline (nothing built, nothing published) and says where to look."""
    from mini_project import make_project

    portal = tmp_path / "portal"
    portal.mkdir()
    (portal / "site_config.yml").write_text(CITY.replace("path: regions/yi", "path: regions/bing"), encoding="utf-8")
    make_project(portal / "regions" / "jia")
    make_project(portal / "regions" / "yi")
    run = subprocess.run([sys.executable, "-m", "generator", "build", "--list-regions"], cwd=portal,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and run.stdout == ""
    assert "site_config.yml:14:" in run.stderr and "regions/bing" in run.stderr
    county = subprocess.run([sys.executable, "-m", "generator", "build", "--list-regions"], cwd=portal / "regions" / "jia",
                            capture_output=True, text=True, timeout=120)
    assert county.returncode == 2 and "不是门户项目" in county.stderr and county.stdout == ""


def test_each_region_job_builds_with_its_own_cache_and_uploads_its_site() -> None:
    steps = _portal_jobs()["region"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    build = [s.get("run", "") for s in steps].index('qingdan build --only-region "${{ matrix.region }}"')
    cache = steps[_step(steps, "actions/cache")]["with"]
    assert _step(steps, "actions/cache") < build and ".cache" in cache["path"]
    assert "${{ matrix.region }}" in cache["key"] and "requirements/runtime.lock" in cache["key"]  # one per region
    assert all(cache["key"].startswith(prefix) for prefix in cache["restore-keys"].splitlines())
    upload = _step(steps, "actions/upload-artifact")
    assert upload > build and steps[upload]["with"]["path"].rstrip("/") == "site/${{ matrix.region }}"


def test_the_portal_is_joined_after_every_region_then_link_checked_and_published() -> None:
    jobs = _portal_jobs()
    artifact = jobs["region"]["steps"][_step(jobs["region"]["steps"], "actions/upload-artifact")]["with"]["name"]
    publish = jobs["publish"]
    assert publish["needs"] == "region"  # after every region of the matrix
    steps = publish["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    download = _step(steps, "actions/download-artifact")
    assert steps[download]["with"]["pattern"] == artifact.replace("${{ matrix.region }}", "*")
    runs = "\n".join(s.get("run", "") for s in steps[download + 1:])
    after_download = _order(runs, "site/", "qingdan build --join-only", "--dry-run",
                            'qingdan publish --to "$QINGDAN_TARGET" --format json', "--verify")
    assert after_download == sorted(after_download)
    assert "qingdan build\n" not in runs + "\n"  # the join never rebuilds a region


def test_the_portal_gitlab_ci_names_every_region_in_its_matrix_then_joins_and_publishes() -> None:
    ids = _example_region_ids()
    gitlab = yaml.safe_load(PORTAL_GITLAB.read_text(encoding="utf-8"))
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    job = gitlab["qingdan-region"]
    (matrix,) = job["parallel"]["matrix"]
    assert matrix["REGION"] == ids  # GitLab's matrix is written out: it must name every region
    assert 'qingdan build --only-region "$REGION"' in job["script"]
    assert job["artifacts"]["paths"] == ["site/$REGION/"]
    assert "$REGION" in job["cache"]["key"]["prefix"] and any(".cache" in p for p in job["cache"]["paths"])
    assert "requirements/runtime.lock" in job["cache"]["key"]["files"]
    join = gitlab["qingdan-publish"]
    assert join["needs"] == ["qingdan-region"] and gitlab["stages"].index(join["stage"]) > gitlab["stages"].index(
        job["stage"])
    script = "\n".join(join["script"])
    commands = ("qingdan build --join-only", "--dry-run", 'qingdan publish --to "$QINGDAN_TARGET" --format json',
                "--verify")
    assert _order(script, *commands) == sorted(_order(script, *commands))
    rules = gitlab[job["extends"]]["rules"]  # both jobs run on the same pipelines, the daily schedule too
    assert job["extends"] == join["extends"] and {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in rules


CITY = """\
portal:
  site_name: 测试市权责清单公开平台
  region: 测试市
  region_code: "360700"
  base_url: https://qingdan.example.gov.cn/
  sponsor: 测试市人民政府办公室
  organizer: 测试市委机构编制委员会办公室
  site_id_code: "3607000001"
  icp: 赣ICP备12345678号
  police_record: 赣公网安备 36070002000123号

regions:
  - {id: jia, name: 甲县, code: "360701", path: regions/jia}
  - {id: yi, name: 乙县, code: "360702", path: regions/yi}
"""


def _city(origin: Path) -> Path:
    """A portal of two counties, each its own git repository (as a submodule would be checked out)."""
    from mini_project import make_project
    from publish_support import git

    for region_id, name in (("jia", "甲县"), ("yi", "乙县")):
        region = make_project(origin / "regions" / region_id)
        config = region / "site_config.yml"
        config.write_text(config.read_text(encoding="utf-8").replace("测试县", name), encoding="utf-8")
        (region / ".gitignore").write_text("site/\n.cache/\n", encoding="utf-8")
        git(region, "init", "-q", "-b", "main")
        git(region, "add", "-A")
        git(region, "commit", "-qm", "清单首次公布")
    (origin / "site_config.yml").write_text(CITY, encoding="utf-8")
    shutil.copy(PORTAL / "mkdocs.yml", origin / "mkdocs.yml")
    return origin


def _pipeline(origin: Path, run: Path, caches: dict[str, Path], target: Path) -> dict:
    """One run of the portal templates: a fresh checkout per matrix job with that region's cache
    restored, `--only-region`, the sites collected as artifacts into the join's checkout, `--join-only`,
    the link check (`--dry-run`) and `qingdan publish`; returns the publish report."""
    from publish_support import qingdan

    ids = json.loads(qingdan(origin, "build", "--list-regions").stdout)
    joined = run / "join"
    shutil.copytree(origin, joined)
    for region_id in ids:
        job = run / region_id
        shutil.copytree(origin, job)
        cache = job / "regions" / region_id / ".cache"
        if caches.get(region_id):
            shutil.copytree(caches[region_id], cache)
        built = qingdan(job, "build", "--only-region", region_id, env=EPOCH)
        assert built.returncode == 0, built.stdout + built.stderr
        caches[region_id] = cache
        shutil.copytree(job / "site" / region_id, joined / "site" / region_id)  # upload, then download
    for args in (("build", "--join-only"), ("publish", "--to", str(target), "--dry-run")):
        done = qingdan(joined, *args, env=EPOCH)
        assert done.returncode == 0, done.stdout + done.stderr
    done = qingdan(joined, "publish", "--to", str(target), "--format", "json", env=EPOCH)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_republishing_after_one_region_changed_sends_only_that_region_and_the_join_top_level(tmp_path: Path) -> None:
    """What the templates rely on: regions built in separate jobs and joined make a site `qingdan
    publish` accepts (links checked across regions); after a change in one county the next run sends
    that county's changed files and the join's top-level files, and nothing of the other county."""
    from publish_support import git, tree

    origin = _city(tmp_path / "origin")
    target, caches = tmp_path / "target", {}
    first = _pipeline(origin, tmp_path / "run1", caches, target)
    assert first["uploaded"]["files"] > 0
    # The link check publish ran covers links between the portal and its regions: without yi's
    # home page, the portal pages that lead there are reported.
    from generator.publish.links import broken_links
    from generator.publish.manifest import read_manifest
    from generator.regions.config import RESERVED

    site = tmp_path / "run1" / "join" / "site"
    files = read_manifest(site).files  # the root and its parts
    assert broken_links(site, files) == []
    cut = {page for page, link in broken_links(site, set(files) - {"yi/index.html"})}
    assert "index.html" in cut and "regions/index.html" in cut
    served = target / "current"
    before = tree(served)
    assert {"index.html", "jia/index.html", "yi/index.html", "qingdan-manifest.json"} <= set(before)

    power = origin / "regions" / "jia" / "lists" / "power" / "scjgj.yml"
    text = power.read_text(encoding="utf-8")
    power.write_text(text.replace("name: 食品经营许可\n", "name: 食品经营许可（含仅销售预包装食品备案）\n", 1),
                     encoding="utf-8")
    assert power.read_text(encoding="utf-8") != text
    git(origin / "regions" / "jia", "commit", "-qam", "调整权力清单\n\n调整依据: 测府字〔2024〕1号\n生效日期: 2024-03-01")

    second = _pipeline(origin, tmp_path / "run2", caches, target)
    sent = second["uploaded"]["paths"]
    assert any(path.startswith("jia/") for path in sent)
    assert not [path for path in sent if path.startswith("yi/")]
    top = [path for path in sent if not path.startswith("jia/")]
    assert top and all("/" not in path or path.split("/", 1)[0].lower() in RESERVED for path in top)  # the join's
    after = tree(served)
    assert {p: h for p, h in after.items() if p.startswith("yi/")} == {
        p: h for p, h in before.items() if p.startswith("yi/")}
    assert "食品经营许可（含仅销售预包装食品备案）" in (served / "jia" / "power" / "000131127004" / "index.html").read_text(
        encoding="utf-8")
