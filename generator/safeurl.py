"""Which links from data are safe to put on a page: one check for list fields, site_config and templates.

Only web addresses (http:, https:) and relative links become links. javascript:, data:, vbscript:,
file: and every other scheme run code or open local files when clicked, however they are spelled.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

SAFE_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# What a browser drops before it reads a scheme (blanks, controls, tabs, line breaks), and the
# invisible characters that only hide a scheme from a reader.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def url_scheme(text: str) -> str:
    """The scheme a browser reads from a link, in lower case ('' for a relative link).

    Browsers drop leading blanks and control characters and every tab and line break before they
    read the scheme (" JaVaScRiPt:" and "java\\tscript:" are javascript:); entities (&#106;) and
    full-width letters are undone here too, so that no spelling of a scheme passes the check.
    """
    previous = None
    while previous != text:  # &amp;#106; → &#106; → j
        previous, text = text, html.unescape(text)
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    match = _SCHEME.match(text)
    return match.group(1).lower() if match else ""


def safe_href(text: Any) -> str | None:
    """The value as a link target when it is safe to follow (a web address or a relative link), else None."""
    if not isinstance(text, str) or not text.strip():
        return None
    return text if url_scheme(text) in ("", *SAFE_SCHEMES) else None


UNSAFE_HINT = "只能写以 http:// 或 https:// 开头的网址，例如 https://zwfw.example.gov.cn/guide/1"


def unsafe_message(what: str, text: str) -> str:
    """The error for a link that is not a web address, in the words check and import both use
    (control characters shown as \\t, \\x01…: the message stays one line and shows the trick)."""
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group(0))[1:-1], text)
    return f"{what}“{shown}”以“{url_scheme(text)}:”开头，不是网页地址，不能作为链接"
