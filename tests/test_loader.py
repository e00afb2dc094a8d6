"""Located YAML, field normalisation, list files and the catalog (yamlsource, fieldtypes, load, model)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mini_project import MINI, make_project

from generator.config import SiteConfig, load_config
from generator.load import build_catalog, load_catalog, parse_list_bytes, split_list_path
from generator.model import Catalog, Item, get_path, is_blank
from generator.problems import Problems
from generator.yamlsource import (
    MAX_DEPTH,
    Loc,
    LocatedList,
    LocatedMap,
    SourceInt,
    decode_source,
    load_yaml_file,
    parse_yaml,
    scalar_text,
)


@pytest.fixture(scope="module")
def config() -> SiteConfig:
    problems = Problems()
    loaded = load_config(MINI, problems)
    assert loaded is not None and problems.items == []
    return loaded


def parse(text: str) -> tuple[object, Problems]:
    problems = Problems()
    return parse_yaml(textwrap.dedent(text), "x.yml", problems), problems


def items_of(config: SiteConfig, text: str, rel: str = "lists/power/mzj.yml") -> tuple[list[Item], Problems]:
    problems = Problems()
    return parse_list_bytes(textwrap.dedent(text).encode("utf-8"), rel, config, problems), problems


def power_item(extra: str = "", code: str = '"MZ-001"') -> str:
    return f"department: mzj\nitems:\n  - code: {code}\n    name: 社会团体成立登记\n    type: 行政许可\n" + extra


# --- yamlsource ------------------------------------------------------------------------------------

def test_located_values_know_their_line_and_column() -> None:
    root, problems = parse("""\
        department: mzj
        items:
          - code: A1
            name: 甲
          - code: A2
        """)
    assert problems.items == []
    assert isinstance(root, LocatedMap) and isinstance(root["items"], LocatedList)
    assert root.loc == Loc(1, 1)
    assert root.key_locs == {"department": Loc(1, 1), "items": Loc(2, 1)}
    assert root["items"].item_locs == [Loc(3, 5), Loc(5, 5)]
    assert root["items"][0].key_locs["name"] == Loc(4, 5)


def test_scalars_are_typed_like_yaml_but_keep_what_was_written() -> None:
    root, _ = parse("""\
        text: 文字
        number: 20
        yes_no: true
        day: 2024-01-31
        octal: 0755
        clock: 9:00
        version: 1.10
        quoted: "007"
        """)
    assert root["text"] == "文字" and root["number"] == 20 and type(root["number"]) is int
    assert root["yes_no"] is True
    assert str(root["day"]) == "2024-01-31"
    assert root["octal"] == 0o755 and isinstance(root["octal"], SourceInt)
    assert [scalar_text(root[k]) for k in ("octal", "clock", "version", "quoted", "number")] == [
        "0755", "9:00", "1.10", "007", "20",
    ]


def test_duplicate_key_is_an_error_and_the_first_value_is_kept() -> None:
    root, problems = parse("name: 甲\ncode: A\nname: 乙\n")
    assert root["name"] == "甲"
    [error] = problems.errors
    assert (error.message, error.line, error.column) == ("字段“name”重复出现（第一次在第 1 行）", 3, 1)


def test_merge_keys_and_tags_are_refused() -> None:
    _, problems = parse("base: &b {x: 1}\nitem:\n  <<: *b\n  y: !!python/object:os.system ls\n")
    assert [(p.rule, p.line) for p in problems.errors] == [("yaml-merge", 3), ("yaml-tag", 4)]


def test_small_aliases_are_fine_and_expanding_ones_are_refused() -> None:
    root, problems = parse("a: &a [x, y]\nb: *a\nc: *a\n")
    assert problems.items == [] and root["c"] == ["x", "y"]

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    root, problems = parse(bomb)
    assert root is None
    [error] = problems.errors
    assert error.rule == "alias-bomb" and error.message.endswith("已拒绝读取")
    assert (error.line, error.column) == (1, 1)


def test_nesting_depth_limit() -> None:
    ok, problems = parse("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert problems.items == [] and ok is not None
    refused, problems = parse("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert refused is None
    assert [p.rule for p in problems.errors] == ["too-deep"]


def test_long_flat_files_are_not_mistaken_for_deep_ones() -> None:
    """A long line or many flow lists push the cheap depth bound up; the real depth decides."""
    text = "a: " + "长" * 6000 + "\nb:\n" + "".join(f"  - [x{i}, {{k: v}}]\n" for i in range(3000))
    root, problems = parse(text)
    assert problems.items == [] and len(root["b"]) == 3000


def test_very_deep_input_is_refused_without_crashing_the_interpreter() -> None:
    """libyaml's composer recursed in C and segfaulted around 20,000 levels; run it in a child process."""
    code = (
        "from generator.problems import Problems\n"
        "from generator.yamlsource import parse_yaml\n"
        "p = Problems()\n"
        "assert parse_yaml('a: ' + '[' * 200000 + ']' * 200000, 'x.yml', p) is None\n"
        "print(p.errors[0].rule, p.errors[0].line, p.errors[0].column)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["too-deep", "1", str(len("a: ") + MAX_DEPTH)]


def test_empty_and_comment_only_files_are_empty() -> None:
    for text in ("", "# 只有注释\n", "\n\n"):
        root, problems = parse(text)
        assert root is None
        assert [(p.message, p.line) for p in problems.errors] == [("文件为空", 1)]


def test_tab_in_indentation_but_not_inside_a_value() -> None:
    _, problems = parse("a:\n\tb: 1\n")
    assert [(p.rule, p.line, p.column) for p in problems.errors] == [("tab-indent", 2, 1)]
    root, problems = parse("a: 甲\t乙\n")
    assert problems.items == [] and root["a"] == "甲\t乙"


def test_decode_source_accepts_bom_and_explains_other_encodings() -> None:
    problems = Problems()
    assert decode_source("\ufeffa: 甲\r\n".encode(), "x.yml", problems) == "a: 甲\r\n"
    assert decode_source("a: 中文\n".encode("gbk"), "lists/power/x.yml", problems) is None
    assert decode_source("a: 中文\n".encode("utf-16"), "x.yml", problems) is None
    assert decode_source(b"a: \x81\xff\n", "x.yml", problems) is None
    gbk, utf16, other = problems.errors
    assert "GBK" in gbk.message and (gbk.line, gbk.column) == (1, 4)
    assert "iconv -f GB18030 -t UTF-8 x.yml -o x.yml.utf8" in gbk.hint
    assert "UTF-16" in utf16.message
    assert other.message.startswith("这个文件不是 UTF-8 编码")


def test_control_character_is_named_and_located() -> None:
    _, problems = parse("a: 甲\nb: 乙乙\x0c丙\n")
    [error] = problems.errors
    assert (error.line, error.column) == (2, 6)
    assert "U+000C" in error.message


def test_load_yaml_file_reports_a_missing_file(tmp_path: Path) -> None:
    problems = Problems()
    assert load_yaml_file(tmp_path / "nope.yml", "nope.yml", problems) is None
    assert problems.errors[0].message.startswith("无法读取文件")


# --- list files ------------------------------------------------------------------------------------

def test_split_list_path() -> None:
    assert split_list_path("lists/power/scjgj.yml") == ("power", "scjgj")
    assert split_list_path("lists/power/scjgj.yaml") == ("power", "scjgj")
    assert split_list_path("lists/power.yml") is None
    assert split_list_path("lists/power/scjgj.txt") is None


def test_fixture_file_loads_into_items(config: SiteConfig) -> None:
    problems = Problems()
    data = (MINI / "lists/power/scjgj.yml").read_bytes()
    items = parse_list_bytes(data, "lists/power/scjgj.yml", config, problems)
    assert problems.items == []
    first = items[0]
    assert [i.code for i in items] == ["000131127004", "000231001000"]
    assert (first.list_id, first.department, first.key, first.name) == (
        "power", "scjgj", "power/000131127004", "食品经营许可",
    )
    assert (first.file, first.line, first.column) == ("lists/power/scjgj.yml", 3, 5)
    assert first.field_lines["time_limit"] == (12, 5)
    assert first.data["time_limit"] == {"statutory": 20, "promised": 5, "unit": "工作日"}
    assert first.data["fee"] == {"basis": "无", "standard": "不收费"}
    assert first.data["basis"] == [{"law": "《中华人民共和国食品安全法》", "article": "第三十五条"}]
    assert first.data["procedure"] == ["申请", "受理", "审查", "决定", "送达"]
    assert first.where("time_limit") == {
        "file": "lists/power/scjgj.yml", "line": 12, "column": 5, "list": "power", "code": "000131127004",
    }


def test_bom_and_crlf_load_the_same_items(config: SiteConfig) -> None:
    plain = (MINI / "lists/power/scjgj.yml").read_bytes()
    windows = b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")
    a, b = Problems(), Problems()
    items_a = parse_list_bytes(plain, "lists/power/scjgj.yml", config, a)
    items_b = parse_list_bytes(windows, "lists/power/scjgj.yml", config, b)
    assert a.items == b.items == []
    assert [(i.code, i.line, i.data) for i in items_a] == [(i.code, i.line, i.data) for i in items_b]


def test_values_are_normalised_by_field_type(config: SiteConfig) -> None:
    [item], problems = items_of(config, """\
        department: mzj
        items:
          - code: MZ-001
            name: 社会团体成立登记
            type: XK
            channels: 网上办
            service_object: ["1", 企业法人]
            handling: "2"
            in_service_center: 是
            online: false
            basis: 《社会团体登记管理条例》
            procedure: 当场办结
            supervision_phone: 12345
            consult_phone: 0797-1234567
            time_limit: {promised: 0, note: 即办}
        """)
    assert problems.items == []
    data = item.data
    # Enumerations keep what was published; the standard value is derived from codes and aliases.
    assert data["type"] == "XK" and config.enum_standard("item_type", data["type"]) == "行政许可"
    assert data["channels"] == ["网上办"]
    assert data["service_object"] == ["1", "企业法人"]
    assert [config.enum_standard("service_object", v) for v in data["service_object"]] == ["自然人", "企业法人"]
    assert config.enum_standard("handling", data["handling"]) == "承诺件"
    assert (data["in_service_center"], data["online"]) == (True, False)
    assert data["basis"] == "《社会团体登记管理条例》"  # a basis written as text is kept as written
    assert data["procedure"] == ["当场办结"]
    assert (data["supervision_phone"], data["consult_phone"]) == ("12345", "0797-1234567")
    assert data["time_limit"] == {"statutory": None, "promised": 0, "unit": "工作日", "note": "即办"}


def test_quoted_day_counts_are_accepted(config: SiteConfig) -> None:
    [item], problems = items_of(config, power_item('    time_limit: {statutory: "20", promised: " 5 "}\n'))
    assert problems.items == []
    assert item.data["time_limit"] == {"statutory": 20, "promised": 5, "unit": "工作日"}


def test_text_fields_keep_what_yaml_would_read_as_numbers(config: SiteConfig) -> None:
    [item], problems = items_of(config, """\
        department: mzj
        items:
          - code: BM-1
            name: 婚姻登记
            location: 政务服务中心
            hours: 8:30
            phone: 0701
            materials: [身份证, 007号表]
        """, "lists/convenience/mzj.yml")
    assert problems.items == []
    assert (item.data["hours"], item.data["phone"]) == ("8:30", "0701")
    assert item.data["materials"] == ["身份证", "007号表"]


def test_unquoted_codes(config: SiteConfig) -> None:
    [plain], problems = items_of(config, power_item(code="1234567"))
    assert problems.items == [] and plain.code == "1234567"

    [octal], problems = items_of(config, power_item(code="000131127001"))
    assert octal.code == "000131127001"  # what the author meant, not 23375361
    [error] = problems.errors
    assert error.message == "编码 000131127001 没有加引号，YAML 会把它当作数字读成 23375361，开头的 0 会丢失"
    assert error.hint == '请给编码加引号：code: "000131127001"'
    assert (error.line, error.column, error.code) == (3, 5, "000131127001")


def test_unknown_keys_inside_time_limit_fee_and_basis_get_suggestions(config: SiteConfig) -> None:
    text = power_item("""\
            basis:
              - {法律: 《条例》}
            time_limit: {法定时限: 20}
            fee: {standrad: 不收费}
        """.replace("        ", ""))
    _, problems = items_of(config, text)
    found = {(p.message, p.line, p.hint) for p in problems.errors}
    assert ("依据中有未知的字段“法律”", 7, "可用的字段：law、article、note") in found
    assert ("字段“办理依据”的第 1 条缺少法律法规名称（law）", 7, "例如 law: 《中华人民共和国食品安全法》") in found
    assert ("时限中有未知的字段“法定时限”", 8, "是不是想写“statutory”（法定时限）？") in found
    assert ("收费信息中有未知的字段“standrad”", 9, "是不是想写“standard”（收费标准）？") in found


def test_parts_of_composite_fields_must_be_text(config: SiteConfig) -> None:
    text = power_item("""\
            basis:
              - {law: 《社会团体登记管理条例》, article: [第九条, 第十条]}
            time_limit: {promised: 0, note: [即办]}
            fee: {basis: [无], standard: 不收费}
        """.replace("        ", ""))
    [item], problems = items_of(config, text)
    assert [(p.message, p.line, p.column) for p in problems.errors] == [
        ("条款（article）应当是一段文字，而不是列表", 7, 29),
        ("时限说明（note）应当是一段文字，而不是列表", 8, 31),
        ("收费依据（basis）应当是一段文字，而不是列表", 9, 11),
    ]
    assert item.data["basis"] == [{"law": "《社会团体登记管理条例》"}]
    assert item.data["fee"] == {"standard": "不收费"}


def test_keys_are_kept_as_written() -> None:
    root, problems = parse("~: a\n007: b\ntrue: c\n")
    assert problems.items == []
    assert list(root) == ["~", "007", "true"]


def test_a_single_value_for_a_single_enum_only(config: SiteConfig) -> None:
    [item], problems = items_of(config, power_item("    handling: [即办件, 承诺件]\n"))
    [error] = problems.errors
    assert (error.message, error.line) == ("字段“办件类型”只能有一个值", 6)
    assert "handling" not in item.data


def test_item_that_is_not_a_mapping(config: SiteConfig) -> None:
    items, problems = items_of(config, "department: mzj\nitems:\n  - 社会团体成立登记\n")
    assert items == []
    [error] = problems.errors
    assert (error.message, error.line, error.column) == ("第 1 个事项应当是“字段: 值”的映射", 3, 5)


def test_unknown_top_level_key_in_a_list_file(config: SiteConfig) -> None:
    items, problems = items_of(config, power_item() + "item: []\n")
    assert len(items) == 1
    [error] = problems.errors
    assert (error.message, error.line) == ("文件顶层有未知的字段“item”", 6)
    assert error.hint.startswith("是不是想写“items”？")


def test_non_list_paths_are_ignored(config: SiteConfig) -> None:
    items, problems = items_of(config, power_item(), rel="lists/README.yml")
    assert items == [] and problems.items == []


# --- catalog ---------------------------------------------------------------------------------------

def test_catalog_orders_by_department_order_and_rejects_duplicate_codes(config: SiteConfig) -> None:
    problems = Problems()
    collected = []
    for rel, code in (("lists/power/mzj.yml", "C"), ("lists/power/scjgj.yml", "A"), ("lists/power/zjj.yml", "A")):
        collected += parse_list_bytes(power_item(code=code).replace("mzj", rel[12:-4]).encode(), rel, config, problems)
    assert problems.items == []
    catalog = build_catalog(config, collected, problems)
    assert [(i.department, i.code) for i in catalog.items("power")] == [("scjgj", "A"), ("mzj", "C")]
    [error] = problems.errors
    assert error.message == "编码“A”在权力清单中重复（已在 lists/power/scjgj.yml 第 3 行使用）"
    assert (error.file, error.line) == ("lists/power/zjj.yml", 3)
    assert list(catalog.lists) == [t.id for t in config.list_types]  # every list, even empty ones


def test_load_catalog_reads_the_mini_project(config: SiteConfig) -> None:
    problems = Problems()
    catalog = load_catalog(config, problems)
    assert problems.items == []
    assert catalog.counts() == {
        "power": 3, "responsibility": 1, "fee": 1, "prerequisite": 1, "intermediary": 1, "convenience": 1,
    }
    permit = catalog.get("power", "000131127004")
    assert permit is not None and permit.department == "scjgj"
    assert catalog.get("power", "nope") is None and catalog.get("nolist", "x") is None
    assert catalog.disclosure(permit, "fee_standard") == "不收费"
    assert catalog.disclosure(permit, "time_limit")["statutory"] == 20
    assert [i.list_id for i in catalog.items()][:3] == ["power"] * 3


def test_stray_files_are_warned_about_and_other_files_ignored(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {
        "lists/power.yml": "department: mzj\nitems: []\n",
        "lists/power/old/scjgj.yml": "department: scjgj\nitems: []\n",
        "lists/power/说明.txt": "not a list\n",
        "lists/power/mzj.yaml": power_item(),
    })
    problems = Problems()
    config = load_config(project, problems)
    catalog = load_catalog(config, problems)
    assert problems.errors == []
    assert sorted((w.file, w.rule) for w in problems.warnings if w.rule == "stray-file") == [
        ("lists/power.yml", "stray-file"), ("lists/power/old/scjgj.yml", "stray-file"),
    ]
    assert catalog.get("power", "MZ-001").file == "lists/power/mzj.yaml"


def test_a_seventh_list_type_loads_from_config_alone(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {
        "lists/certificate/mzj.yml": """\
            department: mzj
            items:
              - code: ZM-1
                name: 亲属关系证明
                issuer: 派出所
        """,
    })
    config_file = project / "site_config.yml"
    config_file.write_text(config_file.read_text(encoding="utf-8") + textwrap.dedent("""
        extra_list_types:
          - id: certificate
            title: 证明事项清单
            fields:
              - {name: code, label: 编码, type: code, required: true}
              - {name: name, label: 证明名称, type: text, required: true}
              - {name: issuer, label: 开具单位, type: text}
        """), encoding="utf-8")
    problems = Problems()
    catalog = load_catalog(load_config(project, problems), problems)
    assert problems.errors == []
    item = catalog.get("certificate", "ZM-1")
    assert item.data == {"code": "ZM-1", "name": "亲属关系证明", "issuer": "派出所"}
    assert catalog.counts()["certificate"] == 1


# --- model -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "blank"),
    [
        (None, True), ("", True), ("  ", True), ([], True), (["", None], True), ({}, True),
        ({"basis": "", "standard": None}, True), ("无", False), (0, False), (False, False),
        ([{"law": "《法》"}], False), ({"basis": "无", "standard": ""}, False),
    ],
)
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


def test_get_path() -> None:
    data = {"fee": {"basis": "无"}, "name": "甲"}
    assert get_path(data, "fee.basis") == "无"
    assert get_path(data, "name") == "甲"
    assert get_path(data, "fee.standard") is None
    assert get_path(data, "name.more") is None


def test_item_where_falls_back_to_the_item_line() -> None:
    item = Item("power", "mzj", "A", {}, file="f.yml", line=3, column=5, field_lines={"name": (4, 5)})
    assert item.where("name")["line"] == 4
    assert item.where("basis")["line"] == 3
    assert item.where() == {"file": "f.yml", "line": 3, "column": 5, "list": "power", "code": "A"}


def test_catalog_disclosure_of_unknown_list_is_none(config: SiteConfig) -> None:
    catalog = Catalog(config=config, lists={})
    assert catalog.disclosure(Item("nolist", "mzj", "A", {"subject": "x"}), "subject") is None
