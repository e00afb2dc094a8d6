"""Step `manifest`: every file's SHA-256 and size, and what the site was built from: what
`qingdan publish` compares and verifies (a root and its parts, generator/publish/manifest.py). A
folder whose time is the one the previous build recorded is not listed again, a file the previous
build already hashed (the same file, hard-linked into this build) is not read again, and a part
whose files did not change is kept as it was: after a one-item edit, the folders the steps wrote
into are listed, not the 43,000 files of a site of 10,000 items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    from generator.publish.manifest import provenance, write_manifest

    project = build.get("@catalog")
    known = {} if build.cold else build.before.extra.get(RECORD, {})
    manifest, record = write_manifest(
        build.site_dir, provenance(project.root, project.config.lists_dir, build.get("@history"),
                                   build.options.history), known=known)
    build.after.extra.pop("hashes", None)  # the record before folders were kept
    build.after.extra[RECORD] = record


RECORD = "manifest"  # Build.after.extra[RECORD]: write_manifest's record of every folder and file


STEP = Step("manifest", ("*",), ("qingdan-manifest.json", "qingdan-manifest/"), run,
            "every file's SHA-256 and size, and the commit built", serve="never")
