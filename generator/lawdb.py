"""Instruments no longer in force (or in force under a new title), and finding them in a basis.

The package ships national laws and administrative regulations (defaults/repealed_laws.yml); a
project adds its own under `rules: repealed_laws:` in site_config.yml. Matching is by title only,
after removing what publishers vary: 《》, a leading 中华人民共和国, edition notes in brackets and
blanks. A title reused by a later instrument is therefore never listed (see the data file).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).parent / "defaults" / "repealed_laws.yml"
ENTRY_KEYS = ["title", "level", "date", "by", "replaced_by", "kind", "verify", "exact", "checked"]
KINDS = ("废止", "更名", "失效")
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_NPCSC = "全国人民代表大会常务委员会"  # lists cite its decisions under the short name 全国人大常委会 too
_TRANSLATE = str.maketrans({"(": "（", ")": "）", "〈": "《", "〉": "》"})


@dataclass(frozen=True)
class RepealedLaw:
    """One instrument that a list should no longer cite, and what replaced it."""

    title: str
    date: str  # YYYY-MM-DD: the day it ceases (or ceased) to be in force; may lie ahead of today
    by: str  # the instrument or decision that repealed or renamed it
    replaced_by: str = ""
    kind: str = "废止"  # 废止 (repealed), 更名 (in force under a new title), 失效 (declared no longer in force)
    level: str = ""
    verify: bool = False  # known repealed, but date or repealing instrument not confirmed
    exact: bool = False  # match the bracketed part too: 《企业破产法（试行）》 is not 《企业破产法》
    source: str = ""  # where the entry comes from (for messages)

    def in_force_on(self, day: dt.date) -> bool:
        """Still in force under this title on that day: the repeal or rename takes effect later."""
        return self.date > day.isoformat()

    def explanation(self, as_of: dt.date) -> str:
        """Chinese: what happens (or happened) to it, by which decision, and what to cite instead.

        Whether it reads 已于 or 将于 is decided by `as_of`, the day of the check or the assessment.
        """
        shown = self.title if self.title.startswith("《") else f"《{self.title}》"
        when = f"将于 {self.date} " if self.in_force_on(as_of) else f"已于 {self.date} "
        if self.kind == "更名" and self.by.startswith(self.replaced_by):
            text = f"{shown}{when}更名为{self.by}"
        elif self.kind == "更名":
            text = f"{shown}{when}更名为{self.replaced_by}（{self.by}）"
        else:
            verb = "宣布失效" if self.kind == "失效" else "废止"
            text = f"{shown}{when}{verb}（{self.by}）"
            if self.replaced_by:
                text += f"，届时施行的是{self.replaced_by}" if self.in_force_on(as_of) else f"，现行的是{self.replaced_by}"
        if self.verify:
            text += "；废止日期或决定的名称尚待核实"
        return text


def normalise_title(title: str, exact: bool = False) -> str:
    """The part of a title that identifies the instrument: no 《》, 中华人民共和国, brackets or blanks.

    全国人大常委会 is read as 全国人民代表大会常务委员会, the way the NPCSC's own decisions are titled.
    """
    text = re.sub(r"\s+", "", str(title)).translate(_TRANSLATE).replace("全国人大常委会", _NPCSC)
    text = text.strip("《》 ,，、；;")
    if "》" in text:  # 《A》第三条 or 《A》（2015年修订）: the title is what the 《》 enclose
        text = text.split("》", 1)[0]
    if not exact:
        previous = None
        while previous != text:
            previous, text = text, _BRACKETED.sub("", text)
    return text.removeprefix("中华人民共和国")


@lru_cache(maxsize=1)
def _package_entries() -> tuple[RepealedLaw, ...]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(entry_from(dict(e), "generator/defaults/repealed_laws.yml") for e in data["laws"])


def entry_from(raw: dict[str, Any], source: str) -> RepealedLaw:
    return RepealedLaw(
        title=str(raw["title"]), date=str(raw.get("date", "")), by=str(raw.get("by", "")),
        replaced_by=str(raw.get("replaced_by") or ""), kind=str(raw.get("kind") or "废止"),
        level=str(raw.get("level") or ""), verify=bool(raw.get("verify", False)),
        exact=bool(raw.get("exact", False)), source=source,
    )


class RepealedIndex:
    """The package's entries with the project's on top, looked up by normalised title."""

    def __init__(self, project_entries: list[RepealedLaw]) -> None:
        self.entries = list(_package_entries()) + list(project_entries)
        self._loose: dict[str, RepealedLaw] = {}
        self._exact: dict[str, RepealedLaw] = {}
        for entry in self.entries:  # later entries (the project's) win
            (self._exact if entry.exact else self._loose)[normalise_title(entry.title, entry.exact)] = entry

    def lookup(self, title: str) -> RepealedLaw | None:
        if not title:
            return None
        exact = self._exact.get(normalise_title(title, exact=True))
        return exact or self._loose.get(normalise_title(title))
