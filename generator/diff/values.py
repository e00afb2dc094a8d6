"""Field values as the text a reviewer reads: one string per field, the same in every format."""

from __future__ import annotations

from typing import Any

from generator.config import FieldDef, ListType, SiteConfig
from generator.fieldtypes import field_text
from generator.model import Item


def display_value(value: Any, fdef: FieldDef | None = None, config: SiteConfig | None = None) -> str:
    """The published text of a field value ('' when blank): the field type's own text."""
    return field_text(fdef, value, config)


def item_fields(list_type: ListType | None, item: Item, config: SiteConfig | None = None
                ) -> list[tuple[str, str, str]]:
    """(field name, label, text) for every filled field of an item, in the list type's field order."""
    fields = list_type.fields if list_type else []
    known = {f.name for f in fields}
    out = [(f.name, f.label, display_value(item.data.get(f.name), f, config)) for f in fields]
    out += [(k, k, display_value(v)) for k, v in item.data.items() if k not in known]
    return [row for row in out if row[2]]
