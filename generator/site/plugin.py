"""MkDocs plugin: puts pre-rendered bodies into stub pages and marks shell pages.

`qingdan build` writes one small Markdown stub per nav page and one "shell" page per URL depth;
this plugin swaps each stub's body for the HTML Qingdan rendered, so MkDocs never parses list
data as Markdown.
"""

from __future__ import annotations

from mkdocs.plugins import BasePlugin

from generator.site.shell import NAV_BODY_END, NAV_BODY_START, SHELL_CANONICAL, SHELL_DIR, shell_body


class QingdanPlugin(BasePlugin):
    def __init__(self) -> None:
        super().__init__()
        self.fragments: dict[str, str] = {}  # src_uri of a stub → its rendered body

    def on_page_content(self, html, page, config, files):  # noqa: ARG002 - MkDocs hook signature
        src = page.file.src_uri
        if src.startswith(SHELL_DIR + "/"):
            return shell_body()
        fragment = self.fragments.get(src)
        return html if fragment is None else f"{NAV_BODY_START}{fragment}{NAV_BODY_END}"

    def on_page_context(self, context, page, config, nav):  # noqa: ARG002
        if page.file.src_uri.startswith(SHELL_DIR + "/"):
            page.canonical_url = SHELL_CANONICAL
        return context
