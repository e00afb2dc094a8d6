"""Structure derived from a published 依据 cell, never in place of it.

A basis cell as departments publish it holds one or more instruments (法律, 行政法规, 规章, 文件…),
each optionally tagged 【法律】, with a title (with or without 《》), an edition note or 文号 in
brackets, articles (第X条) and the full clause text, wrapped by hand or by a PDF.

`split_instruments` cuts the text into consecutive spans, one per instrument, so that every
character of the published text belongs to exactly one span: joining the spans gives the text
back unchanged. It cuts only at real instrument boundaries:

- a level tag 【…】 or 增补依据： that starts a line or follows a sentence end;
- a 《 at the start of a line whose previous line ended a sentence or a citation (not a hard wrap);
- a 《 or a 文号 that follows an instrument's title or article reference with nothing but
  separators between them (《A》（国发〔2004〕20号） 《B》…, or 文号,文号,文号);

and never inside brackets, never inside clause text (once an article's text has begun, a 《title》
is a quotation within it), never at a hard wrap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEVEL_TAGS = ("法律", "行政法规", "地方性法规", "自治条例", "单行条例", "规章", "部门规章", "地方政府规章",
              "规范性文件", "党内法规", "其他")
_TAG = re.compile(r"【(" + "|".join(LEVEL_TAGS) + r")】")
_SUPPLEMENT = re.compile(r"(增补依据|补充依据)[:：]")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条(?:第[一二三四五六七八九十百千零〇两\d]+[款项])*")
_DOC_NO = re.compile(
    r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*(?:第\s*)?\d+\s*号"  # 国发〔2004〕20号
    r"|[\u4e00-\u9fff]{1,12}令(?:\s*\d{4}\s*年)?\s*第?\s*\d+\s*号"  # 国务院令第412号, 交通运输部令2017年第27号
)
_OPEN, _CLOSE = "（(〔[［【《〈", "）)〕]］】》〉"
_SENTENCE_END = ("。", "；", ";", "：", ":", "）", ")", "》", "号", "」", "”")
_SEPARATORS = set(" \t\u3000\n,，、；;")


@dataclass
class Article:
    """One article reference (第六十五条) and the clause text published after it."""

    number: str
    text: str = ""


@dataclass
class Instrument:
    """One instrument of a basis cell: a span of the published text and what is derived from it."""

    text: str  # the span exactly as published
    level: str = ""  # 法律, 行政法规, … (from a 【…】 tag)
    title: str = ""  # 《中华人民共和国食品安全法》 (with its 《》 when published with them)
    doc_numbers: list[str] = field(default_factory=list)  # 国发〔2004〕20号
    articles: list[Article] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The instrument as it is referred to: its title, else its first 文号, else its first words."""
        if self.title:
            return self.title
        if self.doc_numbers:
            return self.doc_numbers[0]
        first = self.text.strip().split("\n", 1)[0]
        return first[:40] + ("…" if len(first) > 40 else "")


def _depth_map(text: str) -> list[int]:
    """Bracket depth at each character (unbalanced closers are ignored, as publishers leave them)."""
    depths, depth = [], 0
    for ch in text:
        if ch in _CLOSE:
            depth = max(0, depth - 1)
        depths.append(depth)
        if ch in _OPEN:
            depth += 1
    return depths


def _line_start(text: str, i: int) -> bool:
    """Is position i the first non-blank character of its line?"""
    j = i - 1
    while j >= 0 and text[j] in " \t\u3000":
        j -= 1
    return j < 0 or text[j] == "\n"


def _previous_line_end(text: str, i: int) -> str:
    """The last non-blank character before the line that holds position i ('' at the start)."""
    j = text.rfind("\n", 0, i)
    while j >= 0 and text[j] in " \t\u3000\n\r":
        j -= 1
    return text[j] if j >= 0 else ""


def _only_separators(text: str) -> bool:
    return all(ch in _SEPARATORS for ch in text)


def _head_only(text: str) -> bool:
    """Nothing of an instrument yet: blanks, a level tag, an 增补依据： marker."""
    return not _SUPPLEMENT.sub("", _TAG.sub("", text)).strip(" \t\u3000\n")


@dataclass
class _Scan:
    """Where `_boundaries` stands in the current instrument as it walks a basis text."""

    text: str
    start: int = 0  # the current instrument's start
    clause: bool = False  # has the current instrument's clause (or other running) text begun?
    last_ref_end: int = 0  # end of the current instrument's last title, 文号, edition note or article

    def after_ref(self, i: int) -> bool:
        """Does position i follow the instrument's last reference with nothing but separators between?"""
        return self.last_ref_end > self.start and _only_separators(self.text[self.last_ref_end:i])

    def head_only(self, i: int) -> bool:
        return _head_only(self.text[self.start:i])


def _boundaries(text: str) -> list[int]:
    depth = _depth_map(text)
    scan = _Scan(text)
    cuts: list[int] = []
    i = 0
    while i < len(text):
        if depth[i] != 0:
            i += 1
            continue
        if _candidate(scan, i) and _cuts_at(scan, i):
            cuts.append(i)
            scan.start, scan.clause, scan.last_ref_end = i, False, i
        i = _step(scan, i)
    return cuts


def _candidate(scan: _Scan, i: int) -> bool:
    """Could an instrument begin at i (at bracket depth 0)? Looked at only there: the text is long,
    the candidates few."""
    text, ch = scan.text, scan.text[i]
    return (ch in "【《" or (ch in "增补" and _SUPPLEMENT.match(text, i) is not None)
            or (not scan.clause and text[i - 1:i] in (",", "，", "、", "；", ";")))


def _cuts_at(scan: _Scan, i: int) -> bool:
    """Does a new instrument begin at the candidate position i?"""
    text, ch = scan.text, scan.text[i]
    if scan.head_only(i):
        return False
    if ch == "【" and _TAG.match(text, i):
        return _line_start(text, i) or text[i - 1] in "。；;" or not scan.clause
    if _SUPPLEMENT.match(text, i):
        return True
    if ch == "《":
        if _line_start(text, i):
            return not scan.clause or _previous_line_end(text, i) in _SENTENCE_END
        return not scan.clause and scan.after_ref(i)
    if not scan.clause and text[i - 1] in ",，、；;" and _DOC_NO.match(text, i):
        return scan.after_ref(i)
    return False


def _step(scan: _Scan, i: int) -> int:
    """Past what begins at i (at bracket depth 0): a title, a bracket, an article, a 文号 or one
    character, noting where the instrument's references end and where its clause text begins."""
    text, ch = scan.text, scan.text[i]
    if ch == "《":
        end = _closing(text, i)
        if not scan.clause:
            scan.last_ref_end = end
        return end
    if ch in "（(" and not scan.clause:
        end = _closing(text, i)
        if scan.after_ref(i) or (scan.last_ref_end == scan.start and not scan.head_only(i)):
            scan.last_ref_end = end  # an edition note or 文号 in brackets after a title (with or without 《》)
        return end
    article = _ARTICLE.match(text, i)
    if article:
        scan.last_ref_end = article.end()
        return article.end()
    doc = _DOC_NO.match(text, i) if not scan.clause else None
    if doc and (scan.after_ref(i) or scan.head_only(i)):
        scan.last_ref_end = doc.end()
        return doc.end()
    if ch not in _SEPARATORS and ch not in "：:" and scan.last_ref_end > scan.start and i >= scan.last_ref_end:
        scan.clause = True  # running text after a title or an article: quotations inside it are not cuts
    return i + 1


def _closing(text: str, i: int) -> int:
    """Index after the bracket that closes the one opened at i (or the end of the line)."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] in _OPEN:
            depth += 1
        elif text[j] in _CLOSE:
            depth -= 1
            if depth == 0:
                return j + 1
        elif text[j] == "\n" and depth == 1 and text[i] == "《":
            return j  # an unclosed title ends with its line
    return len(text)


def split_instruments(text: str) -> list[Instrument]:
    """The instruments of a published basis text; "".join(i.text for i in result) == text."""
    if not text:
        return []
    cuts = [0] + _boundaries(text) + [len(text)]
    spans = [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    # Leading blank text belongs to the first instrument; a span that is only blank joins the previous one.
    merged: list[str] = []
    for span in spans:
        if merged and not span.strip():
            merged[-1] += span
        else:
            merged.append(span)
    return [_describe(span) for span in merged]


def _describe(span: str) -> Instrument:
    inst = Instrument(text=span)
    body = span.strip().rstrip(",，、；;")
    body = _SUPPLEMENT.sub("", body, count=1).strip() if _SUPPLEMENT.match(body) else body
    tag = _TAG.match(body)
    if tag:
        inst.level = tag.group(1)
        body = body[tag.end():].lstrip()
    if body.startswith("《"):
        end = _closing(body, 0)
        inst.title = body[:end]
    else:
        head = re.split(r"[（(\n]|第[一二三四五六七八九十百千零〇两\d]+条", body, maxsplit=1)[0].strip()
        if head and not _DOC_NO.fullmatch(head) and len(head) <= 60:
            inst.title = head
    head = re.sub(r"\s+", "", _head_part(body))  # PDF text puts spaces inside 文号
    inst.doc_numbers = [re.sub(r"^[年月日]", "", m.group(0)) for m in _DOC_NO.finditer(head)]
    inst.articles = _articles(body)
    return inst


def _head_part(body: str) -> str:
    """The part of an instrument before its first article: where its 文号 and edition notes stand."""
    depth = _depth_map(body)
    for m in _ARTICLE.finditer(body):
        if depth[m.start()] == 0:
            return body[: m.start()]
    return body


def _articles(body: str) -> list[Article]:
    """Articles referred to at depth 0 where an article starts (line start, after the title, or after ：)."""
    depth = _depth_map(body)
    found: list[tuple[int, int, str]] = []
    for m in _ARTICLE.finditer(body):
        if depth[m.start()] != 0:
            continue
        before = body[: m.start()].rstrip(" \t\u3000")
        if found and not (before.endswith(("\n", "。", "；", ";")) or before == "" or _line_start(body, m.start())):
            continue  # 依照本条例第七条、第八条的规定: a reference inside clause text
        found.append((m.start(), m.end(), m.group(0)))
    out = []
    for k, (_, end, number) in enumerate(found):
        stop = found[k + 1][0] if k + 1 < len(found) else len(body)
        out.append(Article(number=number, text=body[end:stop].strip(" \t\u3000\n：:")))
    return out


def comparable(text: str) -> str:
    """A text with its layout removed (line breaks and spaces): how published texts are compared."""
    return re.sub(r"\s+", "", text)
