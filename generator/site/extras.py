"""Optional build stages around the core pages: history pages, feeds and data downloads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.project import Project
from generator.render.pages import Page, PageBuilder


@dataclass
class HistoryBundle:
    view: Any  # generator.history.History
    notices: list[Any]


def load_history(project: Project, enabled: bool = True) -> HistoryBundle | None:
    """The lists' change history from git, or None when disabled."""
    if not enabled:
        return None
    from generator.history import extract_history

    history = extract_history(project.config, project.problems, cache_dir=project.root / ".cache" / "history")
    return HistoryBundle(view=history, notices=list(getattr(history, "notices", [])))


def latest_adjustments(bundle: HistoryBundle | None, count: int = 10) -> list[Any]:
    if bundle is None:
        return []
    return list(bundle.view.adjustments[:count])


def extra_nav(bundle: HistoryBundle | None) -> list[Any]:
    return [{"动态调整": "adjustments/index.md"}] if bundle is not None else []


def history_pages(builder: PageBuilder, bundle: HistoryBundle | None) -> list[Page]:
    if bundle is None:
        return []
    from generator.render.history_pages import build_history_pages

    return build_history_pages(builder, bundle.view)


def write_data_files(project: Project, site_dir: Path, bundle: HistoryBundle | None, site_url: str) -> None:
    if bundle is not None:
        from generator.render.feeds import write_feeds

        write_feeds(project, bundle.view, site_dir, site_url)
