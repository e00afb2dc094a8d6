"""Checks beyond the schema: references between lists, time limits, catch-all clauses, completeness.

The item-level checks (`item_findings`) are shared with the legal review (`qingdan diff`), so
a problem reads the same in `qingdan check` and in a review report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from generator.fieldtypes import SAFE_CODE
from generator.model import Catalog, Item, get_path, is_blank
from generator.problems import Problems

NO_FEE_WORDS = ("不收费", "免费", "无", "无收费", "不涉及")
# Short standards that say "free" in other words: 不收取费用, 免收, 免费办理, 无偿提供, 无需缴费.
_NO_FEE_PHRASE = re.compile(r"^(不收取?|免收|免费|免征|免予收取|无偿|不涉及|无需缴?费|无须缴?费|不需要?缴?费|0+(\.0+)?元?$)")
_NO_FEE_MAX_LEN = 12  # longer text ("免收首次……，其余按……收取") may still charge


@dataclass(frozen=True)
class Finding:
    """Something about one item a reviewer should look at."""

    rule: str
    message: str
    field: str = ""
    severity: str = "warning"
    hint: str = ""


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(p) for p in patterns]


def text_values(value: Any) -> list[str]:
    """Every piece of text inside a field value (lists, bases, nested mappings)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in text_values(v)]
    if isinstance(value, list):
        return [t for v in value for t in text_values(v)]
    return []


def catch_all_clauses(value: Any, patterns: list[str]) -> list[str]:
    """The pieces of text that match a catch-all (兜底) pattern."""
    found = []
    for text in text_values(value):
        for pattern in _compiled(tuple(patterns)):
            match = pattern.search(text)
            if match:
                found.append(text)
                break
    return found


def charges_fee(standard: Any) -> bool:
    """True when a fee standard says money is charged (anything but 不收费/无 and their short variants)."""
    if is_blank(standard):
        return False
    text = str(standard).strip()
    if text in NO_FEE_WORDS:
        return False
    return not (len(text) <= _NO_FEE_MAX_LEN and _NO_FEE_PHRASE.match(text))


def missing_disclosures(catalog: Catalog, item: Item) -> list[str]:
    """Labels of the eight disclosures this item leaves blank."""
    list_type = catalog.config.list_type(item.list_id)
    if list_type is None:
        return []
    missing = []
    for key, label in catalog.config.applicable_disclosures(item.list_id):
        path = list_type.disclosure_map.get(key)
        if not path or is_blank(get_path(item.data, path)):
            missing.append(label)
    return missing


def item_findings(catalog: Catalog, item: Item) -> list[Finding]:
    """Item-level findings that do not depend on other items."""
    findings: list[Finding] = []
    config = catalog.config
    list_type = config.list_type(item.list_id)
    if list_type is None:
        return findings
    limit = item.data.get("time_limit") or {}
    statutory, promised = limit.get("statutory"), limit.get("promised")
    if statutory is not None and promised is not None and promised > statutory:
        findings.append(Finding(
            "promise-exceeds-statute",
            f"承诺时限 {promised} {limit.get('unit', '')}长于法定时限 {statutory} {limit.get('unit', '')}",
            "time_limit", "error", "承诺时限不得超过法定时限；请核对两个数字是否写反",
        ))
    basis_path = list_type.disclosure_map.get("basis", "")
    if item.list_id == "power" and is_blank(get_path(item.data, basis_path)):
        findings.append(Finding(
            "no-legal-basis", "权力事项没有设定依据", basis_path, "warning",
            "清单之外不得设权：请写明法律、法规或规章的名称和条款",
        ))
    fee_basis = get_path(item.data, list_type.disclosure_map.get("fee_basis", ""))
    fee_standard = get_path(item.data, list_type.disclosure_map.get("fee_standard", ""))
    if charges_fee(fee_standard) and (is_blank(fee_basis) or str(fee_basis).strip() in NO_FEE_WORDS):
        findings.append(Finding(
            "fee-without-basis", f"收取费用（{fee_standard}）但没有收费依据", "fee", "warning",
            "写明收费依据的文件名称和文号，例如 发改价格〔2015〕2136号",
        ))
    for fdef in list_type.fields:
        if fdef.type in ("code", "ref", "enum", "boolean", "integer", "date"):
            continue
        for text in catch_all_clauses(item.data.get(fdef.name), config.catch_all_patterns):
            findings.append(Finding(
                "catch-all-clause", f"“{fdef.label}”中有兜底条款：“{_clip(text)}”", fdef.name, "warning",
                "清单要清理模糊兜底条款：请写明具体事项，或删除“其他……”的表述",
            ))
    return findings


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def broken_references(catalog: Catalog, item: Item) -> list[tuple[str, str, str]]:
    """(field name, target list id, missing code) for each reference that points nowhere."""
    list_type = catalog.config.list_type(item.list_id)
    broken = []
    for fdef in list_type.fields if list_type else []:
        if fdef.type != "ref" or fdef.name not in item.data:
            continue
        value = item.data[fdef.name]
        for code in value if isinstance(value, list) else [value]:
            if catalog.resolve(fdef.ref, code) is None:
                broken.append((fdef.name, fdef.ref, code))
    return broken


def check_catalog(catalog: Catalog, problems: Problems) -> None:
    """Run every catalog-level check and report through `problems`."""
    config = catalog.config
    for item in catalog.items():
        for field_name, target, code in broken_references(catalog, item):
            target_type = config.list_type(target)
            title = target_type.title if target_type else target
            if SAFE_CODE.match(str(code)):  # a code that points nowhere: a typo, or a removed item
                problems.error(
                    f"引用的{title}事项“{code}”不存在", rule="broken-reference",
                    hint=f"检查编码是否写错；被引用的事项应在 lists/{target}/ 中", **item.where(field_name),
                )
            else:  # a published name not (yet) in the project: shown as published, linked once it is
                problems.warning(
                    f"“{code}”没有对应到{title}中的事项，网站上按原文显示、不加链接", rule="unresolved-reference",
                    hint=f"导入{title}后会自动对应；名称须与{title}中的事项名称一致", **item.where(field_name),
                )
        if item.data.get("parent") and not item.data.get("parent_name") and catalog.parent(item) is None:
            problems.error(
                f"主项编码“{item.data['parent']}”在本部门的{config.list_type(item.list_id).title}中找不到对应的主项",
                rule="missing-parent", hint="检查主项编码是否写错；主项不是本清单的事项时，请同时写明主项名称（parent_name）",
                **item.where("parent"),
            )
        for finding in item_findings(catalog, item):
            add = problems.error if finding.severity == "error" else problems.warning
            add(finding.message, rule=finding.rule, hint=finding.hint, **item.where(finding.field or None))
        missing = missing_disclosures(catalog, item)
        if missing:
            problems.warning(
                f"八公开要素缺少：{'、'.join(missing)}（网站上将显示“未公开”）",
                rule="missing-disclosure",
                hint="不适用时也要明确写出，例如 收费标准写“不收费”、依据写“无”",
                **item.where(),
            )


def completeness(catalog: Catalog) -> dict[str, tuple[int, int]]:
    """Per department: (disclosures filled, disclosures expected) across all its items."""
    totals: dict[str, list[int]] = {d.code: [0, 0] for d in catalog.config.departments}
    for item in catalog.items():
        per_item = len(catalog.config.applicable_disclosures(item.list_id))
        filled = per_item - len(missing_disclosures(catalog, item))
        entry = totals.setdefault(item.department, [0, 0])
        entry[0] += filled
        entry[1] += per_item
    return {code: (v[0], v[1]) for code, v in totals.items()}
