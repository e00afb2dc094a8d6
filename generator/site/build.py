"""`qingdan build`: ask the runner for the site (the steps are in generator/steps/).

Everything is built in a folder next to the output, and the previous site is replaced only when
every step succeeded, so a failed build never leaves a half-written site behind. When nothing the
site is made from changed, nothing is done.
"""

from __future__ import annotations

from pathlib import Path

from generator.dates import build_as_of
from generator.steps import STEPS
from generator.steps.runner import BuildResult, Options, Runner
from generator.steps.step import BuildError

__all__ = ["BuildError", "BuildResult", "build_site"]


def build_site(project_root: Path, out_dir: Path, *, site_url: str | None = None, search: bool = True,
               history: bool = True, force: bool = False, as_of: str | None = None) -> BuildResult:
    """Build the site into out_dir atomically; only what changed since the last build is redone.

    force: run every step from nothing, as on a fresh clone. as_of: the day the site shows the lists
    as of (YYYY-MM-DD; default: SOURCE_DATE_EPOCH's day, else today)."""
    options = Options(site_url=site_url, search=search, history=history, force=force,
                      as_of=build_as_of(as_of))
    return Runner(STEPS, project_root, out_dir, options).run()
