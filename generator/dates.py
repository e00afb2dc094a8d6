"""Dates as lists and commit messages write them (2016-12-01, 2016/12/1, 2016.12.01, 2016年12月1日).

A leaf module: commit trailers (generator/history/trailers.py) and site_config.yml's declared
editions read dates the same way.
"""

from __future__ import annotations

import datetime as dt
import os
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


def build_as_of(explicit: str | None = None) -> str:
    """The day a build shows the lists as of (YYYY-MM-DD): `explicit` (`qingdan build --as-of`), else
    the day of SOURCE_DATE_EPOCH when it is set (a reproducible build), else today.

    An adjustment whose 生效日期 falls after this day is pending: the site shows the values in force
    on this day as 现行 and announces the change. Raises ValueError with a Chinese message for a
    date that is not one."""
    if explicit:
        day = normalize_date(explicit)
        if day is None:
            raise ValueError(f"“{explicit}”不是日期；请写成 YYYY-MM-DD，例如 2026-12-01。")
        return day
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat()
    return dt.date.today().isoformat()
