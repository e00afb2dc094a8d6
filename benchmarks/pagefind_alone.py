"""Pagefind alone on the lean search documents of a build: the part of a build no Python change reaches.

    python -m benchmarks.pagefind_alone PROJECT DOCS     # writes the lean documents into DOCS

The runner prepares the documents once per size (a build that keeps them), then times the
build's own Pagefind command (search.command, search.index_environment) on them in each repeat,
beside the naive build. The floor (benchmarks/floor.py: read the YAML, one Jinja template per
item) plus Pagefind alone is what any build that renders pages from the lists and indexes them
with Pagefind must spend: naive / (floor + Pagefind) is the highest ratio such a build can reach
on this machine. More than one part of documents (search.PART_SIZE) is not measured.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path


def write_documents(project: Path, docs: Path) -> None:
    """A build of `project` that keeps its lean search documents in `docs` (its site is dropped)."""
    from generator.site.build import build_site
    from generator.steps.search_index import DocumentStore

    shutil.rmtree(docs, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="qingdan-bench-") as tmp:
        result = build_site(project, Path(tmp) / "site", force=True)
        if not result.ok or result.search_docs is None:
            raise SystemExit("构建失败：" + "；".join(p.format_text() for p in result.problems.errors))
        store = DocumentStore(result.search_docs)
        parts = store.parts()
        if len(parts) != 1:  # the runner then leaves this size unmeasured
            raise SystemExit("文档分成多个部分，此项只测单个部分")
        store.materialise(parts[0], docs)


if __name__ == "__main__":
    write_documents(Path(sys.argv[1]), Path(sys.argv[2]))
