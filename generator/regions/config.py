"""The regions a portal gathers, as plain data (read from `regions:` in site_config.yml by generator/config.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Region:
    """One region of a portal: a county project, found at `path` (relative to the portal) or in `git` at `ref`."""

    id: str
    name: str
    code: str = ""  # 区划代码 (GB/T 2260)
    path: str = ""
    git: str = ""
    ref: str = ""

    def root(self, portal_root: Path) -> Path | None:
        """The region project's directory, or None for a region kept in another git repository."""
        return (portal_root / self.path).resolve() if self.path else None


def make_region(values: dict) -> Region:
    return Region(**{k: str(v or "") for k, v in values.items()})
