"""`qingdan import`: real spreadsheets made with openpyxl (and xlwt for .xls) into a copy of the mini project."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from mini_project import make_git_project

from generator.cli import main
from generator.legaltext import split_instruments
from generator.tabular import normalize as norm


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_git_project(tmp_path / "proj")


def run(root: Path, *args: str, capsys) -> tuple[int, str]:
    code = main(["--project", str(root), "import", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def items(root: Path, rel: str) -> dict[str, dict]:
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    return {item.get("code") or item["local_code"]: item for item in data["items"]}


def power_workbook(path: Path, rows: list[list], extra=None) -> Path:
    """A county power list as departments send it: a title row, a merged two-row header, 主项 merged
    over its 子项, and a column nobody asked for."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "行政许可"
    ws.append(["测试县市场监督管理局权力清单（2024年版）"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：测试县市场监督管理局"])
    ws.append(["序号", "职权名称", "子项", "权力编码", "实施依据", None, "法定办结时限", "承诺时限", "收费标准", "联系人"])
    ws.append([None, None, None, None, "法律", "条款", None, None, None, None])
    ws.merge_cells("E3:F3")
    for col in "ABCDGHIJ":
        ws.merge_cells(f"{col}3:{col}4")
    for row in rows:
        ws.append(row)
    if extra:
        extra(ws)
    wb.save(path)
    return path


GOOD_ROWS = [
    [1, "食品生产经营许可", "食品经营许可", "000131127004", "《中华人民共和国食品安全法》", "第三十五条",
     "２０个工作日", "３个工作日", "不收费", "张三"],
    [2, None, "食品生产许可", "000131127005", "《中华人民共和国食品安全法》\n《食品生产许可管理办法》",
     "第三十五条\n第二条", "二十个工作日", "10个工作日", "不收费", "李四"],
]


def merge_main_item(ws) -> None:
    ws.merge_cells("B5:B6")  # 主项 食品生产经营许可 over its two 子项


def test_title_rows_merged_headers_and_main_items_become_yaml(project: Path, tmp_path: Path, capsys) -> None:
    sheet = power_workbook(tmp_path / "权力清单.xlsx", GOOD_ROWS, merge_main_item)
    code, out = run(project, str(sheet), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    got = items(project, "lists/power/scjgj.yml")
    # The existing item: only what the sheet says changed (promised 5 → 3); everything else kept.
    assert got["000131127004"]["time_limit"] == {"statutory": 20, "promised": 3, "unit": "工作日"}
    assert got["000131127004"]["conditions"] == "具有与经营的食品品种、数量相适应的经营场所。"
    assert got["000131127004"]["name"] == "食品经营许可"
    # The new 子项 row: name from the 子项 column, two laws paired with their articles line by line,
    # Chinese numerals read, the type taken from the sheet's name, 不收费 spelled out.
    new = got["000131127005"]
    assert new["name"] == "食品生产许可"
    assert new["type"] == "行政许可"
    assert new["basis"] == [
        {"law": "《中华人民共和国食品安全法》", "article": "第三十五条"},
        {"law": "《食品生产许可管理办法》", "article": "第二条"},
    ]
    assert new["time_limit"] == {"statutory": 20, "promised": 10, "unit": "工作日"}
    assert new["fee"] == {"standard": "不收费"}  # the sheet has no 收费依据 column: nothing is made up
    assert "「权力清单.xlsx」工作表「行政许可」第3行 J列：说明［power］：列“联系人”不对应权力清单的任何字段，按原表头作为“其他信息”保存" in out
    assert "写入 lists/power/scjgj.yml" in out
    # Untouched item keeps its exact text, including flow style.
    text = (project / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    assert "time_limit: {statutory: 90, promised: 60, unit: 自然日}" in text
    assert 'code: "000131127005"' in text  # quoted: it must stay text for the loader


def test_reimporting_the_same_sheet_changes_no_byte(project: Path, tmp_path: Path, capsys) -> None:
    sheet = power_workbook(tmp_path / "权力清单.xlsx", GOOD_ROWS, merge_main_item)
    assert run(project, str(sheet), "--list", "power", "--department", "scjgj", capsys=capsys)[0] == 0
    before = (project / "lists/power/scjgj.yml").read_bytes()
    code, out = run(project, str(sheet), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0
    assert (project / "lists/power/scjgj.yml").read_bytes() == before
    assert "lists/power/scjgj.yml：没有变化" in out
    assert main(["--project", str(project), "check"]) == 0


def test_bad_rows_are_located_and_nothing_is_written(project: Path, tmp_path: Path, capsys) -> None:
    rows = [
        [1, "食品经营许可", None, "000131127004", "《中华人民共和国食品安全法》", "第三十五条", "5个工作日", "20个工作日",
         "不收费", None],  # promise longer than the statute
        [2, "食品生产许可", None, "000131127005", "《中华人民共和国食品安全法》", "第三十五条\n第二条", "二十个工作日",
         "约两周", "不收费", None],  # two articles for one law; a time limit nobody can read
        [3, "", None, "00013112700X", None, None, None, None, None, None],  # a code but no name
    ]
    sheet = power_workbook(tmp_path / "权力清单.xlsx", rows)
    before = (project / "lists/power/scjgj.yml").read_bytes()
    code, out = run(project, str(sheet), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 1
    assert (project / "lists/power/scjgj.yml").read_bytes() == before
    assert "「权力清单.xlsx」工作表「行政许可」第5行 G列：错误［power/000131127004］：承诺时限 20 工作日长于法定时限 5 工作日" in out
    assert "「权力清单.xlsx」工作表「行政许可」第6行 F列：错误［power/000131127005］：条款有 2 行，而法律法规有 1 部，无法一一对应" in out
    assert "「权力清单.xlsx」工作表「行政许可」第6行 H列：错误［power/000131127005］：无法识别时限“约两周”" in out
    assert "「权力清单.xlsx」工作表「行政许可」第7行 B列：错误［power/00013112700X］：缺少必填的“事项名称”" in out
    assert "在“事项名称”列填写，然后重新导入" in out
    assert "没有写入任何文件" in out


def test_unknown_enum_value_is_reported_at_its_cell(project: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "权力类型", "实施主体"])
    ws.append(["000231001001", "对未取得许可从事食品经营的处罚", "行政处份", "测试县市场监督管理局"])
    ws.append(["000231001002", "对食品经营者未按规定公示的处罚", "处罚", "测试县市场监督管理局"])
    wb.save(tmp_path / "处罚.xlsx")
    code, out = run(project, str(tmp_path / "处罚.xlsx"), "--list", "power", "--department", "scjgj", capsys=capsys)
    # Not a standard value: kept as published, with a warning at its cell and a suggestion.
    assert code == 0, out
    assert "「处罚.xlsx」工作表「Sheet」第2行 C列：警告［power/000231001001］：字段“职权类型”的值“行政处份”不是标准取值，已按原文保留" in out
    assert "是不是想写“行政处罚”" in out
    assert "第3行 C列" not in out  # 处罚 is read as 行政处罚
    assert items(project, "lists/power/scjgj.yml")["000231001001"]["type"] == "行政处份"


def test_gbk_csv_is_detected_and_reported(project: Path, tmp_path: Path, capsys) -> None:
    text = "事项编码,事项名称,职权类型,实施主体,设定依据,办理时限,是否进驻政务服务中心\r\n" \
           "000131127004,食品经营许可,行政许可,测试县市场监督管理局,《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第四条,法定20个工作日，承诺5个工作日,是\r\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    code, out = run(project, str(tmp_path / "gbk.csv"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    assert "「gbk.csv」：说明：CSV 文件按 GBK/GB18030 编码读取" in out
    item = items(project, "lists/power/scjgj.yml")["000131127004"]
    assert item["basis"] == "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第四条"  # as published
    assert [i.name for i in split_instruments(item["basis"])] == ["《中华人民共和国食品安全法》", "《食品经营许可和备案管理办法》"]
    assert item["in_service_center"] is True
    assert item["time_limit"] == {"statutory": 20, "promised": 5, "unit": "工作日"}


def test_utf8_bom_csv_and_laws_run_together(project: Path, tmp_path: Path, capsys) -> None:
    text = "事项编码,事项名称,职权类型,法定依据\n000131127004,食品经营许可,行政许可,《中华人民共和国食品安全法》第三十五条《中华人民共和国行政许可法》\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out = run(project, str(tmp_path / "bom.csv"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    assert "UTF-8（带 BOM）" in out
    basis = items(project, "lists/power/scjgj.yml")["000131127004"]["basis"]
    assert basis == "《中华人民共和国食品安全法》第三十五条《中华人民共和国行政许可法》"
    assert [(i.name, [a.number for a in i.articles]) for i in split_instruments(basis)] == [
        ("《中华人民共和国食品安全法》", ["第三十五条"]), ("《中华人民共和国行政许可法》", []),
    ]


HAND_EDITED = """\
department: scjgj
# 2024年3月 法制办审核意见：依据已核对
items:
  - code: "000131127004"   # 国家目录编码，勿改
    name: 食品经营许可
    type: 行政许可
    office: 食品经营监管股
    subject: 测试县市场监督管理局
    basis:
      - law: 《中华人民共和国食品安全法》
        article: 第三十五条
    conditions: 具有与经营的食品品种、数量相适应的经营场所。
    procedure: [申请, 受理, 审查, 决定, 送达]
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    result: 食品经营许可证
    fee: {basis: 无, standard: 不收费}
    note: 手工补充的备注，表格里没有这一列
  - code: "000231001000"
    name: 对生产经营不符合食品安全标准的食品的处罚
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


def test_import_by_name_keeps_hand_edits_comments_and_order(project: Path, tmp_path: Path, capsys) -> None:
    (project / "lists/power/scjgj.yml").write_text(HAND_EDITED, encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项名称", "承办科室", "承诺办结时限", "监督电话"])  # no codes: paired by name
    ws.append(["食品经营许可", "食品经营监管股", "3个工作日", "１２３１５"])
    wb.save(tmp_path / "更新.xlsx")
    code, out = run(project, str(tmp_path / "更新.xlsx"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    assert "第2行“食品经营许可”按名称对应到已有事项 000131127004" in out
    assert "1 项不在表格中、原样保留" in out
    text = (project / "lists/power/scjgj.yml").read_text(encoding="utf-8")
    expected = HAND_EDITED.replace(
        "time_limit: {statutory: 20, promised: 5, unit: 工作日}\n    result: 食品经营许可证\n"
        "    fee: {basis: 无, standard: 不收费}\n",
        "time_limit: {statutory: 20, promised: 3, unit: 工作日}\n    result: 食品经营许可证\n"
        "    fee: {basis: 无, standard: 不收费}\n",
    ).replace(  # a new key goes after the last key that precedes it in the list type's field order
        "    office: 食品经营监管股\n",
        '    office: 食品经营监管股\n    supervision_phone: １２３１５\n',  # as published
    )
    assert text == expected


def test_dry_run_shows_changes_and_writes_nothing(project: Path, tmp_path: Path, capsys) -> None:
    sheet = power_workbook(tmp_path / "权力清单.xlsx", GOOD_ROWS, merge_main_item)
    before = (project / "lists/power/scjgj.yml").read_bytes()
    code, out = run(project, str(sheet), "--list", "power", "--department", "scjgj", "--dry-run", capsys=capsys)
    assert code == 0, out
    assert (project / "lists/power/scjgj.yml").read_bytes() == before
    # New: 食品生产许可 and its 主项 (merged over both 子项); 食品经营许可 gains 时限, 联系人 and its 主项.
    assert "lists/power/scjgj.yml：新增 2 项，修改 1 项（3 个字段）" in out
    assert "新增 000131127005 食品生产许可" in out
    assert "预览（--dry-run）" in out


def test_department_column_routes_rows_and_unknown_departments_are_errors(project: Path, tmp_path: Path,
                                                                          capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["部门", "事项编码", "事项名称", "职权类型"])
    ws.append(["县住建局", "000131127004", "食品经营许可", "行政许可"])
    ws.append(["县水利局", "000131127099", "取水许可", "行政许可"])
    wb.save(tmp_path / "全县.xlsx")
    code, out = run(project, str(tmp_path / "全县.xlsx"), "--list", "power", capsys=capsys)
    assert code == 1
    assert "「全县.xlsx」工作表「Sheet」第3行 A列：错误［power］：部门“县水利局”没有在 site_config.yml 中登记" in out
    code, out = run(project, str(tmp_path / "全县.xlsx"), "--list", "power", "--sheet", "没有这张表", capsys=capsys)
    assert "找不到工作表“没有这张表”" in out and "Sheet" in out


def test_project_synonyms_from_site_config(project: Path, tmp_path: Path, capsys) -> None:
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nimport_synonyms:\n  power:\n    office: [牵头股室]\n",
                      encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "牵头股室"])
    ws.append(["000131127004", "食品经营许可", "食品经营监管股"])
    wb.save(tmp_path / "s.xlsx")
    code, out = run(project, str(tmp_path / "s.xlsx"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    assert items(project, "lists/power/scjgj.yml")["000131127004"]["office"] == "食品经营监管股"


def test_numeric_codes_keep_zero_padding_or_warn(project: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "职权类型"])
    ws.append([131127004, "食品经营许可", "行政许可"])
    ws["A2"].number_format = "000000000000"  # shown as 000131127004
    ws.append([231001009, "对食品经营的处罚", "行政处罚"])  # shown as 231001009: zeros lost
    wb.save(tmp_path / "n.xlsx")
    code, out = run(project, str(tmp_path / "n.xlsx"), "--list", "power", "--department", "scjgj", "--dry-run",
                    capsys=capsys)
    assert "第2行 A列" not in out
    assert "「n.xlsx」工作表「Sheet」第3行 A列：警告［power］：编码 231001009 在表格中是数字格式，开头的 0 可能已经丢失" in out
    assert "新增 000131127004" not in out  # matched the existing item


def test_responsibility_reference_by_power_name(project: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编码", "责任事项名称", "对应权力事项", "责任事项", "问责情形"])
    ws.append(["ZR-scjgj-0002", "食品安全处罚的责任事项", "对生产经营不符合食品安全标准的食品的处罚",
               "1.立案责任：依法立案。\n2.调查责任：全面调查。", "未依法立案的；\n调查不全面的。"])
    wb.save(tmp_path / "责任.xlsx")
    code, out = run(project, str(tmp_path / "责任.xlsx"), "--list", "responsibility", "--department", "scjgj",
                    capsys=capsys)
    assert code == 0, out
    item = items(project, "lists/responsibility/scjgj.yml")["ZR-scjgj-0002"]
    assert item["power"] == "000231001000"
    assert item["duties"] == ["1.立案责任：依法立案。", "2.调查责任：全面调查。"]  # one per line, as published
    assert item["accountability"] == ["未依法立案的；", "调查不全面的。"]  # each line as published
    assert "按名称对应到权力清单事项 000231001000" in out


def test_xls_file_with_merged_cells(project: Path, tmp_path: Path, capsys) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("行政处罚")
    ws.write_merge(0, 0, 0, 3, "测试县市场监督管理局行政处罚事项")
    for col, text in enumerate(["事项编码", "事项名称", "实施主体", "设定依据"]):
        ws.write(1, col, text)
    ws.write(2, 0, "000231001001")
    ws.write(2, 1, "对未取得许可从事食品经营的处罚")
    ws.write(3, 0, "000231001002")
    ws.write(3, 1, "对食品经营者未按规定公示的处罚")
    ws.write_merge(2, 3, 2, 2, "测试县市场监督管理局")  # one subject for both rows
    ws.write_merge(2, 3, 3, 3, "《中华人民共和国食品安全法》第一百二十二条")
    book.save(str(tmp_path / "处罚.xls"))
    code, out = run(project, str(tmp_path / "处罚.xls"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 0, out
    got = items(project, "lists/power/scjgj.yml")
    for code_ in ("000231001001", "000231001002"):
        assert got[code_]["subject"] == "测试县市场监督管理局"
        assert got[code_]["type"] == "行政处罚"  # from the sheet's name
        assert got[code_]["basis"] == "《中华人民共和国食品安全法》第一百二十二条"


def test_unreadable_files_are_explained(project: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "假的.xlsx").write_text("<html>这不是表格</html>", encoding="utf-8")
    code, out = run(project, str(tmp_path / "假的.xlsx"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 1
    assert "假的.xlsx 不是有效的 Excel 文件" in out
    code, out = run(project, str(tmp_path / "没有.xlsx"), "--list", "power", "--department", "scjgj", capsys=capsys)
    assert code == 1 and "找不到文件" in out
    assert "Traceback" not in out


@pytest.mark.parametrize(("text", "expected"), [
    ("20个工作日", (20, "工作日", False)),
    ("二十个工作日", (20, "工作日", False)),
    ("２０日", (20, "自然日", True)),
    ("即办", (0, "", False)),
    ("无", (None, "", False)),
    ("一百二十天", (120, "自然日", True)),
])
def test_duration_spellings(text: str, expected: tuple) -> None:
    assert norm.parse_duration(text, ["工作日", "自然日", "小时"]) == expected


def test_month_limits_are_refused_when_the_unit_is_not_configured() -> None:
    with pytest.raises(norm.CellError) as err:
        norm.parse_duration("3个月", ["工作日", "自然日", "小时"])
    assert "单位“月”不在规定范围内" in err.value.message


def test_cell_text_normalisation() -> None:
    assert norm.clean_text("０７９７－１２３４５６７\u3000") == "0797－1234567"  # full-width punctuation kept
    assert norm.clean_code("０００１３１１２７００４ ") == "000131127004"
    assert norm.parse_bool("√") is True and norm.parse_bool("否") is False
    assert norm.split_list("申请、受理、审查、决定、送达") == ["申请", "受理", "审查", "决定", "送达"]
    assert norm.split_list("①申请\n②受理") == ["申请", "受理"]
    assert norm.split_bases("食品安全法第三十五条") == [{"law": "食品安全法", "article": "第三十五条"}]


def test_units_in_headers_and_one_warning_per_column(project: Path, tmp_path: Path, capsys) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "职权类型", "法定时限（工作日）", "承诺时限"])
    ws.append(["000131127004", "食品经营许可", "行政许可", "20日", "5日"])
    ws.append(["000231001000", "对生产经营不符合食品安全标准的食品的处罚", "行政处罚", 90, "60天"])
    wb.save(tmp_path / "u.xlsx")
    code, out = run(project, str(tmp_path / "u.xlsx"), "--list", "power", "--department", "scjgj", "--dry-run",
                    capsys=capsys)
    # The header's unit wins over a bare 日 in column D; column E says nothing, so 日/天 are calendar days,
    # reported once for the column, and 工作日 vs 自然日 in one row is an error at that row.
    assert "D列" not in out
    assert "「u.xlsx」工作表「Sheet」第2行 E列：警告［power］：这一列有 2 个时限只写了“日/天”（第2、3行），已按自然日导入" in out
    assert "「u.xlsx」工作表「Sheet」第2行 E列：错误［power/000131127004］：法定时限和承诺时限的单位不同（工作日、自然日）" in out
    assert code == 1


def test_problems_already_in_the_project_do_not_block_and_json_output(project: Path, tmp_path: Path,
                                                                      capsys) -> None:
    # Another department's file already has an error: not this import's business.
    bad = project / "lists/power/zjj.yml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("  - code:", "  - code: 重复\n    nme: x\n  - code:", 1),
                   encoding="utf-8")
    assert main(["--project", str(project), "check"]) == 1
    capsys.readouterr()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项编码", "事项名称", "承诺时限"])
    ws.append(["000131127004", "食品经营许可", "4个工作日"])
    wb.save(tmp_path / "j.xlsx")
    code, out = run(project, str(tmp_path / "j.xlsx"), "--list", "power", "--department", "scjgj",
                    "--format", "json", capsys=capsys)
    assert code == 0, out
    result = json.loads(out)
    assert result["ok"] is True and result["rows"] == 1
    assert result["files"]["lists/power/scjgj.yml"]["changes"] == [{
        "code": "000131127004", "name": "食品经营许可", "field": "time_limit",
        "old": {"statutory": 20, "promised": 5, "unit": "工作日"},
        "new": {"statutory": 20, "promised": 4, "unit": "工作日"},
    }]
    assert not any("行政许诺" in m["text"] for m in result["messages"])
