"""Step `manifest`: every file's SHA-256 and size, and what the site was built from: what
`qingdan publish` compares and verifies (a root and its parts, generator/publish/manifest.py). A
file the previous build already hashed (the same file, hard-linked into this build) is not read
again, and a part whose files did not change is kept as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    from generator.publish.manifest import provenance, write_manifest

    project = build.get("@catalog")
    known = {} if build.cold else build.before.extra.get("hashes", {})
    manifest, hashes = write_manifest(
        build.site_dir, provenance(project.root, project.config.lists_dir, build.get("@history"),
                                   build.options.history), known=known)
    build.after.extra["hashes"] = hashes


STEP = Step("manifest", ("*",), ("qingdan-manifest.json", "qingdan-manifest/"), run,
            "every file's SHA-256 and size, and the commit built", serve="never")
