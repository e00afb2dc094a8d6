"""Field values as the text a reviewer reads: one string per field, the same in every format."""

from __future__ import annotations

from typing import Any

from generator.config import FieldDef, ListType
from generator.model import Item, is_blank


def display_value(value: Any, fdef: FieldDef | None = None) -> str:
    """The published text of a field value ('' when blank)."""
    if is_blank(value):
        return ""
    kind = fdef.type if fdef else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "time_limit" or (isinstance(value, dict) and {"statutory", "promised"} & set(value)):
        return _time_limit(value)
    if kind == "fee" or (isinstance(value, dict) and {"basis", "standard"} >= set(value)):
        return "；".join(f"{label}：{value[key]}" for key, label in (("basis", "收费依据"), ("standard", "收费标准"))
                        if not is_blank(value.get(key)))
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):  # legal bases
            return "\n".join(_basis_entry(v) for v in value)
        sep = "、" if kind in ("enum", "ref") else "\n"
        return sep.join(display_value(v) for v in value if not is_blank(v))
    if isinstance(value, dict):
        return "；".join(f"{k}：{display_value(v)}" for k, v in value.items() if not is_blank(v))
    return str(value)


def _basis_entry(entry: dict[str, Any]) -> str:
    text = str(entry.get("law", "")) + str(entry.get("article", ""))
    if entry.get("note"):
        text += f"（{entry['note']}）"
    return text


def _time_limit(value: dict[str, Any]) -> str:
    unit = value.get("unit") or "工作日"
    parts = []
    if value.get("statutory") is not None:
        parts.append(f"法定时限 {value['statutory']} {unit}")
    if value.get("promised") is not None:
        parts.append(f"承诺时限 {value['promised']} {unit}" if value["promised"] else "承诺时限 即办")
    if value.get("note"):
        parts.append(f"说明：{value['note']}")
    return "；".join(parts)


def item_fields(list_type: ListType | None, item: Item) -> list[tuple[str, str, str]]:
    """(field name, label, text) for every filled field of an item, in the list type's field order."""
    fields = list_type.fields if list_type else []
    known = {f.name for f in fields}
    out = [(f.name, f.label, display_value(item.data.get(f.name), f)) for f in fields]
    out += [(k, k, display_value(v)) for k, v in item.data.items() if k not in known]
    return [row for row in out if row[2]]
