"""`qingdan assess`: every kind of finding planted in a copy of the demo, as a user sees it.

The demo county assesses clean apart from notices; each test plants one problem in an item and
asserts the exact finding (rule, code, quoted text) in the JSON report.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
import yaml
from demo_project import copy_demo_project

FOOD = "000131127004"  # 食品经营许可 (scjgj)
BOILER = "3607990120100200"  # 特种设备使用登记 (scjgj)
FILING = "3607990011000100"  # 企业投资项目备案 (fgw), 即办件
ROAD_FEE = "SF-zjj-001"


def git(root: Path, *args: str, date: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def edit_item(root: Path, rel: str, code: str, old: str, new: str) -> None:
    """Replace the first `old` after the item's `code:` line (so the edit lands in that item)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    start = text.index(f'code: "{code}"' if code[0].isdigit() else f"code: {code}")
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def assess(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "--project", str(root), "assess", *args],
                          capture_output=True, text=True, timeout=300)


def findings(root: Path, *args: str) -> list[dict]:
    run = assess(root, "--format", "json", *args)
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)["findings"]


def only(found: list[dict], rule: str, code: str) -> dict:
    hits = [f for f in found if f["rule"] == rule and f["code"] == code]
    assert len(hits) == 1, [(f["rule"], f["code"], f["message"]) for f in found if f["rule"] == rule]
    return hits[0]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    """The demo committed in 2015, then one commit in 2024 planting one problem of each kind."""
    root = copy_demo_project(tmp_path_factory.mktemp("assess") / "county", content=False)
    git(root, "init", "-q", "-b", "main", date="2015-01-01T10:00:00+08:00")
    git(root, "add", "-A", date="2015-01-01T10:00:00+08:00")
    git(root, "commit", "-q", "-m", "清单初版", date="2015-01-01T10:00:00+08:00")
    power = "lists/power/scjgj.yml"
    edit_item(root, power, FOOD, "并与有毒、有害场所以及其他污染源保持规定的距离。",
              "并与有毒、有害场所以及其他污染源保持规定的距离；法律、法规规定的其他条件。")
    edit_item(root, power, FOOD, "《中华人民共和国食品安全法》", "《中华人民共和国食品卫生法》（1995年）")
    edit_item(root, power, FOOD, "handling: 承诺件", "handling: 即办件")
    edit_item(root, power, BOILER, "statutory: 15, promised: 5", "statutory: 15, promised: 25")
    edit_item(root, power, BOILER, "    result: 特种设备使用登记证\n", "")
    edit_item(root, "lists/power/fgw.yml", FILING, "handling: 即办件", "handling: 承诺件")
    edit_item(root, "lists/power/fgw.yml", FILING, "time_limit: {promised: 0, unit: 工作日, note: 备案信息完整的即时备案}",
              "time_limit: {unit: 工作日, note: 备案信息完整的即时备案}")
    edit_item(root, "lists/fee/zjj.yml", ROAD_FEE,
              "basis: 《建设部 财政部 国家物价局关于印发〈城市道路占用挖掘收费管理办法〉的通知》（建城〔1993〕410号）",
              "basis: 按有关规定")
    edit_item(root, "lists/responsibility/scjgj.yml", "ZR-scjgj-0001", 'power: "000131127004"',
              'power: "000131127999"')
    with (root / power).open("a", encoding="utf-8") as handle:
        handle.write("""\
  - code: SC-TEST-1
    name: 食品经营许可
    type: 行政许可
    subject: 示例县市场监督管理局
    basis: |
      【规范性文件】《示例县人民政府关于加强食品摊贩管理的通知》（示府发〔2016〕3号）
    conditions: 无
    procedure: [申请, 受理, 审查, 决定, 送达]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 登记证
    fee: {basis: 无, standard: 不收费}
  - code: SC-TEST-2
    name: 食品小作坊登记
    type: 行政审批
    subject: 示例县市场监督管理局
    basis: |
      【规范性文件】《示例县人民政府关于加强食品摊贩管理的通知》（示府发〔2016〕3号）
    conditions: 无
    procedure: [申请, 受理, 审查, 决定, 送达]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 登记证
    fee: {basis: 无, standard: 不收费}
  - code: SC-TEST-3
    name: 无依据的检查
    type: 行政检查
    subject: 示例县市场监督管理局
    conditions: 无
    procedure: [检查]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 检查记录
    fee: {basis: 无, standard: 不收费}
""")
    (root / "lists/power/gaj.yml").write_text((root / "lists/power/gaj.yml").read_text(encoding="utf-8") + """\
  - code: GA-TEST-1
    name: 食品经营许可
    type: 行政许可
    subject: 示例县公安局
    basis: [{law: 《中华人民共和国食品安全法》, article: 第三十五条}]
    conditions: 无
    procedure: [申请]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 许可证
    fee: {basis: 无, standard: 不收费}
""", encoding="utf-8")
    git(root, "add", "-A", date="2024-03-01T10:00:00+08:00")
    git(root, "commit", "-q", "-m", "调整", date="2024-03-01T10:00:00+08:00")
    return root


@pytest.fixture(scope="module")
def report(planted) -> list[dict]:
    return findings(planted, "--as-of", "2024-06-30")


def test_catch_all_clause_is_quoted(report):
    f = only(report, "catch-all-clause", FOOD)
    assert f["quote"] == "法律、法规规定的其他条件。"
    assert f["level"] == "warning" and f["list"] == "power" and f["name"] == "食品经营许可"
    assert f["message"] == "“办理条件”中有兜底条款：“法律、法规规定的其他条件。”"
    assert f["file"] == "lists/power/scjgj.yml" and f["line"] > 0


def test_repealed_law_names_what_replaced_it_and_when(report):
    f = only(report, "repealed-law", FOOD)
    assert f["quote"] == "《中华人民共和国食品卫生法》（1995年）第三十五条"
    assert "2009-06-01 废止" in f["message"] and "《中华人民共和国食品安全法》" in f["message"]


def test_powers_without_a_statutory_basis(report):
    assert only(report, "no-legal-basis", "SC-TEST-3")["message"] == "权力事项没有设定依据"
    f = only(report, "basis-normative-only", "SC-TEST-1")
    assert f["quote"] == "【规范性文件】《示例县人民政府关于加强食品摊贩管理的通知》（示府发〔2016〕3号）"


def test_fee_without_a_basis_document(report):
    f = only(report, "fee-without-basis", ROAD_FEE)
    assert f["quote"] == "按有关规定" and f["list"] == "fee"


def test_time_limits(report):
    f = only(report, "promise-exceeds-statute", BOILER)
    assert f["level"] == "error" and f["quote"] == "法定时限 15 工作日；承诺时限 25 工作日"
    assert only(report, "instant-with-time-limit", FOOD)["quote"] == "即办件；承诺时限 5 工作日"
    assert only(report, "promise-without-time-limit", FILING)["quote"] == "承诺件"


def test_overlaps_and_duplicates(report):
    f = only(report, "cross-department-name", "GA-TEST-1")
    assert f["quote"] == "食品经营许可" and "县市场监管局（000131127004）" in f["message"]
    assert only(report, "cross-department-name", FOOD)
    # same type (许可 is 行政许可) and the same basis, in one list
    dup = only(report, "possible-duplicate", "SC-TEST-2")
    assert "SC-TEST-1" in dup["message"] and "行政许可" in dup["message"]


def test_missing_disclosure_and_broken_reference(report):
    assert only(report, "missing-disclosure", BOILER)["quote"] == "办理结果"
    f = only(report, "broken-reference", "ZR-scjgj-0001")
    assert f["quote"] == "000131127999" and f["level"] == "error"


def test_review_due_from_the_history(report):
    due = {f["code"]: f for f in report if f["rule"] == "review-due"}
    assert due["3607990120100100"]["quote"] == "2015-01-01"  # untouched since the first edition
    assert FOOD not in due and "SC-TEST-1" not in due  # adjusted in 2024


def test_each_finding_is_one_object_in_json(planted, report):
    assert all(list(f) == ["rule", "level", "list", "code", "name", "department", "message", "quote", "hint",
                           "field", "file", "line"] for f in report)
    data = json.loads(assess(planted, "--format", "json", "--as-of", "2024-06-30").stdout)
    assert data["schema"] == "qingdan-assess/1"
    scjgj = next(d for d in data["departments"] if d["department"] == "scjgj")
    in_files = sum(len(yaml.safe_load(f.read_text(encoding="utf-8"))["items"])
                   for f in (planted / "lists").glob("*/scjgj.yml"))  # counted independently
    assert scjgj["by_rule"]["catch-all-clause"] == 1 and scjgj["items"] == in_files


def test_errors_fail_and_fail_on_names_rules(planted):
    run = assess(planted, "--as-of", "2024-06-30")
    assert run.returncode == 1 and "评估未通过：错误级问题 2 个" in run.stderr
    assert "［power/000131127004］食品经营许可：兜底条款" in run.stdout
    assert assess(planted, "--list", "certificate").returncode == 0
    run = assess(planted, "--list", "certificate", "--fail-on", "review-due", "--as-of", "2030-01-01")
    assert run.returncode == 1 and "久未调整" in run.stderr
    bad = assess(planted, "--fail-on", "catch-all")
    assert bad.returncode == 2 and "是不是想写“catch-all-clause”" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_switching_a_rule_off_or_relevelling_it(planted, tmp_path):
    config = planted / "site_config.yml"
    original = config.read_text(encoding="utf-8")
    try:
        config.write_text(original.replace("rules:\n", "rules:\n  levels: {catch-all-clause: off, "
                                           "promise-exceeds-statute: warning, broken-reference: notice}\n"),
                          encoding="utf-8")
        found = findings(planted)
        assert not [f for f in found if f["rule"] == "catch-all-clause"]
        assert only(found, "promise-exceeds-statute", BOILER)["level"] == "warning"
        assert assess(planted, "--as-of", "2024-06-30").returncode == 0  # no error-level finding left
        # check and diff honour the same switch: one rule, one setting
        check = subprocess.run([sys.executable, "-m", "generator", "--project", str(planted), "check",
                                "--format", "json"], capture_output=True, text=True)
        rules = {p["rule"] for p in json.loads(check.stdout)["warnings"]}
        assert "catch-all-clause" not in rules and "repealed-law" in rules
    finally:
        config.write_text(original, encoding="utf-8")


def test_project_adds_repealed_instruments_and_catch_all_patterns(planted):
    config = planted / "site_config.yml"
    original = config.read_text(encoding="utf-8")
    try:
        config.write_text(original.replace("rules:\n", """rules:
  repealed_laws:
    - {title: 城市道路管理条例, date: "2030-01-01", by: 《示例决定》, replaced_by: 《城市道路新条例》}
""").replace("  extra_catch_all_patterns: []\n", "  extra_catch_all_patterns: [安全监察股]\n"),
                          encoding="utf-8")
        found = findings(planted)
        assert only(found, "repealed-law", "SF-zjj-002")["quote"] == "《城市道路管理条例》第三十七条"
        assert only(found, "catch-all-clause", BOILER)["quote"] == "特种设备安全监察股"
        config.write_text(original.replace("rules:\n", "rules:\n  levels: {catch-all: off}\n"), encoding="utf-8")
        run = assess(planted)
        assert run.returncode == 1 and "levels 中的“catch-all”不是规则的标识" in run.stderr
        assert "site_config.yml:" in run.stderr and "Traceback" not in run.stderr
    finally:
        config.write_text(original, encoding="utf-8")


def test_repeals_and_renames_are_read_on_the_assessment_day(planted):
    """An instrument repealed or renamed after the day assessed is still in force: 将于, not 已于."""
    config, gaj = planted / "site_config.yml", planted / "lists/power/gaj.yml"
    originals = {path: path.read_text(encoding="utf-8") for path in (config, gaj)}
    try:
        # a real repeal: the VAT law of 2024-12-25 repeals the provisional regulations on 2026-01-01
        gaj.write_text(originals[gaj].replace("basis: [{law: 《中华人民共和国食品安全法》, article: 第三十五条}]",
                                              "basis: [{law: 《中华人民共和国增值税暂行条例》, article: 第一条}]"),
                       encoding="utf-8")
        # a project's own entry, renamed years ahead
        config.write_text(originals[config].replace("rules:\n", """rules:
  repealed_laws:
    - {title: 城市道路管理条例, date: "2031-07-01", kind: 更名, by: 《示例城市道路条例》, replaced_by: 《示例城市道路条例》}
"""), encoding="utf-8")
        before = findings(planted, "--as-of", "2025-12-31")
        vat = only(before, "repealed-law", "GA-TEST-1")
        assert vat["message"] == ("依据中的《中华人民共和国增值税暂行条例》将于 2026-01-01 废止（《中华人民共和国增值税法》"
                                  "（2024年12月25日通过，自2026年1月1日起施行）），届时施行的是《中华人民共和国增值税法》")
        assert vat["hint"].startswith("在 2026-01-01 之前调整清单：改引《中华人民共和国增值税法》的相应条款")
        road = only(before, "repealed-law", "SF-zjj-002")
        assert road["message"] == "依据中的《城市道路管理条例》将于 2031-07-01 更名为《示例城市道路条例》"
        after = findings(planted, "--as-of", "2031-07-01")
        assert "已于 2026-01-01 废止" in only(after, "repealed-law", "GA-TEST-1")["message"]
        assert "现行的是《中华人民共和国增值税法》" in only(after, "repealed-law", "GA-TEST-1")["message"]
        road = only(after, "repealed-law", "SF-zjj-002")
        assert road["message"] == "依据中的《城市道路管理条例》已于 2031-07-01 更名为《示例城市道路条例》"
        assert road["hint"].startswith("改引《示例城市道路条例》")
        # qingdan check judges on the day it runs (any day after 2026-01-01)
        check = subprocess.run([sys.executable, "-m", "generator", "--project", str(planted), "check",
                                "--format", "json"], capture_output=True, text=True)
        messages = [p["message"] for p in json.loads(check.stdout)["warnings"] if p["rule"] == "repealed-law"]
        assert any("《中华人民共和国增值税暂行条例》已于 2026-01-01 废止" in m for m in messages), messages
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")


def test_xlsx_has_a_summary_and_one_sheet_per_rule(planted, tmp_path):
    out = tmp_path / "评估.xlsx"
    assert assess(planted, "--format", "xlsx", "--output", str(out), "--as-of", "2024-06-30").returncode == 1
    book = openpyxl.load_workbook(BytesIO(out.read_bytes()))
    assert book.sheetnames[0] == "汇总"
    assert {"兜底条款", "依据已废止或更名", "承诺时限超过法定时限", "久未调整"} <= set(book.sheetnames)
    rows = list(book["兜底条款"].iter_rows(values_only=True))
    assert rows[0][:5] == ("级别", "部门", "清单", "编码", "事项名称")
    food = [r for r in rows if r[3] == FOOD]
    assert len(food) == 1 and food[0][6] == "法律、法规规定的其他条件。"
    again = tmp_path / "again.xlsx"
    assess(planted, "--format", "xlsx", "--output", str(again), "--as-of", "2024-06-30")
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_html_report_summary_first_and_escaped(planted, tmp_path):
    out = tmp_path / "评估.html"
    assess(planted, "--format", "html", "--output", str(out), "--as-of", "2024-06-30")
    html = out.read_text(encoding="utf-8")
    assert html.index('id="summary"') < html.index('id="rule-catch-all-clause"')
    assert "规范度 = 没有“错误”和“警告”级问题的事项数 ÷ 事项数 × 100" in html
    assert "评估人（签字）" in html and "size: A4" in html
    assert not re.search(r'(src|href)="', html)


@pytest.mark.browser
def test_html_report_prints_on_a4(planted, tmp_path, browser):
    out = tmp_path / "评估.html"
    assess(planted, "--format", "html", "--output", str(out), "--as-of", "2024-06-30")
    page = browser.new_page()
    try:
        page.goto(out.as_uri())
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) >= 2
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 1.5 and abs(float(height) - 841.9) < 1.5
