"""Step `load`: site_config.yml and every list file → the validated catalog (every problem located).

A build parses each list file through the parse cache (.cache/parsed, by content). A preview that
saw only list files change parses only those again and rebuilds the catalog from the items it kept:
at 10,000 items that is the difference between seconds and a few milliseconds. Of a saved file it
parses only the items whose text changed (generator/reparse.py; `@list_files` keeps what it needs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.load import build_catalog, git_blob_id, list_files, split_list_path
from generator.model import Catalog, Item
from generator.problems import Problems
from generator.project import Project, open_project
from generator.reparse import Parsed, record, reparse
from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build


def run(build: Build) -> None:
    kept: Project | None = build.products.get("@catalog")
    changed = _changed_list_files(build, kept)
    files: dict[str, Parsed] = {}
    if kept is not None and changed is not None:
        files = dict(build.products.get("@list_files") or {})
        project = _reload(kept, changed, build.problems, files)
    else:
        project = open_project(build.root, cache=True)
        build.problems.extend(project.problems)
        if build.serving and project.ok:
            files = _records(project)
    if project.ok:
        build.put("@catalog", project)
        build.put("@list_files", files)


def _records(project: Project) -> dict[str, Parsed]:
    """For a preview: what generator/reparse.py needs of each list file parsed without a problem."""
    assert project.config is not None
    files: dict[str, Parsed] = {}
    for path in list_files(project.root / project.config.lists_dir):
        rel = path.relative_to(project.root).as_posix()
        try:
            data = path.read_bytes()
        except OSError:
            continue
        parsed = project.parsed.get(git_blob_id(data))
        if parsed is not None and parsed.path == rel and not parsed.problems:
            made = record(data, parsed.items)
            if made is not None:
                files[rel] = made
    return files


def _changed_list_files(build: Build, kept: Project | None) -> list[str] | None:
    """The list files (relative paths) a preview saw change, or None when anything else changed."""
    if kept is None or build.changed is None or kept.config is None:
        return None
    lists_dir = kept.config.lists_dir
    found = []
    for path in build.changed:
        try:
            rel = path.resolve().relative_to(build.root).as_posix()
        except ValueError:
            return None
        if not rel.startswith(lists_dir + "/") or split_list_path(rel) is None:
            return None
        found.append(rel)
    return found


def _reload(kept: Project, changed: list[str], problems: Problems, files: dict[str, Parsed]) -> Project:
    """The kept project with `changed` list files parsed again (a preview's edit); `files`, what
    generator/reparse.py knows of each file, is brought up to date."""
    assert kept.config is not None and kept.catalog is not None
    by_file: dict[str, list[Item]] = {}
    for item in kept.catalog.items():
        by_file.setdefault(item.file, []).append(item)
    for rel in changed:
        try:
            data = (kept.root / rel).read_bytes()
        except FileNotFoundError:
            by_file.pop(rel, None)
            files.pop(rel, None)
            continue
        by_file[rel], made = reparse(data, rel, kept.config, problems, files.get(rel))
        if made is None:
            files.pop(rel, None)
        else:
            files[rel] = made
    items = [item for file in sorted(by_file) for item in by_file[file]]
    catalog = build_catalog(kept.config, items, problems)
    _check(catalog, [i for rel in changed for i in by_file.get(rel, [])], problems)
    return Project(root=kept.root, config=kept.config, catalog=catalog, problems=problems)


def _check(catalog: Catalog, changed: list[Item], problems: Problems) -> None:
    """The catalog checks an edit can fail: references anywhere (an edit may remove a target),
    item-level rules for the items of the changed files (the others passed them already).
    Only errors are reported: the preview stops on errors; `qingdan check` lists warnings."""
    from generator.rules import broken_references, item_findings

    for item in catalog.items():
        for field_name, target, code in broken_references(catalog, item):
            target_type = catalog.config.list_type(target)
            problems.error(f"引用的{target_type.title if target_type else target}事项“{code}”不存在",
                           rule="broken-reference", hint=f"检查编码是否写错；被引用的事项应在 lists/{target}/ 中",
                           **item.where(field_name))
    for item in changed:
        for finding in item_findings(catalog, item):
            if finding.severity == "error":
                problems.error(finding.message, rule=finding.rule, hint=finding.hint,
                               **item.where(finding.field or None))


STEP = Step("load", ("site_config.yml", "lists/"), ("@catalog", "@list_files"), run,
            "validated items, every problem located; a preview parses only the files that changed")

