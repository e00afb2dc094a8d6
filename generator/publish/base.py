"""The one interface every kind of target implements, and what they share.

A target keeps releases: the site as published each time, the last N of them, and knows which
one it serves. `qingdan publish` asks it for the served manifest, plans against it
(generator/publish/plan.py) and hands it the plan; the target sends the files its own way.
"""

from __future__ import annotations

import os
import signal
import sys
from abc import ABC, abstractmethod
from pathlib import Path

from generator.publish.errors import PublishError
from generator.publish.lock import Holder, acquire
from generator.publish.manifest import Manifest, part_of
from generator.publish.plan import Plan, Report

LOCK_LOST = "发布锁已被另一次发布接管（--break-lock），本次发布没有切换网站"
RELEASES_DIR = "releases"  # directory and SSH targets: <root>/releases/<name>/ and <root>/current → it
CURRENT_LINK = "current"
PARTIAL_SUFFIX = ".partial"  # a release still being written (left by an interrupted publish)


class Target(ABC):
    kind = ""

    def __init__(self, spec: str) -> None:
        self.spec = spec

    @abstractmethod
    def served(self) -> tuple[str, Manifest | None]:
        """(name of the release being served or "", its manifest or None when nothing was published)."""

    @abstractmethod
    def releases(self) -> list[str]:
        """Names of the complete releases kept on the target, oldest first."""

    @abstractmethod
    def publish(self, site_dir: Path, manifest: Manifest, plan: Plan, release: str, keep: int) -> None:
        """Send plan.upload from site_dir, make `release` the one served, drop releases beyond `keep`."""

    @abstractmethod
    def rollback(self) -> Report:
        """Serve the release before the current one again, exactly as it was; drop the current one."""

    @abstractmethod
    def served_hashes(self) -> dict[str, str]:
        """SHA-256 of every file being served (the manifest excluded), read back from the target."""

    # -- the publish lock (generator/publish/lock.py) ----------------------------------------------
    holder: Holder | None = None

    def lock(self, wait: float, force: bool) -> None:
        """Hold the target's lock until unlock(); waits up to `wait` seconds, or takes it (force)."""
        me = Holder.me()
        broken = acquire(self._try_lock, self._break_lock, me, self.spec, wait, force)
        self.holder = me
        tokens = [h.token for h in broken if h is not None]
        if tokens:
            self._drop_staging(tokens)

    def unlock(self) -> None:
        """Release the lock; a lock that cannot be released is reported, not raised (the publish
        itself is over, and the next run on this machine takes an abandoned lock over)."""
        if self.holder is None:
            return
        try:
            self._break_lock(self.holder)
        except PublishError as exc:
            sys.stderr.write(f"{self.spec}：警告：发布锁没有解除：{exc.message}\n"
                             "    提示：下一次在本机的发布会自动接管；在别的机器上发布时加 --break-lock\n")
        self.holder = None

    def _try_lock(self, me: Holder) -> tuple[bool, Holder | None]:
        """Take the lock atomically: (True, None), or (False, its holder or None when unreadable)."""
        raise NotImplementedError

    def _break_lock(self, holder: Holder | None) -> bool:
        """Remove the lock if it is still `holder`'s; whether it did."""
        raise NotImplementedError

    def _drop_staging(self, tokens: list[str]) -> None:  # noqa: B027 - S3 stages nothing
        """Remove half-written releases of runs whose abandoned locks this run broke (and only those)."""

    def close(self) -> None:  # noqa: B027 - most targets hold nothing to release
        """Release connections and temporary files."""


def checkpoint(sent: int) -> None:
    """Fault injection for the tests: QINGDAN_PUBLISH_KILL_AFTER=N kills this process (SIGKILL,
    like a machine losing power) once N files have been sent, to show an interrupted publish
    leaves the previous release served."""
    limit = os.environ.get("QINGDAN_PUBLISH_KILL_AFTER", "")
    if limit.isdigit() and sent >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)


def staging_name(release: str, token: str) -> str:
    """A release being written, named after its run's lock token: a run removes only its own, or
    those of runs whose abandoned locks it broke."""
    return f".{release}.{token}{PARTIAL_SUFFIX}"


def release_mismatches(manifest: Manifest, actual: dict[str, str]) -> tuple[list[str], list[str]]:
    """(files missing or differing from the manifest, files the manifest does not list)."""
    wrong = [p for p, e in sorted(manifest.files.items()) if actual.get(p) != e.sha256]
    return wrong, sorted(set(actual) - set(manifest.files))


def verify_report(target: Target, manifest: Manifest | None, release: str) -> Report:
    """Compare what the target serves with the manifest it serves."""
    report = Report("verify", target.spec, release=release)
    if manifest is None:
        report.problems.append("目标上没有已发布的网站（找不到 qingdan-manifest.json）")
        return report
    actual = target.served_hashes()
    for path, entry in sorted(manifest.files.items()):
        got = actual.get(path)
        if got is None:
            report.problems.append(f"缺少文件：{path}")
        elif got != entry.sha256:
            report.problems.append(f"内容与清单不符：{path}（清单 {entry.sha256[:12]}…，实际 {got[:12]}…）")
    for part in manifest.broken:
        report.problems.append(f"清单分片损坏：{part}，它列出的文件无法核对；重新发布会把它和这些文件再发送一次")
    count = len(manifest.parts())
    for path in sorted(set(actual) - set(manifest.files)):
        if not (manifest.broken and part_of(path, count) in manifest.broken):  # unknown, said above
            report.problems.append(f"清单中没有的文件：{path}")
    report.unchanged_files = len(manifest.files)
    report.unchanged_bytes = manifest.total_bytes
    return report
