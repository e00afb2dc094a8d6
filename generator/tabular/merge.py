"""Imported items → an existing list file, without losing what the file has.

The file is edited with ruamel.yaml's round-trip mode, so comments, key order, quoting and flow
style ({statutory: 20, …}) of everything the import does not change stay as they were. A value is
replaced only when its normalised form differs from the file's normalised form, so re-importing
the same sheet changes no byte.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from generator.config import ListType, SiteConfig
from generator.fieldtypes import normalize
from generator.model import is_blank

FLOW_FIELD_TYPES = ("time_limit", "fee")  # short mappings written on one line, as the demo lists do
SHORT_LIST_ITEM = 10  # list entries up to this many characters are written [a, b, c]


def _yaml() -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096  # never fold long Chinese text
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def plain(value: Any) -> Any:
    """ruamel's round-trip values as plain Python values (what PyYAML would have given)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int) and type(value).__name__ == "ScalarBoolean":
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def normalised(list_type: ListType, config: SiteConfig, name: str, raw: Any) -> Any:
    """A field's value as `qingdan check` sees it (None when it cannot be read or is blank)."""
    fdef = list_type.field(name)
    if fdef is None or raw is None or is_blank(plain(raw)):
        return None
    value = normalize(fdef, plain(raw), config, lambda *a, **k: None)
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    return None if value is None or is_blank(value) else value


def _needs_quotes(text: str) -> bool:
    """Would the project's loader (PyYAML, YAML 1.1) read this plain text as something else?"""
    try:
        return pyyaml.safe_load(text) != text
    except pyyaml.YAMLError:
        return False  # ruamel quotes what cannot be plain by itself


def to_yaml(value: Any, field_type: str = "", flow: bool | None = None) -> Any:
    """A normalised value as ruamel nodes, in the style of the demo lists."""
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        return DoubleQuotedScalarString(value) if _needs_quotes(value) else value
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            if v is not None:
                node[k] = to_yaml(v)
        if flow if flow is not None else field_type in FLOW_FIELD_TYPES:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        node = CommentedSeq(to_yaml(v) for v in value)
        short = all(isinstance(v, str) and len(v) <= SHORT_LIST_ITEM and "\n" not in v for v in value)
        if flow if flow is not None else short:
            node.fa.set_flow_style()
        return node
    return value


@dataclass
class Change:
    """One field of one item that the import changes."""

    code: str
    name: str
    field: str
    old: Any  # normalised; None when the field was absent
    new: Any


@dataclass
class MergeResult:
    text: str
    changes: list[Change] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # codes of new items
    kept: list[str] = field(default_factory=list)  # codes in the file the sheet did not mention


class ListDocument:
    """One list file, open for editing."""

    def __init__(self, text: str | None, department: str, list_type: ListType, config: SiteConfig) -> None:
        self.yaml = _yaml()
        self.original = text
        self.list_type = list_type
        self.config = config
        if text is None or not text.strip():
            self.doc = CommentedMap()
            self.doc["department"] = department
            self.doc["items"] = CommentedSeq()
        else:
            self.doc = self.yaml.load(text)
        self.items: CommentedSeq = self.doc["items"]
        self.changes: list[Change] = []
        self.added: list[str] = []
        self.touched: set[int] = set()
        self._codes: dict[str, int] | None = None
        self._names: dict[str, list[int]] | None = None

    @staticmethod
    def readable(text: str) -> str | None:
        """Why ruamel cannot edit this file (None when it can)."""
        try:
            doc = _yaml().load(text)
        except YAMLError as exc:
            return str(exc).splitlines()[0]
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            return "文件没有 items 列表"
        return None

    def codes(self) -> dict[str, int]:
        """Item code → index (built once; append() keeps it current)."""
        if self._codes is None:
            self._codes = {str(plain(it.get("code"))): i for i, it in enumerate(self.items) if isinstance(it, dict)}
        return self._codes

    def names(self) -> dict[str, list[int]]:
        """Item name → indexes, for sheets without codes (items already in the file only)."""
        if self._names is None:
            self._names = {}
            for i, it in enumerate(self.items):
                if isinstance(it, dict) and it.get("name") is not None:
                    self._names.setdefault(str(plain(it["name"])).strip(), []).append(i)
        return self._names

    def item_code(self, index: int) -> str:
        return str(plain(self.items[index].get("code", "")))

    def update(
        self, index: int, data: dict[str, Any], parts: dict[str, set[str]], soft: frozenset[str] | set[str] = frozenset()
    ) -> None:
        """Set the fields the sheet gives; keep every other field, comment and key of the item."""
        self.touched.add(index)
        node: CommentedMap = self.items[index]
        order = self.list_type.field_names
        for name in order:
            if name not in data:
                continue
            old = normalised(self.list_type, self.config, name, node.get(name))
            new = data[name]
            if name in soft and old is not None:
                continue  # a guess (e.g. the type from the sheet's name) never overwrites what the file says
            if name in parts and isinstance(old, dict):
                new = {**old, **{k: new[k] for k in parts[name] if k in new}}
            if new == old:
                continue
            self.changes.append(Change(self.item_code(index), str(plain(node.get("name", ""))), name, old, new))
            fdef = self.list_type.field(name)
            existing = node.get(name)
            flow = existing.fa.flow_style() if isinstance(existing, (CommentedMap, CommentedSeq)) else None
            value = to_yaml(new, fdef.type if fdef else "", flow)
            if name in node:
                node[name] = value
            else:
                node.insert(self._position(node, name), name, value)

    def _position(self, node: CommentedMap, name: str) -> int:
        """Where a new key goes: after the last key that comes before it in the list type's order."""
        order = self.list_type.field_names
        before = set(order[: order.index(name)])
        keys = list(node.keys())
        position = 0
        for i, key in enumerate(keys):
            if key in before:
                position = i + 1
        return position

    def append(self, data: dict[str, Any]) -> None:
        node = CommentedMap()
        for name in self.list_type.field_names:
            if name in data:
                fdef = self.list_type.field(name)
                node[name] = to_yaml(data[name], fdef.type if fdef else "")
        self.items.append(node)
        self.touched.add(len(self.items) - 1)
        self.codes()[str(data.get("code", ""))] = len(self.items) - 1
        self.added.append(str(data.get("code", "")))
        for name, value in data.items():
            self.changes.append(Change(str(data.get("code", "")), str(data.get("name", "")), name, None, value))

    def dump(self) -> str:
        if not self.changes and self.original is not None:
            return self.original
        out = io.StringIO()
        self.yaml.dump(self.doc, out)
        return out.getvalue()

    def result(self) -> MergeResult:
        kept = [self.item_code(i) for i in range(len(self.items)) if i not in self.touched]
        return MergeResult(self.dump(), list(self.changes), list(self.added), kept)
