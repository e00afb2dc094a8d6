"""The Jinja environment for generated pages.

Default templates ship in generator/templates/; a file of the same name in the project's
templates/ directory overrides one. Autoescape is always on: list data is text, never markup.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)
from jinja2.ext import Extension
from markupsafe import Markup, escape

from generator import pinyin
from generator.fieldtypes import (
    FIELD_TYPES,
    basis_entry_text,
    basis_html,
    disclosure_html,
    enum_html,
    field_html,
    item_link,
    phone_links,
    plain_text,
    steps_html,
    tel_href,
)
from generator.legaltext import split_instruments
from generator.model import hierarchy
from generator.render.changeview import long_change
from generator.render.tables import label_card_cells
from generator.search import index_only

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def time_limit_text(value: Any) -> str:
    """A time limit as it reads everywhere (the field type's own text)."""
    return FIELD_TYPES["time_limit"].text(None, value)


def change_view(old: Any, new: Any) -> Any:
    """The long-change view of a field change (generator/render/changeview.py), a value that is not
    text (a list of basis entries) read as the page shows it."""
    def text(value: Any) -> str | None:
        return value if value is None or isinstance(value, str) else plain_text(value)

    return long_change(text(old), text(new))


def identifiers(text: str) -> Markup:
    """Text whose data-file identifiers (statutory, time_limit) are marked as code, not prose."""
    return Markup(re.sub(r"\b([a-z][a-z_]*[a-z])\b", r"<code>\1</code>", str(escape(text))))


_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


class Dedent(Extension):
    """Templates lose the indentation of their source lines before they are compiled.

    The indentation is for whoever edits a template; on the site it was about 7% of every item
    page. A line break stays, so the page renders the same (the text of an element that keeps
    white space, such as .qd-published, comes from the data and is never touched).
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return _INDENT.sub("", source)


class TemplateRenderer:
    def __init__(self, project_templates: Path | None = None, compiled: Path | None = None) -> None:
        """compiled: a folder keeping the compiled templates between builds (Jinja's bytecode cache:
        a template whose source changed is compiled again). Compiling every template took about a
        third of a second of each one-item build; the folder must be one per code fingerprint,
        because the Dedent extension and the filters are code."""
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
            extensions=[Dedent],
            # No stat of every included template at every include (four per item page): a renderer is
            # made again when the project's templates/ change (generator/steps/render.py _renderer).
            auto_reload=False,
            bytecode_cache=FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
        )
        self.env.filters.update(
            time_limit=time_limit_text, basis=basis_entry_text, plain=plain_text,
            pinyin_initials=pinyin.initials, pinyin_full=pinyin.full, pinyin_inner=pinyin.inner_terms,
            instruments=split_instruments, hierarchy=hierarchy,
            phone_links=phone_links, tel_href=tel_href, identifiers=identifiers, basis_html=basis_html,
            steps_html=steps_html, long_change=change_view, index_only=index_only,
        )
        # The HTML of a value is its field type's (generator/fieldtypes.py); templates ask for it here.
        self.env.globals.update(field_html=field_html, enum_html=enum_html, item_link_html=item_link,
                                disclosure_html=disclosure_html)
        # Page flags with their defaults; editions (generator/render/editions.py) override them.
        self.env.globals.update(edition=None, searchable=True)
        self._cache: dict[str, Any] = {}

    def render(self, template: str, **context: Any) -> str:
        compiled = self._cache.get(template)
        if compiled is None:
            compiled = self._cache[template] = self.env.get_template(template)
        return label_card_cells(compiled.render(**context))
