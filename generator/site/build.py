"""`qingdan build`: ask the runner for the site (the steps are in generator/steps/).

Everything is built in a folder next to the output, and the previous site is replaced only when
every step succeeded, so a failed build never leaves a half-written site behind. When nothing the
site is made from changed, nothing is done.
"""

from __future__ import annotations

from pathlib import Path

from generator.steps import STEPS
from generator.steps.runner import BuildResult, Options, Runner
from generator.steps.step import BuildError

__all__ = ["BuildError", "BuildResult", "build_site"]


def build_site(project_root: Path, out_dir: Path, *, site_url: str | None = None, search: bool = True,
               history: bool = True, force: bool = False) -> BuildResult:
    """Build the site into out_dir atomically; only what changed since the last build is redone.

    force: run every step from nothing, as on a fresh clone."""
    options = Options(site_url=site_url, search=search, history=history, force=force)
    return Runner(STEPS, project_root, out_dir, options).run()
