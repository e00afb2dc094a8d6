"""Page shells: one MkDocs-rendered page per URL depth, split around placeholder tokens.

Item and department pages (up to 100,000 of them) are not MkDocs pages: rendering Material's
template for each would cost seconds per thousand pages. Instead MkDocs renders one shell page at
the same depth (so every relative link in the theme is right), and each page is the shell with
its title, meta tags and body put in the gaps.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from generator.render.pages import Page, root_prefix
from generator.search import published_body

SHELL_DIR = "_qingdan_shell"
TITLE = "QDSHELLTITLEQD"
META = '<meta name="qd-shell-meta" content="QDSHELLMETAQD">'
CANONICAL_TOKEN = "QDSHELLCANONICALQD"
SHELL_CANONICAL = f"https://shell.invalid/{CANONICAL_TOKEN}"
CRUMBS = "QDSHELLCRUMBSQD"
PATH = "QDSHELLPATHQD"  # the page's path from the site root (its 繁體 copy's link: partials/qd-counterpart.html)
DESCRIPTION = "QDSHELLDESCRIPTIONQD"  # the shell stub's front-matter description: <meta name="description">
BODY_START, BODY_END = "<!--QDSHELL-BODY-START-->", "<!--QDSHELL-BODY-END-->"
# Around the pre-rendered body of a nav page, so that a preview can replace it in place.
NAV_BODY_START, NAV_BODY_END = "<!--qd-body-->", "<!--/qd-body-->"

_TOKENS = re.compile(
    "|".join(re.escape(t) for t in (META, SHELL_CANONICAL, CRUMBS, PATH, DESCRIPTION, TITLE))
    + "|" + re.escape(BODY_START) + ".*?" + re.escape(BODY_END),
    re.DOTALL,
)


def shell_body() -> str:
    return f"{BODY_START}<h1>{TITLE}</h1>{BODY_END}"


def shell_path(depth: int) -> str:
    """Source path of the shell stub whose URL has `depth` segments."""
    return "/".join([SHELL_DIR] + [f"d{depth}"] * (depth - 1)) + "/index.md"


# Material's templates indent heavily; a run of whitespace holding a line break renders like one
# line break (the shell has no <pre> or <textarea>), and it is a third of an item page's chrome.
_BLANK = re.compile(r"[ \t\r]*\n\s*")


# What a shell page never uses: the generator's version, and Material's script that opens the
# content tab named in the URL (item and department pages have no tabs). 210 bytes a page. And
# Material's mount points it fills only on other pages: the drawer's overlay (a shell page has no
# drawer, only the header menu), the skip link of a table of contents, the announcement bar, and
# the dialog for "copied to clipboard" (no code blocks). Its bundle finds each of them by a query
# that may come back empty; only the two toggles must stay. 220 bytes a page.
_UNUSED = re.compile(r'<meta name="generator" [^>]*>\n?'
                     r'|<script>var target=document\.getElementById\(location\.hash\.slice\(1\)\);'
                     r'[^<]*__tabbed_[^<]*</script>\n?'
                     r'|<label class="md-overlay" for="__drawer"></label>\n?'
                     r'|<div data-md-component="(?:skip|announce)">\s*</div>\n?'
                     r'|<div class="md-dialog" data-md-component="dialog">\s*<div class="md-dialog__inner md-typeset">'
                     r'\s*</div>\s*</div>\n?')


# A line break before a block-level or head element renders as nothing (whitespace between
# blocks makes no box): about 70 bytes of every shell page. Not before inline elements (spans,
# links, buttons), where it renders as a space.
_BLOCK_BREAK = re.compile(r"\n(?=</?(?:html|head|body|title|meta|link|script|header|nav|main|footer|div|p)[ >])")


def compact(text: str) -> str:
    return _BLOCK_BREAK.sub("", _UNUSED.sub("", _BLANK.sub("\n", text)))


def crumb_links(crumbs: list[tuple[str, str]], root: str) -> str:
    """Breadcrumb links (label, path from the site root) for a page whose root prefix is `root`."""
    return " › ".join(f'<a href="{root}{html.escape(path)}">{html.escape(label)}</a>' for label, path in crumbs)


def replace_nav_body(text: str, body: str) -> str | None:
    """A nav page's HTML with its body replaced; None when the page has no marked body."""
    start, end = text.find(NAV_BODY_START), text.rfind(NAV_BODY_END)
    if start < 0 or end < start:
        return None
    return text[: start + len(NAV_BODY_START)] + body + text[end:]


def meta_tags(meta: dict[str, str]) -> str:
    return "".join(
        f'<meta name="{html.escape(k)}" content="{html.escape(v)}">' for k, v in sorted(meta.items())
    )


def head_tags(page: Page) -> str:
    """What a shell page adds to its <head>: its portal meta tags, and a link to its own feed.

    The feed link is rel="alternate feed", as the site's (generator/theme/main.html): Material takes
    every bare rel="alternate" for a language version and fetches the whole sitemap.xml to resolve
    it. Its address goes through the site root, so the 繁體 copy links the same feed file."""
    tags = meta_tags(page.meta)
    if page.feed is not None:
        href = root_prefix(page.path) + page.feed.path
        tags += (f'<link rel="alternate feed" type="application/atom+xml" title="{html.escape(page.feed.title)}"'
                 f' href="{html.escape(href)}">')
    return tags


def page_html(shell_by_depth: dict[int, Shell], page: Page, site_url: str) -> str:
    """A shell page as published: its shell at its depth filled with the page (one home for the
    build and the preview)."""
    crumbs = crumb_links(page.crumbs or [("首页", "")], root_prefix(page.path))
    return shell_by_depth[page.depth].fill(page.title, page.body, page.meta, site_url + page.path, crumbs,
                                            page.path, page.description, head=head_tags(page))


@dataclass
class Shell:
    """A shell split into literal parts and the token that follows each part."""

    parts: list[str]
    tokens: list[str]
    site_description: str = ""  # for a page without a description of its own

    @classmethod
    def parse(cls, text: str, site_description: str = "") -> Shell:
        parts, tokens, last = [], [], 0
        for match in _TOKENS.finditer(text):
            parts.append(compact(text[last:match.start()]))
            token = match.group(0)
            tokens.append("BODY" if token.startswith(BODY_START) else token)
            last = match.end()
        parts.append(compact(text[last:]))
        if "BODY" not in tokens:
            raise ValueError("shell page has no body placeholder")
        return cls(parts, tokens, site_description)

    def fill(self, title: str, body: str, meta: dict[str, str], canonical: str, crumbs: str = "",
             path: str = "", description: str = "", head: str | None = None) -> str:
        """The published page: the body as visitors get it (search.published_body) in the shell.
        head: what goes where the meta tags go (head_tags), when more than the meta tags."""
        values = {
            CRUMBS: crumbs,
            PATH: html.escape(path),
            DESCRIPTION: html.escape(description or self.site_description),
            TITLE: html.escape(title),
            META: meta_tags(meta) if head is None else head,
            SHELL_CANONICAL: html.escape(canonical),
            "BODY": published_body(body),
        }
        return self.assemble(values)

    def assemble(self, values: dict[str, str]) -> str:
        """The shell with each token's value in its gaps."""
        out = [self.parts[0]]
        for token, part in zip(self.tokens, self.parts[1:], strict=True):
            out.append(values[token])
            out.append(part)
        return "".join(out)
