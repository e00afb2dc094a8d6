"""Step `api`: catalog + history + as-of day → the static JSON API under api/v1/ (generator/api/).

The step writes only the files that differ from what the previous build wrote; files no longer made
are removed. The index and the list files are made every time and compared by their bytes' digests.
An item file (10,000 of them at 10,000 items) is made only when what it is made from changed: its
versions and values as digested by ApiBuilder.item_inputs (the values at HEAD by the digest the
render step made of each item), with the code, site_config.yml and the site's address. So the
edit of one item makes and rewrites its item file, its list file and index.json, whatever the
list's size. The build record keeps each file's key (RECORD).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from generator.api import ROOT
from generator.steps.sitefiles import write_file
from generator.steps.step import Step, digest

if TYPE_CHECKING:
    from generator.history.versions import Timeline
    from generator.steps.runner import Build

RECORD = "api"  # Build.after.extra[RECORD]: path → its key (its bytes' digest, or its inputs')


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


def values_digest(build: Build) -> Callable[[dict[str, Any] | None], str] | None:
    """A version's values' digest: for the values at HEAD, the render step's digest of the item
    (@item_digests: made already, its list, code, department and every value); else None, and
    ApiBuilder digests the values itself."""
    from generator.api.documents import digest_values

    of = build.products.get("@item_digests")
    if of is None:
        return None
    heads = {id(item.data): item for item in build.get("@catalog").catalog.items()}

    def digest_of(values: dict[str, Any] | None) -> str:
        item = heads.get(id(values))
        return "item:" + of(item) if item is not None and item.data is values else digest_values(values)

    return digest_of


def run(build: Build) -> None:
    from generator.api.documents import ApiBuilder, ApiFile
    from generator.api.schema import schema_files
    from generator.history.events import History

    project = build.get("@catalog")
    history = build.get("@history") or History()
    builder = ApiBuilder(project.catalog, history, timeline(build), build.site_url, editions(build),
                         values_digest(build))
    if build.cold or RECORD not in build.before.extra:  # files of unknown origin: none is kept
        shutil.rmtree(build.site_dir / ROOT, ignore_errors=True)
    before = {} if build.cold else dict(build.before.extra.get(RECORD, {}))
    after: dict[str, str] = {}
    # What every item file is made from besides its own inputs: the code, the configuration (field
    # types, enum wording, departments), the site's address.
    context = build.runner.inputs_key("api-items", ("site_config.yml", "option:site_url"))
    schemas = [ApiFile(rel, lambda d=data: d) for rel, data in schema_files().items()]
    site = str(build.site_dir)
    for file in [*schemas, *builder.files()]:
        data = None
        if file.inputs is None:
            data = file.make()
            key = digest(data)
        else:
            key = digest(context, file.inputs)
        after[file.path] = key
        # os.path on a string: a tenth of pathlib's cost, 10,000 times in a one-item rebuild
        if build.cold or before.get(file.path) != key or not os.path.exists(f"{site}/{file.path}"):
            write_file(f"{site}/{file.path}", data if data is not None else file.make())
    for rel in set(before) - set(after):
        (build.site_dir / rel).unlink(missing_ok=True)
    build.after.extra[RECORD] = after


STEP = Step("api", ("@catalog", "@history", "@timeline", "@item_digests", "git", "site_config.yml", "option:as_of", "option:site_url"),
            (ROOT,), run, "the static JSON API: index, one file per list and per item, their schemas",
            serve="after")
