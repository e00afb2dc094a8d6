"""Review flags: what the legal office must look at in a proposed change, each with its reason.

Every flag is a rule of the one registry (`generator.rules.RULES`) and carries its id, so an id
reads the same in `qingdan check`, `qingdan assess` and `qingdan diff`. Item-level problems come
from `generator.rules.item_findings` (the rules marked `review`); the rules that compare two
versions (marked `compares`: a fee increased, a time limit lengthened, a disclosure removed, a
removed item still referenced) are checked here. A rule switched off in site_config.yml (`rules:
levels:`) raises no flag.
"""

from __future__ import annotations

from generator.config import SiteConfig
from generator.diff.result import Flag
from generator.diff.textdiff import amounts
from generator.model import Catalog, Item
from generator.rules import (
    REVIEW_RULES,
    RULES,
    Finding,
    broken_references,
    charges_fee,
    item_findings,
    missing_disclosures,
    rule_level,
)

# Every review flag's id → its label, in the registry's order.
FLAG_LABELS: dict[str, str] = {rid: RULES[rid].label for rid in REVIEW_RULES}
_DAYS_PER_UNIT = {"工作日": 7 / 5, "自然日": 1.0, "小时": 1 / 24}


def _flag(config: SiteConfig, rid: str, message: str, field: str = "", hint: str = "") -> list[Flag]:
    """The flag of rule `rid`, or none when site_config.yml switches the rule off."""
    if rule_level(config, rid) == "off":
        return []
    return [Flag(rid, FLAG_LABELS[rid], message, field, hint)]


def _from_findings(findings: list[Finding], before: list[Finding] | None) -> list[Flag]:
    kept = {f.message for f in before or []}
    flags = []
    for finding in findings:
        if finding.rule not in FLAG_LABELS:
            continue
        message = finding.message
        if before is not None:
            message += "（原版本已有，修改后仍保留）" if finding.message in kept else "（本次修改引入）"
        flags.append(Flag(finding.rule, FLAG_LABELS[finding.rule], message, finding.field, finding.hint))
    return flags


def added_flags(catalog_b: Catalog, item: Item) -> list[Flag]:
    flags = _from_findings(item_findings(catalog_b, item), None)
    standard = catalog_b.disclosure(item, "fee_standard")
    if charges_fee(standard) or item.list_id == "fee":
        shown = standard if charges_fee(standard) else "见收费清单"
        flags[:0] = _flag(catalog_b.config, "fee-added", f"新增事项收取费用（{shown}）", "fee",
                          "核对收费是否有法律法规或省级以上价格、财政部门文件依据")
    return flags


def changed_flags(catalog_a: Catalog, catalog_b: Catalog, old: Item, new: Item) -> list[Flag]:
    flags = _from_findings(item_findings(catalog_b, new), item_findings(catalog_a, old))
    config = catalog_b.config
    flags += _fee_flags(config, catalog_a.disclosure(old, "fee_standard"), catalog_b.disclosure(new, "fee_standard"))
    flags += _time_limit_flags(config, old.data.get("time_limit") or {}, new.data.get("time_limit") or {})
    lost = [label for label in missing_disclosures(catalog_b, new) if label not in missing_disclosures(catalog_a, old)]
    if lost:
        flags += _flag(config, "disclosure-removed", f"八公开要素被清空：{'、'.join(lost)}", "",
                       "不适用时也要明确写出（例如“不收费”），不能留空")
    return sorted(flags, key=lambda f: REVIEW_RULES.index(f.id))


def _fee_flags(config: SiteConfig, old_standard: object, new_standard: object) -> list[Flag]:
    if not charges_fee(new_standard):
        return []
    if not charges_fee(old_standard):
        return _flag(config, "fee-added", f"原来不收费，现收取费用（{new_standard}）", "fee",
                     "核对收费是否有法律法规或省级以上价格、财政部门文件依据")
    before, after = amounts(str(old_standard)), amounts(str(new_standard))
    rises = []
    if len(before) == len(after) and all(b[1] == a[1] for b, a in zip(before, after, strict=True)):
        rises = [(b, a) for b, a in zip(before, after, strict=True) if a[0] > b[0]]
    else:
        for unit in {u for _, u in after}:
            high_before = max((v for v, u in before if u == unit), default=None)
            high_after = max(v for v, u in after if u == unit)
            if high_before is not None and high_after > high_before:
                rises.append(((high_before, unit), (high_after, unit)))
    if not rises:
        return []
    text = "，".join(f"{_money(b)} → {_money(a)}" for b, a in rises)
    return _flag(config, "fee-increased", f"收费标准提高：{text}（{old_standard} → {new_standard}）", "fee",
                 "提高收费标准须有价格主管部门的批准文件")


def _money(amount: tuple[float, str]) -> str:
    value, unit = amount
    return f"{value:g}{unit}"


def _time_limit_flags(config: SiteConfig, old: dict, new: dict) -> list[Flag]:
    flags = []
    for key, label in (("statutory", "法定时限"), ("promised", "承诺时限")):
        before, after = old.get(key), new.get(key)
        if before is None or after is None:
            continue
        unit_before, unit_after = old.get("unit") or "工作日", new.get("unit") or "工作日"
        days_before = before * _DAYS_PER_UNIT.get(unit_before, 1.0)
        days_after = after * _DAYS_PER_UNIT.get(unit_after, 1.0)
        if days_after > days_before:
            flags += _flag(config, "time-limit-longer", f"{label}延长：{before} {unit_before} → {after} {unit_after}",
                           "time_limit", "时限只应缩短；延长须说明理由和依据")
    return flags


Referrers = dict[tuple[str, str], list[tuple[Item, str]]]


def referrers(catalog_b: Catalog) -> Referrers:
    """(list id, code) → the items of B (and their field) whose references point at a missing item.

    Built once per comparison: asking every B item about every removed item is quadratic.
    """
    index: Referrers = {}
    for other in catalog_b.items():
        for field_name, target, code in broken_references(catalog_b, other):
            index.setdefault((target, code), []).append((other, field_name))
    return index


def removed_flags(catalog_b: Catalog, item: Item, refs: Referrers, recoded_to: str = "") -> list[Flag]:
    """Items in B whose references still point at this item's code in A."""
    flags = []
    for other, field_name in refs.get((item.list_id, item.code), []):
        list_type = catalog_b.config.list_type(other.list_id)
        fdef = list_type.field(field_name) if list_type else None
        where = f"{list_type.title if list_type else other.list_id}的“{other.name}”（{other.code}）"
        label = fdef.label if fdef else field_name
        if recoded_to:
            message = f"编码已改为 {recoded_to}，但{where}的“{label}”仍引用旧编码 {item.code}"
            hint = f"把引用改为新编码 {recoded_to}"
        else:
            message = f"已取消，但{where}的“{label}”仍引用它"
            hint = "同时取消或修改引用它的事项"
        flags += _flag(catalog_b.config, "removed-referenced", message, field_name, hint)
    return flags
