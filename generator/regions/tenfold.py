"""十统一: the same item in several regions, and which of its elements differ between them.

National guidance asks the same item to carry the same name, type, basis and time limits in every
county. Items are matched across regions by code first: a code that begins with the region's
区划代码 (the provincial 16-digit 实施编码: 区划代码 + 部门 + 类型 + 序号) is compared without it, so
"360799" + "0010100100" in one county meets "360721" + "0010100100" in the next; national codes
(000131127004) are the same everywhere. Items left unmatched by code (local codes Qingdan made, or a
code only one region uses) are matched by name and 设定依据, and every finding says which way it was
matched. Pure: no files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from generator.fieldtypes import field_text
from generator.legaltext import comparable
from generator.model import SAFE_CODE, Catalog, Item, get_path
from generator.regions.config import Region
from generator.rules import rule_level
from generator.siteconfig import SiteConfig

RULE = "ten-unified"
BY_CODE, BY_NAME = "编码", "名称和设定依据"
BLANK = "（未填写）"
# The elements compared, as (what, Chinese label): a field's role, found through the list type.
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("name", "事项名称"), ("type", "职权类型"), ("basis", "设定依据"),
    ("time_limit.statutory", "法定时限"), ("time_limit.promised", "承诺时限"),
)
LABELS = dict(ELEMENTS)


@dataclass(frozen=True)
class RegionCatalog:
    """One region's loaded lists."""

    region: Region
    catalog: Catalog


@dataclass(frozen=True)
class Member:
    """One region's item in a match."""

    region: Region
    item: Item
    config: SiteConfig


@dataclass(frozen=True)
class Match:
    """The items of several regions that are one item: by shared code, or by name and basis."""

    list_id: str
    key: str  # the code they share (without 区划代码); "" when matched by name and basis
    matched_by: str  # BY_CODE or BY_NAME
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Value:
    """One region's value of an element, as the region publishes it."""

    region: str  # region id
    region_name: str
    code: str  # the item's code in that region
    text: str


@dataclass(frozen=True)
class Difference:
    """One element of one matched item that differs between regions (rule 十统一)."""

    list_id: str
    code: str  # the code the regions share; "" when matched by name and basis
    name: str
    element: str  # name, type, basis, time_limit.statutory, time_limit.promised
    label: str  # 事项名称, 职权类型, 设定依据, 法定时限, 承诺时限
    matched_by: str
    values: tuple[Value, ...]  # one per region, in the portal's order
    level: str = "warning"
    rule: str = RULE

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(v.region for v in self.values)

    @property
    def message(self) -> str:
        """法定时限不一致：东县 20个工作日；西县、南县 15个工作日."""
        groups: dict[str, list[str]] = {}
        for v in self.values:
            groups.setdefault(one_line(v.text), []).append(v.region_name)
        return f"{self.label}不一致：" + "；".join(f"{'、'.join(names)} {text}" for text, names in groups.items())


def one_line(text: str) -> str:
    """A value on one line of a message (a basis of several instruments is one per line)."""
    return "；".join(line.strip() for line in text.splitlines() if line.strip())


def code_key(item: Item, region: Region) -> str:
    """The code an item is matched by across regions ("" when it has no published code)."""
    code = str(item.data.get("code") or "")
    if not code or item.code_is_local or not SAFE_CODE.match(code):
        return ""
    if region.code and code.startswith(region.code) and len(code) > len(region.code):
        return code[len(region.code):]
    return code


def element_path(config: SiteConfig, list_id: str, element: str) -> str:
    """Where an element sits in this list's items ("" when the list has no such field)."""
    cache = config.__dict__.setdefault("_element_paths", {})
    if (list_id, element) not in cache:
        cache[(list_id, element)] = _element_path(config, list_id, element)
    return cache[(list_id, element)]


def _element_path(config: SiteConfig, list_id: str, element: str) -> str:
    list_type = config.list_type(list_id)
    if list_type is None:
        return ""
    head, _, part = element.partition(".")
    if head == "type":
        path = list_type.type_field
    elif head == "name":
        path = "name"
    else:
        path = list_type.disclosure_map.get(head, "")
    return f"{path}.{part}" if path and part else path


def element_text(member: Member, element: str) -> str:
    """An element's value as the region's pages show it (BLANK when not published)."""
    config, item = member.config, member.item
    path = element_path(config, item.list_id, element)
    list_type = config.list_type(item.list_id)
    if not path or list_type is None:
        return BLANK
    head, _, part = path.partition(".")
    fdef = list_type.field(head)
    value = item.data.get(head)
    if part:  # a time limit's statutory or promised days, with the limit's unit
        value = {part: get_path(item.data, path), "unit": get_path(item.data, f"{head}.unit")} if isinstance(
            value, dict) and get_path(item.data, path) not in (None, "") else None
    text = field_text(fdef, value, config).strip() if value not in (None, "", []) else ""
    if part:  # the type reads "法定时限 20 工作日": the label is the table's, the value "20 工作日"
        text = text.removeprefix(LABELS[element]).strip()
    return text or BLANK


def raw_value(member: Member, element: str) -> str:
    """An element's stored value (a time limit's days with its unit), as one string: values equal
    here are equal as shown, so most items are compared without formatting anything."""
    path = element_path(member.config, member.item.list_id, element)
    head, _, part = path.partition(".")
    value: Any = get_path(member.item.data, path) if path else None
    if part:
        value = (value, get_path(member.item.data, f"{head}.unit"))
    return repr(value)  # mappings in another key order differ here, and are then compared as shown


def comparable_value(member: Member, element: str) -> str:
    """What two regions' values are compared as: layout removed, a type by its standard value."""
    if element == "type":
        list_type = member.config.list_type(member.item.list_id)
        raw = member.item.data.get(list_type.type_field) if list_type and list_type.type_field else None
        fdef = list_type.field(list_type.type_field) if list_type and list_type.type_field else None
        standard = member.config.enum_standard(fdef.enum, raw) if fdef is not None and fdef.enum else None
        if standard:
            return standard
    return comparable(element_text(member, element))


def match_items(regions: Iterable[RegionCatalog]) -> list[Match]:
    """Items of two or more regions that are the same item, by code and then by name and basis."""
    by_code: dict[tuple[str, str], list[Member]] = {}
    loose: list[Member] = []
    for rc in regions:
        for item in rc.catalog.items():
            member = Member(rc.region, item, rc.catalog.config)
            key = code_key(item, rc.region)
            if key:
                by_code.setdefault((item.list_id, key), []).append(member)
            else:
                loose.append(member)
    matches = []
    for (list_id, key), members in by_code.items():
        if len({m.region.id for m in members}) > 1:
            matches.append(Match(list_id, key, BY_CODE, tuple(members)))
        else:
            loose.extend(members)
    by_name: dict[tuple[str, str, str], list[Member]] = {}
    for member in loose:
        name_key = comparable(member.item.name)
        by_name.setdefault((member.item.list_id, name_key, comparable_value(member, "basis")), []).append(member)
    for (list_id, _, _), members in by_name.items():
        if len({m.region.id for m in members}) > 1:
            matches.append(Match(list_id, "", BY_NAME, tuple(members)))
    return matches


def differences(match: Match, config: SiteConfig | None = None) -> list[Difference]:
    """The elements of a matched item that differ between its regions."""
    out = []
    name = _common_name(match)
    for element, label in ELEMENTS:
        if match.matched_by == BY_NAME and element in ("name", "basis"):
            continue  # equal by construction
        if len({raw_value(m, element) for m in match.members}) < 2:
            continue  # the same data everywhere: no need to read it as the pages show it
        seen = {comparable_value(m, element) for m in match.members}
        if len(seen) < 2:
            continue
        values = tuple(Value(m.region.id, m.region.name, m.item.code, element_text(m, element)) for m in match.members)
        level = rule_level(config, RULE) if config is not None else "warning"
        out.append(Difference(match.list_id, match.key, name, element, label, match.matched_by, values, level))
    return out


def _common_name(match: Match) -> str:
    """The name most regions use (the first region's on a tie)."""
    names = [m.item.name for m in match.members]
    return max(dict.fromkeys(names), key=names.count)


def findings(regions: list[RegionCatalog], config: SiteConfig | None = None) -> list[Difference]:
    """Every 十统一 difference across the regions, in the order of the first region's items
    (items no first-region item matches follow, in the next region's order); none when the
    portal's `rules: levels:` switches the rule off."""
    if config is not None and rule_level(config, RULE) == "off":
        return []
    position: dict[int, int] = {}
    for rc in regions:
        for n, item in enumerate(rc.catalog.items()):
            position[id(item)] = n
    region_order = {rc.region.id: n for n, rc in enumerate(regions)}
    matches = match_items(regions)
    matches.sort(key=lambda m: min((region_order[x.region.id], position[id(x.item)]) for x in m.members))
    out = []
    for match in matches:
        ordered = tuple(sorted(match.members, key=lambda x: region_order[x.region.id]))
        out += differences(Match(match.list_id, match.key, match.matched_by, ordered), config)
    return out
