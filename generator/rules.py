"""Checks beyond the schema: references between lists, time limits, catch-all clauses, completeness.

The item-level checks (`item_findings`) are shared with the legal review (`qingdan diff`), so
a problem reads the same in `qingdan check` and in a review report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.lawdb import RepealedIndex, entry_from
from generator.legaltext import Instrument, comparable, split_instruments
from generator.model import SAFE_CODE, Catalog, Item, get_path, is_blank
from generator.problems import Problems
from generator.siteconfig import FieldDef, ListType, SiteConfig

if TYPE_CHECKING:
    from generator.findingcache import FindingCache

NO_FEE_WORDS = ("不收费", "免费", "无", "无收费", "不涉及")
# Short standards that say "free" in other words: 不收取费用, 免收, 免费办理, 无偿提供, 无需缴费.
_NO_FEE_PHRASE = re.compile(r"^(不收取?|免收|免费|免征|免予收取|无偿|不涉及|无需缴?费|无须缴?费|不需要?缴?费|0+(\.0+)?元?$)")
_NO_FEE_MAX_LEN = 12  # longer text ("免收首次……，其余按……收取") may still charge


LEVELS = ("error", "warning", "notice")
LEVEL_LABELS = {"error": "错误", "warning": "警告", "notice": "提示"}


@dataclass(frozen=True)
class Rule:
    """One rule: a stable id (site_config.yml, --fail-on, every report), a Chinese name, a default level.

    `review`: `qingdan diff` raises it, as a review flag, on an added or changed item. `compares`: it
    is about a change between two versions (a fee raised, a time limit lengthened), so only `qingdan
    diff` can raise it; `check` and `assess` see one version. `aliases`: the review-flag ids used
    before diff shared this table, still accepted by `qingdan diff --fail-on` (CI pipelines name them).
    `portal`: it compares the regions of a portal (generator/regions/), so only `qingdan assess` in a
    portal project raises it; a county's own check and assess never do.
    """

    id: str
    label: str
    level: str
    meaning: str
    review: bool = False
    compares: bool = False
    aliases: tuple[str, ...] = ()
    portal: bool = False


# Every rule, in the order reports list them. `qingdan check` runs the item and reference rules,
# `qingdan assess` every rule that reads one version, `qingdan diff` the review rules.
RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("catch-all-clause", "兜底条款", "warning", "文字中有“其他……职责/事项”“法律法规规定的其他……”等模糊兜底条款",
         review=True, aliases=("catch-all",)),
    Rule("repealed-law", "依据已废止或更名", "warning", "依据引用的法律、法规已废止或已更名", review=True),
    Rule("no-legal-basis", "无设定依据", "warning", "权力事项没有设定依据", review=True, aliases=("no-basis",)),
    Rule("basis-normative-only", "仅有规范性文件依据", "warning", "权力事项的依据只有规范性文件，没有法律、法规或规章"),
    Rule("fee-added", "新增收费", "warning", "新增收费项目，或原来不收费的事项开始收费", compares=True),
    Rule("fee-increased", "提高收费", "warning", "收费标准中的金额或比例提高", compares=True),
    Rule("fee-without-basis", "收费无依据", "warning", "收取费用或列入收费清单，但没有收费依据文件",
         review=True, aliases=("fee-no-basis",)),
    Rule("promise-exceeds-statute", "承诺时限超过法定时限", "error", "承诺时限长于法定时限", review=True),
    Rule("time-limit-longer", "时限延长", "warning", "法定时限或承诺时限比原来长", compares=True),
    Rule("instant-with-time-limit", "即办件写有时限", "warning", "办件类型为即办件，却写有几日的承诺时限"),
    Rule("promise-without-time-limit", "承诺件没有承诺时限", "warning", "办件类型为承诺件，却没有写承诺时限"),
    Rule("missing-disclosure", "八公开要素缺失", "warning", "适用于本清单的八公开要素有空白"),
    Rule("disclosure-removed", "公开要素被删除", "warning", "八公开要素中原来有内容的一项变为空白", compares=True),
    Rule("missing-required", "必填项未公开", "warning",
         "清单类型规定必填的项目（如追责情形、涉及的审批事项）公布时空白或表格中没有这一列"),
    Rule("broken-reference", "引用的事项不存在", "error", "按编码引用另一清单的事项，但该事项不存在"),
    Rule("removed-referenced", "取消的事项仍被引用", "warning", "取消或改码的事项仍被其他清单的事项引用", compares=True),
    Rule("unresolved-reference", "引用未对应", "warning", "按名称引用另一清单的事项，但没有对应到唯一的事项"),
    Rule("missing-parent", "主项不存在", "error", "子项写了主项编码，但本部门的清单中没有这个主项，也没有写主项名称"),
    Rule("cross-department-name", "可能职责交叉", "notice", "同一清单中，两个部门有名称相同的事项"),
    Rule("possible-duplicate", "可能重复", "notice", "同一清单中，两个事项的类型和依据都相同"),
    Rule("review-due", "久未调整", "notice", "事项多年没有调整，应当评估是否仍然需要、是否合法"),
    Rule("ten-unified", "十统一", "warning",
         "同一事项在各地区（或与省级通用目录）的名称、职权类型、设定依据、法定时限或承诺时限不一致", portal=True),
)}
# The rules `qingdan assess` runs (one version of the lists) and those `qingdan diff` flags.
LIST_RULES: tuple[str, ...] = tuple(r.id for r in RULES.values() if not r.compares and not r.portal)
# The rules `qingdan assess` runs in a portal project, across its regions.
PORTAL_RULES: tuple[str, ...] = tuple(r.id for r in RULES.values() if r.portal)
REVIEW_RULES: tuple[str, ...] = tuple(r.id for r in RULES.values() if r.review or r.compares)
# Old review-flag id → rule id (documented in qingdan diff --help and docs/review.md).
REVIEW_ALIASES: dict[str, str] = {alias: r.id for r in RULES.values() for alias in r.aliases}


def rule_level(config: SiteConfig, rule_id: str) -> str:
    """error, warning, notice or off: site_config.yml `rules: levels:` over the rule's default."""
    return config.rule_levels.get(rule_id) or RULES[rule_id].level


@dataclass(frozen=True)
class Finding:
    """Something about one item a reviewer should look at, with the published text that triggered it."""

    rule: str
    message: str
    field: str = ""
    severity: str = "warning"  # error, warning or notice (the rule's configured level)
    hint: str = ""
    quote: str = ""  # the published text that triggered it, verbatim


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


def missing_required(list_type: ListType, item: Item) -> list[FieldDef]:
    """Required fields the item leaves blank that its list still publishes (as 未公开): everything
    a strict list or field would refuse is an error of the loader instead, and so is a blank name."""
    return [f for f in list_type.fields
            if f.required and f.name != "code" and not list_type.refuses_blank(f) and is_blank(item.data.get(f.name))]


def _finding(config: SiteConfig, rule: str, message: str, field: str = "", hint: str = "",
             quote: str = "") -> Finding | None:
    level = rule_level(config, rule)
    return None if level == "off" else Finding(rule, message, field, level, hint, quote)


def item_findings(catalog: Catalog, item: Item, as_of: dt.date | None = None) -> list[Finding]:
    """Item-level findings that do not depend on other items (rules switched off are left out).

    `as_of` is the day the lists are judged on (default today): an instrument repealed after it is
    still in force, and is reported as one that 将于 that day 废止.
    """
    config = catalog.config
    list_type = config.list_type(item.list_id)
    if list_type is None:
        return []
    found: list[Finding | None] = []
    found += _time_limit_findings(config, list_type, item)
    basis_path = list_type.disclosure_map.get("basis", "")
    basis = get_path(item.data, basis_path)
    if item.list_id == "power":
        children = catalog.children(item) if is_blank(basis) else []
        if children and all(not is_blank(get_path(c.data, basis_path)) for c in children):
            pass  # a 主项 whose 子项 each publish their own basis
        elif is_blank(basis):
            found.append(_finding(config, "no-legal-basis", "权力事项没有设定依据", basis_path,
                                  "清单之外不得设权：请写明法律、法规或规章的名称和条款"))
        else:
            found.append(_normative_only(config, basis, basis_path))
    found += _repealed_findings(catalog, basis, basis_path, as_of or dt.date.today())
    found += _fee_findings(config, list_type, item)
    found += _catch_all_findings(config, list_type, item)
    return [f for f in found if f is not None]


def _time_limit_findings(config: SiteConfig, list_type: ListType, item: Item) -> list[Finding | None]:
    limit = item.data.get("time_limit") or {}
    if not isinstance(limit, dict):
        return []
    statutory, promised, unit = limit.get("statutory"), limit.get("promised"), limit.get("unit", "")
    found: list[Finding | None] = []
    if statutory is not None and promised is not None and promised > statutory:
        found.append(_finding(
            config, "promise-exceeds-statute", f"承诺时限 {promised} {unit}长于法定时限 {statutory} {unit}",
            "time_limit", "承诺时限不得超过法定时限；请核对两个数字是否写反",
            quote=f"法定时限 {statutory} {unit}；承诺时限 {promised} {unit}",
        ))
    fdef = list_type.field("handling")
    if fdef is None or fdef.type != "enum" or is_blank(item.data.get("handling")):
        return found
    published = item.data["handling"]
    handling = config.enum_standard(fdef.enum, published)
    if handling == "即办件" and promised:
        found.append(_finding(
            config, "instant-with-time-limit", f"办件类型为“{published}”，但承诺时限为 {promised} {unit}",
            "time_limit", "即办件当场办结，承诺时限应写 0（即办）；需要几日办结的应改为承诺件",
            quote=f"{published}；承诺时限 {promised} {unit}",
        ))
    elif handling == "承诺件" and promised is None:
        found.append(_finding(
            config, "promise-without-time-limit", f"办件类型为“{published}”，但没有写承诺时限", "time_limit",
            "承诺件要向群众承诺办结时限：请写明承诺时限（不超过法定时限）", quote=str(published),
        ))
    return found


def basis_instruments(basis: Any) -> list[tuple[str, str, str]]:
    """(title, level tag, published span) of each instrument a basis cites, read, never rewritten."""
    if isinstance(basis, str):
        return [(i.title, _level(i), i.text.strip()) for i in _split_cached(basis)]
    out = []
    for entry in basis if isinstance(basis, list) else []:
        if isinstance(entry, dict) and not is_blank(entry.get("law")):
            law = str(entry["law"])
            out.append((law, "", law + str(entry.get("article") or "")))
        elif isinstance(entry, str) and entry.strip():
            out.extend((i.title, _level(i), i.text.strip()) for i in _split_cached(entry))
    return out


def _level(inst: Instrument) -> str:
    """The published level tag, except that an instrument issued by a 令 (国务院令第412号, 部令) is a
    regulation or a rule whatever its tag says: publishers tag 国务院决定 as 规范性文件."""
    if inst.level == "规范性文件" and any("令" in number for number in inst.doc_numbers):
        return "令"
    return inst.level


@lru_cache(maxsize=65536)
def _split_cached(text: str) -> tuple[Instrument, ...]:
    return tuple(split_instruments(text))


_NORMATIVE_TITLE = re.compile(r"(通知|意见|批复|复函|函|纪要|公告)》?$")


def _normative_only(config: SiteConfig, basis: Any, path: str) -> Finding | None:
    instruments = basis_instruments(basis)
    if not instruments:
        return None
    for title, level, _ in instruments:
        if level != "规范性文件" and not (not level and title and _NORMATIVE_TITLE.search(title.strip())):
            return None
    names = "、".join(dict.fromkeys(t or s[:30] for t, _, s in instruments))
    return _finding(config, "basis-normative-only", f"设定依据只有规范性文件：{names}", path,
                    "行政权力须有法律、法规或规章依据；请补充上位法依据，或评估是否应当取消",
                    quote=_clip("\n".join(s for _, _, s in instruments), 200))


def _repealed_findings(catalog: Catalog, basis: Any, path: str, as_of: dt.date) -> list[Finding | None]:
    if is_blank(basis):
        return []
    index = repealed_index(catalog.config)
    found: list[Finding | None] = []
    seen = set()
    for title, _, span in basis_instruments(basis):
        entry = index.lookup(title)
        if entry is None or entry.title in seen:
            continue
        seen.add(entry.title)
        hint = f"改引{entry.replaced_by}的相应条款" if entry.replaced_by else "删除该依据，或改引现行有效的依据"
        if entry.in_force_on(as_of):
            hint = f"在 {entry.date} 之前调整清单：{hint}"
        found.append(_finding(catalog.config, "repealed-law", f"依据中的{entry.explanation(as_of)}", path,
                              hint + "；部门公布的原文保持不变，修改须由部门重新公布", quote=_clip(span, 200)))
    return found


def repealed_index(config: SiteConfig) -> RepealedIndex:
    """The repealed-instrument index of a config (package data plus the project's), built once."""
    index = config.__dict__.get("_repealed_index")
    if index is None:
        index = RepealedIndex([entry_from(e, "site_config.yml") for e in config.repealed_laws])
        config.__dict__["_repealed_index"] = index
    return index


def _is_fee_list(config: SiteConfig, list_id: str) -> bool:
    """A list whose items are fees: only 收费依据 and 收费标准 apply to it."""
    keys = {key for key, _ in config.applicable_disclosures(list_id)}
    return bool(keys) and keys <= {"fee_basis", "fee_standard"}


def _fee_findings(config: SiteConfig, list_type: ListType, item: Item) -> list[Finding | None]:
    fee_basis = get_path(item.data, list_type.disclosure_map.get("fee_basis", ""))
    fee_standard = get_path(item.data, list_type.disclosure_map.get("fee_standard", ""))
    hint = "写明收费依据的文件名称和文号，例如 发改价格〔2015〕2136号"
    if is_blank(fee_basis) or str(fee_basis).strip() in NO_FEE_WORDS:
        if charges_fee(fee_standard):
            return [_finding(config, "fee-without-basis", f"收取费用（{fee_standard}）但没有收费依据", "fee", hint,
                             quote=str(fee_standard))]
        if _is_fee_list(config, item.list_id) and not is_blank(fee_basis):
            return [_finding(config, "fee-without-basis", f"收费项目的收费依据写为“{str(fee_basis).strip()}”", "fee",
                             hint, quote=str(fee_basis))]
        return []  # a blank basis of a fee is reported as a missing disclosure
    if _is_fee_list(config, item.list_id) and not _names_document(fee_basis):
        return [_finding(config, "fee-without-basis", f"收费依据“{_clip(str(fee_basis))}”没有写明文件", "fee", hint,
                         quote=str(fee_basis))]
    return []


_DOCUMENT_TITLE = re.compile(r"(法|条例|规定|办法|决定|通知|意见|细则|目录|标准)$")
_VAGUE_BASIS = re.compile(r"^(按|按照|依照|依据|根据|参照|执行)?(国家|省|市|县|上级)?的?(有关|相关)?(规定|文件|政策|标准)$")


def _names_document(text: Any) -> bool:
    """Does a 收费依据 name a document: a 《title》, a 文号, or a title ending like one?"""
    for inst in _split_cached(str(text or "")):
        title = inst.title.strip()
        if inst.doc_numbers or title.startswith("《") or (
                _DOCUMENT_TITLE.search(title) and not _VAGUE_BASIS.match(title)):
            return True
    return False


def _catch_all_findings(config: SiteConfig, list_type: ListType, item: Item) -> list[Finding | None]:
    found: list[Finding | None] = []
    for fdef in list_type.fields:
        # a basis quotes the law, whose own catch-alls are not the list's to clean up
        if fdef.type in ("code", "ref", "enum", "boolean", "integer", "date", "basis", "url"):
            continue
        for text in catch_all_clauses(item.data.get(fdef.name), config.catch_all_patterns):
            clause = catch_all_clause(text, config.catch_all_patterns)
            found.append(_finding(
                config, "catch-all-clause", f"“{fdef.label}”中有兜底条款：“{_clip(clause)}”", fdef.name,
                "清单要清理模糊兜底条款：请写明具体事项，或删除“其他……”的表述", quote=clause,
            ))
    return found


_CLAUSE_END = "。；;\n"


def catch_all_clause(text: str, patterns: list[str]) -> str:
    """The clause (between sentence or item breaks) of a text that holds its first catch-all match."""
    for pattern in _compiled(tuple(patterns)):
        match = pattern.search(text)
        if match:
            # from inside the match: a pattern may begin at the break before its clause ("；其他……")
            start = max(text.rfind(ch, 0, match.end() - 1) for ch in _CLAUSE_END) + 1
            ends = [i for i in (text.find(ch, match.end()) for ch in _CLAUSE_END) if i >= 0]
            end = min(ends) + 1 if ends else len(text)
            return text[start:end].strip()
    return text


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


def catalog_findings(catalog: Catalog, item: Item) -> list[Finding]:
    """Findings about an item that read the rest of the catalog: references, missing disclosures."""
    return linked_findings(catalog, item) + blank_findings(catalog, item)


def linked_findings(catalog: Catalog, item: Item) -> list[Finding]:
    """Findings about the items an item names: its references and its 主项."""
    config = catalog.config
    found: list[Finding | None] = []
    for field_name, target, code in broken_references(catalog, item):
        target_type = config.list_type(target)
        title = target_type.title if target_type else target
        if SAFE_CODE.match(str(code)):  # a code that points nowhere: a typo, or a removed item
            found.append(_finding(config, "broken-reference", f"引用的{title}事项“{code}”不存在", field_name,
                                  f"检查编码是否写错；被引用的事项应在 lists/{target}/ 中", quote=str(code)))
        else:  # a published name not (yet) in the project: shown as published, linked once it is
            found.append(_finding(
                config, "unresolved-reference", f"“{code}”没有对应到{title}中的事项，网站上按原文显示、不加链接",
                field_name, f"导入{title}后会自动对应；名称须与{title}中的事项名称一致", quote=str(code)))
    if item.data.get("parent") and not item.data.get("parent_name") and catalog.parent(item) is None:
        found.append(_finding(
            config, "missing-parent",
            f"主项编码“{item.data['parent']}”在本部门的{config.list_type(item.list_id).title}中找不到对应的主项", "parent",
            "检查主项编码是否写错；主项不是本清单的事项时，请同时写明主项名称（parent_name）", quote=str(item.data["parent"])))
    return [f for f in found if f is not None]


def blank_findings(catalog: Catalog, item: Item) -> list[Finding]:
    """Required fields and disclosures the item leaves blank (they read the item alone)."""
    config = catalog.config
    found: list[Finding | None] = []
    list_type = config.list_type(item.list_id)
    for fdef in missing_required(list_type, item) if list_type else []:
        found.append(_finding(
            config, "missing-required", f"必填项“{fdef.label}”空白，网站上显示“未公开”", fdef.name,
            f"这是{list_type.title}应当公开的内容；部门公布后补上（表格中加上“{fdef.label}”一列重新导入，"
            f"或在这个事项下添加一行 {fdef.name}: …）", quote=fdef.label))
    missing = missing_disclosures(catalog, item)
    if missing:
        found.append(_finding(
            config, "missing-disclosure", f"八公开要素缺少：{'、'.join(missing)}（网站上将显示“未公开”）", "",
            "不适用时也要明确写出，例如 收费标准写“不收费”、依据写“无”", quote="、".join(missing)))
    return [f for f in found if f is not None]


REFERENCE_RULES = ("broken-reference", "unresolved-reference")


def check_catalog(catalog: Catalog, problems: Problems, failed: dict[str, dict[str, str]] | None = None,
                  cache: FindingCache | None = None) -> None:
    """Run every catalog-level check and report through `problems` (a notice reads as a warning).

    failed: list id → file → text, of list files that could not be read. A reference whose code (or
    name) appears in such a file probably points at one of its items: instead of one follow-on error
    per reference, the file says once how many references could not be checked.
    cache: each item's own findings from an earlier build (generator/findingcache.py)."""
    failed = failed or {}
    as_of = cache.as_of if cache is not None else dt.date.today()
    unchecked: dict[str, list[str]] = {}  # unreadable file → "list/code" of the items whose references wait
    overlong: list[tuple[Item, tuple]] = []

    def own_of(item: Item) -> OwnFindings:
        return _own(catalog, item, as_of)

    for item in catalog.items():
        own = cache.get(item, own_of) if cache else own_of(item)
        by_item = own.item if own.item is not None else item_findings(catalog, item, as_of)
        for finding in linked_findings(catalog, item) + list(own.blank) + list(by_item):
            file = _unchecked_file(catalog, item, finding, failed)
            if file is not None:
                unchecked.setdefault(file, []).append(f"{item.list_id}/{item.code}")
                continue
            add = problems.error if finding.severity == "error" else problems.warning
            add(finding.message, rule=finding.rule, hint=finding.hint, **item.where(finding.field or None))
        if own.overlong:
            overlong.append((item, own.overlong))
    for file, sources in unchecked.items():
        shown = "、".join(sources[:5]) + ("等" if len(sources) > 5 else "")
        problems.warning(
            f"这个文件没能读取，其他清单中指向这个文件中事项的 {len(sources)} 处引用（{shown}）暂时无法检查",
            file=file, line=1, column=1, rule="references-unchecked",
            hint="先修正这个文件中的错误，再运行 qingdan check 检查这些引用",
        )
    _report_excel_cells(overlong, problems)


class OwnFindings(NamedTuple):
    """What the rules find in an item read alone: kept between builds by generator/findingcache.py.
    `item` is None when item_findings reads other items for it (a 主项 without a basis of its own)."""

    blank: tuple[Finding, ...]
    item: tuple[Finding, ...] | None
    overlong: tuple[tuple[str, str, int], ...]


def _own(catalog: Catalog, item: Item, as_of: dt.date) -> OwnFindings:
    from generator.tabular.export import overlong_cells

    by_item = None if _reads_children(catalog.config, item) else tuple(item_findings(catalog, item, as_of))
    return OwnFindings(tuple(blank_findings(catalog, item)), by_item, tuple(overlong_cells(catalog, item)))


def _reads_children(config: SiteConfig, item: Item) -> bool:
    """Does item_findings read the item's 子项 (a 主项 of power without a basis: theirs may stand in)?"""
    list_type = config.list_type(item.list_id)
    return (item.list_id == "power" and list_type is not None
            and is_blank(get_path(item.data, list_type.disclosure_map.get("basis", ""))))


def _unchecked_file(catalog: Catalog, item: Item, finding: Finding, failed: dict[str, dict[str, str]]) -> str | None:
    """The unreadable list file a reference probably points into (its text holds the code or name)."""
    if finding.rule not in REFERENCE_RULES or not finding.quote:
        return None
    list_type = catalog.config.list_type(item.list_id)
    fdef = list_type.field(finding.field) if list_type else None
    files = failed.get(fdef.ref, {}) if fdef is not None else {}
    return next((f for f, text in files.items() if finding.quote in text), None)


def _report_excel_cells(overlong: list[tuple[Item, tuple]], problems: Problems) -> None:
    """A text longer than an Excel cell holds is published whole on its page and in JSON and CSV;
    its workbook cell can hold only the beginning: say so before the downloads are made."""
    from generator.tabular.export import EXCEL_CELL_LIMIT

    for item, cells in overlong:
        for field_name, header, length in cells:
            problems.warning(
                f"“{header}”有 {length} 字，超出 Excel 单元格上限 {EXCEL_CELL_LIMIT} 字：Excel 下载中这一格只有前面部分，"
                "并注明全文共几字；事项页面、JSON 和 CSV 中是完整文字",
                rule="excel-cell-limit", hint="文字一字不改也可以发布；如果它本应是几段独立的内容，可以拆到相应的字段中",
                **item.where(field_name),
            )


def item_completeness(catalog: Catalog, item: Item) -> tuple[int, int]:
    """One item's (disclosures filled, disclosures expected)."""
    expected = len(catalog.config.applicable_disclosures(item.list_id))
    return expected - len(missing_disclosures(catalog, item)), expected


def completeness(catalog: Catalog, per_item: Callable[[Catalog, Item], tuple[int, int]] = item_completeness,
                 ) -> dict[str, tuple[int, int]]:
    """Per department: (disclosures filled, disclosures expected) across all its items; `per_item`
    may remember the items it counted already (a preview: render.pages.DisclosureCounts)."""
    totals: dict[str, list[int]] = {d.code: [0, 0] for d in catalog.config.departments}
    for item in catalog.items():
        filled, expected = per_item(catalog, item)
        entry = totals.setdefault(item.department, [0, 0])
        entry[0] += filled
        entry[1] += expected
    return {code: (v[0], v[1]) for code, v in totals.items()}


# -- rules across items: run by `qingdan assess` over the whole catalog -------------------------

def _basis_key(basis: Any) -> str:
    """A basis as comparable text (layout removed), whether published verbatim or hand-written."""
    if isinstance(basis, str):
        return comparable(basis)
    parts = [str(e.get("law", "")) + str(e.get("article", "")) if isinstance(e, dict) else str(e)
             for e in basis or []]
    return comparable("；".join(parts))


def overlap_findings(catalog: Catalog) -> list[tuple[Item, Finding]]:
    """Same name in two departments (职责交叉?) and same type and basis within a list (重复?)."""
    out = [pair for list_id in catalog.config.overlap_lists for pair in _cross_department_findings(catalog, list_id)]
    for list_type in catalog.config.list_types:
        if list_type.type_field:  # "the same type and the same basis": lists without a type are not compared
            out += _duplicate_findings(catalog, list_type)
    return out


def _cross_department_findings(catalog: Catalog, list_id: str) -> list[tuple[Item, Finding]]:
    config = catalog.config
    by_name: dict[str, list[Item]] = {}
    for item in catalog.items(list_id):
        if item.name.strip():
            by_name.setdefault(comparable(item.name), []).append(item)
    out = []
    for group in by_name.values():
        if len({i.department for i in group}) < 2:
            continue
        for item in group:
            others = [o for o in group if o.department != item.department]
            where = "、".join(f"{_dept_name(config, o.department)}（{o.code}）" for o in others)
            finding = _finding(config, "cross-department-name", f"{where}也有同名事项“{item.name}”，可能职责交叉",
                               "name", "与相关部门核对职责分工：确属同一事项的，明确由哪个部门实施",
                               quote=item.name)
            if finding:
                out.append((item, finding))
    return out


def _same_type_and_basis(catalog: Catalog, list_type: ListType, basis_path: str) -> dict[tuple[str, str], list[Item]]:
    """The items of a list grouped by (standard type, basis as comparable text); blank bases left out."""
    config = catalog.config
    fdef = list_type.field(list_type.type_field)
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in catalog.items(list_type.id):
        basis = get_path(item.data, basis_path) if basis_path else None
        if is_blank(basis):
            continue
        raw = item.data.get(list_type.type_field)
        kind = (config.enum_standard(fdef.enum, raw) if fdef and fdef.enum else None) or str(raw or "")
        groups.setdefault((kind, _basis_key(basis)), []).append(item)
    return groups


def _duplicate_findings(catalog: Catalog, list_type: ListType) -> list[tuple[Item, Finding]]:
    config = catalog.config
    basis_path = list_type.disclosure_map.get("basis", "")
    out = []
    for (kind, _), group in _same_type_and_basis(catalog, list_type, basis_path).items():
        for item in group:
            # 子项 of one 主项 share their basis by design: they are split, not duplicated
            others = [o for o in group if o is not item
                      and not (item.parent_key() and o.parent_key() == item.parent_key())
                      and o.parent_key() != item.code and item.parent_key() != o.code]
            if not others:
                continue
            where = "、".join(f"“{o.name}”（{_dept_name(config, o.department)}，{o.code}）" for o in others[:5])
            more = f"等 {len(others)} 项" if len(others) > 5 else ""
            basis = get_path(item.data, basis_path)
            finding = _finding(
                config, "possible-duplicate",
                f"与{where}{more}的{'职权类型（' + kind + '）和' if kind else ''}依据相同，可能重复", basis_path,
                "核对是否同一事项：重复的合并，确属不同事项的在名称中写明区别",
                quote=_clip(basis if isinstance(basis, str) else _basis_text(basis), 200))
            if finding:
                out.append((item, finding))
    return out


def _basis_text(basis: Any) -> str:
    return "；".join(str(e.get("law", "")) + str(e.get("article", "")) if isinstance(e, dict) else str(e)
                    for e in basis or [])


def _dept_name(config: SiteConfig, code: str) -> str:
    department = config.department(code)
    return department.short_name if department else code


def review_due_findings(catalog: Catalog, last_adjusted: dict[tuple[str, str], str], as_of: dt.date
                        ) -> list[tuple[Item, Finding]]:
    """Items whose last adjustment (YYYY-MM-DD, from the history) is older than the review period."""
    years = catalog.config.review_after_years
    try:
        cutoff = as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February
        cutoff = as_of.replace(year=as_of.year - years, day=28)
    out = []
    for item in catalog.items():
        day = last_adjusted.get((item.list_id, item.code))
        if not day or day >= cutoff.isoformat():
            continue
        finding = _finding(catalog.config, "review-due", f"最近一次调整在 {day}，已超过 {years} 年没有调整", "",
                           "评估该事项是否仍然需要、依据是否仍然有效；评估后无需调整的，在评估记录中写明",
                           quote=day)
        if finding:
            out.append((item, finding))
    return out
