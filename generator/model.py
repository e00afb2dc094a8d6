"""The published lists as plain data. Nothing here reads files."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.siteconfig import SiteConfig


# The fields that make an item's address. They identify the item and are not its content: an item
# whose address changes (改码, including a local code replaced by the official one) is the same item.
def local_code(department: str, list_id: str, parent: str, name: str, salt: str = "") -> str:
    """A code for a row that has no usable published one: stable across re-imports and reordering.

    Derived from what identifies the item (department, list, 主项, name) — not from its position —
    so the same row gets the same code however the sheet is sorted and whatever rows are added or
    removed. Two rows that still collide are told apart by the rest of their content (`salt`).
    """
    key = "\x1f".join((department, list_id, parent, name, salt))
    digest = base64.b32encode(hashlib.sha1(key.encode("utf-8")).digest()).decode("ascii")
    return "L" + digest[:11]


# Published codes run to 50+ characters (实施编码); 128 leaves room and still makes a sane address.
SAFE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
ADDRESS_FIELDS = frozenset({"code", "local_code"})


def content_of(data: dict[str, Any]) -> dict[str, Any]:
    """An item's data without its address fields: what history and review compare."""
    return {k: v for k, v in data.items() if k not in ADDRESS_FIELDS}


def is_blank(value: Any) -> bool:
    """A value that publishes nothing: absent, empty text, an empty list or an empty mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return all(is_blank(v) for v in value)
    if isinstance(value, dict):
        return all(is_blank(v) for v in value.values())
    return False


def get_path(data: dict[str, Any], path: str) -> Any:
    """Read a dotted path ("fee.basis") out of an item's data."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


@dataclass
class Item:
    list_id: str
    department: str
    code: str
    data: dict[str, Any]
    file: str = ""
    line: int = 0
    column: int = 0
    field_lines: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def code_is_local(self) -> bool:
        """The address is a local code Qingdan generated (本地编码), not a published one (统一编码)."""
        return bool(self.data.get("local_code")) and self.data.get("local_code") == self.code

    @property
    def key(self) -> str:
        return f"{self.list_id}/{self.code}"

    def parent_key(self) -> str:
        """How this item names its 主项: the 主项 code when published, else the 主项 name."""
        return str(self.data.get("parent") or self.data.get("parent_name") or "")

    def where(self, field_name: str | None = None) -> dict[str, Any]:
        """Location keywords for a Problem about this item (or one of its fields)."""
        line, column = self.field_lines.get(field_name, (self.line, self.column)) if field_name else (
            self.line,
            self.column,
        )
        return {"file": self.file, "line": line, "column": column, "list": self.list_id, "code": self.code}


@dataclass(frozen=True)
class TableRow:
    """One row of a list or department table: an item, or the heading of a 主项 that is not an item."""

    item: Item | None
    heading: str = ""  # the 主项's name, on a heading row
    sub: bool = False  # a 子项, shown under its 主项
    first: Item | None = None  # on a heading row: its first 子项 (Catalog.main_item finds the 主项 page)


@dataclass(frozen=True)
class MainItem:
    """A 主项 that exists only as the parent its 子项 name (no item of its own): it still has a page.

    Its address is the 主项 code when one is published and no item uses it, so the page keeps its
    URL when the 主项 is later published as an item; else the local code the import would give a
    主项 row of that name (local_code), stable across builds."""

    list_id: str
    department: str
    name: str
    code: str  # the published 主项 code, "" when none
    address: str
    children: tuple[Item, ...]

    @property
    def path(self) -> str:
        return f"{self.list_id}/{self.address}/"


def hierarchy(items: list[Item]) -> list[TableRow]:
    """Items in publishing order with every 子项 right under its 主项: after the 主项's own row when
    the 主项 is an item here, else under a heading row where its first 子项 stood."""
    # 主项 that are items here: (department, code or name) of every item that is no 子项 itself.
    mains = {(item.department, key) for item in items if not item.parent_key() for key in (item.code, item.name)}
    children: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        if item.parent_key():
            children.setdefault((item.department, item.parent_key()), []).append(item)
    rows: list[TableRow] = []
    placed: set[int] = set()
    for item in items:
        if id(item) in placed:
            continue
        parent = item.parent_key()
        if parent and (item.department, parent) in mains:
            continue  # placed under its 主项's own row
        if parent:
            group = children[(item.department, parent)]
            rows.append(TableRow(None, heading=str(item.data.get("parent_name") or parent), first=group[0]))
            rows.extend(TableRow(child, sub=True) for child in group)
            placed.update(id(child) for child in group)
            continue
        rows.append(TableRow(item))
        placed.add(id(item))
        for key in dict.fromkeys((item.code, item.name)):
            for child in children.get((item.department, key), []):
                if id(child) not in placed:
                    rows.append(TableRow(child, sub=True))
                    placed.add(id(child))
    return rows


@dataclass
class Catalog:
    """Every item of every list, in publishing order (list type, then department, then file order)."""

    config: SiteConfig
    lists: dict[str, dict[str, Item]]

    def get(self, list_id: str, code: str) -> Item | None:
        return self.lists.get(list_id, {}).get(code)

    def resolve(self, list_id: str, reference: str) -> Item | None:
        """The item a reference names: by address, by published code, or by its (unique) published name."""
        found = self.get(list_id, reference)
        if found is not None:
            return found
        index = self._names().get(list_id, {})
        matches = index.get(str(reference).strip(), [])
        return matches[0] if len(matches) == 1 else None

    def _names(self) -> dict[str, dict[str, list[Item]]]:
        cache = self.__dict__.get("_name_index")
        if cache is None:
            cache = {}
            for lid, items in self.lists.items():
                for item in items.values():
                    for key in {item.name, str(item.data.get("code") or "")} - {""}:
                        if key != item.code:
                            cache.setdefault(lid, {}).setdefault(key, []).append(item)
            self.__dict__["_name_index"] = cache
        return cache

    def children(self, item: Item) -> list[Item]:
        """子项 of an item: items of its list and department whose 主项 is this item."""
        index = self.__dict__.get("_children_index")
        if index is None:  # built once: pages ask for every item's 子项
            index = {}
            for lid, items in self.lists.items():
                for child in items.values():
                    if child.parent_key():
                        index.setdefault((lid, child.department, child.parent_key()), []).append(child)
            self.__dict__["_children_index"] = index
        found = index.get((item.list_id, item.department, item.code), []) + (
            index.get((item.list_id, item.department, item.name), []) if item.name != item.code else [])
        return [i for i in found if i is not item]

    def parent(self, item: Item) -> Item | None:
        """The 主项 of an item, when the 主项 is itself an item of the same list and department."""
        key = item.parent_key()
        if not key:
            return None
        for candidate in (self.get(item.list_id, key), *self._names().get(item.list_id, {}).get(key, [])):
            if candidate is not None and candidate is not item and candidate.department == item.department:
                return candidate
        return None

    def main_items(self) -> list[MainItem]:
        """Every 主项 that is not an item itself, in the order of their first 子项."""
        cache = self.__dict__.get("_main_items")
        if cache is None:
            groups: dict[tuple[str, str, str], list[Item]] = {}
            for child in self.items():
                if child.parent_key() and self.parent(child) is None:
                    groups.setdefault((child.list_id, child.department, child.parent_key()), []).append(child)
            cache = {}
            taken: set[str] = set()
            for (list_id, department, _), children in groups.items():
                first = children[0]
                code = str(first.data.get("parent") or "")
                name = str(first.data.get("parent_name") or code)
                free = (bool(SAFE_CODE.match(code)) and self.get(list_id, code) is None
                        and f"{list_id}/{code}" not in taken)  # one 主项 code in two departments
                address = code if free else local_code(department, list_id, "", name)
                main = MainItem(list_id, department, name, code, address, tuple(children))
                taken.add(f"{list_id}/{address}")
                for child in children:
                    cache[id(child)] = main
            self.__dict__["_main_items"] = cache
        return list({id(m): m for m in cache.values()}.values())

    def main_item(self, item: Item | None) -> MainItem | None:
        """The page-only 主项 of a 子项 (None when the 主项 is an item, or for no 子项)."""
        self.main_items()
        return self.__dict__["_main_items"].get(id(item)) if item is not None else None

    def items(self, list_id: str | None = None) -> Iterator[Item]:
        for lid, items in self.lists.items():
            if list_id is None or lid == list_id:
                yield from items.values()

    def counts(self) -> dict[str, int]:
        return {lid: len(items) for lid, items in self.lists.items()}

    def disclosure(self, item: Item, key: str) -> Any:
        list_type = self.config.list_type(item.list_id)
        path = list_type.disclosure_map.get(key, "") if list_type else ""
        return get_path(item.data, path) if path else None
