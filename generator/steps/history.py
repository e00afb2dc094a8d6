"""Step `history`: git → each item's adjustments (parsed blobs cached by blob id in .cache/history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    project = build.get("@catalog")
    if not build.options.history:
        build.put("@history", None)
        return
    from generator.history import extract_history

    known, project.parsed = project.parsed, {}  # what the load step parsed, used once
    history = extract_history(project.config, build.problems, cache_dir=project.root / ".cache" / "history",
                              known=known)
    build.put("@history", history)


# Committed versions only: an edit not yet committed changes no history, so a preview's edit does
# not read git again. The configuration (list types) comes from the load step, declared before it.
STEP = Step("history", ("git", "site_config.yml", "option:history"), ("@history",), run,
            "per-item adjustments from git; a site without its history is no site, so git errors stop the build")

