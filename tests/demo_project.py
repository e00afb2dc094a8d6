"""Copies of the embedded demo county, for tests that build or edit a project of their own."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def copy_demo_project(root: Path, content: bool = True) -> Path:
    """Copy site_config.yml, mkdocs.yml, lists/ (and content/) of the demo into `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("site_config.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    shutil.copytree(PROJECT / "lists", root / "lists")
    if content:
        shutil.copytree(PROJECT / "content", root / "content")
    return root
