"""What a build step is: its name, what it reads, what it writes, and the function that does it.

A step never decides by itself whether it must run: the runner (generator/steps/runner.py) derives
each step's key from what the step declares it reads, and reruns a step only when that key changed.
So what a step reads must be declared in full: an input left out is an input whose change leaves a
stale page. Declared inputs are written as short strings:

- a project path: ``"lists/"``, ``"content/"``, ``"templates/"``, ``"mkdocs.yml"``, ``"site_config.yml"``
  (a folder: every file in it, by content);
- one key of the site configuration: ``"site_config.yml:portal"``;
- ``"git"``: the commit checked out and the tags (history, editions);
- a build option: ``"option:site_url"``; an environment variable: ``"env:SOURCE_DATE_EPOCH"``;
- another step's product: ``"@catalog"`` (the product's key is the key of the step that makes it).

What a step writes is either a product other steps read (``"@history"``) or files of the site: a
folder (``"downloads/"``) or a file (``"sitemap.xml"``). A step that writes only files keeps its
previous files when its key is unchanged; the pages step goes further and rewrites only the pages
whose own key changed (generator/steps/pages.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from generator.steps.runner import Build


class BuildError(Exception):
    """A step failed for a reason the user can act on (message in Chinese)."""


def digest(*parts: str | bytes) -> str:
    """A short digest of several parts (a key)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class Pending(Protocol):
    """Work a step started in the background (a forked writer, Pagefind): the runner waits for it
    before any step that reads what it writes, and before the site is swapped in."""

    def wait(self) -> str | None:
        """Block until done; a reason the build failed (Chinese), or None."""

    def cancel(self) -> None:
        """The build failed elsewhere: stop, write nothing more."""


@dataclass(frozen=True)
class Step:
    name: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    run: Callable[[Build], Pending | None]
    why: str
    # In `qingdan serve`: "now" runs before the open tab reloads; "after" right after it (the tab
    # shows the edited page first; downloads, search and the sitemap follow); "never": not previewed.
    serve: Literal["now", "after", "never"] = "now"
    # For a small product: its key from its value (e.g. the nav's titles and paths), so that the
    # steps reading it rerun only when the value changed, not whenever an input of this step did.
    value_key: Callable[[str, Any], str] | None = None
    # Puts the step's products back from what it stored in the build record (Build.after.extra), so
    # a new build can skip it; False when it cannot.
    restore: Callable[[Build], bool] | None = None

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(w for w in self.writes if w.startswith("@"))

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(w for w in self.writes if not w.startswith("@"))

    @property
    def single_files(self) -> tuple[str, ...]:
        """The declared files (not folders) of the site: the runner removes them before the step
        reruns, so the step writes new files and never into one the previous site shares."""
        return tuple(f for f in self.files if not f.endswith("/") and "." in f.rsplit("/", 1)[-1])
