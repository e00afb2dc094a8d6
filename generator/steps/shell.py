"""Step `shell`: MkDocs + Material → the theme's assets, the nav pages' frames, the content/ pages
and one shell per URL depth (generator/site/mkdocs_shell.py).

It reruns only when what MkDocs is given changes: the nav (generator/steps/nav.py, keyed by value),
mkdocs.yml, content/, templates/ (theme overrides), the configuration and the site address. The
shells are stored with the build record, so a build after a list edit does not run MkDocs at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from generator.site import mkdocs_shell
from generator.site import shell as shells
from generator.steps.step import BuildError, Step

if TYPE_CHECKING:
    from generator.steps.runner import Build

# MkDocs writes a sitemap of the few pages it renders; the sitemap step writes the whole one.
_NOT_MKDOCS = ("sitemap.xml", "sitemap.xml.gz")


def run(build: Build) -> None:
    project = build.get("@catalog")
    nav = build.get("@nav")
    work = build.staging_path("mkdocs")
    docs, out = work / "docs", work / "site"
    docs.mkdir()
    content = mkdocs_shell.content_pages(project.root / "content", docs)
    fragments = {}
    for path, title, meta, feed in nav["pages"]:
        source = (path + "index.md") if path else "index.md"
        (docs / source).parent.mkdir(parents=True, exist_ok=True)
        (docs / source).write_text(mkdocs_shell.stub_markdown(title, meta, feed=feed), encoding="utf-8")
        fragments[source] = "<h1></h1>"  # the pages step puts each nav page's body in (Material adds
        # its own <h1> to a page without one)
    for depth in nav["depths"]:
        source = docs / shells.shell_path(depth)
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(mkdocs_shell.stub_markdown(shells.TITLE, {}, shell=True), encoding="utf-8")
    tree = mkdocs_shell.nav_tree(project, content, nav["extra"])
    theme = mkdocs_shell.theme_dir(project.root, work)
    try:
        mkdocs_shell.mkdocs_build(project, docs, out, theme, tree, fragments, build.site_url,
                                  feeds=build.get("@history") is not None)
    except mkdocs_shell.MkDocsError as exc:
        raise BuildError(str(exc)) from exc
    mkdocs_shell.prune_theme_assets(out)
    by_depth = mkdocs_shell.read_shells(out, set(nav["depths"]), project.config.portal.description)
    for name in _NOT_MKDOCS:
        (out / name).unlink(missing_ok=True)
    written = []
    for folder, _dirs, files in os.walk(out):
        for name in files:
            source = Path(folder) / name
            rel = source.relative_to(out).as_posix()
            target = build.site_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            written.append(rel)
    build.owns(STEP.name, [w for w in written if not _is_nav_frame(w, nav)])
    build.put("@shell_search_parts", _content_documents(build, content))
    build.put("@shells", by_depth)
    build.put("@content_pages", content)
    build.after.extra["shells"] = {str(d): [s.parts, s.tokens, s.site_description] for d, s in by_depth.items()}
    build.after.extra["content_pages"] = content


def _content_documents(build: Build, content: list[str]) -> list[str]:
    """content/ pages are searched whole (there are few): their search documents, and the parts
    of the index they changed."""
    from generator import search
    from generator.steps.search_index import document_store

    store = document_store(build)
    for source in sorted(set(build.before.extra.get("content_pages", [])) - set(content)):  # removed
        store.put(mkdocs_shell.content_path(source), None)
    for source in content:
        path = mkdocs_shell.content_path(source)
        page = build.site_dir / path / "index.html"
        text = page.read_text(encoding="utf-8") if page.exists() else ""
        store.put(path, text if search.INDEXED in text else None)
    store.flush()
    return sorted(store.changed)


def _is_nav_frame(rel: str, nav: dict) -> bool:
    """A nav page's file belongs to the pages step once it is filled (it removes what vanished)."""
    return any(rel == (entry[0] + "index.html") for entry in nav["pages"])


def restore(build: Build) -> bool:
    stored = build.before.extra.get("shells")
    if stored is None or "content_pages" not in build.before.extra:
        return False
    build.put("@shells", {int(d): shells.Shell(parts, tokens, desc) for d, (parts, tokens, desc) in stored.items()})
    build.put("@content_pages", build.before.extra["content_pages"])
    build.put("@shell_search_parts", [])
    build.after.extra["shells"], build.after.extra["content_pages"] = stored, build.before.extra["content_pages"]
    return True


STEP = Step("shell", ("@nav", "mkdocs.yml", "content/", "templates/", "site_config.yml", "option:site_url",
                      "option:history"),
            ("@shells", "@content_pages", "@shell_search_parts", "@document_store", "assets/", "404.html"), run,
            "MkDocs + Material: theme assets, nav page frames, content/ pages, one page shell per URL depth",
            restore=restore)
