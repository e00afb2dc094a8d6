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
    project = build.get("@catalog")
    if not build.options.history:
        return []
    from generator.gitrepo import GitRepo
    from generator.render.editions import build_edition_pages, edition_tags

    repo = GitRepo(project.root)
    if not edition_tags(project.config, repo):
        return []
    from generator.history.cache import open_cache
    from generator.render.env import TemplateRenderer
    from generator.render.pages import PageBuilder
    from generator.steps.downloads import download_links

    builder = PageBuilder(project.catalog, TemplateRenderer(project.root / "templates"), build.get("@history"),
                          download_links(project))
    current = {path: title for path, title in build.get("@page_titles").items()}
    cache = open_cache(project.config, project.root / ".cache" / "history")
    try:
        return build_edition_pages(builder, project.config, repo, cache=cache, current_pages=current)
    finally:
        cache.close()


def run(build: Build) -> None:
    build.put("@edition_pages", edition_pages(build))


STEP = Step("editions", ("git", "site_config.yml", "templates/", "@catalog", "@history", "@page_titles",
                        "option:history"),
            ("@edition_pages",), run, "each published edition's lists as they stood, and comparisons")

