"""What a publish sends and in which order, shared by every kind of target.

The order is what keeps a site whole while it changes in place (object storage has no atomic
switch): a page is written only after everything it loads, entry pages after the pages they
link to, the search entry after the index files it names, the manifest's parts after the files
they list and its root after its parts, and deletions come last, so no page a visitor can reach points at something missing.
Targets that switch releases atomically (a directory, an SSH server) follow the same order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from generator.publish.manifest import MANIFEST_NAME, FileEntry, Manifest, is_part
from generator.search import PARTS_FILE

SEARCH_DIR = "pagefind"
SEARCH_ENTRY = "pagefind/pagefind-entry.json"
ENTRY_PAGES = ("index.html", "404.html", "sitemap.xml")


def write_rank(path: str) -> tuple:
    """Sort key: assets, then pages (deepest first), then entry pages, search runtime, each bundle's
    entry, the list of bundles (search.js reads it first), the manifest's parts, its root."""
    if path == MANIFEST_NAME:
        return (8,)
    if is_part(path):
        return (7, path)
    parts = PurePosixPath(path).parts
    if path == f"{SEARCH_DIR}/{PARTS_FILE}":
        return (6,)
    if path == SEARCH_ENTRY or (len(parts) == 3 and parts[0] == SEARCH_DIR and parts[2] == "pagefind-entry.json"):
        return (5, path)
    if parts[0] == SEARCH_DIR and len(parts) in (2, 3) and not path.endswith(".pf_meta"):
        return (4, path)  # pagefind.js and each bundle's wasm: unversioned names, read by the entries
    if path in ENTRY_PAGES:
        return (3, path)
    if path.endswith(".html"):
        return (2, -len(parts), path)
    return (1, path)


def write_order(paths: list[str]) -> list[str]:
    return sorted(paths, key=write_rank)


def delete_order(paths: list[str]) -> list[str]:
    """Pages before the assets they load, so a page still served never loses its assets."""
    return sorted(paths, key=write_rank, reverse=True)


@dataclass
class Plan:
    """Files to send (in write order, the manifest last), to delete, and left as they are."""

    upload: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # every file named above → its size in bytes

    @property
    def empty(self) -> bool:
        return not self.upload and not self.delete

    def bytes_of(self, paths: list[str]) -> int:
        return sum(self.sizes.get(p, 0) for p in paths)


def make_plan(local: Manifest, remote: Manifest | None, manifest_bytes: int) -> Plan:
    """Compare two manifests by content hash. The manifest's root is sent whenever anything differs;
    a part the target holds damaged is sent again (the files it lists are unknown there: sent too)."""
    before: dict[str, FileEntry] = remote.files if remote else {}
    damaged = set(remote.broken) if remote else set()
    upload = [p for p, e in local.files.items()
              if p not in before or before[p].sha256 != e.sha256 or p in damaged]
    delete = [p for p in before if p not in local.files]
    unchanged = [p for p in local.files if p not in upload]
    sizes = {p: e.size for p, e in local.files.items()}
    sizes.update({p: before[p].size for p in delete})
    if upload or delete or remote is None or remote.to_bytes() != local.to_bytes():
        upload.append(MANIFEST_NAME)
        sizes[MANIFEST_NAME] = manifest_bytes
    return Plan(write_order(upload), delete_order(delete), sorted(unchanged), sizes)


@dataclass
class Report:
    """What one publish, rollback or verify did; `qingdan publish --format json` prints this."""

    action: str  # publish, dry-run, rollback, verify
    target: str
    release: str = ""
    previous: str = ""
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged_files: int = 0
    uploaded_bytes: int = 0
    deleted_bytes: int = 0
    unchanged_bytes: int = 0
    problems: list[str] = field(default_factory=list)  # verify: files that do not match
    sent_bytes: int | None = None  # SSH: what rsync sent over the wire (deltas of changed files)

    @classmethod
    def of_plan(cls, action: str, target: str, plan: Plan, release: str = "", previous: str = "") -> Report:
        return cls(action, target, release, previous, list(plan.upload), list(plan.delete), len(plan.unchanged),
                   plan.bytes_of(plan.upload), plan.bytes_of(plan.delete), plan.bytes_of(plan.unchanged))

    def to_json(self) -> dict:
        return {
            "action": self.action, "target": self.target, "release": self.release, "previous": self.previous,
            "uploaded": {"files": len(self.uploaded), "bytes": self.uploaded_bytes, "paths": self.uploaded},
            "deleted": {"files": len(self.deleted), "bytes": self.deleted_bytes, "paths": self.deleted},
            "unchanged": {"files": self.unchanged_files, "bytes": self.unchanged_bytes},
            "problems": self.problems, "ok": not self.problems,
        } | ({} if self.sent_bytes is None else {"sent_bytes": self.sent_bytes})


# -- releases -------------------------------------------------------------------------------------
# A release is named <UTC time>-<commit>, so names sort by age on every kind of target.

DEFAULT_KEEP = 5


def new_release_name(commit: str, existing: list[str], now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    base = f"{stamp}-{commit[:10] or 'nogit'}"
    name, n = base, 1
    while name in existing:  # two publishes within one second
        n += 1
        name = f"{base}-{n}"
    return name

def previous_release(releases: list[str], current: str) -> str | None:
    """The release published before `current` (what --rollback restores)."""
    older = [r for r in sorted(releases) if r < current]
    return older[-1] if older else None


def releases_to_prune(releases: list[str], current: str, keep: int) -> list[str]:
    """The oldest releases beyond the newest `keep`; never the one being served."""
    ordered = sorted(releases)
    return [r for r in ordered[:max(0, len(ordered) - max(keep, 1))] if r != current]
