"""The 繁體 view: every page of the built site, converted to Traditional Chinese under zh-Hant/.

The Simplified page is the official text. Each Traditional page is a derived view: it says so at
the top and links to its Simplified page, and the header switch leads back and forth (the choice
is remembered in the browser: generator/theme/main.html).

Conversion is OpenCC's phrase-level conversion (发现 → 發現 but 头发 → 頭髮), in the character
standard the site chooses (`traditional: variant:` in site_config.yml), under a dictionary of
government and legal phrases OpenCC gets wrong (换发 → 換發, not 換髮: PhraseConverter). OpenCC changes only Chinese
characters, so digits, Latin letters and markup are untouched. Some things are not converted at
all, because they are identifiers rather than text: an element marked translate="no" (item codes,
the ICP and 公安 record numbers), the portal meta tags that name the registered site, and the path
of every link. Links to pages stay inside zh-Hant/; links to files (theme assets, downloads,
feeds) go to the one shared copy. Qingdan's own scripts and styles carry words a visitor reads, so
they get converted copies.

Search: one index serves both scripts. A 繁體 page's search.js searches the Simplified index at
the site's root: it converts the query to Simplified (a Simplified query typed there finds results
too), leads results to zh-Hant/ and shows their names and excerpts in Traditional, all with the
table of assets/script-map.json (SCRIPT_MAP). A second Pagefind index over converted documents
cost as much as the first (and jieba, whose dictionary is Simplified, cut Traditional text into odd
words); the table costs a 繁體 visitor one small download.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

HANT_DIR = "zh-Hant"
# Copied converted into zh-Hant/ (the words of qingdan.js, search.js and the print styles);
# every other asset is shared.
OWN_ASSETS = "assets/qingdan/"
# Not pages: never converted, never copied.
SKIPPED_DIRS = ("assets/", "downloads/", "pagefind/", "_qingdan_shell/")


@dataclass(frozen=True)
class Variant:
    opencc_config: str  # OpenCC's conversion: Simplified → this standard, phrase by phrase
    lang: str  # the Traditional pages' <html lang>
    label: str  # in messages and docs


VARIANTS = {
    "tw": Variant("s2tw", "zh-Hant-TW", "台湾用字"),
    "hk": Variant("s2hk", "zh-Hant-HK", "香港用字"),
    "plain": Variant("s2t", "zh-Hant", "通用繁体字"),
}
DEFAULT_VARIANT = "plain"

# The note at the top of every Traditional page (converted with the page's own variant).
NOTE = ('<p class="qd-hant-note" role="note">本页由简体中文页面自动转换为繁体字，仅供阅读参考；'
        '内容以<a href="{href}" data-qd-script="hans">简体中文页面</a>为准。</p>')
MAIN_START = 'id="qd-main" tabindex="-1">'

# What conversion leaves alone (see the module docstring): found by literal search, which is
# several times faster over a whole site than one regular expression with alternatives.
_KEEP_ELEMENT = 'translate="no"'
_KEEP_TAG = '<meta name="Site'  # SiteName, SiteDomain, SiteIDCode
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
_NON_ASCII_LINK = re.compile(r'(?:href|src)="[\x00-\x21\x23-\x7f]*+[^"\x00-\x7f][^"]*"')
_SWITCH = re.compile(r'<a [^<>]*data-qd-script="hant"[^<>]*>.*?</a>', re.DOTALL)
_SWITCH_HREF = re.compile(r'href="([^"]*)"')
_COUNTERPART_META = re.compile(r'<meta name="qd-counterpart"[^<>]*>')
_HTML_LANG = re.compile(r'<html lang="[^"]*"')


def rewrite_links(html: str, rewrite: Callable[[str], str]) -> str:
    """`html` with the value of every href="…" and src="…" rewritten: what a regular expression
    for either would do, by literal search (twice as fast: a page is long, its links few)."""
    out: list[str] = []
    last = 0
    href, src = html.find('href="'), html.find('src="')
    while href >= 0 or src >= 0:
        start = href + 6 if src < 0 or 0 <= href < src else src + 5
        end = html.find('"', start)
        if end < 0:  # no value ends: nor does any later one
            break
        out += (html[last:start], rewrite(html[start:end]))
        last = end
        if 0 <= href <= end:
            href = html.find('href="', end + 1)
        if 0 <= src <= end:
            src = html.find('src="', end + 1)
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of what is not converted: elements marked translate="no" (with what they
    hold), the portal's site meta tags, and link attributes that hold Chinese characters."""
    spans = [(m.start(), m.end()) for m in _NON_ASCII_LINK.finditer(text)]
    for marker in (_KEEP_ELEMENT, _KEEP_TAG):
        at = text.find(marker)
        while at >= 0:
            opening = text.rfind("<", 0, at + 1)
            end = text.find(">", at) + 1
            if marker == _KEEP_ELEMENT:
                tag = _TAG_NAME.match(text, opening + 1)
                close = text.find(f"</{tag.group(0)}>", end) if tag else -1
                end = close + len(tag.group(0)) + 3 if tag and close >= 0 else end
            spans.append((opening, end))
            at = text.find(marker, end)
    spans.sort()
    return spans


# Government and legal phrases OpenCC converts wrongly (换发 → 換髮, 抵押注销 → 抵押注銷: it reads
# 押注 as one word), with their right Traditional form: one home, generator/defaults/traditional_phrases.yml.
PHRASES_FILE = Path(__file__).parent / "defaults" / "traditional_phrases.yml"


@cache
def phrases() -> dict[str, str]:
    """简体 phrase → its Traditional form, for every variant (the characters are standard ones)."""
    import yaml

    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


class PhraseConverter:
    """OpenCC's conversion with our phrases first: where a phrase of the dictionary occurs, its
    Traditional form is written and OpenCC converts only the text between, so it cannot read a
    word across the phrase's edge (押注 in 抵押注销, 并发 in 并发布; laying the phrases over
    OpenCC's whole text would keep that second error)."""

    def __init__(self, opencc_config: str, table: dict[str, str]) -> None:
        import opencc

        self.opencc = opencc.OpenCC(opencc_config).convert
        self.table = table
        # One pattern, longest phrase first: the regular expression engine tries the phrases only
        # where one could start, where a literal search per phrase reads the whole text each time
        # (seven times slower on a page, for a few dozen phrases).
        longest_first = sorted(table, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, longest_first))) if table else None
        # Batch may convert a page line by line (ASCII lines kept) when no phrase could reach
        # across a line break or change a line of ASCII only (OpenCC's phrases cannot).
        self.by_runs = not any("\n" in p or p.isascii() for p in table)
        self.memo = Memo()

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return self.opencc(text)
        out: list[str] = []
        last = 0
        for m in self.pattern.finditer(text):
            out.append(self.opencc(text[last:m.start()]))
            out.append(self.table[m.group(0)])
            last = m.end()
        if not out:  # no phrase of ours in it
            return self.opencc(text)
        out.append(self.opencc(text[last:]))
        return "".join(out)


class Memo(dict[str, tuple[str, str, str]]):
    """Lines of text already converted (Batch), with their Chinese characters and those of what
    they became;
    forgotten past MEMO_RUNS: a build meets each label, department and law again and again, and
    most other text once."""

    def __setitem__(self, key: str, value: tuple[str, str, str]) -> None:
        if len(self) >= MEMO_RUNS:
            self.clear()
        super().__setitem__(key, value)


MEMO_RUNS = 200_000


SitePhrases = tuple[tuple[str, str], ...]  # a site's own phrases (`traditional: phrases:`), hashable


def site_phrases(extra: Mapping[str, str] | None) -> SitePhrases:
    return tuple(sorted((extra or {}).items()))


@cache
def converter(variant: str, site: SitePhrases = ()) -> Callable[[str], str]:
    """Legal and published text: OpenCC under our phrases and the site's own (which win)."""
    return PhraseConverter(VARIANTS[variant].opencc_config, {**phrases(), **dict(site)})


CHROME_FILE = Path(__file__).parent / "defaults" / "traditional_chrome.yml"
CHROME = "data-qd-chrome"  # marks an element of the templates whose words are the site's own


@cache
def chrome_converter(variant: str, site: SitePhrases = ()) -> Callable[[str], str]:
    """The conversion of the site's own words: the variant's vocabulary (信息 → 資訊 in Taiwan) over
    the legal text's conversion (see defaults/traditional_chrome.yml for why not OpenCC's s2twp)."""
    import yaml

    vocabulary = (yaml.safe_load(CHROME_FILE.read_text(encoding="utf-8")) or {}).get(variant) or {}
    return PhraseConverter(VARIANTS[variant].opencc_config, {**phrases(), **dict(site), **vocabulary})


# What a piece of a page is (Batch): kept as it is, published text, or the site's own words.
KEEP, TEXT, WORDS = 0, 1, 2


def _unprotected_pieces(text: str, how: int) -> Iterator[tuple[int, str]]:
    """`text` in pieces: its protected parts (protected_spans) KEEP, the rest `how`."""
    last = 0
    for start, end in protected_spans(text):
        if start < last:  # inside a span already kept
            continue
        yield how, text[last:start]
        yield KEEP, text[start:end]
        last = end
    yield how, text[last:]


def _element_spans(text: str, marker: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each element whose opening tag holds `marker`, with what it holds."""
    at = text.find(marker)
    while at >= 0:
        opening = text.rfind("<", 0, at + 1)
        end = text.find(">", at) + 1
        tag = _TAG_NAME.match(text, opening + 1)
        close = text.find(f"</{tag.group(0)}>", end) if tag else -1
        end = close + len(tag.group(0)) + 3 if tag and close >= 0 else end
        yield opening, end
        at = text.find(marker, end)


def _page_pieces(text: str) -> Iterator[tuple[int, str]]:
    """`text` in pieces: protected parts KEEP, data-qd-chrome elements WORDS, the rest TEXT."""
    last = 0
    for start, end in _element_spans(text, CHROME):
        yield from _unprotected_pieces(text[last:start], TEXT)
        yield from _unprotected_pieces(text[start:end], WORDS)
        last = end
    yield from _unprotected_pieces(text[last:], TEXT)


# Joins the pieces of one batch: no dictionary phrase holds it (nor may YAML text), so OpenCC,
# which matches phrases left to right, converts each piece as it would alone.
_SEPARATOR = "\x1f"


def convert_each(convert: Callable[[str], str], texts: list[str]) -> list[str]:
    """Each of `texts` converted, with one call: a call costs more than most pieces of a page."""
    if len(texts) < 2:
        return [convert(t) for t in texts]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) == len(texts) - 1:
        out = convert(joined).split(_SEPARATOR)
        if len(out) == len(texts):
            return out
    return [convert(t) for t in texts]  # a text holds the separator


class Batch:
    """The pieces of one page, in order, converted together when the page is done (`result`).

    A PhraseConverter's piece is cut into lines: a line of ASCII only is kept as it is (OpenCC
    changes only Chinese characters, and a third of a page's text is markup alone), and a line met
    before (a label, a department, a law cited by many items) is converted once per build (its
    `memo`): two thirds of the text an item page converts. Lines, not smaller runs: cutting costs
    more per cut than OpenCC costs per character.

    chars: gather the Chinese characters of the pieces and of the result (`found`) for the script
    map, from the memo's lines and from the pieces added as `counted` (HantShell leaves its own
    parts out)."""

    def __init__(self, convert: Callable[[str], str], chrome: Callable[[str], str], chars: bool = False) -> None:
        self.converters = (convert, chrome)
        self.parts: list[str] = []
        self.pending: tuple[list[int], list[int]] = ([], [])  # where TEXT and WORDS pieces are
        self.found: tuple[set[str], set[str]] | None = (set(), set()) if chars else None

    def add(self, how: int, piece: str, counted: bool = True) -> None:
        convert = self.converters[how - 1] if how != KEEP and piece else None
        if convert is None or piece.isascii() and isinstance(convert, PhraseConverter) and convert.by_runs:
            self.parts.append(piece)
            if counted and self.found is not None and not piece.isascii():
                self.count(piece)
        elif isinstance(convert, PhraseConverter) and convert.by_runs:
            self._add_lines(convert.memo, self.pending[how - 1], piece)
        else:
            self.pending[how - 1].append(len(self.parts))
            self.parts.append(piece)

    def _add_lines(self, memo: Memo, pending: list[int], piece: str) -> None:
        parts, found = self.parts, self.found
        for i, line in enumerate(piece.split("\n")):
            if i:
                parts.append("\n")
            if line.isascii():
                parts.append(line)
                continue
            done = memo.get(line)
            if done is None:
                pending.append(len(parts))
                parts.append(line)
            else:
                parts.append(done[0])
                if found is not None:
                    found[0].update(done[1])
                    found[1].update(done[2])

    def count(self, text: str) -> None:
        """Chinese characters of the page in both scripts (a piece kept, a link before it was
        rewritten: its characters are those of the rewritten link and more)."""
        if self.found is not None:
            chars = han_chars(text)
            self.found[0].update(chars)
            self.found[1].update(chars)

    def extend(self, pieces: Iterable[tuple[int, str]]) -> None:
        for how, piece in pieces:
            self.add(how, piece)

    def result(self) -> str:
        parts, found = self.parts, self.found
        for convert, at in zip(self.converters, self.pending, strict=True):
            texts = [parts[i] for i in at]
            memo = convert.memo if isinstance(convert, PhraseConverter) and convert.by_runs else None
            for i, text, converted in zip(at, texts, convert_each(convert, texts), strict=True):
                parts[i] = converted
                if memo is not None or found is not None:
                    # As strings: a memo of many small sets costs the garbage collector dearly.
                    chars = ("".join(han_chars(text)), "".join(han_chars(converted)))
                    if memo is not None:
                        memo[text] = (converted, *chars)
                    if found is not None:
                        found[0].update(chars[0])
                        found[1].update(chars[1])
        return "".join(parts)


def convert_unprotected(text: str, convert: Callable[[str], str]) -> str:
    """`text` converted except its protected parts (protected_spans), which stay as they are."""
    batch = Batch(convert, convert)
    batch.extend(_unprotected_pieces(text, TEXT))
    return batch.result()


def simplified_counterpart(hant_href: str) -> str:
    """A Simplified page's link to its Traditional page, as seen from that Traditional page.

    The link is the path to the site root, then zh-Hant/ and the page; seen from inside zh-Hant/
    the same root path leads to zh-Hant/ itself, so one more step up reaches the Simplified page.
    An absolute link just loses the zh-Hant/ part.
    """
    prefix, _, rest = hant_href.partition(HANT_DIR + "/")
    if prefix.startswith(("/", "http://", "https://")):
        return prefix + rest
    return prefix + "../" + rest


def _is_page(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return path in ("", ".") or path.endswith("/") or last.endswith(".html") or "." not in last or last == ".."


class PageConverter:
    """Converts one Simplified page of the site into its Traditional page."""

    def __init__(self, variant: str, site_url: str, site: SitePhrases = ()) -> None:
        self.variant = VARIANTS[variant]
        self.convert = converter(variant, site)
        self.chrome = chrome_converter(variant, site)
        self.site_url = site_url
        self.root_path = urlsplit(site_url).path or "/"
        self.note = self.chrome(NOTE)
        self._links: dict[tuple[int, str], str] = {}  # link()'s, where the page's own folder is no part of it

    def link(self, url: str, page_dir: str) -> str:
        """A link of the page at `page_dir` (relative to the site root, "" or "power/x/") as the
        same page's Traditional copy must write it."""
        folder = page_dir.strip("/")
        up = folder.count("/") + 1 if folder else 0
        if not url.startswith(("../" * up, "/", "https://", "http://")):
            return self._link(url, page_dir)
        # A link that climbs to the root (or starts there) is written alike on every page as deep:
        # most of a page's links, each worked out once per build.
        key = (up, url)
        done = self._links.get(key)
        if done is None:
            if len(self._links) >= MEMO_RUNS:
                self._links.clear()
            done = self._links[key] = self._link(url, page_dir)
        return done

    def _link(self, url: str, page_dir: str) -> str:
        if not url or url.startswith(("#", "mailto:", "tel:", "data:", "javascript:", "//")):
            return url
        parts = urlsplit(url)
        if (parts.scheme or url.startswith("/")) and not url.startswith((self.site_url, self.root_path)):
            return url  # another site
        query = self._convert_query(parts.query)
        rebuilt = url if query == parts.query else url.replace("?" + parts.query, "?" + query, 1)
        if parts.scheme or url.startswith("/"):
            base = self.site_url if url.startswith(self.site_url) else self.root_path
            rest = rebuilt[len(base):]
            inside = urlsplit(rest).path
            if inside.startswith(HANT_DIR + "/") or not self._stays(inside):
                return rebuilt
            return base + HANT_DIR + "/" + rest
        target = posixpath.normpath(posixpath.join(page_dir, parts.path)) if parts.path else page_dir
        if target.startswith(".."):
            return rebuilt
        if parts.path == "" or self._stays(target + ("/" if parts.path.endswith("/") else "")):
            return rebuilt
        return "../" + rebuilt

    @staticmethod
    def _stays(target: str) -> bool:
        """Whether a link to `target` (a path from the site root) leads inside the Traditional view."""
        if target.startswith(OWN_ASSETS):
            return True
        if target.startswith(SKIPPED_DIRS):
            return False
        return _is_page(target)

    def _convert_query(self, query: str) -> str:
        """A search link's query (?dept=部门名称) names things in the page's own script."""
        if not query:
            return query
        text = unquote(query)
        converted = self.convert(text)
        return query if converted == text else quote(converted, safe="=&+")

    def text(self, html: str, page_dir: str) -> str:
        """Every link rewritten for zh-Hant/; everything but the protected parts converted."""
        batch = self.batch()
        self.add_text(batch, html, page_dir)
        return batch.result()

    def batch(self, chars: bool = False) -> Batch:
        return Batch(self.convert, self.chrome, chars)

    def add_text(self, batch: Batch, html: str, page_dir: str) -> None:
        """text(), into a batch of the page's pieces."""
        def rewrite(url: str) -> str:
            if not url.isascii():
                batch.count(url)
            return self.link(url, page_dir)

        batch.extend(_page_pieces(rewrite_links(html, rewrite)))

    def add_words(self, batch: Batch, html: str) -> None:
        """`html` (inside a data-qd-chrome element) into a batch: all but its protected parts are
        the site's own words."""
        batch.extend(_unprotected_pieces(html, WORDS))

    def page(self, html: str, page_dir: str) -> str:
        """The Traditional page: converted, labelled as derived, switch pointing back."""
        text = self.text(html, page_dir)
        text = _HTML_LANG.sub(f'<html lang="{self.variant.lang}"', text, count=1)
        switch = _SWITCH.search(text)
        if switch is None:
            return text
        href = _SWITCH_HREF.search(switch.group(0))
        back = simplified_counterpart(href.group(1) if href else "")
        text = text[:switch.start()] + (
            f'<a class="qd-a11y__btn qd-script" href="{back}" data-qd-script="hans" hreflang="zh-CN" lang="zh-CN" '
            f'translate="no" title="简体中文（正式文本）">简体</a>'
        ) + text[switch.end():]
        text = _COUNTERPART_META.sub(f'<meta name="qd-counterpart" content="{back}" data-qd-script="hans">',
                                     text, count=1)
        at = text.find(MAIN_START)
        if at >= 0:
            at += len(MAIN_START)
            text = text[:at] + self.note.format(href=back) + text[at:]
        return text


# Search across scripts with one (Simplified) index: search.js on a 繁體 page converts each query
# with "t2s" and shows names and excerpts converted with "phrases" then "s2t"; on a Simplified page
# it fetches the map only when a query finds nothing (typed in Traditional?) and searches again,
# so a first search there costs what it did. Character by character (the dictionary's phrases
# first): enough for a search, and for showing a result; the pages themselves are converted phrase
# by phrase by OpenCC. In assets/ but outside OWN_ASSETS, so the 繁體 view does not convert it.
SCRIPT_MAP = "assets/script-map.json"
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")


def han_chars(text: str) -> set[str]:
    """The Chinese characters of `text`, all the map is made of (cutting the rest out first
    halves the cost: a page is mostly markup)."""
    return set(_NOT_HAN.sub("", text))


_TEXT_NODE = re.compile(r">([^<>]+)<")
# Shorter words of the site's own (搜索) occur in published text too, which keeps its words.
CHROME_MIN = 4


class ScriptChars:
    """What the script map needs of the site's pages, gathered page by page as they are converted
    (`add`): the characters of both scripts, and the site's own words (data-qd-chrome elements:
    其他信息 → 其他資訊 in Taiwan) that its vocabulary writes otherwise than the published text.

    Each character and word is counted by the pages holding it, so that a build which rewrites or
    removes a page (`remove` its old text first) drops what no page holds any more, and the map is
    the one a fresh build makes. The counts of the pages step's pages are kept between builds
    (`state`, `restore`); pages another step converts on every run are added as `transient`."""

    def __init__(self, variant: str, extra_phrases: Mapping[str, str] | None = None) -> None:
        site = site_phrases(extra_phrases)
        self.variant, self.site = variant, site
        self._counts: tuple[Counter[str], Counter[str], Counter[str]] = (Counter(), Counter(), Counter())
        self._transient: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        self._words: dict[str, str | None] = {}  # a site word → its Traditional words (None: not needed)
        self._convert, self._chrome = converter(variant, site), chrome_converter(variant, site)

    def _parts(self, html: str, converted: str) -> tuple[set[str], set[str], set[str]]:
        return han_chars(html), han_chars(converted), self._chrome_texts(html)

    def _chrome_texts(self, html: str) -> set[str]:
        texts = set()
        for start, end in _element_spans(html, CHROME):
            for node in _TEXT_NODE.finditer(html, start, end):
                text = node.group(1).strip()
                if not _HAN.search(text):
                    continue
                texts.add(text)
                self._word(text)
        return texts

    def _word(self, text: str) -> None:
        """Work out once what the map says for one of the site's own words."""
        if text not in self._words:
            words = self._chrome(text)
            # Only a conversion that keeps the length: search.js highlights by position.
            keep = words != self._convert(text) and len(words) == len(text) >= CHROME_MIN
            self._words[text] = words if keep else None

    def add(self, html: str, converted: str, transient: bool = False,
            chars: tuple[set[str], set[str]] | None = None) -> None:
        """One Simplified page and its Traditional copy. chars: their Chinese characters, when
        known (HantShell.fill_chars)."""
        parts = self._parts(html, converted) if chars is None else (*chars, self._chrome_texts(html))
        for target, found in zip(self._transient if transient else self._counts, parts, strict=True):
            target.update(found)

    def remove(self, html: str, converted: str) -> None:
        """A page of an earlier build, about to be rewritten or removed."""
        for counts, found in zip(self._counts, self._parts(html, converted), strict=True):
            counts.subtract(found)

    def _live(self, i: int) -> set[str]:
        return {k for k, n in self._counts[i].items() if n > 0} | self._transient[i]

    @property
    def simplified(self) -> set[str]:
        return self._live(0)

    @property
    def traditional(self) -> set[str]:
        return self._live(1)

    @property
    def chrome(self) -> dict[str, str]:
        return {text: words for text in self._live(2) if (words := self._words.get(text)) is not None}

    def state(self) -> list[dict[str, int]]:
        """The counts of the pages added (not transient), for the next build."""
        return [dict(sorted((k, n) for k, n in counts.items() if n > 0)) for counts in self._counts]

    def restore(self, state: Any) -> bool:
        """The counts an earlier build left; False when they are not in this form (build cold)."""
        if not (isinstance(state, list) and len(state) == 3 and all(isinstance(x, dict) for x in state)):
            return False
        for counts, saved in zip(self._counts, state, strict=True):
            counts.update(saved)
        for text in state[2]:
            self._word(text)
        return True

    def json(self) -> str:
        return script_map(self.variant, self.simplified, self.traditional, self.site, self.chrome)


def script_map(variant: str, simplified: Iterable[str], traditional: Iterable[str], site: SitePhrases = (),
               chrome: Mapping[str, str] | None = None) -> str:
    """JSON of the conversions search.js needs, for the characters of the site's Simplified and
    Traditional pages: {"s2t": "简繁…" pairs, "t2s": "繁简…" pairs, "phrases": {简: 繁},
    "chrome": {the site's own words: 繁, in the variant's vocabulary}}."""
    import opencc

    def pairs(chars: Iterable[str], convert: Callable[[str], str]) -> dict[str, str]:
        han = sorted(c for c in chars if _HAN.match(c))
        return {a: b for a, b in zip(han, convert("\n".join(han)).split("\n"), strict=True) if a != b and len(b) == 1}

    as_traditional = converter(variant, site)
    s2t = pairs(simplified, as_traditional)
    t2s = pairs(traditional, opencc.OpenCC("t2s").convert)
    phrases_used = {s: as_traditional(s) for s in {**phrases(), **dict(site)} if len(s) > 1 and as_traditional(s) != s}
    return json.dumps({"s2t": "".join(a + b for a, b in s2t.items()), "t2s": "".join(a + b for a, b in t2s.items()),
                       "phrases": phrases_used, "chrome": dict(sorted((chrome or {}).items()))},
                      ensure_ascii=False, separators=(",", ":"))


@cache
def page_converter(variant: str, site_url: str, site: SitePhrases = ()) -> PageConverter:
    return PageConverter(variant, site_url, site)


def page_dir_of(page_path: str) -> str:
    """The folder of a page from the site root ("" or "power/x"), from its path ("power/x/",
    "power/x/index.html", "404.html")."""
    if page_path.endswith(".html"):
        return posixpath.dirname(page_path)
    return page_path.strip("/")


def convert_page(html: str, page_path: str, variant: str, site_url: str,
                 extra_phrases: Mapping[str, str] | None = None) -> str:
    """The Traditional page of one Simplified page, in memory: exactly what the 繁體 view writes
    for it under zh-Hant/ (same bytes), so a build can write both scripts while it renders.

    page_path: the page's path from the site root ("power/x/", "power/x/index.html", "404.html");
    site_url: the site's base URL with its trailing slash; extra_phrases: `traditional: phrases:`."""
    return page_converter(variant, site_url, site_phrases(extra_phrases)).page(html, page_dir_of(page_path))


def hant_path(page_path: str) -> str:
    """Where the Traditional copy of a page (a file path from the site root) is written."""
    return f"{HANT_DIR}/{page_path}"


def _html_files(site_dir: Path) -> Iterator[tuple[Path, str]]:
    for path in site_dir.rglob("*.html"):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith((HANT_DIR + "/", *SKIPPED_DIRS)):
            continue
        yield path, rel


def write_assets(site_dir: Path, variant: str, extra_phrases: Mapping[str, str] | None = None) -> None:
    """The Traditional copies of Qingdan's own scripts and styles (OWN_ASSETS), in the site's words."""
    chrome = chrome_converter(variant, site_phrases(extra_phrases))
    for asset in sorted((site_dir / OWN_ASSETS).glob("*")):
        target = site_dir / HANT_DIR / OWN_ASSETS / asset.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(chrome(asset.read_text(encoding="utf-8")), encoding="utf-8")


def write_script_map(site_dir: Path, chars: ScriptChars) -> None:
    """assets/script-map.json (SCRIPT_MAP) for the pages gathered in `chars`."""
    target = site_dir / SCRIPT_MAP
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(chars.json(), encoding="utf-8")


def write_pages(site_dir: Path, variant: str, site_url: str, files: list[str] | None = None,
                extra_phrases: Mapping[str, str] | None = None) -> None:
    """Write the Traditional copy of every page (or of `files`, paths from the site root), reading
    them back from `site_dir`, and of Qingdan's own assets. extra_phrases: the site's own
    (`traditional: phrases:`). A build that has the pages in memory calls convert_page instead."""
    target_root = site_dir / HANT_DIR
    chosen = _html_files(site_dir) if files is None else ((site_dir / f, f) for f in files)
    chars = ScriptChars(variant, extra_phrases)
    for path, rel in chosen:
        target = target_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        html = path.read_text(encoding="utf-8")
        converted = convert_page(html, rel, variant, site_url, extra_phrases)
        chars.add(html, converted)
        target.write_text(converted, encoding="utf-8")
    if files is None:
        write_script_map(site_dir, chars)
        write_assets(site_dir, variant, extra_phrases)


def merge_script_maps(maps: Iterable[str]) -> str:
    """One script map (SCRIPT_MAP's JSON) from several: a portal's 繁體 search shows every
    region's results. Where two maps differ for a character or word, the first one's stands."""
    merged: dict[str, dict[str, str]] = {"s2t": {}, "t2s": {}, "phrases": {}, "chrome": {}}
    for text in maps:
        one = json.loads(text)
        for key in ("s2t", "t2s"):
            pairs = str(one.get(key) or "")
            for a, b in zip(pairs[::2], pairs[1::2], strict=True):
                merged[key].setdefault(a, b)
        for key in ("phrases", "chrome"):
            for a, b in (one.get(key) or {}).items():
                merged[key].setdefault(a, b)
    return json.dumps({"s2t": "".join(a + b for a, b in sorted(merged["s2t"].items())),
                       "t2s": "".join(a + b for a, b in sorted(merged["t2s"].items())),
                       "phrases": merged["phrases"], "chrome": dict(sorted(merged["chrome"].items()))},
                      ensure_ascii=False, separators=(",", ":"))
