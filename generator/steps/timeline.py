"""Step `timeline`: catalog + history + the as-of day → each item's versions (`@timeline`) and the
lists as in force on that day (`@in_force`, generator/history/inforce.py).

Every step that shows the lists (render, downloads, data_files) reads `@in_force`, not `@catalog`,
so that pages, downloads and search agree on what is 现行. The step reruns on every new as-of day,
but gives its products the key of what the day decided (the adjustments still pending, the items
not listed): from one day to the next, while no pending change takes effect and no 有效期至 passes,
the steps reading them keep their files. When nothing is pending and nothing has expired, the
in-force project is the loaded one (the same object) and its key is the catalog's own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from generator.steps.step import Step, digest

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    from generator.history.inforce import in_force
    from generator.history.versions import build_timeline

    project = build.get("@catalog")
    history = build.get("@history")
    as_of = build.options.as_of
    timeline = build_timeline(history, project.catalog.items(), as_of) if history is not None else None
    now = in_force(project.catalog, history, timeline, as_of)
    made_from = build.runner.inputs_key("timeline-value", ("@catalog", "@history"))
    state = digest(made_from, *now.key_parts())
    build.put("@timeline", timeline, key=state)
    if now.catalog is project.catalog and not now.unlisted and not now.pending:
        listed = project
        build.put("@in_force", listed, key=build.runner.product_keys["@catalog"])
    else:
        listed = replace(project, catalog=now.catalog, parsed={})
        build.put("@in_force", listed, key=state)
    build.put("@now", now, key=state)


STEP = Step("timeline", ("@catalog", "@history", "option:as_of"), ("@timeline", "@in_force", "@now"), run,
            "each item's versions; the lists as in force on the as-of day, pending changes announced")
