"""Spreadsheets in the shape real departments publish (as in ../shared/realdata/sheets): a merged
title row, one- or two-row headers, cells merged down over a 主项's rows. Each function writes one
layout to `path` and returns it; tests/test_import_layouts.py imports them."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def _book(path: Path, title: str, width: int, rows: list[list], merges: tuple[str, ...]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([title] + [None] * (width - 1))
    for row in rows:
        ws.append(row + [None] * (width - len(row)))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


# (a) 职权名称 and 子项名称, with 职权名称, 职权编码 and the shared cells merged down over the 子项 rows.
POWER_MERGED_MAIN = "对特种设备生产单位的监督检查"
POWER_MERGED_SUBS = ("对锅炉生产单位的监督检查", "对压力容器生产单位的监督检查", "对电梯生产单位的监督检查")
POWER_MERGED_BASIS = "《中华人民共和国特种设备安全法》第五十七条　负责特种设备安全监督管理的部门依照本法规定，对特种设备生产、经营、使用单位和检验、检测机构实施监督检查。"


def power_merged_main(path: Path) -> Path:
    """Two-row header (事项名称 over 职权名称 | 子项名称); rows 4–6 one 主项 with three 子项, the first
    子项 on the merge's first row; row 7 an item with no 子项; rows 8–9 a 主项 whose 子项 have bases
    of their own."""
    rows = [
        ["序号", "职权编码", "事项名称", None, "职权类型", "实施依据", "备注"],
        [None, None, "职权名称", "子项名称", None, None, None],
        [1, "330217001000", POWER_MERGED_MAIN, POWER_MERGED_SUBS[0], "行政检查", POWER_MERGED_BASIS, "市、县两级"],
        [None, None, None, POWER_MERGED_SUBS[1], None, None, "县级"],
        [None, None, None, POWER_MERGED_SUBS[2], None, None, None],
        [2, "330217002000", "对计量器具的监督检查", None, "行政检查", "《中华人民共和国计量法》第十八条", None],
        [3, "330217003000", "特种设备作业人员资格认定", "锅炉作业人员资格认定", "行政许可",
         "《特种设备作业人员监督管理办法》第四条", None],
        [None, None, None, "电梯作业人员资格认定", None, "《特种设备安全监察条例》第三十八条", None],
    ]
    merges = ("A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:G3",
              "A4:A6", "B4:B6", "C4:C6", "E4:E6", "F4:F6", "A8:A9", "B8:B9", "C8:C9", "E8:E9")
    return _book(path, "县市场监督管理局权责清单", 7, rows, merges)


# (b) a fee's own row first, its 收费编码 and other cells merged down over its ①②③ rows.
def fee_merged_code(path: Path) -> Path:
    rows = [
        ["序号", "收费编码", "收费项目", "收费标准", "政策依据", "资金管理方式"],
        [1, "110300101", "证照费", None, "价费字〔1992〕240号", "缴入中央和地方国库"],
        [None, None, "①居民身份证工本费", "每证20元", None, None],
        [None, None, "②临时居民身份证工本费", "每证10元", None, None],
        [None, None, "③户口簿工本费", "每本6元", None, None],
        [2, "110300102", "不动产登记费", "住宅类每件80元", "财税〔2016〕79号", "缴入中央和地方国库"],
    ]
    merges = ("A3:A6", "B3:B6", "E3:E6", "F3:F6")
    return _book(path, "县公安局行政事业性收费项目目录", 6, rows, merges)


# (c) a category row (a short number and only a name) over the fees numbered (6) (7) in the 序号
# column; the fee before the category has sub-items numbered in their names.
def fee_category(path: Path) -> Path:
    rows = [
        ["序号", "收费项目", "收费标准", "政策依据"],
        [4, "签证费", "每件50元", "计价格〔1999〕466号"],
        [None, "(4)代办外国签证", "每件30元", "财综〔2003〕45号"],
        [None, "(5)代填外国签证申请表", "每件20元", "财综〔2003〕45号"],
        [5, "证照费", None, None],
        ["(6)", "居民身份证工本费", "每证20元", "发改价格〔2003〕2322号"],
        ["(7)", "临时居民身份证工本费", "每证10元", "发改价格〔2003〕2322号"],
        [6, "认证费", "每件10元", "价费字〔1992〕198号"],
    ]
    return _book(path, "县行政事业性收费项目目录", 4, rows, ())


# (d) found in a published fee directory (安徽, 公安 fees): the 主项 numbered 一、二 and its 子项
# numbered (一)(二) in the 序号 column, names without numbers, the 主项's 依据 repeated on every row.
def fee_serial_levels(path: Path) -> Path:
    basis = "皖价费〔2004〕346号、发改价格〔2003〕2322号"
    rows = [
        ["序号", "收费项目", "收费标准", "收费依据", "执收单位"],
        ["一", "身份证", None, basis, "各市分、县局"],
        ["(一)", "申领、换领第二代居民身份证", "20元/证", basis, "各市分、县局"],
        ["(二)", "丢失补领或损坏换领第二代居民身份证", "40元/证", basis, "各市分、县局"],
        ["(三)", "临时第二代居民身份证", "10元/证", basis, "各市分、县局"],
        ["二", "居民户口簿工本费", "6元/本", "皖价行费字(1998)79号", "各市分、县局"],
        ["三", "户口迁移、准迁证工本费", None, "皖价行费字(1995)01号", "各市分、县局"],
        ["(一)", "户口迁移证工本费", "2元/证", "皖价行费字(1995)01号", "各市分、县局"],
        ["(二)", "户口准迁证工本费", "2元/证", "皖价行费字(1995)01号", "各市分、县局"],
    ]
    return _book(path, "公安部门行政事业性收费项目", 5, rows, ())


# Missing required columns: a power table with 责任事项 but no 追责情形; an intermediary table with no
# 涉及的审批事项.
def power_without_accountability(path: Path) -> Path:
    rows = [
        ["序号", "职权名称", "职权类型", "实施依据", "责任事项"],
        [1, "对计量器具的监督检查", "行政检查", "《中华人民共和国计量法》第十八条", "1.检查责任：依法实施监督检查。"],
        [2, "对商品条码的监督检查", "行政检查", "《商品条码管理办法》第二十八条", "1.检查责任：依法实施监督检查。"],
    ]
    return _book(path, "县市场监督管理局权责清单", 5, rows, ())


def intermediary_without_approval(path: Path) -> Path:
    rows = [
        ["序号", "中介服务事项名称", "设定依据", "中介服务实施机构"],
        [1, "建设项目环境影响报告书编制", "《中华人民共和国环境影响评价法》第十九条", "具备相应能力的技术单位"],
        [2, "建设工程施工图审查", "《建设工程质量管理条例》第十一条", "施工图审查机构"],
    ]
    return _book(path, "县行政审批中介服务事项清单", 4, rows, ())
