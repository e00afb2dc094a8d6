"""The one error a publish raises for a reason the operator can act on.

Its own module so that every part of publishing (targets, the lock) can raise it without importing
each other.
"""

from __future__ import annotations


class PublishError(Exception):
    """A publish that cannot go on, for a reason the operator can act on (message and hint in Chinese)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint
