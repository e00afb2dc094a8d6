"""The adjustment's basis and effective date, read from commit-message trailers.

Convention (docs/history.md): the last paragraph of the commit message holds

    调整依据: 赣府字〔2016〕12号
    生效日期: 2016-12-01

English aliases `Basis:` and `Effective:` (or `Effective-Date:`) mean the same; the colon may be
full-width (：). A commit without a basis still yields events, marked as having no stated basis.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.dates import normalize_date

__all__ = ["normalize_date"]  # with the parsers of commit trailers, where it is first used

BASIS_KEYS = ("调整依据", "依据", "basis")
EFFECTIVE_KEYS = ("生效日期", "生效时间", "effective", "effective-date")
# The date of the record itself (the notice's date): a county that enters years of past notices
# shows their own dates, not the day they were typed in.
PUBLISHED_KEYS = ("发布日期", "公布日期", "印发日期", "成文日期", "published")
# Marks the first publication: this commit and everything before it set the lists up and are not
# adjustments the public reads (configurable as `history: baseline:` in site_config.yml too).
BASELINE_KEYS = ("清单基线", "首次公布", "baseline")



@dataclass(frozen=True)
class Basis:
    basis: str = ""  # e.g. 赣府字〔2016〕12号 ("" when none was stated)
    effective: str = ""  # YYYY-MM-DD, "" when none (or when it could not be read)
    bad_effective: str = ""  # the text of an effective date that is not a date
    published: str = ""  # YYYY-MM-DD of the record (发布日期), "" when not stated
    baseline: bool = False  # the commit is the first publication (清单基线)

    @property
    def has_basis(self) -> bool:
        return bool(self.basis)


def _lookup(trailers: dict[str, str], keys: tuple[str, ...]) -> str:
    """The values of every trailer named by one of `keys` (any case), joined with "；"."""
    values = [v.strip() for k, v in trailers.items() if k.lower() in keys and v.strip()]
    return "；".join(dict.fromkeys(values))


def read_basis(trailers: dict[str, str]) -> Basis:
    """The basis and effective date a commit's trailers state (see the module docstring)."""
    basis = _lookup(trailers, BASIS_KEYS)
    effective_text = _lookup(trailers, EFFECTIVE_KEYS)
    effective = normalize_date(effective_text) if effective_text else ""
    published = normalize_date(_lookup(trailers, PUBLISHED_KEYS)) or ""
    baseline = bool(_lookup(trailers, BASELINE_KEYS))
    if effective is None:
        return Basis(basis=basis, effective="", bad_effective=effective_text, published=published, baseline=baseline)
    return Basis(basis=basis, effective=effective, published=published, baseline=baseline)


def merge_bases(bases: list[Basis]) -> Basis:
    """One basis for a merge commit from the commits it brought in: distinct bases joined with
    "；", and the effective date when they all agree."""
    texts = list(dict.fromkeys(b.basis for b in bases if b.basis))
    dates = {b.effective for b in bases if b.effective}
    return Basis(basis="；".join(texts), effective=dates.pop() if len(dates) == 1 else "")
