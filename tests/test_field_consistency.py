"""One value reads the same on the site, in `qingdan diff`, in `qingdan history` and in export.

A list type with a field of every type; an item is added in one commit and every field changed in
the next. The words and numbers of each value must be the same wherever a person reads it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from mini_project import make_project, qingdan

from generator.config import load_config
from generator.fieldtypes import FIELD_TYPES, field_cell, field_text
from generator.load import load_catalog
from generator.problems import Problems

SAMPLE_TYPE = """
extra_list_types:
  - id: sample
    title: 样例清单
    type_field: type
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
      - {name: type, label: 类型, type: enum, enum: item_type}
      - {name: levels, label: 行使层级, type: enum, enum: level, multi: true}
      - {name: detail, label: 说明文字, type: longtext}
      - {name: count, label: 窗口数, type: integer}
      - {name: online, label: 网上可办, type: boolean}
      - {name: since, label: 实施日期, type: date}
      - {name: steps, label: 步骤, type: list}
      - {name: power, label: 对应权力, type: ref, ref: power}
      - {name: guide, label: 办事指南, type: url}
"""

BEFORE = """department: mzj
items:
  - code: "YL-001"
    name: 样例事项
    type: "09"
    levels: "2,3"
    detail: 第一段说明
    count: 3
    online: true
    since: 2024-01-01
    steps: [申请, 受理]
    power: "000131127004"
    guide: https://zwfw.example.gov.cn/guide/1
    subject: 测试县民政局
    basis: |-
      【法律】《中华人民共和国社会团体登记管理条例》第九条　申请筹备成立社会团体……
      【规章】《民政部门规章示例》（民政部令第1号）第二条
    time_limit: {statutory: 20, promised: 5, unit: 工作日}
    fee: {basis: 无, standard: 不收费}
    extra: {授权部门: "73"}
"""

AFTER = """department: mzj
items:
  - code: "YL-001"
    name: 样例事项
    type: 行政审批
    levels: [市, 县]
    detail: 第二段说明
    count: 4
    online: false
    since: 2025-02-01
    steps: [申请, 受理, 决定]
    power: "000117004000"
    guide: https://zwfw.example.gov.cn/guide/2
    subject: 测试县民政局婚姻登记处
    basis:
      - {law: 《中华人民共和国社会团体登记管理条例》, article: 第十条}
    time_limit: {statutory: 15, promised: 0, unit: 工作日, note: 材料齐全当场办结}
    fee: {basis: 赣发改收费〔2017〕1号, standard: 每件10元}
    extra: {授权部门: "74"}
"""

_TOKEN = re.compile(r"[\u4e00-\u9fff]+|\d+|[A-Za-z]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("fields") / "p")
    config = (root / "site_config.yml").read_text(encoding="utf-8")
    (root / "site_config.yml").write_text(config + SAMPLE_TYPE, encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "基线")
    (root / "lists/sample").mkdir()
    (root / "lists/sample/mzj.yml").write_text(BEFORE, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "新增样例事项\n\n调整依据: 测政发〔2024〕1号")
    git(root, "tag", "before")
    (root / "lists/sample/mzj.yml").write_text(AFTER, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "调整样例事项\n\n调整依据: 测政发〔2025〕2号")
    return root


def catalog_at(root: Path):
    problems = Problems()
    config = load_config(root, problems)
    catalog = load_catalog(config, problems)
    assert not problems.errors, [p.message for p in problems.errors]
    return config, catalog


def test_every_field_type_is_exercised(project: Path) -> None:
    config, catalog = catalog_at(project)
    item = catalog.get("sample", "YL-001")
    used = {config.list_type("sample").field(name).type for name in item.data}
    assert used >= set(FIELD_TYPES) - {"code"} | {"code"}, set(FIELD_TYPES) - used


def test_site_review_history_and_export_read_each_value_the_same(project: Path, tmp_path: Path) -> None:
    config, catalog = catalog_at(project)
    list_type = config.list_type("sample")
    item = catalog.get("sample", "YL-001")

    build = qingdan(project, "build", "--out", str(tmp_path / "site"))
    assert build.returncode == 0, build.stdout + build.stderr
    page = (tmp_path / "site/sample/YL-001/index.html").read_text(encoding="utf-8")
    page_words = " ".join(tokens(html.unescape(re.sub(r"<[^>]+>", " ", page))))

    diff = qingdan(project, "diff", "before", "HEAD", "--format", "json")
    assert diff.returncode in (0, 1), diff.stderr
    changes = {c["field"]: c for i in json.loads(diff.stdout)["items"] for c in i.get("changes", [])}
    assert len(changes) >= 14, sorted(changes)  # every field was changed

    history = qingdan(project, "history", "sample/YL-001")
    assert history.returncode == 0, history.stderr

    export = qingdan(project, "export", "--list", "sample", "--format", "csv", "--output", str(tmp_path / "s.csv"))
    assert export.returncode == 0, export.stderr
    [row] = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8-sig"))))

    for fdef in list_type.fields:
        value = item.data.get(fdef.name)
        if value is None or fdef.name in ("code", "local_code", "parent", "parent_name"):
            continue
        text = field_text(fdef, value, config)
        assert text, fdef.name
        # The site: every word and number of the text is on the page.
        assert " ".join(tokens(text)) in page_words or all(t in page_words for t in tokens(text)), fdef.name
        # The review: the new value of each changed field is exactly this text.
        if fdef.name in changes:
            assert changes[fdef.name]["new"] == text, fdef.name
        # History: "label：old → new" with the same text (shortened only past 120 characters).
        if fdef.name != "name" and len(text) <= 120:
            assert f"→ {' '.join(text.split())}" in history.stdout, (fdef.name, text)
        # Export: the cell says the same words and numbers (enumerations as published, for re-import).
        cell = field_cell(fdef, value)
        exported = {k: v for k, v in row.items()}
        column = next((v for k, v in exported.items() if k == fdef.label), None)
        if fdef.type in ("time_limit", "fee", "extra"):
            continue  # written as one column per part; checked below
        assert column == str(cell), (fdef.name, column, cell)
        assert set(tokens(str(cell))) <= set(tokens(text)), fdef.name
    assert row["法定时限"] == "15" and row["承诺时限"] == "0" and row["时限说明"] == "材料齐全当场办结"
    assert row["收费依据"] == "赣发改收费〔2017〕1号" and row["收费标准"] == "每件10元"
    assert row["授权部门"] == "74"
