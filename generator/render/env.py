"""The Jinja environment for generated pages.

Default templates ship in generator/templates/; a file of the same name in the project's
templates/ directory overrides one. Autoescape is always on: list data is text, never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator import pinyin
from generator.legaltext import split_instruments

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def time_limit_text(value: Any) -> str:
    """{'statutory': 20, 'promised': 5, 'unit': '工作日'} → '法定 20 个工作日，承诺 5 个工作日'."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    unit = value.get("unit") or "工作日"
    measure = "个" if unit == "工作日" else ""
    parts = []
    if value.get("statutory") is not None:
        parts.append(f"法定 {value['statutory']} {measure}{unit}")
    promised = value.get("promised")
    if promised == 0:
        parts.append("承诺即办")
    elif promised is not None:
        parts.append(f"承诺 {promised} {measure}{unit}")
    if value.get("note"):
        parts.append(str(value["note"]))
    return "，".join(parts)


def basis_text(entry: Any) -> str:
    if isinstance(entry, dict):
        return "".join(str(entry.get(k, "")) for k in ("law", "article")) + (
            f"（{entry['note']}）" if entry.get("note") else ""
        )
    return str(entry)


def basis_plain(value: Any) -> str:
    """A basis as one text: the published text itself, or the hand-written entries joined."""
    if isinstance(value, str):
        return value
    return "；".join(basis_text(v) for v in value or [])


def plain_text(value: Any) -> str:
    """Any field value as one line of text (tables, feeds, spreadsheets)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        if {"statutory", "promised", "unit"} & value.keys():
            return time_limit_text(value)
        if "law" in value:
            return basis_text(value)
        return "；".join(f"{v}" for v in value.values() if v is not None)
    if isinstance(value, list):
        return "；".join(plain_text(v) for v in value)
    return str(value)


class TemplateRenderer:
    def __init__(self, project_templates: Path | None = None) -> None:
        loaders = []
        if project_templates is not None and project_templates.is_dir():
            loaders.append(FileSystemLoader(str(project_templates)))
        loaders.append(FileSystemLoader(str(PACKAGE_TEMPLATES)))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            time_limit=time_limit_text, basis=basis_text, plain=plain_text,
            pinyin_initials=pinyin.initials, pinyin_full=pinyin.full, instruments=split_instruments,
        )
        # Page flags with their defaults; editions (generator/render/editions.py) override them.
        self.env.globals.update(edition=None, searchable=True)
        self._cache: dict[str, Any] = {}

    def render(self, template: str, **context: Any) -> str:
        compiled = self._cache.get(template)
        if compiled is None:
            compiled = self._cache[template] = self.env.get_template(template)
        return compiled.render(**context)
