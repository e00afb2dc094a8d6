"""Step `hant`: the rest of the 繁體 view. Pages are converted as they are written (the pages step);
here the pages only MkDocs renders (content/, 404), Qingdan's own assets, and the script map that
lets a search typed in one script find pages of the other."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from generator import traditional
from generator.site.mkdocs_shell import content_path
from generator.steps.sitefiles import write_file
from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    config = build.get("@catalog").config
    variant = config.traditional_variant
    if not variant:
        return
    converter = traditional.page_converter(variant, build.site_url, traditional.site_phrases(config.traditional_phrases))
    chars = build.get("@script_chars")
    written = []
    for rel in ["404.html", *(content_path(c) + "index.html" for c in build.get("@content_pages"))]:
        source = build.site_dir / rel
        if source.exists():
            text = source.read_text(encoding="utf-8")
            hant = converter.page(text, posixpath.dirname(rel))
            write_file(build.site_dir / traditional.hant_path(rel), hant)
            written.append(traditional.hant_path(rel))
            chars.add(text, hant, transient=True)  # converted again on every run
    written += [traditional.hant_path(traditional.OWN_ASSETS + a.name)
                for a in (build.site_dir / traditional.OWN_ASSETS).glob("*")]
    traditional.write_assets(build.site_dir, variant, config.traditional_phrases)
    traditional.write_script_map(build.site_dir, chars)
    build.owns(STEP.name, written)


STEP = Step("hant", ("@shells", "@content_pages", "@page_paths", "@script_chars", "site_config.yml"),
            (traditional.SCRIPT_MAP,),
            run, "the 繁體 view of content/ pages, 404 and assets; the cross-script search map", serve="after")
