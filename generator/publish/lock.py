"""The publish lock: one publish or rollback at a time on a target, whoever starts it.

Two operators (or two CI pipelines) publishing to one target at once used to delete each other's
staging and leave a broken site that both reported as published. Every kind of target now holds
a lock while it changes anything: a directory taken with one atomic rename (directory and SSH
targets), a conditional write (S3). The lock records who holds it, so the second run can say so.

What is shared here: the record (`Holder`), when a lock counts as abandoned, how long a second
run waits, and the messages. Each target only knows how to take, read, break and drop it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from generator.publish.errors import PublishError

LOCK_NAME = ".qingdan-lock"  # directory and SSH targets: <root>/.qingdan-lock/holder.json
HOLDER_FILE = "holder.json"
STALE_AFTER = 6 * 3600  # seconds: a lock this old is taken over (no publish of a county's lists takes hours)
DEFAULT_WAIT = 120  # seconds a second publish waits before it gives up with exit 2
_POLL = 1.0


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: enough for an operator to find the run, and a token only that run knows."""

    host: str
    pid: int
    user: str
    started: float  # Unix time
    token: str

    @classmethod
    def me(cls) -> Holder:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = str(os.getuid())
        return cls(socket.gethostname(), os.getpid(), user, time.time(), uuid.uuid4().hex[:16])

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> Holder | None:
        """None for a record that cannot be read (a run killed while writing it: treated as abandoned)."""
        try:
            raw = json.loads(data.decode("utf-8"))
            return cls(str(raw["host"]), int(raw["pid"]), str(raw["user"]), float(raw["started"]), str(raw["token"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def since(self) -> str:
        return dt.datetime.fromtimestamp(self.started).astimezone().strftime("%Y-%m-%d %H:%M:%S（UTC%z）")

    def describe(self) -> str:
        return f"{self.user}@{self.host} 上的进程 {self.pid}，自 {self.since()} 起"


def abandoned(holder: Holder | None, now: float | None = None) -> bool:
    """A lock nobody will release: unreadable, older than STALE_AFTER, or held by a process of this
    machine that no longer exists (a run killed with kill -9 or by a power cut)."""
    if holder is None:
        return True
    if (now or time.time()) - holder.started > STALE_AFTER:
        return True
    if holder.host == socket.gethostname() and holder.pid > 0:
        try:
            os.kill(holder.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # another user's live process
            return False
    return False


class LockHeld(PublishError):
    """Another run holds the lock (exit 2: nothing was changed, try again later)."""


def acquire(try_take: Callable[[Holder], tuple[bool, Holder | None]], break_held: Callable[[Holder | None], bool],
            me: Holder, where: str, wait: float, force: bool) -> list[Holder | None]:
    """Take the lock for `me`, waiting up to `wait` seconds for a live holder; returns the holders
    whose abandoned locks were broken (only their staging may be removed).

    try_take(me) takes the lock atomically: (True, None), or (False, the holder; None when its
    record cannot be read). break_held(h) removes the lock only if it is still h's and says whether
    it did, so of two runs breaking one abandoned lock only one succeeds."""
    broken: list[Holder | None] = []
    deadline = time.monotonic() + max(0.0, wait)
    told = False
    while True:
        ok, holder = try_take(me)
        if ok:
            return broken
        if force or abandoned(holder):
            reason = "按 --break-lock" if force else "持有者已不在运行"
            who = f"原持有者：{holder.describe()}" if holder else "锁记录无法读取"
            print(f"{where}：接管发布锁（{who}；{reason}）。", file=sys.stderr)
            if break_held(holder):
                broken.append(holder)
            force = False  # only the lock seen: a run that takes it meanwhile is waited for
            continue
        assert holder is not None
        if time.monotonic() >= deadline:
            raise LockHeld(
                f"另一次发布正在进行：{where} 的发布锁由 {holder.describe()}持有",
                "等那次发布完成后再运行；确认那次发布已中断（进程已不在）时，加 --break-lock 接管"
                f"（超过 {STALE_AFTER // 3600} 小时的锁会自动接管）",
            )
        if not told:
            print(f"{where}：另一次发布正在进行（{holder.describe()}），最多等待 {int(wait)} 秒……", file=sys.stderr)
            told = True
        time.sleep(_POLL)
