"""The child processes of a publish (ssh, rsync, ssh-agent) and its private directory end with it.

SIGTERM and SIGINT end `qingdan publish` through its `finally` blocks (generator/commands/publish.py).
SIGKILL cannot be caught, so a guard process watches instead: started first, it leads a process
group that every other child joins, and it reads a pipe whose only writer is qingdan. However
qingdan ends, the kernel closes that pipe; the guard then runs the given clean-up command (the SSH
connection master, which detaches into its own session), removes the private directory, and
kills the group, itself last.

A private directory left by a run whose guard was killed too is removed by the next run
(`remove_abandoned`): its name carries the pid of the run that made it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PREFIX = "qingdan-ssh-"

_GUARD = r"""
import os, shutil, signal, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.stdin.buffer.read()  # returns when qingdan has ended, however it ended
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if len(sys.argv) > 2:
    subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, capture_output=True, timeout=10, check=False)
shutil.rmtree(sys.argv[1], ignore_errors=True)
os.killpg(0, signal.SIGTERM)
time.sleep(0.2)
os.killpg(0, signal.SIGKILL)
"""


def private_dir() -> Path:
    """A directory only this user can read, named after this process (see remove_abandoned)."""
    remove_abandoned()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


def remove_abandoned() -> None:
    """Private directories of this user's runs that no longer exist."""
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = path.name[len(PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or path.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


class Guard:
    """One per run that starts child processes; `options()` goes to every subprocess call."""

    def __init__(self, directory: Path, cleanup: list[str]) -> None:
        self.directory = directory
        self.proc = subprocess.Popen([sys.executable, "-c", _GUARD, str(directory), *cleanup],
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, process_group=0)

    def options(self) -> dict[str, Any]:
        return {"process_group": self.proc.pid}

    def stop(self) -> None:
        """End the group now (a clean exit): the guard does the same clean-up as after a kill."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
