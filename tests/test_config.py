"""site_config.yml: what a valid file gives the rest of the program, and how a wrong one is explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from mini_project import MINI

from generator.config import SiteConfig, did_you_mean, load_config
from generator.problems import Problems

BASE = (MINI / "site_config.yml").read_text(encoding="utf-8")
DEFAULT_LISTS = ["power", "responsibility", "fee", "prerequisite", "intermediary", "convenience"]
DISCLOSURE_FIELDS = ["subject", "basis", "conditions", "procedure", "time_limit", "result", "fee"]
COMMON_FIELDS = ["local_code", "parent_name", "parent", "valid_until", "extra"]  # where an item stands, until when, what else


def load(tmp_path: Path, text: str) -> tuple[SiteConfig | None, Problems]:
    (tmp_path / "site_config.yml").write_text(text, encoding="utf-8")
    problems = Problems()
    return load_config(tmp_path, problems), problems


def only_error(problems: Problems):
    assert len(problems.errors) == 1, [p.format_text() for p in problems.errors]
    return problems.errors[0]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- a valid configuration -------------------------------------------------------------------------

def test_mini_config_loads_portal_departments_and_default_lists(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE)
    assert problems.items == [] and config is not None
    assert config.root == tmp_path
    assert config.portal.site_name == "测试县权责清单公开平台"
    assert config.portal.region_code == "360799"
    assert config.portal.site_id_code == "3607990001"
    assert config.portal.contact_phone == ""  # optional, absent
    assert [d.code for d in config.departments] == ["scjgj", "zjj", "mzj"]
    assert [d.order for d in config.departments] == [0, 1, 2]
    assert config.department("zjj").short_name == "县住建局"
    assert config.department("nope") is None
    assert [t.id for t in config.list_types] == DEFAULT_LISTS
    assert [label for _, label in config.disclosures] == [
        "办理主体", "办理依据", "办理条件", "办理程序", "办理时限", "办理结果", "收费依据", "收费标准",
    ]


def test_every_default_list_carries_the_disclosure_fields(tmp_path: Path) -> None:
    config, _ = load(tmp_path, BASE)
    for list_type in config.list_types:
        names = list_type.field_names
        assert names[:2] == ["code", "name"]
        assert names[-len(DISCLOSURE_FIELDS) - len(COMMON_FIELDS):-len(COMMON_FIELDS)] == DISCLOSURE_FIELDS
        assert names[-len(COMMON_FIELDS):] == COMMON_FIELDS
        assert list_type.field("code").required and list_type.field("code").type == "code"
        assert all(list_type.field(n).disclosure for n in DISCLOSURE_FIELDS)
        assert list_type.disclosure_map["fee_standard"] == "fee.standard"
    power = config.list_type("power")
    assert power.title == "权力清单" and power.type_field == "type"
    assert (power.field("type").type, power.field("type").enum) == ("enum", "item_type")
    responsibility = config.list_type("responsibility")
    assert (responsibility.field("power").type, responsibility.field("power").ref) == ("ref", "power")


def test_enumerations_know_codes_and_letters(tmp_path: Path) -> None:
    config, _ = load(tmp_path, BASE)
    assert config.enum_values("item_type")[:3] == ["行政许可", "行政处罚", "行政强制"]
    permit = config.enum_entry("item_type", "行政许可")
    assert (permit.code, permit.letter) == ("01", "XK")
    assert config.enum_entry("item_type", "行政批准") is None
    assert config.enum_values("no-such-enum") == []


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    config, _ = load(tmp_path, BASE.replace("https://qingdan.example.gov.cn/", "https://qingdan.example.gov.cn"))
    assert config.portal.base_url == "https://qingdan.example.gov.cn/"


def test_project_enum_replaces_the_default_values(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + "\nenums:\n  time_unit: [工作日, 月]\n")
    assert problems.items == []
    assert config.enum_values("time_unit") == ["工作日", "月"]
    assert config.enum_values("item_type")[0] == "行政许可"  # the others stay


def test_extra_list_type_is_a_seventh_list(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + """
extra_list_types:
  - id: certificate
    title: 证明事项清单
    item_label: 证明事项
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 证明名称, type: text, required: true}
      - {name: status, label: 清理结果, type: enum, enum: certificate_status}
      - {name: power, label: 对应权力事项, type: ref, ref: power, multi: true}
""")
    assert problems.items == []
    assert [t.id for t in config.list_types] == [*DEFAULT_LISTS, "certificate"]
    certificate = config.list_type("certificate")
    assert (certificate.title, certificate.item_label) == ("证明事项清单", "证明事项")
    assert certificate.field_names == ["code", "name", "status", "power", *DISCLOSURE_FIELDS, *COMMON_FIELDS]
    assert certificate.field("power").multi and certificate.field("power").ref == "power"
    assert not certificate.field("status").required


def test_list_type_may_leave_out_the_disclosure_fields(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + """
extra_list_types:
  - id: onething
    title: 一件事清单
    disclosure_fields: false
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
""")
    assert problems.items == []
    assert config.list_type("onething").field_names == ["code", "name", *COMMON_FIELDS]
    assert config.list_type("onething").item_label == "事项"


def test_list_types_replace_the_defaults(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + """
list_types:
  - id: filing
    title: 行政备案事项清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 备案事项, type: text, required: true}
""")
    assert problems.items == []
    assert [t.id for t in config.list_types] == ["filing"]


def test_rules_and_editions_are_read(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + """
rules:
  catch_all_patterns:
    - 其他相关工作
editions:
  tag_pattern: ^release-\\d+$
""")
    assert problems.items == []
    assert config.catch_all_patterns == ["其他相关工作"]
    assert config.edition_tag_pattern == r"^release-\d+$"


def test_defaults_for_rules_and_editions(tmp_path: Path) -> None:
    config, _ = load(tmp_path, BASE)
    assert any("其他" in p for p in config.catch_all_patterns)
    assert config.edition_tag_pattern == SiteConfig.edition_tag_pattern
    assert config.lists_dir == "lists"


# --- did you mean ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("word", "candidates", "labels", "expected"),
    [
        ("事项名称", ["code", "name"], {"code": "事项编码", "name": "事项名称"}, "是不是想写“name”（事项名称）？"),
        ("nmae", ["code", "name"], {"code": "事项编码", "name": "事项名称"}, "是不是想写“name”（事项名称）？"),
        ("departmnets", ["portal", "departments"], None, "是不是想写“departments”？"),
        ("icp_code", ["region_code", "icp"], None, "是不是想写“icp”？"),
        ("subj", ["subject_nature", "subject"], None, "是不是想写“subject”？"),
        ("zzz", ["power", "fee"], None, "可用的字段：power、fee"),
    ],
)
def test_did_you_mean(word: str, candidates: list[str], labels: dict | None, expected: str) -> None:
    assert did_you_mean(word, candidates, labels) == expected


def test_did_you_mean_names_what_it_lists() -> None:
    assert did_you_mean("行政批准", ["行政许可", "行政处罚"], what="值") == "可用的值：行政许可、行政处罚"
    assert did_you_mean("x", [], what="清单") == "可用的清单：（无）"


# --- mistakes --------------------------------------------------------------------------------------

def test_missing_config_file(tmp_path: Path) -> None:
    problems = Problems()
    assert load_config(tmp_path, problems) is None
    error = only_error(problems)
    assert (error.file, error.message) == ("site_config.yml", "找不到配置文件 site_config.yml")


def test_unknown_top_level_key_with_suggestion(tmp_path: Path) -> None:
    text = BASE + "\nextra_list_type: []\n"
    config, problems = load(tmp_path, text)
    assert config is None
    error = only_error(problems)
    assert error.message == "site_config.yml 中有未知的设置“extra_list_type”"
    assert (error.line, error.column) == (line_of(text, "extra_list_type"), 1)
    assert error.hint == "是不是想写“extra_list_types”？"


def test_misspelt_required_portal_key_gives_two_located_errors(tmp_path: Path) -> None:
    text = BASE.replace("  icp:", "  icp_code:")
    _, problems = load(tmp_path, text)
    by_message = {p.message: p for p in problems.errors}
    assert set(by_message) == {"portal 中有未知的设置“icp_code”", "缺少ICP备案号（icp）"}
    assert by_message["portal 中有未知的设置“icp_code”"].line == line_of(text, "icp_code")
    assert by_message["portal 中有未知的设置“icp_code”"].hint == "是不是想写“icp”？"
    assert by_message["缺少ICP备案号（icp）"].line == line_of(text, "site_name:")  # where portal's mapping starts


@pytest.mark.parametrize("written", ["36079", '"36079a"', '"3607990"'])
def test_region_code_must_be_six_digits(tmp_path: Path, written: str) -> None:
    text = BASE.replace('region_code: "360799"', f"region_code: {written}")
    _, problems = load(tmp_path, text)
    error = only_error(problems)
    assert error.message.startswith("行政区划代码应为 6 位数字（GB/T 2260）")
    assert (error.line, error.column) == (line_of(text, "region_code"), 3)


def test_missing_departments_says_missing(tmp_path: Path) -> None:
    text = BASE.split("departments:")[0]
    _, problems = load(tmp_path, text)
    error = only_error(problems)
    assert error.message == "缺少 departments（部门列表）"
    assert error.line is not None


def test_departments_must_be_a_list(tmp_path: Path) -> None:
    text = BASE.split("departments:")[0] + "departments: scjgj\n"
    _, problems = load(tmp_path, text)
    error = only_error(problems)
    assert error.message == "departments（部门列表）应当是以“- ”开头的列表"
    assert error.line == line_of(text, "departments:")


def test_department_code_must_be_safe_and_unique(tmp_path: Path) -> None:
    text = BASE.replace("{code: mzj,", "{code: MZJ,")
    error = only_error(load(tmp_path, text)[1])
    assert error.message.startswith("部门代码“MZJ”只能由小写字母")
    assert (error.line, error.column) == (line_of(text, "MZJ"), 6)

    text = BASE.replace("{code: mzj,", "{code: zjj,")
    error = only_error(load(tmp_path, text)[1])
    assert error.message == f"部门代码“zjj”重复（第一次在第 {line_of(BASE, 'code: zjj')} 行）"
    assert error.line == line_of(BASE, "code: mzj")


def test_department_needs_a_name(tmp_path: Path) -> None:
    text = BASE.replace("name: 测试县民政局, ", "")
    error = only_error(load(tmp_path, text)[1])
    assert error.message == "缺少部门全称（name）"
    assert error.line == line_of(text, "code: mzj")


def test_undefined_enum_is_located_at_the_field(tmp_path: Path) -> None:
    text = BASE + """
extra_list_types:
  - id: certificate
    title: 证明事项清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 证明名称, type: text, required: true}
      - {name: status, label: 清理结果, type: enum, enum: certificate_statu}
"""
    error = only_error(load(tmp_path, text)[1])
    assert error.message == "清单“certificate”的字段“status”引用了未定义的枚举“certificate_statu”"
    assert (error.line, error.column) == (line_of(text, "certificate_statu"), 49)
    assert error.hint == "是不是想写“certificate_status”？"


def test_undefined_ref_and_unknown_field_type(tmp_path: Path) -> None:
    text = BASE + """
extra_list_types:
  - id: certificate
    title: 证明事项清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 证明名称, type: txt}
      - {name: power, label: 对应权力事项, type: ref, ref: powr}
"""
    _, problems = load(tmp_path, text)
    found = {(p.message, p.line, p.hint) for p in problems.errors}
    assert found == {
        ("未知的字段类型“txt”", line_of(text, "type: txt"), "是不是想写“text”？"),
        ("清单“certificate”的字段“power”引用了未定义的清单“powr”", line_of(text, "ref: powr"), "是不是想写“power”？"),
        ("清单类型“certificate”必须定义 code（编码）和 name（名称）两个字段", line_of(text, "fields:"), ""),
    }


def test_duplicate_list_id_is_reported_once_where_it_is_repeated(tmp_path: Path) -> None:
    text = BASE + """
extra_list_types:
  - id: fee
    title: 收费清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
"""
    error = only_error(load(tmp_path, text)[1])
    assert error.message == "清单标识“fee”重复定义"
    assert (error.line, error.column) == (line_of(text, "id: fee"), 5)


def test_disclosure_map_keys_and_targets_are_checked(tmp_path: Path) -> None:
    text = BASE + """
extra_list_types:
  - id: onething
    title: 一件事清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
    disclosure_map:
      fee_basiss: fee.basis
      result: outcome
"""
    _, problems = load(tmp_path, text)
    found = {(p.message, p.line, p.hint) for p in problems.errors}
    assert found == {
        ("未知的公开要素“fee_basiss”", line_of(text, "fee_basiss"), "是不是想写“fee_basis”？"),
        ("公开要素“result”指向了不存在的字段“outcome”", line_of(text, "outcome"), ""),
    }


def test_flags_must_be_true_or_false(tmp_path: Path) -> None:
    text = BASE + """
extra_list_types:
  - id: onething
    title: 一件事清单
    fields:
      - {name: code, label: 编码, type: code, required: "no"}
      - {name: name, label: 名称, type: text, multi: 1}
"""
    _, problems = load(tmp_path, text)
    assert [(p.message, p.line) for p in problems.errors] == [
        ("是否必填（required）应当是 true 或 false，而不是“no”", line_of(text, '"no"')),
        ("是否多值（multi）应当是 true 或 false，而不是“1”", line_of(text, "multi: 1")),
    ]


def test_catch_all_patterns_must_be_a_list_of_valid_regexes(tmp_path: Path) -> None:
    text = BASE + "\nrules:\n  catch_all_patterns: 其他\n"
    error = only_error(load(tmp_path, text)[1])
    assert error.message == "兜底条款规则（catch_all_patterns）应当是以“- ”开头的列表"
    assert error.line == line_of(text, "catch_all_patterns")

    text = BASE + "\nrules:\n  catch_all_patterns:\n    - 其他\n    - 其他(事项\n"
    error = only_error(load(tmp_path, text)[1])
    assert error.message.startswith("兜底条款规则“其他(事项”不是有效的正则表达式")
    assert (error.line, error.column) == (line_of(text, "其他(事项"), 7)


def test_rules_and_editions_reject_unknown_keys_and_bad_patterns(tmp_path: Path) -> None:
    text = BASE + "\nrules:\n  catchall: []\neditions:\n  tag_pattern: (v\n"
    _, problems = load(tmp_path, text)
    found = {(p.message.split("：")[0], p.line) for p in problems.errors}
    assert found == {
        ("rules 中有未知的设置“catchall”", line_of(text, "catchall")),
        ("版本标签规则（tag_pattern）不是有效的正则表达式", line_of(text, "tag_pattern")),
    }


def test_enum_override_must_be_a_list(tmp_path: Path) -> None:
    text = BASE + "\nenums:\n  item_type: 行政许可\n"
    error = only_error(load(tmp_path, text)[1])
    assert error.message == "枚举“item_type”应当是以“- ”开头的列表"
    assert error.line == line_of(text, "item_type")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "- portal\n- departments\n")
    assert config is None
    error = only_error(problems)
    assert error.message == "site_config.yml 的顶层应当是“字段: 值”的映射"
    assert (error.line, error.column) == (1, 1)


def test_config_syntax_error_is_located(tmp_path: Path) -> None:
    text = BASE.replace("  region: 测试县", "  region 测试县")
    config, problems = load(tmp_path, text)
    assert config is None
    error = only_error(problems)
    assert "缺少冒号" in error.message
    assert (error.file, error.line, error.column) == ("site_config.yml", line_of(text, "region 测试县"), 3)


# --- every declared option is checked, wherever it sits in the file ---------------------------------

@pytest.mark.parametrize(("tail", "message"), [
    ("quality_page: 'yes'\n", "是否公开“公开质量”页面（quality_page）应当是 true 或 false，而不是“yes”"),
    ("downloads:\n  csv: 1\n", "是否按清单提供 CSV 下载（csv）应当是 true 或 false，而不是“1”"),
    ("history:\n  baseline: [v1]\n", "首次公布的提交或标签（baseline）应当是一段文字"),
    ("publish:\n  keep_releases: 0\n", "publish.keep_releases 应为不小于 1 的整数，而不是“0”"),
    ("rules:\n  levels:\n    catch-all-clause: loud\n", "规则“catch-all-clause”的级别 不能是“loud”"),
])
def test_a_wrong_value_of_any_option_is_a_located_error_and_no_configuration(tmp_path: Path, tail: str,
                                                                           message: str) -> None:
    text = BASE + "\n" + tail
    config, problems = load(tmp_path, text)
    assert config is None
    error = only_error(problems)
    assert error.message == message
    assert error.file == "site_config.yml" and error.line == len(text.splitlines())


def test_disclosure_map_must_be_a_mapping(tmp_path: Path) -> None:
    text = BASE + """
extra_list_types:
  - id: onething
    title: 一件事清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
    disclosure_map: result
"""
    error = only_error(load(tmp_path, text)[1])
    assert error.message == "公开要素与字段的对应（disclosure_map）应当是“字段: 值”的映射"
    assert error.line == line_of(text, "disclosure_map")


def test_off_level_and_declared_settings_reach_the_configuration(tmp_path: Path) -> None:
    config, problems = load(tmp_path, BASE + """
rules:
  levels: {catch-all-clause: off}
  review_after_years: 5
  overlap_lists: [power, fee]
publish: {keep_releases: 3, s3_addressing_style: path}
quality_page: true
downloads: {csv: true}
traditional: false
editions:
  declared:
    - {name: 2021版, date: 2021年12月31日}
""")
    assert problems.items == []
    assert config.rule_levels == {"catch-all-clause": "off"}  # YAML reads a bare off as false
    assert (config.review_after_years, config.overlap_lists) == (5, ["power", "fee"])
    assert (config.publish.keep_releases, config.publish.s3_addressing_style) == (3, "path")
    assert config.quality_page and config.download_csv and config.traditional_variant == ""
    assert config.declared_editions == [("2021版", "2021-12-31")]
