"""Step `data_files`: the statistics' figures (downloads/stats.json). The feeds are the feeds
step's (generator/steps/feeds.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build

STATS_FILE = "downloads/stats.json"


def run(build: Build) -> None:
    from generator.render.stats import compute

    project = build.get("@in_force")  # the lists as in force on the as-of day (steps/timeline.py)
    history = build.get("@history")
    figures = compute(project.catalog, list(history.events) if history is not None else None)
    target = build.site_dir / STATS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


STEP = Step("data_files", ("@in_force", "@history"), (STATS_FILE,), run,
            "the statistics' figures", serve="after")
