"""The JSON Schemas (draft 2020-12) of the API's files, published beside them in api/v1/schema/.

Each schema is self-contained (its `$ref`s point inside itself), so a client validates a file with
one download. The shapes of field values are not written here: they are copied from the export
schema (generator/defaults/export.schema.json), the one description of a value as open data.
"""

from __future__ import annotations

import json
from typing import Any

from generator.api import FORMAT, ROOT
from generator.tabular.export import SCHEMA_FILE

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = ROOT + "schema/"
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
OPEN_DATE = {"anyOf": [DATE, {"type": "null"}]}
TEXT_OR_NULL = {"type": ["string", "null"]}
ID = {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$"}
CODE = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$"}
ANCHOR = {"type": "string", "pattern": r"^adj-\d{4}-\d{2}-\d{2}-\d+$"}


def _object(properties: dict[str, Any], description: str = "", optional: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object"}
    if description:
        out["description"] = description
    out["required"] = [k for k in properties if k not in optional]
    out["additionalProperties"] = False
    out["properties"] = properties
    return out


def _value_defs() -> dict[str, Any]:
    """value, basis, time_limit, fee: as the export schema describes them."""
    defs = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["$defs"]
    return {name: defs[name] for name in ("value", "basis", "time_limit", "fee")}


def _document(name: str, title: str, properties: dict[str, Any], defs: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = {"$schema": DRAFT, "$id": f"{FORMAT}/{name}", "title": title,
              **_object({"format": {"const": FORMAT, "description": "Format name and version"}, **properties})}
    if defs:
        schema["$defs"] = defs
    return schema


ADJUSTMENT = {
    "id": {**ANCHOR, "description": "its anchor on the 动态调整 page (adjustments/#<id>)"},
    "title": {"type": "string", "description": "标题"},
    "basis": {**TEXT_OR_NULL, "description": "调整依据（文号）"},
    "decided": {**OPEN_DATE, "description": "决定日期"},
    "published": {**OPEN_DATE, "description": "发布日期"},
    "effective": {**OPEN_DATE, "description": "生效日期"},
    "day": {**DATE, "description": "the record's day: 发布日期, else the day it was entered"},
    "in_force_from": {**DATE, "description": "the day its changes apply: 生效日期, else 发布日期, else the day entered"},
    "pending": {"type": "boolean", "description": "已批准、尚未施行 (takes effect on or after the index's next_change)"},
}


def index_schema() -> dict[str, Any]:
    field = _object({"id": {"type": "string"}, "label": {"type": "string", "description": "字段名称"},
                     "type": {"type": "string", "description": "field type (docs/data-schema.md)"}})
    change = _object({"list": ID,
                      "kind": {"enum": ["added", "removed", "changed", "renamed", "recoded", "moved"]},
                      "codes": {"type": "array", "minItems": 1, "items": CODE,
                                "description": "the items (their codes after the adjustment)"}},
                     "the items of one list an adjustment changed in one way")
    return _document("index", "Qingdan API: index.json", {
        "site": _object({"name": {"type": "string"}, "region": {"type": "string"},
                         "region_code": {"type": "string"}, "base_url": {"type": "string"}}),
        "as_of": {**OPEN_DATE, "description": "the lists as of this day: the newest day a version began or ended "
                  "on or before the site's build day; what the files say holds from it until next_change"},
        "next_change": {**OPEN_DATE, "description": "the next day a version begins or ends (a pending 生效日期, "
                        "a 有效期至); null: none is known"},
        "first_published": {**OPEN_DATE, "description": "首次公布"},
        "change_kinds": {"type": "object", "additionalProperties": {"type": "string"},
                         "description": "kind → the word the site uses (新增、取消…)"},
        "departments": {"type": "array", "items": _object(
            {"code": ID, "name": {"type": "string"}, "short_name": {"type": "string"}})},
        "lists": {"type": "array", "items": _object({
            "id": ID, "name": {"type": "string"}, "item_label": {"type": "string"},
            "count": {"type": "integer", "minimum": 0, "description": "items listed as 现行"},
            "fields": {"type": "array", "items": field},
            "url": {"type": "string", "description": "the list file, relative to index.json"}})},
        "editions": {"type": "array", "items": _object(
            {"name": {"type": "string"}, "date": DATE, "page": {"type": "string"}})},
        "adjustments": {"type": "array", "description": "newest first", "items": _object(
            {**ADJUSTMENT, "changes": {"type": "array", "items": change}})},
    })


def list_schema() -> dict[str, Any]:
    version = _object({
        "valid_from": {**OPEN_DATE, "description": "first day in force (null: before the record begins)"},
        "valid_to": {**OPEN_DATE, "description": "first day no longer in force (null: still in force)"},
        "adjustment": {"anyOf": [ANCHOR, {"type": "null"}], "description": "the adjustment that made it"},
        "code": CODE, "name": {"type": "string"}, "department": {"type": "string"},
    })
    return _document("list", "Qingdan API: lists/<list id>.json", {
        "list": ID, "name": {"type": "string"},
        "items": {"type": "array", "items": _object(
            {"code": CODE, "versions": {"type": "array", "minItems": 1, "items": version}})},
    })


def item_schema() -> dict[str, Any]:
    values = {"type": "object", "additionalProperties": {"$ref": "#/$defs/value"}}
    version = _object({
        "valid_from": OPEN_DATE, "valid_to": OPEN_DATE,
        "pending": {"type": "boolean", "description": "takes effect after the as-of day"},
        "adjustment": {"anyOf": [_object(ADJUSTMENT), {"type": "null"}]},
        "code": CODE, "department": {"type": "string"},
        "values": {**values, "description": "field id → value; a field left out was not published"},
        "text": {"type": "object", "additionalProperties": {"type": "string"},
                 "description": "field id → the value as the site reads it, where the site's settings change that reading (an enum value in its standard wording); otherwise it follows from the value and its field's type"},
    })
    return _document("item", "Qingdan API: items/<list id>/<code>.json", {
        "list": ID, "code": CODE, "page": {"type": "string", "description": "the item's page"},
        "current": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}],
                    "description": "position in versions of the version in force on the as-of day (null: none)"},
        "versions": {"type": "array", "minItems": 1, "items": version},
    }, _value_defs())


SCHEMAS = {"index": index_schema, "list": list_schema, "item": item_schema}


def schema_files() -> dict[str, bytes]:
    """api/v1/schema/<name>.schema.json → its bytes (indented: people read them)."""
    return {f"{SCHEMA_DIR}{name}.schema.json": (json.dumps(make(), ensure_ascii=False, indent=2) + "\n").encode()
            for name, make in SCHEMAS.items()}
