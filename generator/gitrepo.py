"""A small wrapper around the git command line, shared by history, diff and the site's editions.

Every call is one `git` process run in the project directory; blobs are read through ONE
`git cat-file --batch` process however many are asked for. The project may be a subdirectory of
the repository: every path this module returns or accepts is relative to the PROJECT root
(`lists/power/scjgj.yml`), never to the repository's top level, so callers need not care.

Dates are committer dates in strict ISO 8601 with the commit's own offset
(`2016-12-01T10:00:00+08:00`): the moment a change entered the published lists. Nothing here
prints or raises for an ordinary git failure: a missing repository, revision or object gives
False, None or an empty result, and the caller decides what to tell the user.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ZERO_SHA = "0" * 40
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A trailer line: "Key: value" or "键：值" (full-width colon, as Chinese input methods type it).
_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,39}|[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9-]{0,15})\s*[:：]\s*(.*?)\s*$")
_RS, _US = "\x1e", "\x1f"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    date: str  # committer date, ISO 8601 with offset
    author: str  # author name
    subject: str
    message: str  # the full message, subject included
    trailers: dict[str, str] = field(default_factory=dict)  # see parse_trailers
    author_email: str = ""
    author_date: str = ""
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class GitFailure:
    """Why the project cannot be read as a git repository, in git's own words.

    kind: "no-git" (git is not installed), "not-a-repo" (an ordinary project without git),
    "dubious-ownership" (git refuses a repository owned by another user; `fix` is the command
    git itself names) or "failed" (anything else: a damaged repository, a permission error…).
    """

    kind: str
    message: str  # git's stderr, stripped; the Chinese caller quotes it as is
    fix: str = ""

    @property
    def is_repo_missing(self) -> bool:
        """True when there simply is no repository (publishing without history is then allowed)."""
        return self.kind in ("no-git", "not-a-repo")


_SAFE_DIRECTORY = re.compile(r"^\s*(git config --global --add safe\.directory .+?)\s*$", re.MULTILINE)
_DUBIOUS = re.compile(r"dubious ownership in repository at '(.+?)'")


def classify_failure(stderr: str) -> GitFailure:
    """Sort a failed `git rev-parse` by its message (git's exit code is 128 for all of them)."""
    message = stderr.strip()
    if "not a git repository" in message:
        return GitFailure("not-a-repo", message)
    dubious = _DUBIOUS.search(message)
    if dubious:
        named = _SAFE_DIRECTORY.search(message)
        fix = named.group(1) if named else f"git config --global --add safe.directory {dubious.group(1)}"
        return GitFailure("dubious-ownership", message, fix)
    return GitFailure("failed", message or "git 没有给出原因")


@dataclass(frozen=True)
class TagInfo:
    name: str
    commit: str
    date: str  # the tagged commit's committer date


@dataclass(frozen=True)
class RawChange:
    """One file changed by a commit, compared with its first parent (from `git log --raw`)."""

    status: str  # A, M, D or T
    path: str  # project-relative
    old_blob: str  # ZERO_SHA when added
    new_blob: str  # ZERO_SHA when deleted


@dataclass(frozen=True)
class LogCommit:
    info: CommitInfo
    changes: tuple[RawChange, ...]


def parse_trailers(message: str) -> dict[str, str]:
    """Trailers of a commit message: `Key: value` lines in its last paragraph.

    Like git's own trailers, but the key may be Chinese and the colon full-width (git's parser
    accepts neither). The subject line is never a trailer. A paragraph counts when every line in
    it is a trailer or the indented continuation of one. A key given twice keeps both values,
    joined with "；".
    """
    lines = message.strip("\n").splitlines()
    if len(lines) < 2:
        return {}
    start = len(lines)
    while start > 1 and lines[start - 1].strip():
        start -= 1
    block = lines[start:]
    found: list[tuple[str, str]] = []
    for line in block:
        if line[:1] in (" ", "\t") and found:
            key, value = found[-1]
            found[-1] = (key, f"{value} {line.strip()}".strip())
            continue
        match = _TRAILER.match(line)
        if not match:
            return {}
        found.append((match.group(1), match.group(2)))
    out: dict[str, str] = {}
    for key, value in found:
        out[key] = f"{out[key]}；{value}" if key in out else value
    return out


class GitRepo:
    """The git repository holding the project at `root` (which may be a subdirectory of it)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._prefix: str | None = None
        self.last_error = ""  # git's stderr of the last command that failed, for callers that report it

    # -- plumbing -------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("GIT_INDEX_FILE", None)
        env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
        return env

    def _cmd(self, args: list[str]) -> list[str]:
        return ["git", "-c", "core.quotePath=false", "-c", "log.showSignature=false", *args]

    def _run(self, *args: str) -> subprocess.CompletedProcess[bytes] | None:
        """Run git; None when git is missing or the directory does not exist."""
        if shutil.which("git") is None or not self.root.is_dir():
            return None
        try:
            result = subprocess.run(self._cmd(list(args)), cwd=self.root, env=self._env(), capture_output=True,
                                    check=False)
        except OSError as exc:
            self.last_error = str(exc)
            return None
        if result.returncode != 0:
            self.last_error = result.stderr.decode("utf-8", errors="replace").strip()
        return result

    def _out(self, *args: str) -> str | None:
        result = self._run(*args)
        if result is None or result.returncode != 0:
            return None
        return result.stdout.decode("utf-8", errors="replace")

    # -- the repository -------------------------------------------------------------------
    def is_repo(self) -> bool:
        return self._out("rev-parse", "--git-dir") is not None

    def probe(self) -> GitFailure | None:
        """None when the project is inside a repository git will read; else why not.

        `is_repo()` says only yes or no: a repository git refuses (dubious ownership, damage)
        would pass for "no repository" and a site would quietly go out without its history.
        """
        if shutil.which("git") is None:
            return GitFailure("no-git", "找不到 git 命令")
        result = self._run("rev-parse", "--git-dir")
        if result is None:
            return GitFailure("failed", f"无法在 {self.root} 中运行 git")
        if result.returncode == 0:
            return None
        return classify_failure(result.stderr.decode("utf-8", errors="replace"))

    def dirty_paths(self, *paths: str) -> list[str] | None:
        """Uncommitted changes (modified, staged or untracked) under `paths` (default: the project).

        Paths as git prints them; None when git fails (the caller reports `last_error`).
        """
        out = self._out("status", "--porcelain", "--untracked-files=all", "--", *(paths or (".",)))
        if out is None:
            return None
        return sorted(line[3:] for line in out.splitlines() if line.strip())

    def is_shallow(self) -> bool:
        return (self._out("rev-parse", "--is-shallow-repository") or "").strip() == "true"

    def toplevel(self) -> Path | None:
        out = self._out("rev-parse", "--show-toplevel")
        return Path(out.strip()) if out and out.strip() else None

    def prefix(self) -> str:
        """The project's path inside the repository, '' or ending in '/' (e.g. 'site/')."""
        if self._prefix is None:
            self._prefix = (self._out("rev-parse", "--show-prefix") or "").strip()
        return self._prefix

    def _project_path(self, repo_path: str) -> str | None:
        prefix = self.prefix()
        return repo_path[len(prefix):] if repo_path.startswith(prefix) else None

    def rev_parse(self, rev: str) -> str | None:
        """The full commit id `rev` names (a branch, tag, sha or HEAD~2), or None."""
        out = self._out("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        return out.strip() if out and out.strip() else None

    def shallow_commits(self) -> set[str]:
        """The boundary commits of a shallow clone (their parents are missing)."""
        out = self._out("rev-parse", "--git-path", "shallow")
        if not out:
            return set()
        path = Path(out.strip())
        path = path if path.is_absolute() else self.root / path
        try:
            return set(path.read_text(encoding="ascii").split())
        except OSError:
            return set()

    def first_parent_root(self, ref: str = "HEAD") -> str | None:
        """The oldest commit on the first-parent chain of `ref` (a shallow clone's boundary)."""
        out = self._out("rev-list", "--first-parent", "--max-parents=0", "--end-of-options", ref)
        lines = (out or "").split()
        return lines[-1] if lines else None

    # -- trees and blobs ------------------------------------------------------------------
    def ls_tree(self, rev: str, path: str = "lists") -> dict[str, str]:
        """Every file under `path` at `rev`: project-relative path → blob id ({} if none)."""
        out = self._run("ls-tree", "-r", "-z", "--end-of-options", rev, "--", path)
        if out is None or out.returncode != 0:
            return {}
        files: dict[str, str] = {}
        for entry in out.stdout.decode("utf-8", errors="replace").split("\0"):
            meta, _, name = entry.partition("\t")
            parts = meta.split()
            if len(parts) == 3 and parts[1] == "blob":
                files[name] = parts[2]  # ls-tree shows paths relative to the working directory
        return files

    def iter_blobs(self, blob_ids: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(blob id, content) for each id that exists, streamed from one `git cat-file --batch`."""
        ids = list(dict.fromkeys(blob_ids))
        if not ids or shutil.which("git") is None:
            return
        proc = subprocess.Popen(self._cmd(["cat-file", "--batch"]), cwd=self.root, env=self._env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdin is not None and proc.stdout is not None

        def feed() -> None:  # a writer thread: git's output pipe would otherwise fill and block us both
            try:
                proc.stdin.write("".join(f"{i}\n" for i in ids).encode("ascii", errors="replace"))
                proc.stdin.close()
            except OSError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for _ in ids:
                header = proc.stdout.readline().decode("ascii", errors="replace").split()
                if len(header) == 3 and header[2].isdigit():
                    size = int(header[2])
                    data = proc.stdout.read(size)
                    proc.stdout.read(1)  # the newline after each object
                    if header[1] == "blob":
                        yield header[0], data
                elif not header:
                    break
        finally:
            proc.stdout.close()
            proc.wait()
            writer.join()

    def read_blobs(self, blob_ids: Iterable[str]) -> dict[str, bytes]:
        """blob id → content for each id that exists (one `git cat-file --batch` process)."""
        return dict(self.iter_blobs(blob_ids))

    # -- commits --------------------------------------------------------------------------
    _FORMAT = _US.join(["%H", "%P", "%cI", "%aI", "%an", "%ae", "%B"]) + _US

    def _info(self, fields: list[str]) -> CommitInfo:
        sha, parents, cdate, adate, name, email, message = fields[:7]
        message = message.strip("\n")
        return CommitInfo(
            sha=sha, date=cdate, author=name, subject=message.split("\n", 1)[0].strip(), message=message,
            trailers=parse_trailers(message), author_email=email, author_date=adate,
            parents=tuple(parents.split()),
        )

    def commit_info(self, rev: str) -> CommitInfo | None:
        out = self._out("log", "-1", "--no-color", f"--format={self._FORMAT}", "--end-of-options", rev)
        if not out:
            return None
        return self._info(out.split(_US))

    def commits(self, revision_range: str) -> list[CommitInfo]:
        """Commits in `revision_range` (e.g. 'a..b'), newest first; [] when it names nothing."""
        out = self._out("log", "--no-color", f"--format={_RS}{self._FORMAT}", "--end-of-options", revision_range)
        return [self._info(rec.split(_US)) for rec in (out or "").split(_RS) if rec.strip()]

    def log_changes(self, path: str = "lists", ref: str = "HEAD") -> list[LogCommit]:
        """The first-parent commits of `ref` that change `path`, OLDEST first, with their changes.

        Follows first parents only: a merge counts as one commit whose changes are the difference
        from its first parent (what the merge brought in). Renames show as delete + add (the
        history works per item, not per file). One `git log --raw` call.
        """
        result = self._run(
            "log", "--first-parent", "-m", "--raw", "--no-renames", "--no-abbrev", "--root", "--no-color",
            "-z", f"--format={_RS}{self._FORMAT}", "--end-of-options", ref, "--", path,
        )
        if result is None or result.returncode != 0:
            return []
        commits: list[LogCommit] = []
        for record in result.stdout.decode("utf-8", errors="replace").split(_RS):
            if not record.strip("\0\n"):
                continue
            fields = record.split(_US)
            info = self._info(fields)
            commits.append(LogCommit(info, tuple(self._raw_changes(fields[7] if len(fields) > 7 else ""))))
        commits.reverse()
        return commits

    def _raw_changes(self, raw: str) -> Iterator[RawChange]:
        tokens = raw.split("\0")
        i = 0
        while i < len(tokens):
            meta = tokens[i].strip("\n")
            if meta.startswith(":") and i + 1 < len(tokens):
                parts = meta[1:].split()
                path = self._project_path(tokens[i + 1])
                i += 2
                if len(parts) == 5 and path is not None:
                    yield RawChange(status=parts[4][:1], path=path, old_blob=parts[2], new_blob=parts[3])
            else:
                i += 1

    def commit_at_date(self, date_str: str, ref: str = "HEAD") -> str | None:
        """The last first-parent commit of `ref` made on or before the end of day `date_str`.

        `date_str` is YYYY-MM-DD; each commit's day is read in its own time zone (a commit made
        at 2016-12-01 23:30 +08:00 belongs to 1 December). Raises ValueError for another format.
        """
        if not _DAY.match(date_str):
            raise ValueError(f"日期“{date_str}”应写成 YYYY-MM-DD，例如 2016-12-01")
        out = self._out("log", "--first-parent", "--no-color", "--format=%H %cI", "--end-of-options", ref)
        for line in (out or "").splitlines():
            sha, _, date = line.partition(" ")
            if date[:10] <= date_str:
                return sha
        return None

    def tags(self) -> list[TagInfo]:
        """Tags that name a commit, oldest commit first (then by name)."""
        fmt = "%1f".join([
            "%(refname:short)", "%(objecttype)", "%(objectname)", "%(*objecttype)", "%(*objectname)",
            "%(committerdate:iso-strict)", "%(*committerdate:iso-strict)",
        ])
        out = self._out("for-each-ref", f"--format={fmt}", "refs/tags")
        tags = []
        for line in (out or "").splitlines():
            parts = line.split(_US)
            if len(parts) != 7:
                continue
            name, otype, oid, ptype, pid, date, pdate = parts
            if otype == "commit" and date:
                tags.append(TagInfo(name, oid, date))
            elif otype == "tag" and ptype == "commit" and pdate:
                tags.append(TagInfo(name, pid, pdate))
        return sorted(tags, key=lambda t: (t.date, t.name))

    def tag_messages(self) -> dict[str, tuple[str, str]]:
        """tag name → (subject, body) of the tag's message; a lightweight tag gives its commit's."""
        out = self._out("for-each-ref", "--format=%(refname:short)%1f%(contents:subject)%1f%(contents:body)%1e",
                        "refs/tags")
        messages = {}
        for record in (out or "").split(_RS):
            parts = record.strip("\n").split(_US)
            if len(parts) == 3:
                messages[parts[0]] = (parts[1].strip(), parts[2].strip())
        return messages

def git_state(root: Path) -> str:
    """The commit checked out and every tag, as text: what the history and editions are read from
    (a build input: generator/steps/runner.py)."""
    import subprocess

    try:
        tags = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags"],
                              cwd=root, capture_output=True, text=True, timeout=30, check=False)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "no-git"
    return head.stdout + tags.stdout
