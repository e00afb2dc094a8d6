"""Which key to split the search index by: Pagefind time per part and first-query bytes, per key.

    python -m benchmarks.search_parts PROJECT SITE [--keys whole,list,department,hash-4,hash-8,hash-16]

PROJECT is a project whose build is at SITE (built with this code). The build's lean documents are
written once (benchmarks/pagefind_alone.py), laid out in parts by each key, indexed part by part
(generator.search.index_parts), put in place of SITE/pagefind/, and measured:
- `part_seconds`: Pagefind's CPU time (user + system) for each part; `edit_seconds` is what a
  one-item edit re-indexes: its item's part plus the site part (which lists the items), for the
  largest item part;
- `first_query_bytes`: headless Chromium from the home page (benchmarks/browser.py), bytes fetched
  after the page had loaded, for the benchmark's query (benchmarks/__main__.py: pick_query);
- `index_bytes`: the whole pagefind/ folder.
SITE/pagefind/ is restored afterwards. Results as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator import search as searching

_DEPARTMENT = re.compile(r'data-pagefind-filter="部门:([^"]+)"')


def _documents(docs: Path) -> dict[str, Path]:
    """Page path ("power/x/") → its lean document."""
    return {p.parent.relative_to(docs).as_posix() + "/" if p.parent != docs else "": p
            for p in docs.rglob("index.html")}


def key_function(name: str) -> Callable[[str, Path], str]:
    if name == "whole":
        return lambda path, doc: "site"

    def item_or_site(item_key: Callable[[str, Path], str]) -> Callable[[str, Path], str]:
        def key(path: str, doc: Path) -> str:
            part = searching.part_of(path, 2)
            return part if part == searching.SITE_PART else item_key(path, doc)
        return key

    if name == "list":
        return item_or_site(lambda path, doc: "list-" + path.split("/")[0])
    if name == "department":
        def department(path: str, doc: Path) -> str:
            found = _DEPARTMENT.search(doc.read_text(encoding="utf-8"))
            return "dept-" + (str(abs(hash(found.group(1))) % 10**6) if found else "none")
        return item_or_site(department)
    if name.startswith("hash-"):
        count = int(name[len("hash-"):])
        return lambda path, doc: searching.part_of(path, count)
    raise SystemExit(f"未知的分区方式：{name}")


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def measure_key(name: str, documents: dict[str, Path], site: Path, query: str, work: Path) -> dict:
    """One key; "hash-8@1000": with index chunks of 1,000 word positions (search.INDEX_CHUNK_SIZE)."""
    from benchmarks.browser import measure_first_query

    name, _, chunk = name.partition("@")
    saved_chunk = searching.INDEX_CHUNK_SIZE
    searching.INDEX_CHUNK_SIZE = int(chunk) if chunk else saved_chunk
    try:
        return {**_measure(name, documents, site, query, work, measure_first_query),
                "chunk_size": searching.INDEX_CHUNK_SIZE}
    finally:
        searching.INDEX_CHUNK_SIZE = saved_chunk


def _measure(name: str, documents: dict[str, Path], site: Path, query: str, work: Path,
             measure_first_query: Callable) -> dict:
    key = key_function(name)
    docs = work / f"docs-{name}"
    shutil.rmtree(docs, ignore_errors=True)
    parts: dict[str, int] = {}
    for path, doc in documents.items():
        part = key(path, doc)
        target = docs / part / path / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(doc, target)
        parts[part] = parts.get(part, 0) + 1
    output = site / searching.PAGEFIND_DIR
    shutil.rmtree(output, ignore_errors=True)
    seconds: dict[str, float] = {}
    wall = time.perf_counter()
    for part in sorted(parts):
        before = _children_cpu()
        failure = searching.index_parts(docs, output, [part])
        if failure:
            raise SystemExit(failure)
        seconds[part] = round(_children_cpu() - before, 3)
    wall = time.perf_counter() - wall
    shutil.rmtree(docs, ignore_errors=True)
    measured = measure_first_query(site, query)
    item_parts = [p for p in seconds if p != searching.SITE_PART] or list(seconds)
    largest = max(item_parts, key=lambda p: seconds[p])
    return {
        "key": name, "parts": len(parts), "documents": parts,
        "part_seconds": seconds, "total_seconds": round(sum(seconds.values()), 3), "wall_seconds": round(wall, 3),
        "edit_seconds": round(seconds[largest] + (seconds.get(searching.SITE_PART, 0) if largest != searching.SITE_PART
                                                  else 0), 3),
        "first_query_bytes": measured.search_bytes, "first_query_files": len(measured.search_files),
        "results": measured.results,
        "index_bytes": sum(p.stat().st_size for p in output.rglob("*") if p.is_file()),
        "first_query_by_kind": _by_kind(measured.files, measured.search_files),
    }


def _by_kind(sizes: dict[str, int], paths: list[str]) -> dict[str, list[int]]:
    """Bytes and files of the first query, by kind of file (meta, index chunks, fragments…)."""
    kinds: dict[str, list[int]] = {}
    for path in paths:
        name = path.rsplit("/", 1)[-1]
        kind = name.rsplit(".", 1)[-1] if "." in name else name
        entry = kinds.setdefault(kind, [0, 0])
        entry[0] += sizes.get(path, 0)
        entry[1] += 1
    return kinds


def main() -> None:
    from benchmarks.__main__ import pick_query
    from benchmarks.pagefind_alone import write_documents

    parser = argparse.ArgumentParser(description="搜索索引按哪种方式分区：每个分区的 Pagefind 时间与首次查询字节")
    parser.add_argument("project", type=Path)
    parser.add_argument("site", type=Path, help="该项目已生成的网站（其 pagefind/ 会被临时替换，之后恢复）")
    parser.add_argument("--keys", default="whole,list,department,hash-4,hash-8,hash-16")
    parser.add_argument("--docs", type=Path, help="已写好的精简搜索文档（默认临时生成）")
    opts = parser.parse_args()
    query = pick_query(opts.project)
    with tempfile.TemporaryDirectory(prefix="qingdan-parts-") as tmp:
        work = Path(tmp)
        docs = opts.docs
        if docs is None:
            docs = work / "docs"
            write_documents(opts.project, docs)
        documents = _documents(docs)
        saved = work / "pagefind.saved"
        shutil.move(opts.site / searching.PAGEFIND_DIR, saved)
        try:
            for name in opts.keys.split(","):
                result = measure_key(name, documents, opts.site, query, work)
                print(json.dumps({"query": query, "documents": len(documents), **result}, ensure_ascii=False),
                      flush=True)
        finally:
            shutil.rmtree(opts.site / searching.PAGEFIND_DIR, ignore_errors=True)
            shutil.move(saved, opts.site / searching.PAGEFIND_DIR)


if __name__ == "__main__":
    sys.exit(main())
