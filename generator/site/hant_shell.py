"""The 繁體 view's page shells: each depth's shell converted once, not once per page.

A page is its shell (about 6 KB of theme, the same on every page of a depth) with the page's title,
meta tags, breadcrumb and body in its gaps. Converting the filled page costs a pass of OpenCC over
all of it, for every page; here the shell is converted once per depth and only what fills its gaps
is converted per page, each gap the way the whole page's conversion would treat it there (kept,
the site's own words, or published text). tests/test_hant_shell.py checks that every page comes
out byte for byte as the whole page's conversion writes it.
"""

from __future__ import annotations

import html

from generator import traditional
from generator.render.pages import Page, root_prefix
from generator.search import published_body
from generator.site import shell as shells


def _source(shell: shells.Shell) -> str:
    """The shell page as MkDocs wrote it (compacted), tokens in place."""
    out = [shell.parts[0]]
    for token, part in zip(shell.tokens, shell.parts[1:], strict=True):
        out.append(shells.BODY_START + shells.BODY_END if token == "BODY" else token)
        out.append(part)
    return "".join(out)


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in spans)


class HantShell:
    """One depth's shell in the 繁體 view, with how each gap's value is converted."""

    def __init__(self, shell: shells.Shell, depth: int, converter: traditional.PageConverter) -> None:
        text = _source(shell)
        page_dir = "/".join(["d"] * depth)  # any folder at this depth: the shell's links are relative
        self.converter = converter
        self.source = shell
        converted = converter.page(text, page_dir)
        # Where each gap is decides how its value is converted (the conversion adds gaps: the note
        # and the link back name the page's path).
        kept = traditional.protected_spans(converted)
        chrome = list(traditional._element_spans(converted, traditional.CHROME))
        self.how: list[str] = []
        for match in shells._TOKENS.finditer(converted):
            at = match.start()
            self.how.append("keep" if _inside(kept, at) else "chrome" if _inside(chrome, at) else "text")
        self.shell = shells.Shell.parse(converted, shell.site_description)
        # The Chinese characters of the shell in both scripts, for the script map: a page's are
        # these and those of what fills it.
        self.chars = (traditional.han_chars("".join(shell.parts)), traditional.han_chars("".join(self.shell.parts)))

    def fill(self, page: Page, site_url: str) -> str:
        return self.fill_both(page, site_url)[1]

    def fill_both(self, page: Page, site_url: str) -> tuple[str, str, set[str], set[str]]:
        """The Simplified page (what shell.page_html gives), its 繁體 page, and the Chinese
        characters of each: what fills the gaps is made once for both."""
        page_dir = page.path.rstrip("/")
        values: dict[str, str] = {
            shells.CRUMBS: shells.crumb_links(page.crumbs or [("首页", "")], root_prefix(page.path)),
            shells.PATH: html.escape(page.path),
            shells.DESCRIPTION: html.escape(page.description or self.shell.site_description),
            shells.TITLE: html.escape(page.title),
            shells.META: shells.head_tags(page),
            shells.SHELL_CANONICAL: html.escape(site_url + page.path),
            "BODY": published_body(page.body),
        }
        # Every gap's pieces into one batch: each converter is called once for the page.
        batch = self.converter.batch(chars=True)
        batch.add(traditional.KEEP, self.shell.parts[0], counted=False)
        for token, how, part in zip(self.shell.tokens, self.how, self.shell.parts[1:], strict=True):
            value = values[token]
            if token == shells.SHELL_CANONICAL:
                if not value.isascii():
                    batch.count(value)
                batch.add(traditional.KEEP, self.converter.link(value, page_dir))
            elif token == shells.PATH or how == "keep":
                batch.add(traditional.KEEP, value)
            elif how == "chrome":
                self.converter.add_words(batch, value)
            else:
                self.converter.add_text(batch, value, page_dir)
            batch.add(traditional.KEEP, part, counted=False)
        text = batch.result()
        hans, hant = batch.found or (set(), set())
        return self.source.assemble(values), text, hans | self.chars[0], hant | self.chars[1]


def hant_shells(by_depth: dict[int, shells.Shell], converter: traditional.PageConverter) -> dict[int, HantShell]:
    return {depth: HantShell(shell, depth, converter) for depth, shell in by_depth.items()}

