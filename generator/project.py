"""Open a Qingdan project directory: config plus every list, with all problems collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig, load_config
from generator.load import ParsedFile, load_catalog
from generator.model import Catalog
from generator.problems import Problems


@dataclass
class Project:
    root: Path
    config: SiteConfig | None
    catalog: Catalog | None
    problems: Problems
    # Each list file as loaded, by git blob id, for the history step to reuse (open_project with
    # cache=True; the history step empties it).
    parsed: dict[str, ParsedFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.catalog is not None and not self.problems.has_errors()


def open_project(root: Path, cache: bool = False) -> Project:
    """cache: keep parsed list files by content in .cache/parsed (builds and previews do)."""
    problems = Problems()
    config = load_config(root, problems)
    catalog = None
    parsed: dict[str, ParsedFile] = {}
    if config is not None:
        parse = None
        if cache:
            from generator.load import parse_list_bytes
            from generator.parsecache import cached_parser

            parse = cached_parser(parse_list_bytes, config, root / ".cache" / "parsed")
        catalog = load_catalog(config, problems, parse=parse, parsed=parsed if cache else None,
                               findings=root / ".cache" / "findings.pickle" if cache else None)
        if parse is not None:
            parse.prune()
    return Project(root=root, config=config, catalog=catalog, problems=problems, parsed=parsed)
