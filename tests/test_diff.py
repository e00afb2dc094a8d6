"""The review engine: what changed between two versions of the lists, field by field, and why it matters.

Each test copies the mini project twice (version A and version B), edits B's YAML the way a
department would, loads both with the real loader and compares them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.diff import compare
from generator.diff.result import DiffResult, Version
from generator.diff.textdiff import Segment, amounts, inline_diff, normalize_format, tokenize
from generator.project import open_project

MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
FOOD = "000131127004"  # 食品经营许可 (scjgj), referenced by the responsibility list
PENALTY = "000231001000"  # 对生产经营不符合食品安全标准的食品的处罚 (scjgj)
BUILD = "000117004000"  # 建筑工程施工许可 (zjj), referenced by fee, prerequisite and intermediary items


def changes(segments: list[Segment]) -> list[tuple[str, str, str]]:
    return [(s.op, s.old, s.new) for s in segments if s.op != "equal"]


# --- the token-aware character diff --------------------------------------------------------------

def test_a_number_changes_as_one_token():
    assert inline_diff("20个工作日", "15个工作日") == [
        Segment("replace", "20", "15"), Segment("equal", "个工作日", "个工作日")]


def test_document_numbers_change_as_whole_tokens():
    diff = inline_diff("依据赣府字〔2016〕12号执行", "依据赣府字〔2017〕3号执行")
    assert changes(diff) == [("replace", "赣府字〔2016〕12号", "赣府字〔2017〕3号")]
    assert diff[0] == Segment("equal", "依据", "依据")


def test_law_titles_and_articles_are_tokens():
    assert tokenize("《中华人民共和国食品安全法》第三十五条") == ["《中华人民共和国食品安全法》", "第三十五条"]
    diff = inline_diff("《中华人民共和国食品安全法》第三十五条", "《中华人民共和国食品安全法实施条例》第三十五条")
    assert changes(diff) == [("replace", "《中华人民共和国食品安全法》", "《中华人民共和国食品安全法实施条例》")]


def test_words_before_a_document_number_are_not_part_of_it():
    assert tokenize("根据国办发〔2022〕2号")[-1] == "国办发〔2022〕2号"


def test_inline_diff_ignores_formatting_inside_a_real_change():
    diff = inline_diff("承诺时限 ５ 个工作日，赣府字[2016]12号", "承诺时限 3 个工作日，赣府字〔2016〕12号")
    assert changes(diff) == [("replace", "５", "3")]


@pytest.mark.parametrize("old,new", [
    ("每件80元，不收费", "每件８０元,不收费"),  # full-width digits and comma
    ("赣府字〔2016〕12号", "赣府字[2016]12号"),
    ("赣府字〔2016〕12号", "赣府字【2016】12号"),
    ("赣府字〔2016〕12号", "赣府字（2016）12 号"),
    ("具有相应的经营场所。", "具有相应的\n经营 场所。"),  # line breaks and spaces
    ("“其他”", '"其他"'),
])
def test_formatting_only_differences_normalise_away(old, new):
    assert normalize_format(old) == normalize_format(new)


@pytest.mark.parametrize("old,new", [
    ("12315 12345", "1231512345"),  # a space between two numbers is content
    ("20个工作日", "15个工作日"),
    ("赣府字〔2016〕12号", "赣府字〔2016〕13号"),
    ("申请、受理", "申请，受理"),
])
def test_content_differences_survive_normalisation(old, new):
    assert normalize_format(old) != normalize_format(new)


def test_amounts_are_read_from_fee_standards():
    assert amounts("每件80元，补证5元") == [(80.0, "元"), (5.0, "元")]
    assert amounts("最高1.5万元，按标的额的0.5%收取") == [(15000.0, "元"), (0.5, "%")]
    assert amounts("不收费") == []


# --- comparing two versions -----------------------------------------------------------------------

class Pair:
    """Two copies of the mini project: A stays as it is, B is edited."""

    def __init__(self, tmp_path: Path) -> None:
        self.a = tmp_path / "a"
        self.b = tmp_path / "b"
        shutil.copytree(MINI, self.a)
        shutil.copytree(MINI, self.b)

    def edit(self, rel: str, old: str, new: str, count: int = 1) -> None:
        path = self.b / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    def append(self, rel: str, text: str) -> None:
        path = self.b / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    def compare(self, **options) -> DiffResult:
        a, b = open_project(self.a), open_project(self.b)
        assert a.catalog is not None and b.catalog is not None, b.problems.items
        unreadable = [p.message for p in b.problems.errors if p.rule in ("yaml-syntax", "field-value")]
        assert not unreadable, unreadable
        return compare(a.catalog, b.catalog, Version("A", "catalog"), Version("B", "catalog"), **options)


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return Pair(tmp_path)


def item(result: DiffResult, code: str):
    found = [i for i in result.items if i.code == code]
    assert len(found) == 1, [(i.code, i.kinds) for i in result.items]
    return found[0]


def flag_ids(result: DiffResult, code: str) -> list[str]:
    return [f.id for f in item(result, code).flags]


NEW_POWER = """
  - code: "000131127099"
    name: 小餐饮登记
    type: 行政许可
    subject: 测试县市场监督管理局
    basis:
      - law: 《江西省食品小作坊小餐饮小食杂店管理条例》
        article: 第十条
    conditions: 有固定经营场所。
    procedure: [申请, 受理, 登记]
    time_limit: {statutory: 10, promised: 3, unit: 工作日}
    result: 小餐饮登记证
    fee: {basis: 无, standard: 不收费}
"""


def test_identical_versions_have_nothing_to_review(pair):
    result = pair.compare()
    assert result.empty
    assert result.summary_by_list() == [("", "合计", dict.fromkeys(
        ["added", "removed", "changed", "renamed", "recoded", "moved", "format"], 0))]


def test_summary_counts_each_kind_per_list_and_department(pair):
    pair.append("lists/power/scjgj.yml", NEW_POWER)  # 新增
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 3")  # 变更
    pair.edit("lists/power/scjgj.yml", "name: 对生产经营不符合食品安全标准的食品的处罚",
              "name: 对生产经营不符合食品安全标准食品的处罚")  # 更名
    pair.edit("lists/prerequisite/zjj.yml", "QZ-zjj-001", "QZ-zjj-002")  # 改码
    pair.edit("lists/fee/zjj.yml", "赣发改收费〔2017〕1号", "赣发改收费【2017】1号")  # 格式调整
    (pair.b / "lists/convenience/mzj.yml").write_text("department: mzj\nitems: []\n", encoding="utf-8")  # 取消
    result = pair.compare()
    by_list = {title: {k: v for k, v in counts.items() if v} for _, title, counts in result.summary_by_list()}
    assert by_list == {
        "权力清单": {"added": 1, "changed": 1, "renamed": 1},
        "行政事业性收费清单": {"format": 1},
        "前置审批事项清单": {"recoded": 1},
        "便民服务事项目录清单": {"removed": 1},
        "合计": {"added": 1, "removed": 1, "changed": 1, "renamed": 1, "recoded": 1, "format": 1},
    }
    by_dept = {code: {k: v for k, v in counts.items() if v} for code, _, counts in result.summary_by_department()}
    assert by_dept == {
        "scjgj": {"added": 1, "changed": 1, "renamed": 1},
        "zjj": {"recoded": 1, "format": 1},
        "mzj": {"removed": 1},
    }


def test_a_changed_item_lists_only_its_changed_fields(pair):
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 3")
    pair.edit("lists/power/scjgj.yml", "article: 第三十五条", "article: 第三十六条")
    found = item(pair.compare(), FOOD)
    assert found.kinds == ["changed"]
    assert [(c.label, c.old, c.new) for c in found.changes] == [
        ("办理依据", "《中华人民共和国食品安全法》第三十五条", "《中华人民共和国食品安全法》第三十六条"),
        ("办理时限", "法定时限 20 工作日；承诺时限 5 工作日", "法定时限 20 工作日；承诺时限 3 工作日"),
    ]
    assert changes(found.changes[0].segments) == [("replace", "第三十五条", "第三十六条")]
    assert changes(found.changes[1].segments) == [("replace", "5", "3")]
    assert found.changes[1].old_value == {"statutory": 20, "promised": 5, "unit": "工作日"}


def test_added_and_removed_items_are_shown_in_full(pair):
    pair.append("lists/power/scjgj.yml", NEW_POWER)
    (pair.b / "lists/convenience/mzj.yml").write_text("department: mzj\nitems: []\n", encoding="utf-8")
    result = pair.compare()
    added = item(result, "000131127099")
    assert added.kinds == ["added"]
    assert ("name", "事项名称", "小餐饮登记") in added.fields
    assert ("procedure", "办理程序", "申请\n受理\n登记") in added.fields
    removed = item(result, "BM-mzj-001")
    assert removed.kinds == ["removed"] and removed.department == "mzj"
    assert ("materials", "所需材料", "居民身份证\n户口簿") in removed.fields
    assert ("fee", "收费", "收费依据：无；收费标准：不收费") in removed.fields


def test_formatting_only_changes_are_reported_apart_and_can_be_hidden(pair):
    pair.edit("lists/fee/zjj.yml", "赣发改收费〔2017〕1号", "'赣发改收费[2017]1号'")
    pair.edit("lists/power/zjj.yml", "已经取得建设工程规划许可证。", "已经取得建设工程规划许可证.")
    pair.edit("lists/power/scjgj.yml", "数量相适应的经营场所。", "数量相适应的\n      经营场所。")
    result = pair.compare()
    assert [(i.code, i.kinds) for i in result.items] == [
        (FOOD, ["format"]), (BUILD, ["format"]), ("SF-zjj-001", ["format"])]
    assert all(not i.changes and not i.flags for i in result.items)
    fee = item(result, "SF-zjj-001").format_changes[0]
    assert (fee.label, fee.old, fee.new) == (
        "收费", "收费依据：赣发改收费〔2017〕1号；收费标准：按修复面积计收",
        "收费依据：赣发改收费[2017]1号；收费标准：按修复面积计收")
    assert pair.compare(ignore_format=True).empty


def test_a_real_change_next_to_a_format_change_is_still_a_change(pair):
    pair.edit("lists/fee/zjj.yml", "赣发改收费〔2017〕1号", "'赣发改收费[2018]1号'")
    found = item(pair.compare(), "SF-zjj-001")
    assert found.kinds == ["changed"]
    assert changes(found.changes[0].segments) == [("replace", "赣发改收费〔2017〕1号", "赣发改收费[2018]1号")]


def test_a_rename_keeps_the_item(pair):
    pair.edit("lists/power/scjgj.yml", "name: 食品经营许可", "name: 食品经营许可（含小餐饮）")
    result = pair.compare()
    assert len(result.items) == 1
    found = item(result, FOOD)
    assert found.kinds == ["renamed"] and found.old_name == "食品经营许可"
    assert changes(found.changes[0].segments) == [("insert", "", "（含小餐饮）")]


def test_a_new_code_for_the_same_content_is_recoding(pair):
    pair.edit("lists/power/scjgj.yml", f'"{PENALTY}"', '"000231001001"')
    result = pair.compare()
    assert [(i.code, i.old_code, i.kinds) for i in result.items] == [("000231001001", PENALTY, ["recoded"])]
    assert [(c.label, c.old, c.new) for c in result.items[0].changes] == [("事项编码", PENALTY, "000231001001")]


def test_recoding_with_other_changes_is_matched_by_name(pair):
    pair.edit("lists/power/scjgj.yml", f'"{PENALTY}"', '"000231001001"')
    pair.edit("lists/power/scjgj.yml", "statutory: 90, promised: 60", "statutory: 90, promised: 30")
    found = item(pair.compare(), "000231001001")
    assert found.kinds == ["changed", "recoded"]
    assert [c.label for c in found.changes] == ["事项编码", "办理时限"]


def test_unrelated_removal_and_addition_are_not_recoding(pair):
    pair.edit("lists/power/scjgj.yml", f'"{PENALTY}"', '"000131127099"')
    pair.edit("lists/power/scjgj.yml", "name: 对生产经营不符合食品安全标准的食品的处罚", "name: 小餐饮登记")
    for old, new in (("行政处罚", "行政许可"), ("第一百二十四条", "第十条"), ("经调查核实存在违法行为。", "有固定经营场所。"),
                     ("[立案, 调查, 告知, 决定, 执行]", "[申请, 登记]"), ("行政处罚决定书", "登记证")):
        pair.edit("lists/power/scjgj.yml", old, new)
    assert sorted((i.code, i.kinds[0]) for i in pair.compare().items) == [
        ("000131127099", "added"), (PENALTY, "removed")]


def test_moving_an_item_to_another_department_is_a_transfer(pair):
    scjgj = (pair.b / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    head, penalty = scjgj.split(f'  - code: "{PENALTY}"')
    (pair.b / "lists/power/scjgj.yml").write_text(head, encoding="utf-8")
    pair.append("lists/power/zjj.yml", f'  - code: "{PENALTY}"' + penalty)
    result = pair.compare()
    found = item(result, PENALTY)
    assert found.kinds == ["moved"]
    assert (found.old_department, found.department) == ("scjgj", "zjj")
    assert [(c.label, c.old, c.new) for c in found.changes] == [
        ("所属部门", "测试县市场监督管理局（scjgj）", "测试县住房和城乡建设局（zjj）")]
    assert changes(found.changes[0].segments) == [
        ("replace", "测试县市场监督管理局（scjgj）", "测试县住房和城乡建设局（zjj）")]
    by_dept = {code: counts["moved"] for code, _, counts in result.summary_by_department()}
    assert by_dept == {"scjgj": 1, "zjj": 1}
    assert [i.code for i in pair.compare(department_filter="scjgj").items] == [PENALTY]
    assert pair.compare(department_filter="mzj").empty


def test_list_filter(pair):
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 3")
    pair.edit("lists/fee/zjj.yml", "按修复面积计收", "按修复面积每平方米10元计收")
    assert [i.list_id for i in pair.compare(list_filter="fee").items] == ["fee"]
    assert [i.list_id for i in pair.compare().items] == ["power", "fee"]


def test_unreadable_files_are_left_out_not_reported_as_removed(pair):
    pair.edit("lists/power/zjj.yml", "time_limit: {statutory: 7, promised: 3, unit: 工作日}",
              "time_limit: {statutory: 7, promised: 3, unit: 工作日")
    a, b = open_project(pair.a), open_project(pair.b)
    result = compare(a.catalog, b.catalog, Version("A", "catalog"), Version("B", "catalog"),
                     skip_files=frozenset({"lists/power/zjj.yml"}))
    assert result.empty
    assert [i.kinds for i in compare(a.catalog, b.catalog, Version("A", "catalog"), Version("B", "catalog")).items] \
        == [["removed"]]


# --- review flags ---------------------------------------------------------------------------------

def test_flag_new_power_without_legal_basis(pair):
    pair.append("lists/power/scjgj.yml", NEW_POWER.replace(
        "    basis:\n      - law: 《江西省食品小作坊小餐饮小食杂店管理条例》\n        article: 第十条\n", ""))
    result = pair.compare()
    assert flag_ids(result, "000131127099") == ["no-legal-basis"]
    flag = item(result, "000131127099").flags[0]
    assert flag.message == "权力事项没有设定依据" and flag.label == "无设定依据"


def test_flag_changed_power_that_lost_its_basis(pair):
    pair.edit("lists/power/zjj.yml", "    basis:\n      - law: 《中华人民共和国建筑法》\n        article: 第七条\n", "")
    assert flag_ids(pair.compare(), BUILD) == ["no-legal-basis", "disclosure-removed"]


def test_flag_catch_all_clause_introduced(pair):
    pair.edit("lists/power/scjgj.yml", "数量相适应的经营场所。", "数量相适应的经营场所，以及法律、法规规定的其他条件。")
    result = pair.compare()
    assert flag_ids(result, FOOD) == ["catch-all-clause"]
    assert item(result, FOOD).flags[0].message.endswith("（本次修改引入）")


def test_flag_catch_all_clause_kept_in_a_changed_item(pair, tmp_path):
    for root in (pair.a, pair.b):
        path = root / "lists/power/scjgj.yml"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "数量相适应的经营场所。", "数量相适应的经营场所，以及法律、法规规定的其他条件。"), encoding="utf-8")
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 3")
    result = pair.compare()
    assert flag_ids(result, FOOD) == ["catch-all-clause"]
    assert item(result, FOOD).flags[0].message.endswith("（原版本已有，修改后仍保留）")


def test_configured_catch_all_patterns_are_used(pair):
    config = pair.b / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "rules:\n  catch_all_patterns:\n    - 酌情处理\n",
                      encoding="utf-8")
    pair.edit("lists/power/scjgj.yml", "数量相适应的经营场所。", "数量相适应的经营场所，特殊情况酌情处理。")
    assert flag_ids(pair.compare(), FOOD) == ["catch-all-clause"]


def test_flag_fee_added_to_a_free_item(pair):
    pair.edit("lists/power/scjgj.yml", "fee: {basis: 无, standard: 不收费}",
              "fee: {basis: 赣发改收费〔2017〕1号, standard: 每件80元}")
    result = pair.compare()
    assert flag_ids(result, FOOD) == ["fee-added"]
    assert "每件80元" in item(result, FOOD).flags[0].message


def test_flag_fee_added_without_basis(pair):
    pair.edit("lists/power/scjgj.yml", "fee: {basis: 无, standard: 不收费}", "fee: {basis: 无, standard: 每件80元}")
    assert flag_ids(pair.compare(), FOOD) == ["fee-added", "fee-without-basis"]


def test_flag_new_fee_item(pair):
    pair.append("lists/fee/zjj.yml", """
  - code: SF-zjj-002
    name: 城市道路占用费
    collector: 测试县住房和城乡建设局
    fee: {basis: 赣发改收费〔2017〕1号, standard: 每平方米每日1元}
""")
    result = pair.compare()
    assert flag_ids(result, "SF-zjj-002") == ["fee-added"]


@pytest.mark.parametrize("old,new,flagged", [
    ("每件80元", "每件100元", True),
    ("每件80元", "每件50元", False),
    ("每件80元，补证5元", "每件80元，补证10元", True),
    ("每件80元", "每件0.8万元", True),
    ("每件80元", "每件80元，加急另收20元", False),  # the highest amount did not rise
])
def test_flag_fee_increased(pair, old, new, flagged):
    for root, standard in ((pair.a, old), (pair.b, new)):
        path = root / "lists/fee/zjj.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("按修复面积计收", standard), encoding="utf-8")
    result = pair.compare()
    assert flag_ids(result, "SF-zjj-001") == (["fee-increased"] if flagged else [])
    if flagged:
        assert f"（{old} → {new}）" in item(result, "SF-zjj-001").flags[0].message


def test_flag_promise_longer_than_statute(pair):
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 25")
    result = pair.compare()
    assert flag_ids(result, FOOD) == ["promise-exceeds-statute", "time-limit-longer"]
    assert item(result, FOOD).flags[0].message == "承诺时限 25 工作日长于法定时限 20 工作日（本次修改引入）"


def test_flag_time_limit_lengthened(pair):
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 10")
    pair.edit("lists/power/zjj.yml", "statutory: 7, promised: 3, unit: 工作日", "statutory: 7, promised: 3, unit: 自然日")
    pair.edit("lists/power/scjgj.yml", "statutory: 90, promised: 60, unit: 自然日",
              "statutory: 90, promised: 60, unit: 工作日")
    result = pair.compare()
    assert [f.message for f in item(result, FOOD).flags] == ["承诺时限延长：5 工作日 → 10 工作日"]
    assert flag_ids(result, BUILD) == []  # 7 working days → 7 calendar days is shorter
    assert flag_ids(result, PENALTY) == ["time-limit-longer", "time-limit-longer"]


def test_a_change_rule_switched_off_in_site_config_raises_no_flag(pair):
    """The compare-two-versions flags are rules of the one registry: `rules: levels:` switches them off too."""
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 10")
    assert flag_ids(pair.compare(), FOOD) == ["time-limit-longer"]
    config = pair.b / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "rules:\n  levels:\n    time-limit-longer: off\n",
                      encoding="utf-8")
    assert flag_ids(pair.compare(), FOOD) == []


def test_flag_disclosure_removed(pair):
    pair.edit("lists/power/scjgj.yml", "    result: 食品经营许可证\n", "    result: ''\n")
    result = pair.compare()
    assert flag_ids(result, FOOD) == ["disclosure-removed"]
    assert item(result, FOOD).flags[0].message == "八公开要素被清空：办理结果"


def test_flag_removed_item_still_referenced(pair):
    scjgj = (pair.b / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    (pair.b / "lists/power/scjgj.yml").write_text(
        "department: scjgj\nitems:\n" + "  - code: " + scjgj.split("  - code: ")[2], encoding="utf-8")
    result = pair.compare()
    assert flag_ids(result, FOOD) == ["removed-referenced"]
    assert item(result, FOOD).flags[0].message == (
        "已取消，但责任清单的“食品经营许可的责任事项”（ZR-scjgj-0001）的“对应权力事项”仍引用它")


def test_flag_recoded_item_still_referenced_by_old_code(pair):
    pair.edit("lists/power/zjj.yml", f'"{BUILD}"', '"000117004001"')
    result = pair.compare()
    found = item(result, "000117004001")
    assert found.kinds == ["recoded"]
    assert [f.id for f in found.flags] == ["removed-referenced"] * 3
    assert "仍引用旧编码 000117004000" in found.flags[0].message


def test_unchanged_problems_of_untouched_items_are_not_flagged(pair):
    for root in (pair.a, pair.b):  # an existing catch-all clause in an item nobody touches
        path = root / "lists/power/zjj.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("规划许可证。", "规划许可证，以及其他事项。"),
                        encoding="utf-8")
    pair.edit("lists/power/scjgj.yml", "statutory: 20, promised: 5", "statutory: 20, promised: 3")
    result = pair.compare()
    assert result.flagged() == []
    assert [i.code for i in result.items] == [FOOD]
