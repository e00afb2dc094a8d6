"""History (动态调整) and review (qingdan diff, edition comparisons) describe a commit the same way."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from mini_project import make_project, qingdan

from generator.changes import KINDS
from generator.diff.result import KINDS as REVIEW_KINDS
from generator.history.events import KIND_IDS


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root, check=True,
                   capture_output=True)


def test_one_set_of_kinds() -> None:
    assert {label: kind for kind, label in KINDS.items()} == KIND_IDS
    assert {k: v for k, v in REVIEW_KINDS.items() if k != "format"} == KINDS


def test_an_item_recoded_and_changed_in_one_commit_is_one_item_in_both(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "基线")
    path = root / "lists/power/zjj.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"000117004000"', '"000117004001"', 1).replace("promised: 3", "promised: 2", 1),
                    encoding="utf-8")
    git(root, "commit", "-qam", "施工许可改用新编码并压缩时限\n\n调整依据: 测政发〔2026〕3号")

    history = json.loads(qingdan(root, "history", "--format", "json").stdout)
    events = [e for e in history["events"] if e["code"] == "000117004001" or e.get("old_code") == "000117004000"]
    latest = [e for e in events if e["basis"] == "测政发〔2026〕3号"]
    assert [e["kind"] for e in latest] == ["改码"], events  # not 取消 + 新增
    assert {c["field"] for c in latest[0]["changes"]} == {"code", "time_limit"}

    review = json.loads(qingdan(root, "diff", "HEAD~1", "HEAD", "--format", "json").stdout)
    [item] = review["items"]
    assert item["code"] == "000117004001" and set(item["kinds"]) == {"recoded", "changed"}
