"""Progress of a long step on stderr, for the person waiting: shown at once on a terminal, and in a log
(CI, a redirected run) only once the step has taken a while, so short runs stay quiet."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`step(text)` as often as convenient; it writes at most every `every` seconds."""

    def __init__(self, stream: TextIO | None = None, after: float = 5.0, every: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = self.stream.isatty()
        self.start = time.monotonic()
        self.after = 0.5 if self.terminal else after  # a log gets a line only when the wait is real
        self.every = every if self.terminal else max(every, 5.0)
        self.last = 0.0
        self.shown = False

    def step(self, text: str) -> None:
        now = time.monotonic()
        if now - self.start < self.after or now - self.last < self.every:
            return
        self.last = now
        if self.terminal:
            self.stream.write(f"\r\033[K{text}……")
        else:
            self.stream.write(f"{text}……\n")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        """Clear the terminal's progress line before the report is printed."""
        if self.terminal and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
