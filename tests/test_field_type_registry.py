"""A new field type is one class and one entry in FIELD_TYPES: check, import and the item page all use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup
from mini_project import make_project

from generator.cli import main
from generator.config import load_config
from generator.fieldtypes import FIELD_TYPES, FieldType, field_html
from generator.load import load_catalog
from generator.problems import Problems


class EmailType(FieldType):
    """What a site would add: an e-mail address, checked, read from a cell in lower case, shown as a link."""

    name = "email"
    words = "电子邮箱"
    documented = "电子邮箱地址"

    def normalize(self, fdef, value, config, report):
        text = str(value).strip()
        if "@" not in text:
            report(f"字段“{fdef.label}”的“{text}”不是电子邮箱地址", "例如 mzj@example.gov.cn")
            return None
        return text

    def from_cell(self, fdef, value, row, col):
        return str(value).strip().lower()

    def html(self, fdef, value, page):
        return Markup('<a href="mailto:{}">{}</a>').format(value, value)


CONTACT_TYPE = """
extra_list_types:
  - id: contact
    title: 联系方式清单
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 名称, type: text, required: true}
      - {name: mail, label: 邮箱, type: email}
"""
CONTACTS = """department: mzj
items:
  - code: LX-001
    name: 婚姻登记咨询
    mail: hy@example.gov.cn
  - code: LX-002
    name: 收养登记咨询
    mail: 没有邮箱
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setitem(FIELD_TYPES, "email", EmailType())  # the one registry line
    root = make_project(tmp_path / "p", {"lists/contact/mzj.yml": CONTACTS})
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + CONTACT_TYPE, encoding="utf-8")
    return root


def test_check_uses_the_new_type(project: Path) -> None:
    problems = Problems()
    catalog = load_catalog(load_config(project, problems), problems)
    assert [(p.file, p.line, p.message) for p in problems.errors] == [
        ("lists/contact/mzj.yml", 8, "字段“邮箱”的“没有邮箱”不是电子邮箱地址")]
    item = catalog.get("contact", "LX-001")
    fdef = catalog.config.list_type("contact").field("mail")
    assert field_html(fdef, item.data["mail"], "../../", catalog) == \
        '<a href="mailto:hy@example.gov.cn">hy@example.gov.cn</a>\n'


def test_import_reads_a_cell_through_the_new_type(project: Path, tmp_path: Path, capsys) -> None:
    (project / "lists/contact/mzj.yml").unlink()
    table = tmp_path / "联系方式.csv"
    table.write_text("编码,名称,邮箱\nLX-003,登记咨询,HY@Example.GOV.cn\n", encoding="utf-8")
    assert main(["--project", str(project), "import", str(table), "--list", "contact", "--department", "mzj"]) == 0
    written = (project / "lists/contact/mzj.yml").read_text(encoding="utf-8")
    assert "mail: hy@example.gov.cn" in written, written
