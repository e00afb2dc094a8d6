"""Step `data_files`: the adjustment feeds (feed.xml, feed.json) and the statistics' figures
(downloads/stats.json)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build

STATS_FILE = "downloads/stats.json"
FEEDS = ("feed.xml", "feed.json")


def run(build: Build) -> None:
    from generator.render.stats import compute

    project = build.get("@in_force")  # the lists as in force on the as-of day (steps/timeline.py)
    history = build.get("@history")
    figures = compute(project.catalog, list(history.events) if history is not None else None)
    target = build.site_dir / STATS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if history is not None:
        from generator.render.feeds import write_feeds

        write_feeds(project, history, build.site_dir, build.site_url)


STEP = Step("data_files", ("@in_force", "@history", "site_config.yml", "option:site_url"), (STATS_FILE, *FEEDS), run,
            "adjustment feeds and the statistics' figures", serve="after")
