"""Step `search_index`: the lean search documents → Pagefind's index, one bundle per part.

The pages step writes each page's lean document (generator/search.py) into the part of the index
that holds it and names the parts it changed; only those parts are indexed again, and the other
parts' bundles stay as they were published.
"""

from __future__ import annotations

import hashlib
import json
import queue
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from generator import search
from generator.steps.step import BuildError, Step

if TYPE_CHECKING:
    from generator.steps.runner import Build



class DocumentStore:
    """The lean search documents of a site, kept between builds: one JSON file per part of the
    index ({page path: document}: what the part's bundle indexed), beside it a digest of each
    (what an edit compares with: 72 MB of documents at 10,000 items took seconds to read) and the
    bundle's fragment id of each page, and the recent changes on top of them (search.RECENT_PART, one small
    file: {page path: document, or None for a page gone}). A one-item edit thus rewrites one small
    file, and Pagefind gets a part's documents as files in memory (search.scratch_dir) only when
    it indexes that part. (One file per document on disk cost 0.45 ms each to create: 4.5 s at
    10,000 items.)

    A build holds one part in memory at a time (pages arrive grouped by part) and decides, when a
    part is done, whether its changes stay recent or the part is indexed again whole with them
    (search.FOLD_SHARE); a preview keeps every part it opened (`keep`), so an edit neither reads
    nor writes 40 MB of documents, and decides when its search step runs (`save`)."""

    def __init__(self, folder: Path, buckets: int = 1, on_done: Callable[[str], None] | None = None,
                 keep: bool = False) -> None:
        """buckets: the site's item parts (search.buckets); on_done(bundle): called when a bundle
        must be indexed again (a part folded, or the recent changes) and its documents are stored."""
        self.folder = folder
        self.buckets = buckets
        self.changed: set[str] = set()  # the bundles to index again: parts folded, search.RECENT_PART
        self.on_done = on_done
        self.done: set[str] = set()  # bundles handed to on_done
        self.keep = keep
        self._kept: dict[str, dict[str, str]] = {}
        self._unsaved: set[str] = set()
        self._part: str | None = None
        self._digests: dict[str, str] = {}  # of the open part's documents
        self._recent: dict[str, str | None] | None = None  # read when first needed
        self._recent_unsaved = False
        self._touched: set[str] = set()  # parts with recent changes not yet settled

    def _file(self, part: str) -> Path:
        return self.folder / f"{part}.json"

    def _ids_file(self, part: str) -> Path:
        return self.folder / f"{part}.ids.json"

    def _digests_file(self, part: str) -> Path:
        return self.folder / f"{part}.digests.json"

    def _load_digests(self, part: str) -> dict[str, str]:
        if self.keep and part in self._kept:
            return self._kept[part]
        digests = self._read(self._digests_file(part))
        if not digests and self._file(part).is_file():  # a store written without them
            digests = {path: _digest(doc) for path, doc in self._read(self._file(part)).items()}
        if self.keep:
            self._kept[part] = digests
        return digests

    def _open(self, part: str) -> None:
        if self._part == part:
            return
        if not self.keep:
            self.flush()
        self._digests, self._part = self._load_digests(part), part

    @staticmethod
    def _read(file: Path) -> dict:
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def recent(self) -> dict[str, str | None]:
        """The recent changes: {page path: its document now, or None: no longer searchable}."""
        if self._recent is None:
            self._recent = self._read(self._file(search.RECENT_PART))
        return self._recent

    def save(self) -> set[str]:
        """A preview's store: settle the parts changed since the last save, write what changed;
        the bundles to index again."""
        for part in sorted(self._touched):
            self._settle(part, self._load_digests(part))
        self._touched.clear()
        for part in sorted(self._unsaved):
            self._write(self._digests_file(part), self._kept[part])
        self._unsaved.clear()
        if self._recent_unsaved:
            self.changed.add(search.RECENT_PART)
        self._save_recent()
        changed, self.changed = self.changed, set()
        return changed

    def _write(self, file: Path, documents: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = file.with_suffix(".tmp")
        tmp.write_text(json.dumps(documents, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        tmp.replace(file)

    def _save_recent(self) -> None:
        if self._recent_unsaved and self._recent is not None:
            self._write(self._file(search.RECENT_PART), self._recent)
            self._recent_unsaved = False

    def put(self, path: str, document: str | None) -> None:
        """The document of the page at `path`; None: the page is gone or not searchable."""
        part = self.part_of(path)
        self._open(part)
        recent = self.recent()
        same = _digest(document) == self._digests.get(path)  # as the part's bundle has it
        if (document == recent[path]) if path in recent else same:
            return
        if same:
            del recent[path]
        else:
            recent[path] = document
        self._recent_unsaved = True
        self._touched.add(part)
        self.changed.add(search.RECENT_PART)

    def _settle(self, part: str, digests: dict[str, str]) -> None:
        """The recent changes of `part` stay recent while they are few and its bundle says which
        of its pages they replace; else they go into the part, which is indexed again whole."""
        recent = self.recent()
        mine = [path for path in recent if self.part_of(path) == part]
        if not mine:
            return
        if not search.fold(len(mine), len(digests)) and self._ids_file(part).is_file():
            return
        documents = self._read(self._file(part)) if digests else {}
        for path in mine:
            document = recent.pop(path)
            if document is None:
                documents.pop(path, None)
                digests.pop(path, None)
            else:
                documents[path] = document
                digests[path] = _digest(document)
        self._write(self._file(part), documents)
        self._recent_unsaved = True
        self._unsaved.add(part)
        self.changed.add(part)

    def part_of(self, path: str) -> str:
        return search.part_of(path, self.buckets)

    def flush(self) -> None:
        """A build's store: the part in memory is done; settle it and write what changed."""
        if self.keep:
            return
        part = self._part
        if part is not None and part in self._touched:
            self._touched.discard(part)
            self._settle(part, self._digests)
            if part in self._unsaved:
                self._write(self._digests_file(part), self._digests)
                self._unsaved.discard(part)
                self._save_recent()
                self._done(part)
        self._save_recent()
        self._part, self._digests = None, {}

    def _done(self, part: str) -> None:
        if self.on_done is not None and part not in self.done:
            self.done.add(part)
            self.on_done(part)

    def finish(self) -> None:
        """Every document is stored: the bundles to index not yet handed on go to on_done too
        (the recent changes, and parts changed before this store was opened, e.g. by content/ pages)."""
        self.flush()
        self._save_recent()
        for part in sorted(self.changed):
            self._done(part)

    def keep_only(self, parts: list[str]) -> None:
        """Drop the stored parts not named (the site now has another number of item parts), and
        then the recent changes, which were of the parts as they were."""
        names = {*parts, *(f"{p}.ids" for p in parts), *(f"{p}.digests" for p in parts)}
        dropped = False
        for file in self.folder.glob("*.json"):
            if file.stem not in names and file.stem != search.RECENT_PART:
                file.unlink()
                dropped = True
        if dropped:
            self._file(search.RECENT_PART).unlink(missing_ok=True)

    def parts(self) -> list[str]:
        """The parts stored (not the recent changes, nor the digests and ids beside each part)."""
        return sorted(p.stem for p in self.folder.glob("*.json") if "." not in p.stem and p.stem != search.RECENT_PART)

    def materialise(self, part: str, target: Path) -> None:
        """Write the documents of a bundle (a part, or the recent changes) as files under `target`
        (what Pagefind reads)."""
        self.flush()
        documents = self._read(self._file(part))
        for path, document in documents.items():
            if document is None:
                continue
            file = target / path / "index.html"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(document, encoding="utf-8")

    def record_ids(self, part: str, bundle: Path) -> None:
        """The fragment id of each page of a part's new bundle (what the recent changes supersede)."""
        if part == search.RECENT_PART:
            return
        if (bundle / "fragment").is_dir():
            self._write(self._ids_file(part), search.fragment_ids(bundle))
        else:
            self._ids_file(part).unlink(missing_ok=True)

    def superseded(self) -> list[str]:
        """The fragment ids, in the parts' bundles, of the pages the recent changes replace or remove."""
        ids: dict[str, dict[str, str]] = {}
        out = []
        for path in self.recent():
            part = self.part_of(path)
            if part not in ids:
                ids[part] = self._read(self._ids_file(part))
            if path in ids[part]:
                out.append(ids[part][path])
        return sorted(out)


def _digest(document: str | None) -> str | None:
    return None if document is None else hashlib.blake2b(document.encode("utf-8"), digest_size=16).hexdigest()


def document_store(build: Build, on_done: Callable[[str], None] | None = None) -> DocumentStore:
    """The lean documents of the site being built: in a preview, the store it keeps in memory (one
    for the shell and the pages steps, saved by its search step); in a build, the files of the
    previous build, with the parts of another number of item parts dropped."""
    buckets = search.buckets(sum(build.get("@catalog").catalog.counts().values()))
    kept = build.products.get("@document_store") if build.serving else None
    if kept is not None and kept.buckets == buckets:
        kept.changed = set()
        return kept
    store = DocumentStore(build.runner.search_docs, buckets, on_done, keep=build.serving)
    store.keep_only(search.part_names(buckets))
    if build.serving:
        build.put("@document_store", store)
    return store


class Indexer:
    """Pagefind over the parts the pages step finished, one part at a time, in the background:
    the build writes the next part's pages while Pagefind indexes the last one. The bundles go
    into a work folder; the search_index step puts them in place."""

    timed_as = "search_index"  # the wait for it is the index's time, not the pages'

    def __init__(self, store: DocumentStore, work: Path) -> None:
        self.store = store
        self.work = work
        self.error: str | None = None
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
        self._thread.start()

    def add(self, part: str) -> None:
        """Every document of `part` is stored."""
        self._queue.put(part)

    def _run(self) -> None:
        while (part := self._queue.get()) is not None:
            if self.error is None:
                self.error = self._index(part)

    def _index(self, part: str) -> str | None:
        docs = search.scratch_dir(self.work)
        try:
            self.store.materialise(part, docs / part)
            failure = search.index_parts(docs, self.work / "bundles", [part])
            if failure is None:
                self.store.record_ids(part, self.work / "bundles" / part)
            return failure
        finally:
            shutil.rmtree(docs, ignore_errors=True)

    def wait(self) -> str | None:
        self._queue.put(None)
        self._thread.join()
        return self.error

    def cancel(self) -> None:
        self._queue.put(None)


def run(build: Build) -> None:
    """Put the bundles Pagefind made beside the page writing in place of the previous ones, remove
    what is no longer a bundle of this site, and list the bundles for search.js with the pages the
    recent changes supersede."""
    if not build.options.search:
        return
    work = build.staging_path("pagefind")
    fresh = work / "bundles"
    buckets = build.get("@search_buckets")
    parts = set(build.get("@search_parts"))
    if build.serving:  # a preview indexes here, after the edited pages were shown
        parts |= build.get("@document_store").save()
        indexer = Indexer(DocumentStore(build.runner.search_docs, buckets), work)
        for part in sorted(parts):
            indexer.add(part)
        failure = indexer.wait()
        if failure:
            raise BuildError(failure)
    target = build.site_dir / search.PAGEFIND_DIR
    target.mkdir(parents=True, exist_ok=True)
    for part in sorted(parts):
        if (fresh / part).is_dir():
            search.replace_folder(fresh / part, target / part)
        else:  # the bundle has no documents any more
            shutil.rmtree(target / part, ignore_errors=True)
    if (fresh / "pagefind.js").exists():
        (target / "pagefind.js").unlink(missing_ok=True)
        (fresh / "pagefind.js").rename(target / "pagefind.js")
    keep = {*search.part_names(buckets), search.RECENT_PART, "pagefind.js", search.PARTS_FILE}
    for entry in target.iterdir():  # an earlier layout, or parts of another number of buckets
        if entry.name not in keep:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    (target / search.PARTS_FILE).unlink(missing_ok=True)
    # A page whose recent document gives the fragment it had (a change Pagefind does not keep)
    # has the same id in both bundles: it is not superseded, search.js shows it once.
    recent = target / search.RECENT_PART
    again = set(search.fragment_ids(recent).values()) if recent.is_dir() else set()
    superseded = DocumentStore(build.runner.search_docs, buckets).superseded()
    search.write_parts_list(target, [fid for fid in superseded if fid not in again])
    if build.serving:
        build.put("@search_parts", [])  # indexed: the next edits start a new list


STEP = Step("search_index", ("@search_parts", "@search_buckets", "option:search"), ("pagefind/",), run,
            "the bundles of the parts Pagefind indexed (beside the page writing) put in place", serve="after")
