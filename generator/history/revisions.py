"""What a version typed by a user names: a date, an edition's name, or a git revision.

`qingdan diff A B` (and any command that takes a version) reads A and B here, in this order:

1. a date (2021-12-31, 2021/12/31, 2021年12月31日) is a **record date**: the lists after the last
   adjustment whose record date (`events.record_date`: 生效日期, else 发布日期, else the commit's day)
   is on or before it, the rule editions declared by date follow (`editions.last_on_or_before`). A
   county that typed years of notices into git in one day gets the lists of each of those years;
   a date before the first publication (清单基线) is refused, saying when that was;
2. the name of an edition declared in site_config.yml (`2021版`), exactly as the site's 历史版本
   page shows it (an edition that is a git tag is read by git, as the tag);
3. anything git reads (a commit, a tag, a branch, HEAD~2).

An unknown name raises RevisionError with the editions and the accepted forms, in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.config import SiteConfig
from generator.dates import normalize_date
from generator.gitrepo import CommitInfo, GitRepo
from generator.history.editions import dated_commits, edition_tags, last_on_or_before
from generator.history.trailers import read_basis
from generator.problems import did_you_mean

_DATE_LIKE = re.compile(r"^\s*\d{4}\s*[-/.年]\s*\d")
DATE_MEANING = "日期指记录日期：调整的生效日期，没有生效日期时为发布日期，再没有时为提交日期"


class RevisionError(ValueError):
    """A version that names nothing: a Chinese message and a hint saying what to write."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Revision:
    sha: str
    kind: str  # "date", "edition" or "commit"
    label: str  # what the user typed
    day: str = ""  # a date: the day asked for (YYYY-MM-DD); an edition: its date


def resolve_revision(text: str, config: SiteConfig, repo: GitRepo) -> Revision:
    """The commit a version names (the rules are in the module docstring)."""
    day = normalize_date(text)
    if day is not None:
        return Revision(_on_day(day, config, repo).sha, "date", text, day)
    if _DATE_LIKE.match(text):
        raise RevisionError(f"“{text}”不是有效的日期", "写成 YYYY-MM-DD，例如 2021-12-31")
    declared = dict(config.declared_editions)
    tags = edition_tags(config, repo) if text in declared else []
    edition = next((t for t in tags if t.name == text and not repo.rev_parse(f"refs/tags/{text}")), None)
    if edition is not None:  # a tag of that name is the edition itself: git reads it below
        return Revision(edition.commit, "edition", text, declared[text])
    sha = repo.rev_parse(text)
    if sha is not None:
        return Revision(sha, "commit", text)
    tags = tags or edition_tags(config, repo)
    if text in declared:  # declared, but no adjustment was in force by its date
        try:
            _on_day(declared[text], config, repo)
        except RevisionError as exc:
            raise RevisionError(f"历史版本“{text}”的日期 {exc.message}", exc.hint) from None
    raise RevisionError(f"找不到版本“{text}”", accepted_forms([t.name for t in tags], text, repo))


def accepted_forms(editions: list[str], text: str = "", repo: GitRepo | None = None) -> str:
    """What may be written as a version, naming this project's editions (and the closest one)."""
    close = did_you_mean(text, editions) if text and editions else ""
    parts = []
    if editions:
        parts.append("历史版本：" + "、".join(editions))
    parts.append("可以写历史版本的名称、日期 YYYY-MM-DD（" + DATE_MEANING + "）、提交编号、标签（git tag 查看）或分支名")
    if repo is not None and repo.is_shallow():
        parts.append("这是浅克隆，更早的提交可能没有下载（CI 中请设置 fetch-depth: 0）")
    return (close if close.startswith("是不是") else "") + "；".join(parts)


def _on_day(day: str, config: SiteConfig, repo: GitRepo) -> CommitInfo:
    """The commit whose lists stood on `day`; RevisionError before the first publication."""
    dated = dated_commits(config, repo)
    if not dated:
        raise RevisionError("仓库中还没有修改清单的提交，没有可以比较的版本", "提交 lists/ 后再比较")
    found = last_on_or_before(dated, day)
    first = _first_publication(config, repo, dated)
    position = {info.sha: i for i, (_, info) in enumerate(dated)}
    if found is not None and (first is None or position[found.sha] >= first):
        return found
    if first is not None:
        when, info = dated[first]
        raise RevisionError(f"{day} 早于清单首次公布（{when}，{info.subject}），那时还没有公布的清单",
                            f"换一个不早于 {when} 的日期；{DATE_MEANING}")
    when = dated[0][0]
    raise RevisionError(f"{day} 早于最早的清单记录（{when}），那时清单还不存在",
                        f"换一个不早于 {when} 的日期；{DATE_MEANING}")


def _first_publication(config: SiteConfig, repo: GitRepo, dated: list[tuple[str, CommitInfo]]) -> int | None:
    """The position in `dated` of the first publication: the last commit marked 清单基线, or the one
    `history: baseline:` names in site_config.yml (as the history reads it); None when unmarked."""
    marked = [i for i, (_, info) in enumerate(dated) if read_basis(info.trailers).baseline]
    first = marked[-1] if marked else None
    sha = repo.rev_parse(config.history_baseline) if config.history_baseline else None
    if sha is not None:
        later = {c.sha for c in repo.commits(f"{sha}..HEAD")}
        before = [i for i, (_, info) in enumerate(dated) if info.sha not in later]
        if before:
            first = max(first or 0, before[-1])
    return first
