"""History from git: real repositories built in temp dirs, real commits, the exact events."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import load_config
from generator.gitrepo import GitRepo, parse_trailers
from generator.history import extract_history
from generator.history.blobparse import BlobParser
from generator.history.cache import CODE, COLUMN, HASH, LINE, BlobCache
from generator.history.trailers import normalize_date, read_basis
from generator.load import load_catalog, parse_list_bytes
from generator.problems import Problems
from generator.snapshot import catalog_at

MINI = Path(__file__).parent / "fixtures" / "mini"
FOOD = "000131127004"  # 食品经营许可, lists/power/scjgj.yml
PENALTY = "000231001000"  # lists/power/scjgj.yml
BUILD = "000117004000"  # 建筑工程施工许可, lists/power/zjj.yml
MARRIAGE = "BM-mzj-001"  # lists/convenience/mzj.yml


def git(root: Path, *args: str, date: str = "2016-01-04T09:00:00+08:00", author: str = "张三") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "bianban@example.gov.cn", "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": "bianban@example.gov.cn", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
    })
    run = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def commit(root: Path, message: str, date: str, author: str = "张三") -> str:
    git(root, "add", "-A", date=date)
    git(root, "commit", "-q", "--allow-empty", "-m", message, date=date, author=author)
    return git(root, "rev-parse", "HEAD")


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def new_repo(tmp_path: Path, sub: str = "") -> tuple[Path, Path]:
    """(repository top, project root) with the mini project committed once."""
    top = tmp_path / "repo"
    project = top / sub if sub else top
    shutil.copytree(MINI, project)
    git(top, "init", "-q", "-b", "main")
    commit(top, "发布权责清单", "2016-01-04T09:00:00+08:00")
    return top, project


def history(project: Path, cache_dir: Path | None = None):
    problems = Problems()
    config = load_config(project, problems)
    assert config is not None, problems.items
    return extract_history(config, problems, cache_dir=cache_dir or project / ".cache" / "history"), problems


def kinds(events) -> list[tuple[str, str, str]]:
    return [(e.kind, e.list_id, e.code) for e in events]


POWER_ITEM = """\
  - code: "000231002000"
    name: 对经营超过保质期食品的处罚
    type: 行政处罚
    subject: 测试县市场监督管理局
    basis:
      - law: 《中华人民共和国食品安全法》
        article: 第一百二十四条
    conditions: 经调查核实存在违法行为。
    procedure: [立案, 调查, 告知, 决定, 执行]
    time_limit: {statutory: 90, promised: 60, unit: 自然日}
    result: 行政处罚决定书
    fee: {basis: 无, standard: 不收费}
"""


@pytest.fixture
def adjusted(tmp_path):
    """A history with one commit of each kind of event."""
    top, project = new_repo(tmp_path)
    shas = {"init": git(top, "rev-parse", "HEAD")}
    edit(project, "lists/power/scjgj.yml", "promised: 5", "promised: 3")
    shas["change"] = commit(top, "压缩食品经营许可承诺时限\n\n根据优化营商环境要求。\n\n调整依据: 赣府字〔2016〕12号\n生效日期: 2016-12-01",
                            "2016-11-20T10:00:00+08:00", author="李四")
    edit(project, "lists/power/zjj.yml", "name: 建筑工程施工许可", "name: 建筑工程施工许可证核发")
    shas["rename"] = commit(top, "规范事项名称\n\nBasis: 赣府字〔2017〕3号\nEffective: 2017/3/1", "2017-02-20T10:00:00+08:00")
    edit(project, "lists/power/scjgj.yml", f'code: "{PENALTY}"', 'code: "000231001100"')
    shas["recode"] = commit(top, "统一事项编码", "2017-05-02T10:00:00+08:00")
    with open(project / "lists/power/scjgj.yml", "a", encoding="utf-8") as f:
        f.write(POWER_ITEM)
    shas["add"] = commit(top, "新增一项处罚\n\n调整依据：赣府字〔2017〕9号", "2017-06-01T10:00:00+08:00")
    # 划转: the item moves from scjgj's file to zjj's file, its subject with it
    text = (project / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    (project / "lists/power/scjgj.yml").write_text(text.replace(POWER_ITEM, ""), encoding="utf-8")
    with open(project / "lists/power/zjj.yml", "a", encoding="utf-8") as f:
        f.write(POWER_ITEM.replace("测试县市场监督管理局", "测试县住房和城乡建设局"))
    shas["move"] = commit(top, "处罚事项划转住建局\n\n调整依据: 赣编办〔2018〕2号", "2018-03-01T10:00:00+08:00")
    (project / "lists/convenience/mzj.yml").unlink()
    shas["remove"] = commit(top, "取消婚姻登记便民事项\n\n调整依据: 赣府字〔2019〕1号\n生效日期: 2019年1月1日",
                            "2019-01-01T10:00:00+08:00")
    return top, project, shas


def test_each_kind_of_event_with_its_commit_date_author_and_basis(adjusted):
    _, project, shas = adjusted
    h, problems = history(project)
    assert h.notices == [] and h.complete and h.head == shas["remove"]
    assert [a.commit for a in h.adjustments] == [shas[k] for k in ("remove", "move", "add", "recode", "rename",
                                                                     "change", "init")]
    assert [(e.kind, e.list_id, e.code) for e in h.events[:6]] == [
        ("取消", "convenience", MARRIAGE),
        ("划转", "power", "000231002000"),
        ("新增", "power", "000231002000"),
        ("改码", "power", "000231001100"),
        ("更名", "power", BUILD),
        ("变更", "power", FOOD),
    ]
    assert {e.kind for e in h.events[6:]} == {"新增"} and len(h.events[6:]) == 8  # the first commit

    change = h.by_item("power", FOOD)[0]
    assert (change.commit, change.date, change.author) == (shas["change"], "2016-11-20T10:00:00+08:00", "李四")
    assert (change.basis, change.effective, change.has_basis) == ("赣府字〔2016〕12号", "2016-12-01", True)
    assert change.subject == "压缩食品经营许可承诺时限"
    assert [(c.field, c.label) for c in change.changes] == [("time_limit", "办理时限")]
    assert change.changes[0].old == {"statutory": 20, "promised": 5, "unit": "工作日"}
    assert change.changes[0].new == {"statutory": 20, "promised": 3, "unit": "工作日"}
    assert [e.kind for e in h.by_item("power", FOOD)] == ["变更", "新增"]

    rename = h.by_item("power", BUILD)[0]
    assert (rename.name, rename.old_name) == ("建筑工程施工许可证核发", "建筑工程施工许可")
    assert [(c.field, c.old, c.new) for c in rename.changes] == [("name", "建筑工程施工许可", "建筑工程施工许可证核发")]
    assert (rename.basis, rename.effective) == ("赣府字〔2017〕3号", "2017-03-01")  # English aliases, 2017/3/1

    recode = h.by_item("power", "000231001100")[0]
    assert (recode.kind, recode.old_code, recode.code) == ("改码", PENALTY, "000231001100")
    assert [(c.field, c.label, c.old, c.new) for c in recode.changes] == [("code", "事项编码", PENALTY, "000231001100")]
    assert not recode.has_basis and recode.basis == ""
    assert h.by_item("power", PENALTY)[0] is recode  # the old code's timeline ends with it

    added = h.by_item("power", "000231002000")
    assert [e.kind for e in added] == ["划转", "新增"]
    assert added[1].basis == "赣府字〔2017〕9号"  # full-width colon
    assert (added[0].old_department, added[0].department) == ("scjgj", "zjj")
    assert [(c.field, c.new) for c in added[0].changes] == [("subject", "测试县住房和城乡建设局")]

    removed = h.by_item("convenience", MARRIAGE)[0]
    assert (removed.kind, removed.name, removed.department, removed.effective) == ("取消", "婚姻登记", "mzj", "2019-01-01")

    counts = {a.commit: a.counts for a in h.adjustments}
    assert counts[shas["init"]] == {"新增": 8, "取消": 0, "变更": 0, "更名": 0, "改码": 0, "划转": 0}
    assert counts[shas["move"]]["划转"] == 1 and sum(counts[shas["move"]].values()) == 1


def test_removed_items_keep_their_last_data_for_tombstones(adjusted):
    _, project, _ = adjusted
    h, _ = history(project)
    assert [(r.list_id, r.code, r.event.kind) for r in h.removed_items] == [
        ("power", PENALTY, "改码"), ("convenience", MARRIAGE, "取消")]
    marriage = h.removed("convenience", MARRIAGE)
    assert marriage.name == "婚姻登记" and marriage.data["location"] == "测试县政务服务中心一楼民政窗口"
    assert marriage.event.basis == "赣府字〔2019〕1号"
    assert h.removed("power", FOOD) is None


def test_history_is_json_serialisable_and_deterministic(adjusted, tmp_path):
    _, project, _ = adjusted
    first = json.dumps(history(project, tmp_path / "c1")[0].to_json(), ensure_ascii=False, sort_keys=True)
    again = json.dumps(history(project, tmp_path / "c1")[0].to_json(), ensure_ascii=False, sort_keys=True)
    fresh = json.dumps(history(project, tmp_path / "c2")[0].to_json(), ensure_ascii=False, sort_keys=True)
    assert first == again == fresh


def test_the_files_the_loader_parsed_give_the_same_history(adjusted, tmp_path):
    """The build hands the history step what the load step parsed (same git blobs); the history
    is the one parsing them again gives, and a later run on that cache resumes as usual."""
    from generator.project import open_project

    _, project, _ = adjusted
    opened = open_project(project, cache=True)
    assert opened.parsed
    reused = extract_history(opened.config, Problems(), cache_dir=tmp_path / "c1", known=opened.parsed)
    fresh, _ = history(project, tmp_path / "c2")
    assert reused.stats["blobs_parsed"] < fresh.stats["blobs_parsed"]
    as_json = [json.dumps(h.to_json(), ensure_ascii=False, sort_keys=True) for h in (reused, fresh)]
    assert as_json[0] == as_json[1]
    again, _ = history(project, tmp_path / "c1")
    assert json.dumps(again.to_json(), ensure_ascii=False, sort_keys=True) == as_json[1]


def test_cache_is_reused_and_a_new_commit_resumes_the_saved_walk(adjusted, tmp_path):
    top, project, _ = adjusted
    cache = project / ".cache" / "history"
    history(project)
    assert list(cache.glob("blobs-*.sqlite"))
    again, _ = history(project)
    assert again.stats == {"commits": 7, "walked": 0, "blobs_parsed": 0, "processes": 1}
    edit(project, "lists/power/zjj.yml", "promised: 3", "promised: 2")
    sha = commit(top, "再次压缩时限\n\n调整依据: 赣府字〔2020〕5号", "2020-05-01T10:00:00+08:00")
    resumed, _ = history(project)
    assert resumed.stats == {"commits": 8, "walked": 1, "blobs_parsed": 1, "processes": 1}
    cold, _ = history(project, tmp_path / "fresh")
    assert cold.stats["walked"] == 8 and cold.stats["blobs_parsed"] > 8
    assert resumed.to_json() == cold.to_json()
    assert resumed.events[0].commit == sha and resumed.events[0].kind == "变更"


def test_invalid_yaml_commit_is_skipped_with_a_warning_naming_it(tmp_path):
    top, project = new_repo(tmp_path)
    edit(project, "lists/power/zjj.yml", "    type: 行政许可\n", "    type: 行政许可\n   bad: [\n")
    bad = commit(top, "误提交了错误的文件", "2016-02-01T10:00:00+08:00")
    edit(project, "lists/power/zjj.yml", "   bad: [\n", "")
    edit(project, "lists/power/zjj.yml", "promised: 3", "promised: 2")
    fixed = commit(top, "修正并压缩时限", "2016-02-02T10:00:00+08:00")
    h, problems = history(project)
    [notice] = h.notices
    assert notice.rule == "history-invalid-file" and notice.severity == "warning"
    assert bad[:7] in notice.message and "lists/power/zjj.yml" in notice.message and "YAML" in notice.message
    assert notice in problems.items
    # no spurious 取消/新增 for the broken version: the change shows at the fixing commit
    assert kinds(h.by_item("power", BUILD)) == [("变更", "power", BUILD), ("新增", "power", BUILD)]
    assert h.by_item("power", BUILD)[0].commit == fixed
    assert [a.commit for a in h.adjustments][0] == fixed and len(h.adjustments) == 2


def test_a_file_deleted_and_added_again(tmp_path):
    top, project = new_repo(tmp_path)
    saved = (project / "lists/convenience/mzj.yml").read_bytes()
    (project / "lists/convenience/mzj.yml").unlink()
    gone = commit(top, "删除", "2016-02-01T10:00:00+08:00")
    (project / "lists/convenience/mzj.yml").write_bytes(saved)
    back = commit(top, "恢复", "2016-03-01T10:00:00+08:00")
    h, _ = history(project)
    assert [(e.kind, e.commit) for e in h.by_item("convenience", MARRIAGE)][:2] == [("新增", back), ("取消", gone)]
    assert h.removed("convenience", MARRIAGE) is None  # present again at HEAD


def test_renamed_files(tmp_path):
    top, project = new_repo(tmp_path)
    git(top, "mv", "lists/power/zjj.yml", "lists/power/zjj.yaml")
    commit(top, "改扩展名", "2016-02-01T10:00:00+08:00")
    h, _ = history(project)
    assert len(h.adjustments) == 1  # same department, same items: nothing happened to any item
    # the department's file renamed to another department (机构改革): every item 划转
    git(top, "mv", "lists/power/zjj.yaml", "lists/power/mzj.yml")
    edit(project, "lists/power/mzj.yml", "department: zjj", "department: mzj")
    moved = commit(top, "机构改革\n\n调整依据: 赣编发〔2019〕1号", "2019-03-01T10:00:00+08:00")
    h, _ = history(project)
    [event] = h.adjustments[0].events
    assert (event.kind, event.code, event.old_department, event.department, event.commit) == (
        "划转", BUILD, "zjj", "mzj", moved)
    assert event.changes == ()


def test_commit_dates_out_of_order_follow_the_commit_graph(tmp_path):
    top, project = new_repo(tmp_path)
    edit(project, "lists/power/zjj.yml", "promised: 3", "promised: 2")
    later = commit(top, "先做的调整", "2018-06-01T10:00:00+08:00")
    edit(project, "lists/power/zjj.yml", "promised: 2", "promised: 1")
    earlier = commit(top, "后做的调整（时钟错误）", "2017-01-01T10:00:00+08:00")
    h, _ = history(project)
    timeline = h.by_item("power", BUILD)
    assert [(e.commit, e.day) for e in timeline] == [
        (earlier, "2017-01-01"), (later, "2018-06-01"), (timeline[2].commit, "2016-01-04")]
    assert [(c.old["promised"], c.new["promised"]) for e in timeline[:2] for c in e.changes] == [(2, 1), (3, 2)]
    assert [e.commit for e in h.since("2018-01-01")] == [later]


def test_a_merge_is_one_adjustment_with_the_basis_of_what_it_merged(tmp_path):
    top, project = new_repo(tmp_path)
    git(top, "checkout", "-q", "-b", "proposal")
    edit(project, "lists/power/zjj.yml", "promised: 3", "promised: 2")
    branch = commit(top, "拟压缩施工许可时限\n\n调整依据: 赣府字〔2018〕7号\n生效日期: 2018-05-01", "2018-04-01T10:00:00+08:00")
    git(top, "checkout", "-q", "main")
    edit(project, "lists/power/scjgj.yml", "promised: 5", "promised: 4")
    main = commit(top, "压缩食品经营许可时限", "2018-04-02T10:00:00+08:00")
    git(top, "merge", "-q", "--no-ff", "proposal", "-m", "合并法制审核通过的调整", date="2018-04-10T10:00:00+08:00")
    merge = git(top, "rev-parse", "HEAD")
    h, _ = history(project)
    assert [a.commit for a in h.adjustments[:2]] == [merge, main]
    [event] = h.adjustments[0].events
    assert (event.kind, event.code, event.subject) == ("变更", BUILD, "合并法制审核通过的调整")
    assert (event.basis, event.effective, event.date[:10]) == ("赣府字〔2018〕7号", "2018-05-01", "2018-04-10")
    assert all(e.commit != branch for e in h.events)


def test_shallow_clone_is_reported_with_the_fix_and_still_gives_recent_history(adjusted, tmp_path):
    top, _, shas = adjusted
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", top.as_uri(), str(clone))
    h, problems = history(clone)
    [notice] = h.notices
    assert notice.rule == "history-shallow" and "fetch-depth: 0" in notice.hint and "浅克隆" in notice.message
    assert notice in problems.warnings and not problems.errors
    assert not h.complete
    # the boundary commit is the baseline: only the last commit's events, nothing "added" by the cut
    assert [(a.commit, a.counts["取消"]) for a in h.adjustments] == [(shas["remove"], 1)]
    one = tmp_path / "depth1"
    git(tmp_path, "clone", "-q", "--depth", "1", top.as_uri(), str(one))
    h, _ = history(one)
    assert h.events == [] and h.notices[0].rule == "history-shallow"


def test_a_directory_that_is_not_a_repository(tmp_path):
    project = tmp_path / "plain"
    shutil.copytree(MINI, project)
    h, problems = history(project)
    assert h.events == [] and h.adjustments == [] and not h.complete
    assert [p.rule for p in problems.items] == ["history-no-git"]
    assert "不在 git 仓库中" in problems.items[0].message


def test_project_in_a_subdirectory_of_the_repository(tmp_path):
    top, project = new_repo(tmp_path, sub="county")
    (top / "README.txt").write_text("not a list\n", encoding="utf-8")
    edit(project, "lists/power/zjj.yml", "promised: 3", "promised: 2")
    sha = commit(top, "调整\n\n调整依据: 赣府字〔2016〕30号", "2016-05-01T10:00:00+08:00")
    h, _ = history(project)
    assert kinds(h.adjustments[0].events) == [("变更", "power", BUILD)] and h.events[0].commit == sha
    repo = GitRepo(project)
    assert repo.prefix() == "county/" and repo.toplevel().resolve() == top.resolve()
    assert sorted(repo.ls_tree("HEAD"))[0] == "lists/convenience/mzj.yml"


def test_trailers_and_dates():
    message = "调整食品经营许可\n\n说明: 这一段不是末段\n\n调整依据：赣府字〔2016〕12号\n生效日期: 2016-12-01\nSigned-off-by: 张三"
    trailers = parse_trailers(message)
    assert trailers == {"调整依据": "赣府字〔2016〕12号", "生效日期": "2016-12-01", "Signed-off-by": "张三"}
    basis = read_basis(trailers)
    assert (basis.basis, basis.effective, basis.has_basis) == ("赣府字〔2016〕12号", "2016-12-01", True)
    assert read_basis(parse_trailers("x\n\nbasis: A号\nBasis: B号")).basis == "A号；B号"
    assert parse_trailers("调整依据: 只有标题") == {}
    assert parse_trailers("标题\n\n这是正文，不是尾注。\n调整依据: X") == {}  # a paragraph of prose
    assert read_basis({}).has_basis is False
    bad = read_basis({"Effective": "下个月"})
    assert (bad.effective, bad.bad_effective) == ("", "下个月")
    assert [normalize_date(d) for d in ("2016-12-1", "2016.12.01", "2016年12月1日", "2016-13-01")] == [
        "2016-12-01", "2016-12-01", "2016-12-01", None]


def test_bad_effective_date_is_a_warning(tmp_path):
    top, project = new_repo(tmp_path)
    edit(project, "lists/power/zjj.yml", "promised: 3", "promised: 2")
    sha = commit(top, "调整\n\n调整依据: 赣府字〔2016〕30号\n生效日期: 明年", "2016-05-01T10:00:00+08:00")
    h, _ = history(project)
    assert [(p.rule, sha[:7] in p.message, "明年" in p.message) for p in h.notices] == [
        ("history-effective-date", True, True)]
    assert h.events[0].effective == "" and h.events[0].basis == "赣府字〔2016〕30号"


def test_gitrepo_revisions_dates_tags_and_blobs(adjusted):
    top, project, shas = adjusted
    repo = GitRepo(project)
    assert repo.is_repo() and not repo.is_shallow()
    assert repo.rev_parse("HEAD~1") == shas["move"] and repo.rev_parse("no-such-rev") is None
    assert repo.commit_at_date("2016-11-20") == shas["change"]
    assert repo.commit_at_date("2016-11-19") == shas["init"]
    assert repo.commit_at_date("2015-12-31") is None
    with pytest.raises(ValueError):
        repo.commit_at_date("20161120")
    git(top, "tag", "v2016", shas["change"])
    git(top, "tag", "-a", "2017版", "-m", "2017年版", shas["rename"])
    assert [(t.name, t.commit, t.date[:10]) for t in repo.tags()] == [
        ("v2016", shas["change"], "2016-11-20"), ("2017版", shas["rename"], "2017-02-20")]
    info = repo.commit_info(shas["change"])
    assert (info.author, info.subject, info.trailers["调整依据"]) == ("李四", "压缩食品经营许可承诺时限", "赣府字〔2016〕12号")
    tree = repo.ls_tree(shas["init"])
    assert tree["lists/convenience/mzj.yml"] and "lists/convenience/mzj.yml" not in repo.ls_tree("HEAD")
    blobs = repo.read_blobs([tree["lists/power/zjj.yml"], "0" * 40, tree["lists/convenience/mzj.yml"]])
    assert blobs[tree["lists/power/zjj.yml"]] == (MINI / "lists/power/zjj.yml").read_bytes()
    assert len(blobs) == 2
    assert not GitRepo(top / "lists-that-do-not-exist").is_repo()


def test_snapshot_at_a_revision_matches_the_loader_on_that_checkout(adjusted, tmp_path):
    top, project, shas = adjusted
    problems = Problems()
    config = load_config(project, problems)
    repo = GitRepo(project)
    old = catalog_at(config, repo, shas["rename"], problems, BlobCache(config, tmp_path / "c"))
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(top), str(checkout))
    git(checkout, "checkout", "-q", shas["rename"])
    expected = load_catalog(load_config(checkout, Problems()), Problems())
    assert old.counts() == expected.counts()
    for item in expected.items():
        got = old.get(item.list_id, item.code)
        assert (got.data, got.file, got.line, got.department) == (item.data, item.file, item.line, item.department)
    assert not problems.items
    missing = catalog_at(config, repo, "nope", problems)
    assert sum(missing.counts().values()) == 0 and problems.errors[0].rule == "git-revision"


VARIANTS = [
    ("comment between items", lambda t: t.replace('  - code: "000231001000"', '  # 以下为处罚\n  - code: "000231001000"')),
    ("value changed", lambda t: t.replace("promised: 5", "promised: 4")),
    ("item removed", lambda t: t[:t.index('  - code: "000231001000"')]),
    ("item appended", lambda t: t + POWER_ITEM),
    ("item inserted first", lambda t: t.replace("items:\n", "items:\n" + POWER_ITEM)),
    ("header changed", lambda t: "# 市场监管局\n" + t),
    ("CRLF", lambda t: t.replace("\n", "\r\n")),
    ("indent 0", lambda t: "\n".join(line[2:] if line.startswith("  ") else line for line in t.split("\n"))),
    ("alias", lambda t: t.replace("procedure: [申请, 受理, 审查, 决定, 送达]", "procedure: &p [申请, 受理, 审查, 决定, 送达]")
     .replace("procedure: [立案, 调查, 告知, 决定, 执行]", "procedure: *p")),
    ("dash alone", lambda t: t.replace('  - code: "000231001000"', '  -\n    code: "000231001000"')),
    ("block scalar", lambda t: t.replace("    conditions: 经调查核实存在违法行为。", "    conditions: |\n      经调查核实\n\n      存在违法行为。\n")),
    ("kept block", lambda t: t.replace("    conditions: 经调查核实存在违法行为。", "    conditions: |+\n      经调查核实\n\n")),
    ("syntax error", lambda t: t.replace("    result: 行政处罚决定书", "    result: [行政处罚决定书")),
    ("bad value", lambda t: t.replace("type: 行政处罚", "type: 行政罚款")),
    ("key after items", lambda t: t.replace("department: scjgj\n", "") + "department: scjgj\n"),
    ("two items same text", lambda t: t + t[t.index('  - code: "000231001000"'):]),
]


def test_fast_parse_gives_exactly_what_the_loader_gives(tmp_path):
    """Every version of a file goes through the chunk cache (and the incremental split from the
    version before); each must equal a plain parse_list_bytes of the same bytes."""
    problems = Problems()
    config = load_config(MINI, problems)
    base = (MINI / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    parser = BlobParser(config, BlobCache(config, tmp_path / "cache"))
    texts = [base] + [variant(base) for _, variant in VARIANTS]
    texts += [VARIANTS[1][1](VARIANTS[0][1](base)), VARIANTS[3][1](VARIANTS[1][1](base)), base]
    previous = ""
    whole: list[str] = []
    for number, text in enumerate(texts):
        data = text.encode("utf-8")
        blob = f"{number:040x}"
        got = parser.parse(data, "lists/power/scjgj.yml", "power", "scjgj", blob, previous)
        previous = blob
        expected_problems = Problems()
        expected = parse_list_bytes(data, "lists/power/scjgj.yml", config, expected_problems)
        label = ([("base", None)] + VARIANTS)[number][0] if number <= len(VARIANTS) else f"combined {number}"
        assert [(r[CODE], r[LINE], r[COLUMN]) for r in got.items] == [
            (i.code, i.line, i.column) for i in expected], label
        data_by_hash = parser.cache.get_items(r[HASH] for r in got.items)
        assert [data_by_hash[r[HASH]] for r in got.items] == [i.data for i in expected], label
        assert [(p[0], p[1], p[2], p[3]) for p in got.problems] == [
            (p.severity, p.message, p.line, p.column) for p in expected_problems.items], label
        if parser.whole > len(whole):
            whole.append(label)
    # the unusual files took the loader's own path; everything else went by items
    assert whole == ["alias", "dash alone", "kept block", "syntax error", "bad value", "key after items"]


def test_history_command_text_and_json(adjusted):
    _, project, shas = adjusted
    run = subprocess.run([sys.executable, "-m", "generator", "--project", str(project), "history", f"power/{FOOD}"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "2016-12-01  变更  权力清单 000131127004 食品经营许可（县市场监管局）" in run.stdout  # its record date
    assert "调整依据：赣府字〔2016〕12号  生效日期：2016-12-01" in run.stdout
    assert "办理时限：法定时限 20 工作日；承诺时限 5 工作日 → 法定时限 20 工作日；承诺时限 3 工作日" in run.stdout
    assert "调整依据：未注明" in run.stdout  # the first commit had no trailers
    run = subprocess.run([sys.executable, "-m", "generator", "--project", str(project), "history", "--since",
                          "2018-01-01", "--format", "json"], capture_output=True, text=True)
    data = json.loads(run.stdout)
    assert [(e["kind"], e["commit"]) for e in data["events"]] == [("取消", shas["remove"]), ("划转", shas["move"])]
    assert data["complete"] is True and data["notices"] == []
    run = subprocess.run([sys.executable, "-m", "generator", "--project", str(project), "history", "powr/1"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "是不是想写“power/1”" in run.stderr
    run = subprocess.run([sys.executable, "-m", "generator", "--project", str(project), "history", "power/999"],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "没有找到 power/999 的调整记录" in run.stderr


POOLED_PARSE = """
import pickle, sys
from pathlib import Path
from generator.config import load_config
from generator.gitrepo import GitRepo
from generator.history.blobparse import BlobParser
from generator.history.cache import BlobCache
from generator.problems import Problems
project, cache, out = map(Path, sys.argv[1:4])
config = load_config(project, Problems())
repo = GitRepo(project)
wanted = [(c.path, c.new_blob, c.old_blob) for commit in repo.log_changes() for c in commit.changes
          if c.new_blob != "0" * 40]
parser = BlobParser(config, BlobCache(config, cache), pool_min_bytes=0)
summaries = parser.summaries(repo, wanted)
out.write_bytes(pickle.dumps((parser.processes, wanted, summaries)))
"""


def test_worker_processes_give_the_same_summaries_as_one_process(adjusted, tmp_path, monkeypatch):
    # Worker processes are forked only from a single-threaded process; pytest's session (browser,
    # servers) has threads, so the pooled parse runs in a fresh interpreter.
    _, project, _ = adjusted
    out = tmp_path / "pooled.pickle"
    env = dict(os.environ, QINGDAN_JOBS="2")
    subprocess.run([sys.executable, "-c", POOLED_PARSE, str(project), str(tmp_path / "a"), str(out)],
                   env=env, check=True)
    processes, wanted, in_pool = pickle.loads(out.read_bytes())
    config = load_config(project, Problems())
    repo = GitRepo(project)
    monkeypatch.setenv("QINGDAN_JOBS", "1")
    single = BlobParser(config, BlobCache(config, tmp_path / "b"))
    assert processes == 2 and in_pool == single.summaries(repo, wanted) and single.processes == 1
    assert len(in_pool) == len({(p, b) for p, b, _ in wanted})


