"""The adjustment record the public reads: only real adjustments, dated by their own notices, in Chinese.

Setup commits before the first publication (清单基线), commits that only change how the data is
written, developers' messages and git hashes never reach a public page or feed; editions declared
in site_config.yml appear on a clone that has no tags.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from mini_project import edit, make_project, qingdan


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=dev", "-c", "user.email=dev@example.org", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[Path, Path, list[str]]:
    root = make_project(tmp_path_factory.mktemp("record") / "county")
    power = root / "lists/power/zjj.yml"
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Scaffold the county project (setup, not an adjustment)")
    edit(power, "promised: 3", "promised: 4")
    git(root, "commit", "-qam", "Fix typo in demo data")
    edit(power, "promised: 4", "promised: 3")
    git(root, "commit", "-qam", "测试县清单首次公布\n\n清单基线: 首次公布\n发布日期: 2017-06-30")
    hashes = [git(root, "rev-parse", "--short", "HEAD")]
    # A real adjustment entered years later, dated by its notice.
    edit(power, "promised: 3", "promised: 2")
    git(root, "commit", "-qam",
         "关于压缩建筑工程施工许可办理时限的通知\n\n调整依据: 测政办发〔2019〕8号\n发布日期: 2019-03-01\n生效日期: 2019-04-01")
    hashes.append(git(root, "rev-parse", "--short", "HEAD"))
    # A format migration: the basis written as its published text, the words unchanged.
    edit(power, "    basis:\n      - law: 《中华人民共和国建筑法》\n        article: 第七条\n", "    basis: 《中华人民共和国建筑法》第七条\n")
    git(root, "commit", "-qam", "Migrate bases to verbatim text")
    hashes.append(git(root, "rev-parse", "--short", "HEAD"))
    # A change committed with a developer's message: still an adjustment, never shown in English.
    edit(power, "result: 建筑工程施工许可证", "result: 建筑工程施工许可证（电子证照）")
    git(root, "commit", "-qam", "Update result field after review\n\n调整依据: 测政办发〔2021〕2号\n发布日期: 2021-05-10")
    hashes.append(git(root, "rev-parse", "--short", "HEAD"))
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\neditions:\n  declared:\n"
                      "    - {name: 2019版, date: 2019-12-31}\n    - {name: 2021版, date: 2021-12-31}\n", encoding="utf-8")
    git(root, "commit", "-qam", "Declare editions")
    site = root.parent / "site"
    build = qingdan(root, "build", "--out", str(site))
    assert build.returncode == 0, build.stdout + build.stderr
    return root, site, hashes


def test_only_adjustments_after_the_first_publication_are_in_the_record(county) -> None:
    root, _, _ = county
    history = json.loads(qingdan(root, "history", "--format", "json").stdout)
    events = history["events"]
    assert [(e["kind"], e["basis"], e["published"]) for e in events] == [
        ("变更", "测政办发〔2021〕2号", "2021-05-10"),
        ("变更", "测政办发〔2019〕8号", "2019-03-01"),
    ]  # no setup commit, no typo fix before the baseline, no format migration
    assert events[1]["changes"][0]["field"] == "time_limit"


def test_public_pages_show_record_dates_in_chinese_without_hashes(county) -> None:
    _, site, hashes = county
    adjustments = (site / "adjustments/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2019-03-01">2019-03-01</time> 关于压缩建筑工程施工许可办理时限的通知' in adjustments
    assert "依据测政办发〔2021〕2号调整清单" in adjustments  # the English message is replaced, not shown
    item = (site / "power/000117004000/index.html").read_text(encoding="utf-8")
    assert "2019-03-01" in item and "生效日期：2019-04-01" in item
    for page in [*site.rglob("*.html"), site / "feed.xml", site / "feed.json"]:
        text = page.read_text(encoding="utf-8")
        visible = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", text, flags=re.S)
        for words in ("Scaffold", "Fix typo", "Migrate bases", "Update result", "Declare editions",
                      "项目目录不在", "无法识别，已忽略"):
            assert words not in visible, (page, words)
        assert not re.search(r"版本 [0-9a-f]{7}", visible), page
        for short in hashes:
            assert short not in visible, (page, short)


def test_declared_editions_appear_without_tags(county) -> None:
    root, site, _ = county
    assert git(root, "tag") == ""
    editions = (site / "editions/index.html").read_text(encoding="utf-8")
    assert "2019版" in editions and "2021版" in editions
    v2019 = next(p for p in (site / "editions").glob("2019*/power/000117004000/index.html"))
    text = v2019.read_text(encoding="utf-8")
    assert "承诺时限 2 工作日" in text and "电子证照" not in text  # as it stood at the end of 2019
