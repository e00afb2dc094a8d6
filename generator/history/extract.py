"""Walk the commits that change lists/ and derive each item's events.

The walk follows the first-parent chain of HEAD, oldest first (`git log --first-parent --raw`, one
process). A merge is one adjustment: what it brought in compared with its first parent; when its
own message states no basis, the basis of the commits it merged is used. Each commit's changed
files are looked up in the blob cache (parsed once per blob, ever); items are compared by the hash
of their normalised data, so the work per commit is proportional to what it changed.

An item is identified by its list and code. Between a commit and its first parent:

- present only after → 新增; present only before → 取消; unless a removed and an added item of the
  same list have identical content apart from the code → one 改码;
- present in both, in another department's file → 划转; with another name → 更名; with other
  data → 变更 (each with the changed fields). Whitespace, comments and order cost nothing.

A file version that does not parse is skipped with a warning naming the commit; the file keeps its
last valid content until a later commit fixes it. When one code appears in two files of a list,
the first department in site_config.yml order wins, as in the loader.

The walk's results are saved in the cache at the end of each run; the next run starts from the
saved walk that stopped at a commit still on the chain, so one new commit costs one step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from generator.changes import match_recoded, normalize_format
from generator.config import SiteConfig
from generator.fieldtypes import field_text
from generator.gitrepo import ZERO_SHA, CommitInfo, GitFailure, GitRepo, LogCommit
from generator.history.blobparse import BlobParser, problems_of
from generator.history.cache import (
    BlobCache,
    BlobSummary,
    ItemRef,
    digest,
    open_cache,
)
from generator.history.events import (
    ADDED,
    CHANGED,
    KINDS,
    RECODED,
    REMOVED,
    RENAMED,
    TRANSFERRED,
    Adjustment,
    Event,
    FieldChange,
    History,
    RemovedItem,
    record_day,
)
from generator.history.trailers import Basis, date_order_problems, merge_bases, read_basis, trailer_line
from generator.load import ParsedFile
from generator.load import split_list_path as _split_list_path
from generator.model import ADDRESS_FIELDS, Item
from generator.problems import Problem, Problems

SHALLOW_HINT = (
    "CI 检出代码时请取完整历史：GitHub Actions 的 actions/checkout 设置 fetch-depth: 0，"
    "GitLab CI 设置变量 GIT_DEPTH: 0；本地仓库可运行 git fetch --unshallow"
)


class Entry(NamedTuple):
    """One occurrence of an item in a list file. Saved walks store it as a plain tuple (marshal)."""

    ref: ItemRef
    department: str
    path: str

    def plain(self) -> tuple:
        return (tuple(self.ref), self.department, self.path)

    @classmethod
    def from_plain(cls, value: tuple | None) -> Entry | None:
        return None if value is None else cls(ItemRef._make(value[0]), value[1], value[2])


@dataclass
class _Pending:
    kind: str
    list_id: str
    before: Entry | None
    after: Entry | None
    seq: int
    changes: tuple | None = None  # ((field, old, new), ...) once worked out (saved with the walk)


@dataclass
class _Commit:
    info: CommitInfo
    basis: Basis
    seq: int


class _State:
    """The lists as of one commit: every file's items by code, and every item's occurrences.

    Only the items whose hash changed are touched when a file changes, so a commit costs what it
    changed (an unchanged item keeps its entry, whose line number may be stale and is not used).
    """

    def __init__(self, config: SiteConfig) -> None:
        # path → (list, department, items by code, blob key)
        self.files: dict[str, tuple[str, str, dict[str, ItemRef], str]] = {}
        self.index: dict[tuple[str, str], dict[str, Entry]] = {}
        self._order = {d.code: d.order for d in config.departments}

    def winner(self, key: tuple[str, str]) -> Entry | None:
        found = self.index.get(key)
        if not found:
            return None
        if len(found) == 1:
            return next(iter(found.values()))
        return min(found.values(), key=lambda e: (self._order.get(e.department, 1 << 30), e.path))

    def changed_codes(self, path: str, items: dict[str, ItemRef] | None) -> set[str]:
        """Codes whose item in `path` differs between the current state and `items`."""
        old = self.files[path][2] if path in self.files else {}
        new = items or {}
        pairs = {(c, ref.hash) for c, ref in old.items()} ^ {(c, ref.hash) for c, ref in new.items()}
        return {c for c, _ in pairs}

    def apply(self, path: str, list_id: str, department: str, items: dict[str, ItemRef] | None,
              codes: Iterable[str], key: str = "") -> None:
        for code in codes:
            item_key = (list_id, code)
            if items is not None and code in items:
                self.index.setdefault(item_key, {})[path] = Entry(items[code], department, path)
            else:
                occurrences = self.index.get(item_key)
                if occurrences is not None:
                    occurrences.pop(path, None)
                    if not occurrences:
                        del self.index[item_key]
        if items is None:
            self.files.pop(path, None)
        else:
            self.files[path] = (list_id, department, items, key)


@lru_cache(maxsize=65536)
def split_list_path(path: str) -> tuple[str, str] | None:
    return _split_list_path(path)


def _by_code(summary: BlobSummary) -> dict[str, ItemRef]:
    """A file's items by code; the first of two items with one code wins, as in the loader."""
    return {ref.code: ref for ref in reversed(summary.items)}


def extract_history(config: SiteConfig, problems: Problems, cache_dir: Path | None = None,
                    known: dict[str, ParsedFile] | None = None) -> History:
    """The lists' history from git (see the module docstring). Notices (no git, a shallow clone,
    skipped file versions) are returned in `History.notices` and also added to `problems` with a
    rule starting with "history". They are warnings, except when git refuses a repository that is
    there (dubious ownership, damage): that is an error, so no site goes out silently without history.

    known: list files the loader already parsed, by git blob id (Project.parsed); a blob found
    there is not parsed again (on a repository of one commit, none is)."""
    notices: list[Problem] = []
    history = _extract(config, notices, cache_dir, known or {})
    history.notices = notices
    problems.extend(notices)
    return history


def _extract(config: SiteConfig, notices: list[Problem], cache_dir: Path | None,
             known: dict[str, ParsedFile]) -> History:
    repo = GitRepo(config.root)
    failure = repo.probe()
    if failure is not None and failure.kind == "not-a-repo":
        notices.append(Problem("warning", "项目目录不在 git 仓库中，网站将不含调整记录", rule="history-no-git",
                               hint="在项目目录运行 git init 并提交 lists/，此后每次提交即一次调整"))
        return History()
    if failure is not None and failure.kind == "no-git":
        notices.append(Problem("warning", "找不到 git 命令，网站将不含调整记录", rule="history-no-git",
                               hint="安装 git（Debian/Ubuntu：apt-get install git）后重新生成"))
        return History()
    if failure is not None:
        notices.append(git_failure_problem(failure, config.root))
        return History()
    head = repo.rev_parse("HEAD")
    if head is None:
        notices.append(Problem("warning", "git 仓库中还没有任何提交，网站将不含调整记录", rule="history-no-commits",
                               hint="提交 lists/ 后再生成网站"))
        return History()
    commits = repo.log_changes(config.lists_dir)
    if not commits and repo.last_error:
        notices.append(Problem("error", f"读取 git 历史失败，git 的提示：{repo.last_error}", rule="history-git",
                               file=str(config.root), hint="修复仓库后重新生成；确实不需要调整记录时可加 --no-history"))
        return History()
    complete = True
    baseline: dict[str, str] = {}
    if repo.is_shallow():
        root = repo.first_parent_root("HEAD")
        if root and root in repo.shallow_commits():  # else only merged side branches are cut short
            complete = False
            baseline = repo.ls_tree(root, config.lists_dir)
            commits = [c for c in commits if c.info.sha != root]
            info = repo.commit_info(root)
            since = f"（{info.date[:10]}，提交 {root[:7]}）" if info else ""
            notices.append(Problem(
                "warning", f"当前仓库是浅克隆（shallow clone），调整记录只能从最早可见的提交{since}开始，"
                "此前的新增、取消和变更不会出现在网站上", rule="history-shallow", hint=SHALLOW_HINT))
    cache = open_cache(config, cache_dir)
    try:
        return _walk(config, repo, cache, commits, baseline, head, complete, notices, known)
    finally:
        if cache.warning:
            notices.append(Problem("warning", f"历史缓存不可用，本次未使用缓存：{cache.warning}",
                                   rule="history-cache", hint="检查 .cache/ 目录是否可写；可以删除 .cache/history/ 后重试"))
        cache.close()


def git_failure_problem(failure: GitFailure, root: Path) -> Problem:
    """The error for a repository git refuses to read: git's own message and, when git names one, the fix.

    An error, not a warning: a site built from such a repository would go out without its
    adjustments while looking complete (use --no-history to build without them on purpose).
    """
    if failure.kind == "dubious-ownership":
        return Problem(
            "error", f"git 拒绝读取这个仓库：仓库目录的所有者不是当前用户（dubious ownership）。git 的提示：{failure.message}",
            file=str(root), rule="history-git-ownership",
            hint=f"确认仓库可信后运行：{failure.fix}（或以仓库所有者的身份运行 qingdan）；"
            "确实不需要调整记录时可加 --no-history",
        )
    return Problem("error", f"无法读取 git 仓库。git 的提示：{failure.message}", file=str(root), rule="history-git",
                   hint="按 git 的提示修复仓库后重新生成；确实不需要调整记录时可加 --no-history")


WALK_VERSION = "3"  # 3: each commit's 决定日期 saved with its other dates


def _walk_identity(config: SiteConfig, repo: GitRepo, cache: BlobCache, commits: list[LogCommit],
                   baseline: dict[str, str]) -> str:
    """What a saved walk depends on besides the commits themselves."""
    start = commits[0].info.sha if commits else ""
    parts = [WALK_VERSION, cache.fingerprint, config.lists_dir, repo.prefix(), start,
             repr(sorted(baseline.items())), repr([(d.code, d.order) for d in config.departments]),
             repr([(t.id, t.field_names) for t in config.list_types])]
    return digest("\0".join(parts).encode("utf-8"))


class _Walk:
    """The walk's results so far; saved after each run so the next one resumes where it stopped."""

    def __init__(self, config: SiteConfig, cache: BlobCache | None = None) -> None:
        self.config = config
        self.cache = cache  # item data by hash, for recognising an item recoded and changed at once
        self.state = _State(config)
        self.pending: list[_Pending] = []
        self.metas: list[_Commit] = []
        self.last_removal: dict[tuple[str, str], _Pending] = {}
        self.notices: list[Problem] = []
        self.done = 0  # commits walked

    def save(self, commits: list[LogCommit]) -> tuple:
        index = {id(p): i for i, p in enumerate(self.pending)}
        return (
            self.done, commits[self.done - 1].info.sha if self.done else "",
            tuple((path, f[0], f[1], f[3]) for path, f in sorted(self.state.files.items())),
            tuple((p.kind, p.list_id, p.before and p.before.plain(), p.after and p.after.plain(), p.seq, p.changes)
                  for p in self.pending),
            tuple((m.seq, m.info.sha, m.info.date, m.info.author, m.info.subject, m.info.message, m.basis.basis,
                   m.basis.effective, m.basis.published, m.basis.baseline, m.basis.decided) for m in self.metas),
            tuple((key[0], key[1], index[id(p)]) for key, p in sorted(self.last_removal.items())),
            tuple(astuple(n) for n in self.notices),
        )

    def restore(self, saved: tuple, cache: BlobCache) -> None:
        self.done, _, files, pending, metas, removal, notices = saved
        summaries = cache.get_blobs(f[3] for f in files)
        for path, list_id, department, key in files:
            items = _by_code(summaries[key])
            self.state.apply(path, list_id, department, items, list(items), key)
        self.pending = [_Pending(kind, list_id, Entry.from_plain(b), Entry.from_plain(a), seq, changes)
                        for kind, list_id, b, a, seq, changes in pending]
        self.metas = [_Commit(CommitInfo(sha=sha, date=date, author=author, subject=subject, message=message),
                              Basis(basis, effective, published=published, baseline=baseline, decided=decided), seq)
                      for seq, sha, date, author, subject, message, basis, effective, published, baseline, decided
                      in metas]
        self.last_removal = {(list_id, code): self.pending[i] for list_id, code, i in removal}
        self.notices = [Problem(*n) for n in notices]

    @staticmethod
    def saved(cache: BlobCache, identity: str, commits: list[LogCommit]) -> tuple | None:
        """The longest saved walk that stopped at one of these commits (and whose files the cache
        still holds), or None."""
        for done, sha in cache.walk_heads(identity):
            if 0 < done <= len(commits) and commits[done - 1].info.sha == sha:
                saved = cache.get_walk(identity, done)
                if saved is not None and len(cache.get_blobs(f[3] for f in saved[2])) == len(saved[2]):
                    return saved
        return None

    def start(self, baseline: dict[str, str], summaries: dict[str, BlobSummary]) -> None:
        for path, blob in sorted(baseline.items()):
            ids = split_list_path(path)
            key = BlobCache.blob_key(blob, *ids) if ids else ""
            summary = summaries.get(key)
            if ids and summary is not None and not summary.invalid:
                items = _by_code(summary)
                self.state.apply(path, ids[0], ids[1], items, list(items), key)

    def step(self, repo: GitRepo, seq: int, commit: LogCommit, summaries: dict[str, BlobSummary]) -> None:
        """Walk one commit: update the state, record its events."""
        state = self.state
        updates = []
        touched: set[tuple[str, str]] = set()
        for change in commit.changes:
            ids = split_list_path(change.path)
            if ids is None or self.config.list_type(ids[0]) is None:
                continue
            items = None
            key = ""
            if change.new_blob != ZERO_SHA:
                key = BlobCache.blob_key(change.new_blob, *ids)
                summary = summaries.get(key)
                if summary is None or summary.invalid:
                    self.notices.append(_skipped(commit.info, change.path, summary))
                    continue
                items = _by_code(summary)
            codes = state.changed_codes(change.path, items)
            touched.update((ids[0], code) for code in codes)
            updates.append((change.path, ids, items, codes, key))
        before = {key: state.winner(key) for key in touched}
        for path, ids, items, codes, key in updates:
            state.apply(path, ids[0], ids[1], items, codes, key)
        found = _diff(before, {key: state.winner(key) for key in touched}, seq)
        found = self._recoded_and_changed(found, seq)
        if found:
            self.metas.append(_Commit(commit.info, _basis(repo, commit.info, self.notices), seq))
            for p in found:
                self.pending.append(p)
                if p.kind in (REMOVED, RECODED) and p.before is not None:
                    self.last_removal[(p.list_id, p.before.ref.code)] = p
        self.done = seq + 1

    def _recoded_and_changed(self, found: list[_Pending], seq: int) -> list[_Pending]:
        """An item removed and one added in the same commit and list may be one item under a new code
        whose content changed too. The review's rule decides (generator.changes.match_recoded), so
        the 动态调整 page and the edition comparison say the same thing about a commit."""
        added = [p for p in found if p.kind == ADDED]
        removed = [p for p in found if p.kind == REMOVED]
        lists = {p.list_id for p in added} & {p.list_id for p in removed}
        if not lists or self.cache is None:
            return found
        data = self.cache.get_items({p.after.ref.hash for p in added} | {p.before.ref.hash for p in removed})
        replaced: dict[int, _Pending | None] = {}
        for list_id in sorted(lists):
            gone = [p for p in removed if p.list_id == list_id]
            came = [p for p in added if p.list_id == list_id]
            replaced.update(self._recoded(list_id, gone, came, data, seq))
        return [replaced.get(id(p), p) for p in found if replaced.get(id(p), p) is not None]

    def _recoded(self, list_id: str, gone: list[_Pending], came: list[_Pending], data: dict[str, dict],
                 seq: int) -> dict[int, _Pending | None]:
        """id of a removal → the 改码 that replaces it, id of the matching addition → None (it is absorbed)."""
        old_items = [_as_item(list_id, p.before, data) for p in gone]
        new_items = [_as_item(list_id, p.after, data) for p in came]
        replaced: dict[int, _Pending | None] = {}
        for old, new in match_recoded(old_items, new_items, self.config.list_type(list_id)):
            b, a = gone[old_items.index(old)], came[new_items.index(new)]
            replaced[id(b)] = _Pending(RECODED, list_id, b.before, a.after, seq)
            replaced[id(a)] = None
        return replaced


def _as_item(list_id: str, entry: Entry, data: dict[str, dict]) -> Item:
    return Item(list_id=list_id, department=entry.department, code=entry.ref.code,
                data=data.get(entry.ref.hash, {}))


def _walk(config: SiteConfig, repo: GitRepo, cache: BlobCache, commits: list[LogCommit],
          baseline: dict[str, str], head: str, complete: bool, notices: list[Problem],
          known: dict[str, ParsedFile] | None = None) -> History:
    identity = _walk_identity(config, repo, cache, commits, baseline)
    walk = _Walk(config, cache)
    saved = _Walk.saved(cache, identity, commits)
    if saved is not None:
        walk.restore(saved, cache)
    todo = commits[walk.done:]
    wanted: list[tuple[str, ...]] = [] if saved is not None else sorted(baseline.items())
    for commit in todo:  # oldest first, each version with the one it replaced
        wanted.extend((c.path, c.new_blob, c.old_blob) for c in commit.changes if c.new_blob != ZERO_SHA)
    parser = BlobParser(config, cache, known=known)
    summaries = parser.summaries(repo, wanted)
    if saved is None:
        walk.start(baseline, summaries)
    for commit in todo:
        walk.step(repo, walk.done, commit, summaries)
    _work_out_changes(config, cache, walk.pending)
    if todo and walk.done:
        cache.put_walk(identity, walk.done, commits[walk.done - 1].info.sha, walk.save(commits))
    cache.flush()
    notices.extend(walk.notices)
    first = _first_public_seq(config, repo, commits, walk.metas, notices)
    public = [p for p in walk.pending if p.seq >= first and not _format_only(config, p)]
    removal = {key: p for key, p in walk.last_removal.items() if p.seq >= first}
    history = _history(config, cache, public, walk.metas, removal, walk.state, head, complete)
    if first > 0:  # the first publication (清单基线): the date an item never adjusted since is current as of
        meta = next((m for m in walk.metas if m.seq == first - 1), None)
        if meta is not None:
            history.first_published = record_day(meta.basis.published, meta.basis.effective, meta.info.date)
    history.stats = {"commits": len(commits), "walked": len(todo), "blobs_parsed": parser.parsed,
                     "processes": parser.processes}
    return history


def _diff(before: dict[tuple[str, str], Entry | None], after: dict[tuple[str, str], Entry | None],
          seq: int) -> list[_Pending]:
    found: list[_Pending] = []
    added: dict[tuple[str, str], list[Entry]] = defaultdict(list)  # (list, body hash) → entries
    removed: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for key in sorted(before):
        b, a = before[key], after[key]
        if b is None and a is None:
            continue
        if b is None:
            added[(key[0], a.ref.body)].append(a)
        elif a is None:
            removed[(key[0], b.ref.body)].append(b)
        elif b.department != a.department:
            found.append(_Pending(TRANSFERRED, key[0], b, a, seq))
        elif b.ref.hash == a.ref.hash:
            continue
        elif b.ref.name != a.ref.name:
            found.append(_Pending(RENAMED, key[0], b, a, seq))
        else:
            found.append(_Pending(CHANGED, key[0], b, a, seq))
    for group, gone in removed.items():
        came = added.pop(group, [])
        for b, a in zip(gone, came, strict=False):
            found.append(_Pending(RECODED, group[0], b, a, seq))
        found.extend(_Pending(REMOVED, group[0], b, None, seq) for b in gone[len(came):])
        if len(came) > len(gone):
            added[group] = came[len(gone):]
    for group, came in added.items():
        found.extend(_Pending(ADDED, group[0], None, a, seq) for a in came)
    return found


def _basis(repo: GitRepo, info: CommitInfo, notices: list[Problem]) -> Basis:
    basis = read_basis(info.trailers)
    notices.extend(date_notices(info, basis))
    if not basis.has_basis and len(info.parents) > 1:
        merged = [read_basis(c.trailers) for c in repo.commits(f"{info.parents[0]}..{info.sha}")
                  if c.sha != info.sha]
        from_branch = merge_bases(merged)
        if from_branch.has_basis:
            return Basis(from_branch.basis, basis.effective or from_branch.effective,
                         published=basis.published or from_branch.published, baseline=basis.baseline,
                         decided=basis.decided or from_branch.decided)
    return basis


def date_notices(info: CommitInfo, basis: Basis) -> list[Problem]:
    """Warnings for a commit's dates: one that is not a date (ignored), and a 决定日期 or 发布日期 after
    the 生效日期 (kept as written: a notice can be retroactive, or a digit can be wrong). They name
    the commit by its short id, day and subject: the person who wrote the message finds it by those."""
    where = f"提交 {info.sha[:7]}（{info.date[:10]}，{info.subject}）"
    message = f"提交 {info.sha[:7]} 的说明"  # where the trailer is written: a line of the commit message
    out = [Problem("warning", f"{where}的{label}“{text}”不是日期，已忽略", file=message,
                   line=trailer_line(info.message, label),
                   rule="history-effective-date" if label == "生效日期" else "history-date",
                   hint=f"在提交说明末段写成“{label}: 2016-12-01”（YYYY-MM-DD）；"
                   "已提交的说明可用 git commit --amend（尚未推送时）修改，或在下一次提交中注明正确日期")
           for label, text in basis.bad_dates]
    out += [Problem("warning", f"{where}的{wrong}，请核对", file=message, line=trailer_line(info.message, label),
                    rule="history-date-order", hint="先决定、后发布：决定日期应不晚于发布日期和生效日期")
            for label, wrong in date_order_problems(basis)]
    return out


def _skipped(info: CommitInfo, path: str, summary: BlobSummary | None) -> Problem:
    first = next((p for p in problems_of(summary, path) if p.severity == "error"), None) if summary else None
    reason = first.message if first else "文件内容无法读取"
    return Problem(
        "warning", f"提交 {info.sha[:7]}（{info.date[:10]}，{info.subject}）中的 {path} 有错误，"
        f"这次修改未计入调整记录：{reason}",
        file=path, line=first.line if first else None, column=first.column if first else None,
        rule="history-invalid-file",
        hint="调整记录沿用该文件上一次有效的内容，直到后来的提交修正它；用 qingdan check 检查当前文件",
    )


def _field_changes(names: list[str], old: dict, new: dict) -> tuple[tuple[str, Any, Any], ...]:
    """(field, old, new) for the fields that differ, in the list type's order, then any field the
    list type no longer defines, by name."""
    extra = sorted((old.keys() | new.keys()) - set(names))
    return tuple((name, old.get(name), new.get(name))
                 for name in [*names, *extra] if name not in ADDRESS_FIELDS and old.get(name) != new.get(name))


def _work_out_changes(config: SiteConfig, cache: BlobCache, pending: list[_Pending]) -> None:
    """Fill in the changed fields of 变更, 更名 and 划转 events that do not have them yet."""
    todo = [p for p in pending if p.changes is None and (p.kind in (CHANGED, RENAMED, TRANSFERRED) or (
        p.kind == RECODED and p.before.ref.body != p.after.ref.body))]
    data = cache.get_items({e.ref.hash for p in todo for e in (p.before, p.after)})
    names = {t.id: t.field_names for t in config.list_types}
    for p in todo:
        p.changes = _field_changes(names.get(p.list_id, []), data.get(p.before.ref.hash, {}),
                                   data.get(p.after.ref.hash, {}))


def _first_public_seq(config: SiteConfig, repo: GitRepo, commits: list[LogCommit], metas: list[_Commit],
                      notices: list[Problem]) -> int:
    """The first commit whose changes are public adjustments: the one after the baseline (the first
    publication), marked by a 清单基线 trailer or named by `history: baseline:` in site_config.yml."""
    marked = [m.seq for m in metas if m.basis.baseline]
    first = max(marked) + 1 if marked else 0
    if config.history_baseline:
        sha = repo.rev_parse(config.history_baseline)
        if sha is None:
            notices.append(Problem(
                "warning", f"site_config.yml 中 history 的 baseline“{config.history_baseline}”不是本仓库中的提交或标签，已忽略",
                file="site_config.yml", rule="history-baseline", hint="写成首次公布时的提交号或标签名"))
            return first
        later = {c.sha for c in repo.commits(f"{sha}..HEAD")}
        before = [seq for seq, c in enumerate(commits) if c.info.sha not in later]
        first = max(first, max(before) + 1 if before else 0)
    return first


def _format_only(config: SiteConfig, p: _Pending) -> bool:
    """A 变更 that changes how the data is written, not what it says (a format migration, a tool
    upgrade): every changed field reads the same. Not an adjustment."""
    if p.kind != CHANGED or p.changes is None:
        return False
    list_type = config.list_type(p.list_id)
    for name, old, new in p.changes:
        fdef = list_type.field(name) if list_type else None
        if normalize_format(field_text(fdef, old, config)) != normalize_format(field_text(fdef, new, config)):
            return False
    return True


def _history(config: SiteConfig, cache: BlobCache, pending: list[_Pending], metas: list[_Commit],
             last_removal: dict[tuple[str, str], _Pending], state: _State, head: str, complete: bool) -> History:
    gone = {key: p for key, p in last_removal.items() if state.winner(key) is None}
    data = cache.get_items(p.before.ref.hash for p in gone.values())
    by_seq = {m.seq: m for m in metas}
    list_order = {t.id: i for i, t in enumerate(config.list_types)}
    kind_order = {k: i for i, k in enumerate(KINDS)}
    labels = {t.id: {f.name: f.label for f in t.fields} for t in config.list_types}

    def make(p: _Pending) -> Event:
        meta = by_seq[p.seq]
        b, a = p.before, p.after
        now = a or b
        old_ref, new_ref = (b.ref if b else None), (a.ref if a else None)
        changes: tuple[FieldChange, ...] = ()
        if p.changes:
            names = labels.get(p.list_id, {})
            changes = tuple(FieldChange(name, names.get(name, name), old, new) for name, old, new in p.changes)
        if p.kind == RECODED:  # the new address first, then what else changed with it
            list_type = config.list_type(p.list_id)
            fdef = list_type.field("code") if list_type else None
            changes = (FieldChange("code", fdef.label if fdef else "编码", old_ref.code, new_ref.code), *changes)
        return Event(
            kind=p.kind, list_id=p.list_id, code=now.ref.code, name=now.ref.name, department=now.department,
            commit=meta.info.sha, date=meta.info.date, author=meta.info.author, subject=meta.info.subject,
            basis=meta.basis.basis, effective=meta.basis.effective, has_basis=meta.basis.has_basis,
            old_code=old_ref.code if p.kind == RECODED else "",
            old_department=b.department if b and a and b.department != a.department else "",
            old_name=old_ref.name if b and a and old_ref.name != new_ref.name else "",
            changes=changes, seq=p.seq, published=meta.basis.published, decided=meta.basis.decided,
        )

    made = {id(p): make(p) for p in pending}
    events = sorted(made.values(), key=lambda e: (-e.seq, list_order.get(e.list_id, 99), e.code, kind_order[e.kind]))
    per_commit: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        per_commit[event.seq].append(event)
    adjustments = [
        Adjustment(commit=m.info.sha, date=m.info.date, author=m.info.author, subject=m.info.subject,
                   message=m.info.message, basis=m.basis.basis, effective=m.basis.effective,
                   has_basis=m.basis.has_basis, seq=m.seq, events=tuple(per_commit[m.seq]),
                   published=m.basis.published, decided=m.basis.decided)
        for m in sorted(metas, key=lambda m: -m.seq) if per_commit[m.seq]
    ]
    removed_items = [
        RemovedItem(list_id=key[0], code=key[1], department=p.before.department, name=p.before.ref.name,
                    data=data.get(p.before.ref.hash, {}), event=made[id(p)])
        for key, p in sorted(gone.items(), key=lambda kv: (list_order.get(kv[0][0], 99), kv[0][1]))
    ]
    return History(events=events, adjustments=adjustments, removed_items=removed_items, head=head,
                   complete=complete)
