"""Step `api`: catalog + history + as-of day → the static JSON API under api/v1/ (generator/api/).

The step makes every file's bytes, and writes only those that differ from what the previous build
wrote (their digests are kept with the build record); files no longer made are removed. So the
edit of one item rewrites its item file, its list file and index.json, whatever the list's size.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from generator.api import ROOT
from generator.steps.pages import write_file
from generator.steps.step import Step, digest

if TYPE_CHECKING:
    from generator.history.versions import Timeline
    from generator.steps.runner import Build

RECORD = "api"  # Build.after.extra[RECORD]: path → digest of the bytes written


def timeline(build: Build) -> Timeline:
    """Every item's versions (the timeline step's); a site without its history has one version
    of each item, with no dates."""
    from generator.history.events import History
    from generator.history.versions import build_timeline

    found = build.get("@timeline")
    if found is not None:
        return found
    return build_timeline(History(), build.get("@catalog").catalog.items(), build.options.as_of)


def editions(build: Build) -> list:
    """The published editions: name, date, page (no git hash)."""
    from generator.api.documents import Edition
    from generator.gitrepo import GitRepo
    from generator.history.editions import INDEX_PATH, assign_slugs, edition_tags

    if build.get("@history") is None:
        return []
    config = build.get("@catalog").config
    tags = edition_tags(config, GitRepo(build.root))
    slugs = assign_slugs([t.name for t in tags])
    declared = dict(config.declared_editions)
    return [Edition(t.name, declared.get(t.name, t.date)[:10], f"{INDEX_PATH}{slugs[t.name]}/") for t in tags]


def run(build: Build) -> None:
    from generator.api.documents import ApiBuilder
    from generator.api.schema import schema_files
    from generator.history.events import History

    project = build.get("@catalog")
    history = build.get("@history") or History()
    builder = ApiBuilder(project.catalog, history, timeline(build), build.site_url, editions(build))
    if build.cold or RECORD not in build.before.extra:  # files of unknown origin: none is kept
        shutil.rmtree(build.site_dir / ROOT, ignore_errors=True)
    before = {} if build.cold else dict(build.before.extra.get(RECORD, {}))
    after: dict[str, str] = {}
    for rel, data in [*schema_files().items(), *builder.files()]:
        after[rel] = key = digest(data)
        target = build.site_dir / rel
        if before.get(rel) != key or not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, data.decode("utf-8"))
    for rel in set(before) - set(after):
        (build.site_dir / rel).unlink(missing_ok=True)
    build.after.extra[RECORD] = after


STEP = Step("api", ("@catalog", "@history", "@timeline", "git", "site_config.yml", "option:as_of", "option:site_url"),
            (ROOT,), run, "the static JSON API: index, one file per list and per item, their schemas",
            serve="after")
