"""The published lists as plain data. Nothing here reads files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.config import SiteConfig


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
    def key(self) -> str:
        return f"{self.list_id}/{self.code}"

    def where(self, field_name: str | None = None) -> dict[str, Any]:
        """Location keywords for a Problem about this item (or one of its fields)."""
        line, column = self.field_lines.get(field_name, (self.line, self.column)) if field_name else (
            self.line,
            self.column,
        )
        return {"file": self.file, "line": line, "column": column, "list": self.list_id, "code": self.code}


@dataclass
class Catalog:
    """Every item of every list, in publishing order (list type, then department, then file order)."""

    config: SiteConfig
    lists: dict[str, dict[str, Item]]

    def get(self, list_id: str, code: str) -> Item | None:
        return self.lists.get(list_id, {}).get(code)

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
