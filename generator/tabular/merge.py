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
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from generator.config import ListType, SiteConfig
from generator.fieldtypes import normalize
from generator.model import is_blank
from generator.problems import Problems
from generator.yamlsource import LocatedList, LocatedMap, parse_yaml

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


class MergeError(ValueError):
    """A list file that cannot be edited (it does not parse, or has no items list)."""


class ListDocument:
    """One list file, open for editing.

    Only the items that change are re-emitted (by ruamel.yaml, from their own lines); every other
    line of the file is kept as it is. This is both safer (no byte of an untouched item moves) and
    much faster than re-emitting the whole file: ruamel's pure-Python emitter needs seconds for a
    file of a thousand items. Files of an unusual shape (a flow-style `items: [...]`) are edited
    whole with ruamel instead.
    """

    def __init__(self, text: str | None, department: str, list_type: ListType, config: SiteConfig) -> None:
        self.yaml = _yaml()
        self.original = text
        self.department = department
        self.list_type = list_type
        self.config = config
        self.changes: list[Change] = []
        self.added: list[str] = []
        self.touched: set[int] = set()
        self.new_nodes: list[CommentedMap] = []
        self.nodes: dict[int, CommentedSeq] = {}  # index → a one-item sequence holding the edited item
        self.dirty: set[int] = set()
        self.full_doc: CommentedMap | None = None  # the whole file, when it cannot be edited line by line
        self.lines: list[str] = []
        self.spans: list[tuple[int, int, int]] = []  # per item: first line, end line (exclusive), dash column
        self.plain_items: list[dict] = []
        if text is not None and text.strip():
            self._index(text)
        self._codes: dict[str, int] | None = None
        self._names: dict[str, list[int]] | None = None

    def _index(self, text: str) -> None:
        """Where each item's lines are, and its values (one libyaml pass, as `qingdan check` reads it)."""
        problems = Problems()
        root = parse_yaml(text, "list", problems)
        if not isinstance(root, LocatedMap):
            first = problems.errors[0].message if problems.errors else "文件的顶层不是映射"
            raise MergeError(first)
        items = root.get("items")
        if items is not None and not isinstance(items, LocatedList):
            raise MergeError("items 不是列表")
        self.plain_items = [it if isinstance(it, dict) else {} for it in items or []]
        self.lines = text.splitlines(keepends=True)
        spans = self._item_spans(root, items)
        if spans and len(spans) == len(self.plain_items):
            self.spans = spans
        else:
            self.full_doc = self.yaml.load(text)
            if self.full_doc.get("items") is None:
                self.full_doc["items"] = CommentedSeq()

    def _item_spans(self, root: LocatedMap, items: LocatedList | None) -> list[tuple[int, int, int]]:
        """Per item: first line, end line (exclusive), dash column; empty when the items are not a
        block sequence of one item per dash (a flow sequence, or "- - …"), which is edited whole."""
        spans: list[list[int]] = []
        for loc in getattr(items, "item_locs", []):
            line = self.lines[loc.line - 1]
            prefix = line[: loc.column - 1]
            if prefix.strip() != "-":
                return []
            spans.append([loc.line - 1, 0, prefix.index("-")])
        for i in range(len(spans) - 1):
            spans[i][1] = spans[i + 1][0]
        if spans:
            items_line = root.key_locs["items"].line
            later = [loc.line - 1 for loc in root.key_locs.values() if loc.line > items_line]
            end = min(later) if later else len(self.lines)
            while end > spans[-1][0] + 1 and (not self.lines[end - 1].strip() or self.lines[end - 1].lstrip().startswith("#")):
                end -= 1  # blank lines and comments after the last item stay after it, and after new items
            spans[-1][1] = end
        return [tuple(s) for s in spans]

    def codes(self) -> dict[str, int]:
        """Item address (its local code, else its code) → index (built once; append() keeps it current)."""
        if self._codes is None:
            self._codes = {
                str(it.get("local_code") or it.get("code")): i for i, it in enumerate(self.plain_items)
                if (it.get("local_code") or it.get("code")) is not None
            }
        return self._codes

    def parent_name(self, index: int) -> str:
        return str(self.plain_items[index].get("parent_name") or "")

    def has_local_code(self, index: int) -> bool:
        return bool(self.plain_items[index].get("local_code"))

    def names(self) -> dict[str, list[int]]:
        """Item name → indexes, for sheets without codes (items already in the file only)."""
        if self._names is None:
            self._names = {}
            for i, it in enumerate(self.plain_items):
                if it.get("name") is not None:
                    self._names.setdefault(str(it["name"]).strip(), []).append(i)
        return self._names

    def item_code(self, index: int) -> str:
        item = self.plain_items[index]
        return str(item.get("local_code") or item.get("code", ""))

    def _node(self, index: int) -> CommentedMap:
        """The ruamel node of an existing item, loaded from its own lines the first time."""
        if self.full_doc is not None:
            return self.full_doc["items"][index]
        if index not in self.nodes:
            first, end, dash = self.spans[index]
            # Loaded where it stands (a block sequence may be indented at the top level), so that
            # ruamel keeps end-of-line comments in their columns.
            snippet = "".join(self.lines[first:end])
            self.nodes[index] = self.yaml.load(snippet)
        return self.nodes[index][0]

    def update(
        self, index: int, data: dict[str, Any], parts: dict[str, set[str]], soft: frozenset[str] | set[str] = frozenset(),
        drop: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Set the fields the sheet gives; keep every other field, comment and key of the item.

        `drop` names fields to remove (a local code, once the official code has arrived).
        """
        from generator.tabular.export import cell_value  # export knows how a value is written to a cell

        self.touched.add(index)
        current = self.plain_items[index]
        for name in sorted(drop):
            node = self._node(index)
            if name in node:
                old = normalised(self.list_type, self.config, name, current.get(name))
                self.changes.append(Change(self.item_code(index), str(current.get("name", "")), name, old, None))
                del node[name]
                self.dirty.add(index)
        for name in self.list_type.field_names:
            if name not in data:
                continue
            old = normalised(self.list_type, self.config, name, current.get(name))
            new = data[name]
            if name in soft and old is not None:
                continue  # a guess (e.g. the type from the sheet's name) never overwrites what the file says
            if name in parts and isinstance(old, dict):
                new = {**old, **{k: new[k] for k in parts[name] if k in new}}
            fdef = self.list_type.field(name)
            if new == old or (old is not None and cell_value(fdef, old) == cell_value(fdef, new)):
                continue  # the same as published (e.g. a sheet exported by qingdan, read back)
            self.changes.append(Change(self.item_code(index), str(current.get("name", "")), name, old, new))
            node = self._node(index)
            self.dirty.add(index)
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
        position = 0
        for i, key in enumerate(node.keys()):
            if key in before:
                position = i + 1
        return position

    def append(self, data: dict[str, Any]) -> None:
        node = CommentedMap()
        for name in self.list_type.field_names:
            if name in data:
                fdef = self.list_type.field(name)
                node[name] = to_yaml(data[name], fdef.type if fdef else "")
        index = len(self.plain_items) + len(self.new_nodes)
        self.new_nodes.append(node)
        self.touched.add(index)
        address = str(data.get("local_code") or data.get("code", ""))
        self.codes()[address] = index
        self.added.append(address)
        for name, value in data.items():
            self.changes.append(Change(address, str(data.get("name", "")), name, None, value))

    def _emit(self, value: Any, dash: int) -> str:
        out = io.StringIO()
        self.yaml.dump(value, out)
        return "".join(_shift(line, dash - 2) for line in out.getvalue().splitlines(keepends=True))

    def dump(self) -> str:
        if not self.changes and self.original is not None:
            return self.original
        if self.original is None or not self.original.strip():
            doc = CommentedMap()
            doc["department"] = self.department
            doc["items"] = CommentedSeq(self.new_nodes)
            out = io.StringIO()
            self.yaml.dump(doc, out)
            return out.getvalue()
        if self.full_doc is not None:
            self.full_doc["items"].extend(self.new_nodes)
            self.new_nodes = []
            out = io.StringIO()
            self.yaml.dump(self.full_doc, out)
            return out.getvalue()
        lines = list(self.lines)
        if self.new_nodes:
            first, end, dash = self.spans[-1]
            tail = self._emit(CommentedSeq(self.new_nodes), dash)
            if end > 0 and not lines[end - 1].endswith("\n"):
                lines[end - 1] += "\n"
            lines[end:end] = [tail]
        for index in sorted(self.dirty, reverse=True):
            first, end, dash = self.spans[index]
            lines[first:end] = [self._emit(self.nodes[index], dash)]
        return "".join(lines)

    def result(self) -> MergeResult:
        total = len(self.plain_items)
        kept = [self.item_code(i) for i in range(total) if i not in self.touched]
        return MergeResult(self.dump(), list(self.changes), list(self.added), kept)


def _shift(line: str, by: int) -> str:
    """Indent a line by `by` spaces (remove them when negative, as far as the line has them)."""
    if by >= 0:
        return " " * by + line if line.strip() else line
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(-by, spaces):]
