"""Step `downloads`: the catalog → XLSX, CSV and JSON of every list, department and of everything.

Each file is cached under .cache/downloads by what it is made from, so after a one-item edit only the
files of that item's list and department, and the file of everything, are written again; the rest
are hard links to the cache. The files are written by a forked child while the build renders.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from generator.project import Project
from generator.steps.step import Step

if TYPE_CHECKING:
    from generator.steps.runner import Build

DOWNLOADS_DIR = "downloads"


def downloads_inputs(project: Project) -> str:
    """A digest of everything a download can be made from besides its items: the whole site
    configuration (departments with their names, short names and order, the portal fields all.json.zip
    carries, list types, enumerations, options), all of Qingdan's code and libraries (an edit to the
    normaliser changes downloads as much as one to the exporter) and SOURCE_DATE_EPOCH (the dates
    inside a workbook). The whole configuration rather than a hand-picked part of it: a field the
    exporter starts to read tomorrow is covered today, at the price of rewriting downloads after a
    change to a setting they do not use."""
    from generator.history.cache import digest, fingerprint

    config = project.config
    assert config is not None
    where_free = dataclasses.replace(config, root=Path())  # the checkout's own folder is no input
    parts = [fingerprint(config), repr(where_free), os.environ.get("SOURCE_DATE_EPOCH", "")]
    return digest("\0".join(parts).encode("utf-8"))


def _downloads_key(project: Project, inputs: str, item_digests: dict[int, str], list_id: str | None,
                   department: str | None, formats: tuple[str, ...]) -> str:
    """What one download depends on: the items in its scope (by _item_digests) and downloads_inputs."""
    from generator.history.cache import digest

    catalog = project.catalog
    assert catalog is not None
    items = [item_digests[id(i)] for i in catalog.items(list_id) if department is None or i.department == department]
    parts = [inputs, str(list_id), str(department), ",".join(formats), *items]
    return digest("\0".join(parts).encode("utf-8"))


def _item_digests(project: Project) -> dict[int, str]:
    """Each item's digest of what a download shows of it, by id(item): made once, though each item
    is in three downloads (its list's, its department's, everything's); writing out all 10,000
    items for each was a third of a second of every build."""
    from generator.history.cache import canonical, digest

    assert project.catalog is not None
    return {id(i): digest(canonical([i.list_id, i.department, i.code, i.data]).encode("utf-8"))
            for i in project.catalog.items()}


Links = dict[tuple[str | None, str | None], dict[str, str]]


def _scopes(project: Project) -> list[tuple[tuple[str | None, str | None], tuple[str, ...]]]:
    """Every download scope (list id or None, department or None) with its formats."""
    config = project.config
    assert config is not None
    scopes: list[tuple[str | None, str | None]] = [(t.id, None) for t in config.list_types]
    scopes += [(None, d.code) for d in config.departments] + [(None, None)]
    # Each item is published once per format: a list and a department get an XLSX workbook (what
    # clerks and most visitors open, in Excel or WPS), JSON is one file of everything for programs
    # (list pages link it), in a ZIP archive: 15·10⁶ bytes at 10,000 items, republished whole by
    # every one-item adjustment, against 0.7·10⁶ zipped (programs that follow single items read
    # the static API under api/v1/ instead). CSV files per list (11 MB at 10,000 items, ten times their workbook) and
    # JSON files per list (15 MB, the same bytes as the whole-site JSON) repeated the same rows;
    # `qingdan export --format csv` still writes a CSV of any list.
    list_formats = ("xlsx", "csv") if config.download_csv else ("xlsx",)  # `downloads: csv:` in site_config
    formats = {"list": list_formats, "department": ("xlsx",), "all": ("json_zip",)}
    return [(s, formats["all" if s == (None, None) else "list" if s[0] else "department"]) for s in scopes]


def download_links(project: Project) -> Links:
    """(list id or None, department or None) → format → path relative to the site root.

    Known before any file is written, so pages render while the downloads are being made."""
    from generator.tabular.export import download_names

    assert project.config is not None
    links: Links = {}
    for (list_id, department), formats in _scopes(project):
        names = download_names(project.config, list_id, department, formats)
        links[(list_id, department)] = {k: f"{DOWNLOADS_DIR}/{v}" for k, v in names.items()}
    everything = links[(None, None)]
    everything["schema"] = f"{DOWNLOADS_DIR}/qingdan.schema.json"
    for (list_id, department), formats in links.items():
        if list_id and department is None and "json_zip" in everything:
            formats["json_all"] = everything["json_zip"]  # a list's JSON is in the one file of everything
    return links


def write_downloads(project: Project, out_dir: Path) -> Links:
    """XLSX, CSV and JSON of every list, of every department and of everything (open data, 数据开放).

    Files are cached under .cache/downloads by the content they were made from, so a rebuild after
    changing one item rewrites only the downloads of that item's list and department.
    Returns the same links as download_links.
    """
    from generator.tabular.export import SCHEMA_FILE, Tables
    from generator.tabular.export import write_downloads as write

    catalog = project.catalog
    assert catalog is not None
    cache_root = project.root / ".cache" / "downloads"
    out_dir.mkdir(parents=True, exist_ok=True)
    used_keys = set()
    tables = Tables(catalog)  # each list's rows once, for its own files and every department's
    inputs = downloads_inputs(project)
    item_digests = _item_digests(project)
    for (list_id, department), formats in _scopes(project):
        key = _downloads_key(project, inputs, item_digests, list_id, department, formats)
        used_keys.add(key)
        cached = cache_root / key
        index = cached / "names.json"
        if index.exists():
            names = json.loads(index.read_text(encoding="utf-8"))
        else:
            fresh = cache_root / f".{key}.tmp"
            shutil.rmtree(fresh, ignore_errors=True)
            names = write(catalog, fresh, list_id=list_id, department=department, formats=formats, tables=tables)
            (fresh / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
            shutil.rmtree(cached, ignore_errors=True)
            fresh.rename(cached)
        for name in names.values():
            _link(cached / name, out_dir / name)
    for stale in cache_root.iterdir():
        if stale.name not in used_keys:
            shutil.rmtree(stale, ignore_errors=True)
    _link(SCHEMA_FILE, out_dir / "qingdan.schema.json")
    return download_links(project)


def _link(source: Path, target: Path) -> None:
    """`target` as a new file with `source`'s bytes: a hard link when possible (a cached download
    is never changed, only replaced), never a write into a file another site may share."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


_FORKED: tuple[Project, Path] | None = None


def _write_forked() -> float:
    assert _FORKED is not None
    started = time.perf_counter()
    write_downloads(*_FORKED)
    return time.perf_counter() - started


# Above this many items the downloads are written in the build process, after the pages, while
# Pagefind indexes the last part: the forked child touches every item (reference counts), so the
# kernel copies the whole catalog into it (1.4 GB at 100,000 items, measured as PSS).
FORK_MAX_ITEMS = 30_000


class DownloadsJob:
    """write_downloads in a forked process while the parent renders and writes pages.

    The child inherits the loaded catalog (nothing is pickled). On a system without fork, or for
    a catalog larger than FORK_MAX_ITEMS, the files are written in this process when `wait` is called.
    """

    def __init__(self, project: Project, out_dir: Path, fork: bool = True) -> None:
        global _FORKED
        self.seconds = 0.0
        self.pool: ProcessPoolExecutor | None = None
        self.deferred: tuple[Project, Path] | None = None
        assert project.catalog is not None
        if (not fork or "fork" not in multiprocessing.get_all_start_methods()
                or sum(project.catalog.counts().values()) > FORK_MAX_ITEMS):
            self.deferred = (project, out_dir)
            return
        _FORKED = (project, out_dir)
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        self.future = self.pool.submit(_write_forked)

    def wait(self) -> float:
        """Seconds spent writing; re-raises what went wrong in the child."""
        if self.deferred is not None:
            started = time.perf_counter()
            project, out_dir = self.deferred
            self.deferred = None
            write_downloads(project, out_dir)
            self.seconds = time.perf_counter() - started
        if self.pool is not None:
            try:
                self.seconds = self.future.result()
            finally:
                self.pool.shutdown()
                self.pool = None
        return self.seconds

    def finish(self) -> None:
        """After a failed build: let a running child end; write nothing that was deferred."""
        self.deferred = None
        self.wait()


class _Pending:
    def __init__(self, job: DownloadsJob) -> None:
        self.job = job

    def wait(self) -> str | None:
        self.job.wait()
        return None

    def cancel(self) -> None:
        self.job.finish()


def owned_files(project: Project) -> list[str]:
    """Every file this step writes, from the site root (known before any is written)."""
    names = {path for formats in download_links(project).values() for path in formats.values()}
    return sorted(names)


def run(build: Build) -> _Pending:
    project = build.get("@in_force")  # the lists as in force on the as-of day (steps/timeline.py)
    build.owns(STEP.name, owned_files(project))
    for rel in owned_files(project):
        (build.site_dir / rel).unlink(missing_ok=True)
    # A preview has threads (server, watcher): a fork would copy their locks; it writes in process.
    return _Pending(DownloadsJob(project, build.site_dir / DOWNLOADS_DIR, fork=not build.serving))


STEP = Step("downloads", ("@in_force", "site_config.yml", "env:SOURCE_DATE_EPOCH"), ("downloads/",), run,
            "XLSX/CSV/JSON, cached by content, written by a forked child while pages render", serve="after")

