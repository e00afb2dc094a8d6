"""What commands share about bad arguments: one error type, one way to report it, one --fail-on parser."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Mapping

from generator.config import did_you_mean

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad arguments or a revision that does not exist: a Chinese message and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def run_reporting_usage(command: str, func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; a UsageError becomes its message and hint on stderr and exit code 2."""
    try:
        return func(args)
    except UsageError as exc:
        sys.stderr.write(f"qingdan {command}：{exc.message}\n")
        if exc.hint:
            sys.stderr.write(f"提示：{exc.hint}\n")
        return EXIT_USAGE


def parse_fail_on(value: str, known: Iterable[str], what: str, listing: str,
                  aliases: Mapping[str, str] | None = None) -> set[str]:
    """The ids named by --fail-on ("any" is all of them); an unknown id is a UsageError.

    `what` names the ids in the message (审核提示, 规则); `listing` says where to find them;
    `aliases` maps an older id to the id it now has.
    """
    known = list(known)
    aliases = aliases or {}
    ids = {v.strip() for v in re.split(r"[,，\s]+", value) if v.strip()}
    if "any" in ids:
        return set(known)
    for name in sorted(ids):
        if name not in known and name not in aliases:
            close = did_you_mean(name, known)
            close = close if close.startswith("是不是") else ""
            raise UsageError(f"--fail-on 中的“{name}”不是{what}的标识", close + listing)
    return {aliases.get(name, name) for name in ids}
