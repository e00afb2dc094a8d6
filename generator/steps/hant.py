"""Step `hant`: the rest of the 繁體 view. Pages are converted as they are written (the pages step);
here the pages only MkDocs renders (content/, 404), Qingdan's own assets, and the script map that
lets a search typed in one script find pages of the other."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from generator import traditional
from generator.steps.pages import write_file
from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    config = build.get("@catalog").config
    variant = config.traditional_variant
    if not variant:
        return
    site = traditional.site_phrases(config.traditional_phrases)
    converter = traditional.PageConverter(variant, build.site_url, site)
    hant_root = build.site_dir / traditional.HANT_DIR
    written = []
    simplified, converted = (set(chars) for chars in build.after.extra.get("chars", ["", ""]))
    for rel in ["404.html", *(c[: -len(".md")] + "/index.html" for c in build.get("@content_pages"))]:
        source = build.site_dir / rel
        if source.exists():
            text = source.read_text(encoding="utf-8")
            hant = converter.page(text, posixpath.dirname(rel))
            write_file(hant_root / rel, hant)
            written.append(f"{traditional.HANT_DIR}/{rel}")
            simplified.update(text)
            converted.update(hant)
    for asset in sorted((build.site_dir / traditional.OWN_ASSETS).glob("*")):
        write_file(hant_root / traditional.OWN_ASSETS / asset.name, converter.chrome(asset.read_text(encoding="utf-8")))
        written.append(f"{traditional.HANT_DIR}/{traditional.OWN_ASSETS}{asset.name}")
    write_file(build.site_dir / traditional.SCRIPT_MAP, traditional.script_map(variant, simplified, converted, site))
    build.owns(STEP.name, [*written, traditional.SCRIPT_MAP])


STEP = Step("hant", ("@shells", "@content_pages", "@page_paths", "site_config.yml"), (traditional.SCRIPT_MAP,),
            run, "the 繁體 view of content/ pages, 404 and assets; the cross-script search map", serve="after")
