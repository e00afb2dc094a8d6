"""The adjustment's basis and its three dates, read from commit-message trailers.

Convention (docs/history.md): the last paragraph of the commit message holds

    调整依据: 赣府字〔2016〕12号
    决定日期: 2016-11-20
    发布日期: 2016-11-25
    生效日期: 2016-12-01

决定日期 is the approval (synonyms 批准日期, 审批日期, 通过日期, `decided`), 发布日期 the notice's own
date, 生效日期 the day it takes effect. English aliases `Basis:`, `Decided:`, `Published:` and
`Effective:` (or `Effective-Date:`) mean the same; the colon may be full-width (：). A commit without
a basis still yields events, marked as having no stated basis. A date that is not a date is kept
aside (`bad_dates`) so the walk can say where it was written; dates in the wrong order are named by
`date_order_problems`. Neither stops anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.dates import normalize_date

__all__ = ["normalize_date"]  # with the parsers of commit trailers, where it is first used

BASIS_KEYS = ("调整依据", "依据", "basis")
EFFECTIVE_KEYS = ("生效日期", "生效时间", "施行日期", "effective", "effective-date")
# The date of the record itself (the notice's date): a county that enters years of past notices
# shows their own dates, not the day they were typed in.
PUBLISHED_KEYS = ("发布日期", "公布日期", "印发日期", "成文日期", "published")
# The approval (the meeting or the signature that decided the adjustment), often weeks earlier.
DECIDED_KEYS = ("决定日期", "批准日期", "审批日期", "通过日期", "decided", "decision-date")
# Marks the first publication: this commit and everything before it set the lists up and are not
# adjustments the public reads (configurable as `history: baseline:` in site_config.yml too).
BASELINE_KEYS = ("清单基线", "首次公布", "baseline")
# The trailer each date is written under, as a message names it.
DATE_LABELS = {"decided": "决定日期", "published": "发布日期", "effective": "生效日期"}
DATE_KEYS = {"决定日期": DECIDED_KEYS, "发布日期": PUBLISHED_KEYS, "生效日期": EFFECTIVE_KEYS}


@dataclass(frozen=True)
class Basis:
    basis: str = ""  # e.g. 赣府字〔2016〕12号 ("" when none was stated)
    effective: str = ""  # YYYY-MM-DD, "" when none (or when it could not be read)
    bad_effective: str = ""  # the text of an effective date that is not a date
    published: str = ""  # YYYY-MM-DD of the record (发布日期), "" when not stated
    baseline: bool = False  # the commit is the first publication (清单基线)
    decided: str = ""  # YYYY-MM-DD of the approval (决定日期), "" when not stated
    bad_dates: tuple[tuple[str, str], ...] = ()  # (trailer label, text) of every date that is not a date

    @property
    def has_basis(self) -> bool:
        return bool(self.basis)


def _lookup(trailers: dict[str, str], keys: tuple[str, ...]) -> str:
    """The values of every trailer named by one of `keys` (any case), joined with "；"."""
    values = [v.strip() for k, v in trailers.items() if k.lower() in keys and v.strip()]
    return "；".join(dict.fromkeys(values))


def read_basis(trailers: dict[str, str]) -> Basis:
    """The basis and the three dates a commit's trailers state (see the module docstring)."""
    dates: dict[str, str] = {}
    bad: list[tuple[str, str]] = []
    for name, keys in (("decided", DECIDED_KEYS), ("published", PUBLISHED_KEYS), ("effective", EFFECTIVE_KEYS)):
        text = _lookup(trailers, keys)
        day = normalize_date(text) if text else ""
        if day is None:
            bad.append((DATE_LABELS[name], text))
        dates[name] = day or ""
    bad_effective = next((text for label, text in bad if label == DATE_LABELS["effective"]), "")
    return Basis(basis=_lookup(trailers, BASIS_KEYS), effective=dates["effective"], bad_effective=bad_effective,
                 published=dates["published"], baseline=bool(_lookup(trailers, BASELINE_KEYS)),
                 decided=dates["decided"], bad_dates=tuple(bad))


def date_order_problems(basis: Basis) -> list[tuple[str, str]]:
    """(the date's label, what is wrong in Chinese) for a decision dated after the notice that
    published it, or after the day it took effect: a typo as a rule. A notice published after the
    day it takes effect is not reported: retroactive notices (自…起施行) are common and lawful."""
    day = basis.decided
    later = [(label, other) for label, other in (("发布日期", basis.published), ("生效日期", basis.effective))
             if day and other and day > other]
    return [(DATE_LABELS["decided"], f"{DATE_LABELS['decided']} {day} 晚于{label} {other}") for label, other in later[:1]]


def trailer_line(message: str, label: str) -> int | None:
    """The 1-based line of the commit message where the date trailer `label` (决定日期, 发布日期,
    生效日期, or any of its synonyms) is written: the last one, as in the trailer paragraph."""
    keys = DATE_KEYS.get(label, (label,))
    found = None
    for number, line in enumerate(message.split("\n"), start=1):
        key = line.replace("：", ":").split(":", 1)[0].strip().lower()
        if ":" in line.replace("：", ":") and key in keys:
            found = number
    return found


def merge_bases(bases: list[Basis]) -> Basis:
    """One basis for a merge commit from the commits it brought in: distinct bases joined with
    "；", and each date when they all agree."""
    texts = list(dict.fromkeys(b.basis for b in bases if b.basis))

    def agreed(name: str) -> str:
        days = {getattr(b, name) for b in bases if getattr(b, name)}
        return days.pop() if len(days) == 1 else ""

    return Basis(basis="；".join(texts), effective=agreed("effective"), published=agreed("published"),
                 decided=agreed("decided"))
