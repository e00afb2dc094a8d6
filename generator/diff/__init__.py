"""Compare two versions of the lists for the legal office's review (`qingdan diff`).

Pure: no git, no MkDocs. `engine.compare` turns two Catalogs into a DiffResult (plain data);
the render_* modules turn a DiffResult into text, Markdown, HTML, JSON or XLSX.
"""

from generator.diff.engine import compare
from generator.diff.flags import FLAG_LABELS
from generator.diff.result import KINDS, DiffResult, Version

__all__ = ["compare", "DiffResult", "FLAG_LABELS", "KINDS", "Version"]
