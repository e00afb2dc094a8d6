"""Problems found in user input: located, in Simplified Chinese, with a hint.

Every stage that reads user input reports through `Problem` so that `qingdan check`, `build`
and `import` print the same messages in the same shape.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    file: str = ""
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    list: str = ""
    code: str = ""
    hint: str = ""
    rule: str = ""  # short machine id, e.g. "yaml-syntax", "unknown-field"

    def location(self) -> str:
        where = self.file or "(未知文件)"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format_text(self) -> str:
        label = "错误" if self.severity == "error" else "警告"
        subject = ""
        if self.list or self.code:
            subject = f"［{self.list}{'/' if self.list and self.code else ''}{self.code}］"
        text = f"{self.location()}: {label}{subject}：{self.message}"
        if self.hint:
            text += f"\n    提示：{self.hint}"
        return text

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Problems:
    """An ordered collection of problems; stages append, the CLI prints."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def error(self, message: str, **where) -> None:
        self.items.append(Problem("error", message, **where))

    def warning(self, message: str, **where) -> None:
        self.items.append(Problem("warning", message, **where))

    def extend(self, other: Problems | list[Problem]) -> None:
        self.items.extend(other.items if isinstance(other, Problems) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.items)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.file, p.line or 0, p.column or 0, p.message))


def problems_json(problems: Problems, counts: dict[str, int] | None = None) -> str:
    ordered = problems.sorted()
    payload = {
        "ok": not problems.has_errors(),
        "errors": [p.to_json() for p in ordered if p.severity == "error"],
        "warnings": [p.to_json() for p in ordered if p.severity == "warning"],
        "counts": counts or {},
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)


def report_and_fail(problems: Problems, closing: str) -> None:
    """Print every problem to stderr, then one closing line saying what could not be done."""
    for problem in problems.sorted():
        sys.stderr.write(problem.format_text() + "\n")
    sys.stderr.write(closing + "\n")


def did_you_mean(
    word: str, candidates: list[str], labels: dict[str, str] | None = None, what: str = "字段"
) -> str:
    """A Chinese 'did you mean' hint: matches by a field's Chinese label, by prefix, or by spelling.

    `what` names the candidates when nothing matches ("可用的字段：…", "可用的值：…").
    """
    if labels:
        for name, label in labels.items():
            if word == label or word in label.split("/"):
                return f"是不是想写“{name}”（{label}）？"
    # "icp_code" → "icp" (the longest known key it starts with); "subj" → "subject" (the shortest).
    longer = sorted((c for c in candidates if len(c) >= 3 and word.startswith(c)), key=len, reverse=True)
    shorter = sorted((c for c in candidates if len(word) >= 3 and c.startswith(word)), key=len)
    close = (longer or shorter)[:1] or difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if close:
        suffix = f"（{labels[close[0]]}）" if labels and close[0] in labels else ""
        return f"是不是想写“{close[0]}”{suffix}？"
    return f"可用的{what}：" + ("、".join(candidates) if candidates else "（无）")
