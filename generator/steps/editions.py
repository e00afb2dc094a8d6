"""Step `editions`: published editions (git tags matching `editions: tag_pattern:`) → their pages.

Each edition's lists are read through the history's blob cache; the pages link their current
counterparts, so the step reads the current catalog too. [] without git or such tags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.render.pages import Page
from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def edition_pages(build: Build) -> list[Page]:
    """Gather the editions' data (generator/history/editions.py), then render their pages."""
    project = build.get("@catalog")
    if not build.options.history:
        return []
    from generator.history.editions import read_editions

    data = read_editions(project.root, project.config, project.catalog)
    if data is None:
        return []
    from generator.render.editions import edition_pages as render_edition_pages
    from generator.render.env import TemplateRenderer
    from generator.render.pages import PageBuilder
    from generator.steps.downloads import download_links

    builder = PageBuilder(project.catalog, TemplateRenderer(project.root / "templates"), build.get("@history"),
                          download_links(project))
    return render_edition_pages(builder, data, dict(build.get("@page_titles")))


def run(build: Build) -> None:
    build.put("@edition_pages", edition_pages(build))


STEP = Step("editions", ("git", "site_config.yml", "templates/", "@catalog", "@history", "@page_titles",
                        "option:history"),
            ("@edition_pages",), run, "each published edition's lists as they stood, and comparisons")

