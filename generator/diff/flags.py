"""Review flags: what the legal office must look at in a proposed change, each with its reason.

Item-level problems come from `generator.rules.item_findings`, so a problem reads the same in
`qingdan check` and in the review. The flags that compare two versions (a fee increased, a time
limit lengthened, a disclosure removed, a removed item still referenced) live here.
"""

from __future__ import annotations

from generator.diff.result import Flag
from generator.diff.textdiff import amounts
from generator.model import Catalog, Item
from generator.rules import Finding, broken_references, charges_fee, item_findings, missing_disclosures

# Flag id → (label, what it means). The ids are stable: CI pipelines name them in --fail-on.
FLAGS: dict[str, tuple[str, str]] = {
    "no-basis": ("无设定依据", "新增或变更的权力事项没有设定依据"),
    "catch-all": ("兜底条款", "新增或变更的事项中出现或保留了兜底条款"),
    "repealed-law": ("依据已废止或更名", "新增或变更的事项引用了已废止或已更名的法律法规"),
    "fee-added": ("新增收费", "新增收费项目，或原来不收费的事项开始收费"),
    "fee-increased": ("提高收费", "收费标准中的金额或比例提高"),
    "fee-no-basis": ("收费无依据", "收取费用但没有写明收费依据"),
    "promise-exceeds-statute": ("承诺时限超过法定时限", "承诺时限长于法定时限"),
    "time-limit-longer": ("时限延长", "法定时限或承诺时限比原来长"),
    "disclosure-removed": ("公开要素被删除", "八公开要素中原来有内容的一项变为空白"),
    "removed-referenced": ("取消的事项仍被引用", "取消或改码的事项仍被其他清单的事项引用"),
}
FLAG_LABELS: dict[str, str] = {fid: label for fid, (label, _) in FLAGS.items()}

# generator.rules finding → review flag
_FROM_RULE = {
    "no-legal-basis": "no-basis",
    "catch-all-clause": "catch-all",
    "repealed-law": "repealed-law",
    "fee-without-basis": "fee-no-basis",
    "promise-exceeds-statute": "promise-exceeds-statute",
}
_DAYS_PER_UNIT = {"工作日": 7 / 5, "自然日": 1.0, "小时": 1 / 24}


def _flag(fid: str, message: str, field: str = "", hint: str = "") -> Flag:
    return Flag(fid, FLAG_LABELS[fid], message, field, hint)


def _from_findings(findings: list[Finding], before: list[Finding] | None) -> list[Flag]:
    kept = {f.message for f in before or []}
    flags = []
    for finding in findings:
        fid = _FROM_RULE.get(finding.rule)
        if fid is None:
            continue
        message = finding.message
        if before is not None:
            message += "（原版本已有，修改后仍保留）" if finding.message in kept else "（本次修改引入）"
        flags.append(_flag(fid, message, finding.field, finding.hint))
    return flags


def added_flags(catalog_b: Catalog, item: Item) -> list[Flag]:
    flags = _from_findings(item_findings(catalog_b, item), None)
    standard = catalog_b.disclosure(item, "fee_standard")
    if charges_fee(standard) or item.list_id == "fee":
        shown = standard if charges_fee(standard) else "见收费清单"
        flags.insert(0, _flag("fee-added", f"新增事项收取费用（{shown}）", "fee",
                              "核对收费是否有法律法规或省级以上价格、财政部门文件依据"))
    return flags


def changed_flags(catalog_a: Catalog, catalog_b: Catalog, old: Item, new: Item) -> list[Flag]:
    flags = _from_findings(item_findings(catalog_b, new), item_findings(catalog_a, old))
    flags += _fee_flags(catalog_a.disclosure(old, "fee_standard"), catalog_b.disclosure(new, "fee_standard"))
    flags += _time_limit_flags(old.data.get("time_limit") or {}, new.data.get("time_limit") or {})
    lost = [label for label in missing_disclosures(catalog_b, new) if label not in missing_disclosures(catalog_a, old)]
    if lost:
        flags.append(_flag("disclosure-removed", f"八公开要素被清空：{'、'.join(lost)}", "",
                           "不适用时也要明确写出（例如“不收费”），不能留空"))
    order = list(FLAGS)
    return sorted(flags, key=lambda f: order.index(f.id))


def _fee_flags(old_standard: object, new_standard: object) -> list[Flag]:
    if not charges_fee(new_standard):
        return []
    if not charges_fee(old_standard):
        return [_flag("fee-added", f"原来不收费，现收取费用（{new_standard}）", "fee",
                      "核对收费是否有法律法规或省级以上价格、财政部门文件依据")]
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
    return [_flag("fee-increased", f"收费标准提高：{text}（{old_standard} → {new_standard}）", "fee",
                  "提高收费标准须有价格主管部门的批准文件")]


def _money(amount: tuple[float, str]) -> str:
    value, unit = amount
    return f"{value:g}{unit}"


def _time_limit_flags(old: dict, new: dict) -> list[Flag]:
    flags = []
    for key, label in (("statutory", "法定时限"), ("promised", "承诺时限")):
        before, after = old.get(key), new.get(key)
        if before is None or after is None:
            continue
        unit_before, unit_after = old.get("unit") or "工作日", new.get("unit") or "工作日"
        days_before = before * _DAYS_PER_UNIT.get(unit_before, 1.0)
        days_after = after * _DAYS_PER_UNIT.get(unit_after, 1.0)
        if days_after > days_before:
            flags.append(_flag("time-limit-longer", f"{label}延长：{before} {unit_before} → {after} {unit_after}",
                               "time_limit", "时限只应缩短；延长须说明理由和依据"))
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
        flags.append(_flag("removed-referenced", message, field_name, hint))
    return flags
