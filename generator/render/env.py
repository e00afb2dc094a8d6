"""The Jinja environment for generated pages.

Default templates ship in generator/templates/; a file of the same name in the project's
templates/ directory overrides one. Autoescape is always on: list data is text, never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator import pinyin
from generator.fieldtypes import FIELD_TYPES, basis_entry_text, field_text
from generator.legaltext import split_instruments
from generator.model import hierarchy

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def time_limit_text(value: Any) -> str:
    """A time limit as it reads everywhere (the field type's own text)."""
    return FIELD_TYPES["time_limit"].text(None, value)


def plain_text(value: Any) -> str:
    """Any field value as one line of text (tables, feeds): each part as its field type reads it."""
    if isinstance(value, list) and not (value and all(isinstance(v, dict) for v in value)):
        return "；".join(plain_text(v) for v in value)
    return field_text(None, value)


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
            time_limit=time_limit_text, basis=basis_entry_text, plain=plain_text,
            pinyin_initials=pinyin.initials, pinyin_full=pinyin.full, instruments=split_instruments,
            hierarchy=hierarchy,
        )
        # Page flags with their defaults; editions (generator/render/editions.py) override them.
        self.env.globals.update(edition=None, searchable=True)
        self._cache: dict[str, Any] = {}

    def render(self, template: str, **context: Any) -> str:
        compiled = self._cache.get(template)
        if compiled is None:
            compiled = self._cache[template] = self.env.get_template(template)
        return compiled.render(**context)
