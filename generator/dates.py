"""Dates as lists and commit messages write them (2016-12-01, 2016/12/1, 2016.12.01, 2016年12月1日).

A leaf module: commit trailers (generator/history/trailers.py) and site_config.yml's declared
editions read dates the same way.
"""

from __future__ import annotations

import datetime as dt
import re

_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def normalize_date(text: str) -> str | None:
    """'2016-12-01', '2016/12/1', '2016.12.01' or '2016年12月1日' → '2016-12-01'; None otherwise."""
    for form in _DATE_FORMS:
        match = form.match(text.strip())
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups())).isoformat()
            except ValueError:
                return None
    return None
