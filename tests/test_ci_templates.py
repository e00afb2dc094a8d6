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
