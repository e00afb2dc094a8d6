"""The assessment as a standalone page that prints on A4, summary table first, with signature lines.

A project may override the template with `templates/assess/assess.html.j2`.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from generator.assess.engine import SCORE_FORMULA, Assessment
from generator.rules import LEVEL_LABELS, RULES

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "assess.html.j2"


def render(result: Assessment, project_templates: Path | None = None) -> str:
    loaders = []
    if project_templates is not None and (project_templates / "assess").is_dir():
        loaders.append(FileSystemLoader(project_templates / "assess"))
    loaders.append(FileSystemLoader(PACKAGE_TEMPLATES))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True, default_for_string=True),
                      keep_trailing_newline=True)
    counts = result.counts()
    shown = [r for r in result.rules if counts.get(r)]
    return env.get_template(TEMPLATE).render(
        r=result, rules=RULES, shown=shown, counts=counts, total=result.total, levels=LEVEL_LABELS,
        formula=SCORE_FORMULA,
    )
