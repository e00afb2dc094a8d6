"""The review as a standalone HTML page that prints on A4 for the reviewer's signature.

Rendered with Jinja2 (autoescape on). A project may override the template by placing
`templates/diff/review.html.j2` in its own directory.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from generator.diff.result import KINDS, DiffResult

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "review.html.j2"


def environment(project_templates: Path | None = None) -> Environment:
    loaders = []
    if project_templates is not None and (project_templates / "diff").is_dir():
        loaders.append(FileSystemLoader(project_templates / "diff"))
    loaders.append(FileSystemLoader(PACKAGE_TEMPLATES))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        keep_trailing_newline=True,
    )


def render(result: DiffResult, site_name: str = "", project_templates: Path | None = None) -> str:
    template = environment(project_templates).get_template(TEMPLATE)
    return template.render(
        r=result,
        site_name=site_name,
        flagged=result.flagged(),
        kinds=result.kinds_shown,
        kind_labels=KINDS,
    )
