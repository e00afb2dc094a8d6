"""Checks beyond the schema: references, time limits, fees, catch-all clauses, the eight disclosures."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mini_project import MINI

from generator.config import SiteConfig, load_config
from generator.load import build_catalog, parse_list_bytes
from generator.model import Catalog, Item
from generator.problems import Problems
from generator.rules import (
    broken_references,
    catch_all_clause,
    catch_all_clauses,
    charges_fee,
    check_catalog,
    completeness,
    item_findings,
    missing_disclosures,
    text_values,
)

FULL_TAIL = """\
    subject: 测试县民政局
    basis: 《社会团体登记管理条例》第九条
    conditions: 有规范的名称和相应的组织机构。
    procedure: [申请, 受理, 审查, 决定]
    time_limit: {statutory: 60, promised: 20, unit: 工作日}
    result: 社会团体法人登记证书
    fee: {basis: 无, standard: 不收费}
"""


@pytest.fixture(scope="module")
def config() -> SiteConfig:
    problems = Problems()
    loaded = load_config(MINI, problems)
    assert loaded is not None
    return loaded


def catalog_of(config: SiteConfig, files: dict[str, str]) -> Catalog:
    problems = Problems()
    items: list[Item] = []
    for rel, text in files.items():
        items += parse_list_bytes(textwrap.dedent(text).encode("utf-8"), rel, config, problems)
    assert problems.items == [], [p.format_text() for p in problems.items]
    return build_catalog(config, items, problems)


def power(code: str = "MZ-001", body: str = FULL_TAIL, department: str = "mzj") -> str:
    return f"department: {department}\nitems:\n  - code: {code}\n    name: 社会团体成立登记\n    type: 行政许可\n" + body


def replace(old: str, new: str) -> str:
    assert old in FULL_TAIL
    return FULL_TAIL.replace(old, new)


def findings(config: SiteConfig, body: str) -> list[tuple[str, str, str]]:
    catalog = catalog_of(config, {"lists/power/mzj.yml": power(body=body)})
    return [(f.rule, f.field, f.severity) for f in item_findings(catalog, catalog.get("power", "MZ-001"))]


# --- small helpers ---------------------------------------------------------------------------------

def test_text_values_reach_into_lists_and_mappings() -> None:
    assert text_values(None) == []
    assert text_values("甲") == ["甲"]
    assert text_values([{"law": "《法》", "article": "第一条"}, "乙", 3]) == ["《法》", "第一条", "乙"]
    assert text_values({"basis": "无", "standard": "不收费"}) == ["无", "不收费"]


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("法律法规规定的其他职责", True),
        ("法律、法规、规章规定的其他事项", True),
        ("承办上级交办的其他工作", True),
        ("其他行政权力", False),  # the name of a power type (GB/T 39046), not a clause
        ("其他依法应当承担的责任", True),
        ("其他公办普通高中每生每学期600元（按江西省核定标准执行）", False),  # a definite remainder
        ("其他材料：营业执照复印件、法定代表人身份证明", False),  # a heading for named documents
        ("（三）其他材料。", True),
        ("身份证、户口簿等材料", True),
        ("对其他食品经营者的违法行为的处罚", False),
        ("具有与经营的食品品种相适应的场所", False),
    ],
)
def test_default_catch_all_patterns(config: SiteConfig, text: str, caught: bool) -> None:
    assert bool(catch_all_clauses(text, config.catch_all_patterns)) is caught


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("1、受理责任：依法受理。2、其他法律法规规定应履行的责任。", "2、其他法律法规规定应履行的责任。"),
        ("不予受理的，应当告知理由；其他违反规定的行为", "其他违反规定的行为"),
        ("审查材料；承办上级交办的其他工作。送达", "承办上级交办的其他工作。"),
    ],
)
def test_the_quoted_clause_is_the_one_with_the_catch_all(config: SiteConfig, text: str, clause: str) -> None:
    assert catch_all_clause(text, config.catch_all_patterns) == clause


def test_catch_all_clauses_returns_each_offending_text_once() -> None:
    value = ["受理", "法律法规规定的其他职责（其他事项）", "送达"]
    assert catch_all_clauses(value, [r"其他职责", r"其他事项"]) == ["法律法规规定的其他职责（其他事项）"]


@pytest.mark.parametrize(
    ("standard", "charged"),
    [
        (None, False), ("", False), ("不收费", False), ("免费", False), ("无", False), ("不涉及", False),
        ("不收取费用", False), ("免费办理", False), ("无偿提供", False), ("无需缴费", False), ("0", False),
        ("0.00元", False), ("10元", True),
        ("按修复面积计收", True), ("20元/件", True), ("免收首次登记费，变更登记按每件20元收取", True),
    ],
)
def test_charges_fee(standard: str | None, charged: bool) -> None:
    assert charges_fee(standard) is charged


# --- item findings ---------------------------------------------------------------------------------

def test_a_complete_item_has_no_findings(config: SiteConfig) -> None:
    assert findings(config, FULL_TAIL) == []


def test_promise_longer_than_statute_is_an_error(config: SiteConfig) -> None:
    assert findings(config, replace("statutory: 60, promised: 20", "statutory: 20, promised: 60")) == [
        ("promise-exceeds-statute", "time_limit", "error"),
    ]
    assert findings(config, replace("statutory: 60, promised: 20", "statutory: 20, promised: 20")) == []
    assert findings(config, replace("statutory: 60, promised: 20", "promised: 60")) == []


def test_power_without_legal_basis(config: SiteConfig) -> None:
    assert findings(config, replace("    basis: 《社会团体登记管理条例》第九条\n", "")) == [
        ("no-legal-basis", "basis", "warning"),
    ]


def test_only_powers_need_a_legal_basis(config: SiteConfig) -> None:
    catalog = catalog_of(config, {"lists/convenience/mzj.yml": """\
        department: mzj
        items:
          - code: BM-1
            name: 婚姻登记
            location: 政务服务中心
        """})
    assert item_findings(catalog, catalog.get("convenience", "BM-1")) == []


@pytest.mark.parametrize("basis", ["无", "", "不涉及"])
def test_fee_charged_without_a_basis(config: SiteConfig, basis: str) -> None:
    body = replace("fee: {basis: 无, standard: 不收费}", f"fee: {{basis: '{basis}', standard: 每件20元}}")
    assert findings(config, body) == [("fee-without-basis", "fee", "warning")]


def test_fee_with_a_basis_or_free_is_fine(config: SiteConfig) -> None:
    body = replace("fee: {basis: 无, standard: 不收费}", "fee: {basis: 发改价格〔2015〕2136号, standard: 每件20元}")
    assert findings(config, body) == []
    assert findings(config, replace("standard: 不收费", "standard: 不收取任何费用")) == []


def test_catch_all_clause_in_text_fields(config: SiteConfig) -> None:
    body = replace("conditions: 有规范的名称和相应的组织机构。", "conditions: 法律、法规规定的其他条件")
    assert findings(config, body) == [("catch-all-clause", "conditions", "warning")]
    body = replace("procedure: [申请, 受理, 审查, 决定]", "procedure: [申请, 受理, 上级交办的其他事项]")
    catalog = catalog_of(config, {"lists/power/mzj.yml": power(body=body)})
    [finding] = item_findings(catalog, catalog.get("power", "MZ-001"))
    assert (finding.rule, finding.field) == ("catch-all-clause", "procedure")
    assert finding.message == "“办理程序”中有兜底条款：“上级交办的其他事项”"


def test_codes_and_enums_are_not_searched_for_catch_all_clauses(config: SiteConfig) -> None:
    catalog = catalog_of(config, {"lists/power/mzj.yml": power(body=FULL_TAIL).replace("行政许可", "其他行政权力")})
    assert item_findings(catalog, catalog.get("power", "MZ-001")) == []


# --- disclosures -----------------------------------------------------------------------------------

def test_missing_disclosures_in_publishing_order(config: SiteConfig) -> None:
    body = replace("    result: 社会团体法人登记证书\n", "").replace("    subject: 测试县民政局\n", "    subject: '  '\n")
    body = body.replace("fee: {basis: 无, standard: 不收费}", "fee: {basis: 无}")
    catalog = catalog_of(config, {"lists/power/mzj.yml": power(body=body)})
    assert missing_disclosures(catalog, catalog.get("power", "MZ-001")) == ["办理主体", "办理结果", "收费标准"]


def test_missing_disclosures_of_a_bare_item(config: SiteConfig) -> None:
    catalog = catalog_of(config, {"lists/power/mzj.yml": power(body="")})
    assert len(missing_disclosures(catalog, catalog.get("power", "MZ-001"))) == 8


def test_completeness_per_department(config: SiteConfig) -> None:
    catalog = catalog_of(config, {
        "lists/power/mzj.yml": power(body=""),
        "lists/power/zjj.yml": power("ZJ-1", department="zjj"),
    })
    assert completeness(catalog) == {"scjgj": (0, 0), "zjj": (8, 8), "mzj": (0, 8)}


# --- references and the whole catalog --------------------------------------------------------------

def test_broken_references_single_and_multi(tmp_path: Path) -> None:
    (tmp_path / "site_config.yml").write_text((MINI / "site_config.yml").read_text(encoding="utf-8") + """
extra_list_types:
  - id: onething
    title: 一件事清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
      - {name: powers, label: 涉及的权力事项, type: ref, ref: power, multi: true}
""", encoding="utf-8")
    problems = Problems()
    config = load_config(tmp_path, problems)
    assert problems.items == []
    catalog = catalog_of(config, {
        "lists/power/mzj.yml": power(),
        "lists/responsibility/mzj.yml": """\
            department: mzj
            items:
              - code: ZR-1
                name: 登记的责任事项
                power: MZ-002
                duties: [受理]
                accountability: [不予受理的]
            """,
        "lists/onething/mzj.yml": """\
            department: mzj
            items:
              - code: YJS-1
                name: 开办社会组织一件事
                powers: [MZ-001, MZ-003, MZ-004]
            """,
    })
    assert broken_references(catalog, catalog.get("responsibility", "ZR-1")) == [("power", "power", "MZ-002")]
    assert broken_references(catalog, catalog.get("onething", "YJS-1")) == [
        ("powers", "power", "MZ-003"), ("powers", "power", "MZ-004"),
    ]
    assert broken_references(catalog, catalog.get("power", "MZ-001")) == []


def test_check_catalog_reports_located_errors_and_warnings(config: SiteConfig) -> None:
    catalog = catalog_of(config, {
        "lists/power/mzj.yml": power(body=replace("statutory: 60, promised: 20", "statutory: 20, promised: 60")),
        "lists/fee/mzj.yml": """\
            department: mzj
            items:
              - code: SF-1
                name: 登记费
                item: MZ-404
                collector: 测试县民政局
            """,
    })
    problems = Problems()
    check_catalog(catalog, problems)
    got = sorted((p.severity, p.rule, p.file, p.line, p.code) for p in problems.items)
    assert got == [
        ("error", "broken-reference", "lists/fee/mzj.yml", 5, "SF-1"),
        ("error", "promise-exceeds-statute", "lists/power/mzj.yml", 10, "MZ-001"),
        ("warning", "missing-disclosure", "lists/fee/mzj.yml", 3, "SF-1"),
    ]
    broken = next(p for p in problems.items if p.rule == "broken-reference")
    assert broken.message == "引用的权力清单事项“MZ-404”不存在"
    assert broken.hint == "检查编码是否写错；被引用的事项应在 lists/power/ 中"
    promise = next(p for p in problems.items if p.rule == "promise-exceeds-statute")
    assert promise.message == "承诺时限 60 工作日长于法定时限 20 工作日"
