"""A region given by `git:` (and `ref:`): its repository, checked out inside the portal's .cache.

A county that keeps its lists in a repository of its own is named by address, not copied into the
portal's. Build, check and assess read such a region from a full clone (its history is the
region's public record, so never a shallow one) in `.cache/regions/<id>/`, fetched again each time
they run, so the region is what `ref` names now: a branch, a tag or a commit (default: the
repository's default branch). Ignored files in the clone (the region's own build cache) are kept.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generator.regions.config import Region

CHECKOUTS = Path(".cache") / "regions"


class CheckoutError(Exception):
    """The region's repository could not be fetched or has no such ref (message in Chinese)."""


def _git(args: list[str], cwd: Path | None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          errors="replace")


def _run(region: Region, args: list[str], cwd: Path | None) -> None:
    done = _git(args, cwd)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["（无输出）"])[-1]
        raise CheckoutError(f"取不到地区“{region.name}”的 git 仓库（{region.git}）：git 报告“{said}”。"
                            "请检查 site_config.yml 中这个地区的 git 地址，以及本机能否访问该仓库（权限、网络）")


def _target(region: Region, clone: Path) -> str:
    """What `ref` names in the fresh clone: a remote branch first, then a tag, then a commit."""
    if not region.ref:
        return "refs/remotes/origin/HEAD"
    for candidate in (f"refs/remotes/origin/{region.ref}", f"refs/tags/{region.ref}", region.ref):
        if _git(["rev-parse", "--verify", "--quiet", candidate + "^{commit}"], clone).returncode == 0:
            return candidate
    raise CheckoutError(f"地区“{region.name}”的 git 仓库（{region.git}）中没有分支、标签或提交“{region.ref}”。"
                        "请检查 site_config.yml 中这个地区的 ref")


def checkout(portal_root: Path, region: Region) -> Path:
    """The region's project folder: cloned on first use, fetched again after, at `ref`."""
    clone = portal_root / CHECKOUTS / region.id
    if (clone / ".git").is_dir():
        _run(region, ["remote", "set-url", "origin", region.git], clone)
        _run(region, ["fetch", "--quiet", "--force", "--tags", "--prune", "origin"], clone)
        _run(region, ["remote", "set-head", "origin", "--auto"], clone)
    else:
        shutil.rmtree(clone, ignore_errors=True)
        clone.parent.mkdir(parents=True, exist_ok=True)
        _run(region, ["clone", "--quiet", "--no-checkout", region.git, str(clone)], None)
    _run(region, ["checkout", "--quiet", "--force", "--detach", _target(region, clone)], clone)
    _run(region, ["clean", "--quiet", "-d", "--force"], clone)  # not -x: the region's .cache stays
    return clone


def region_root(portal_root: Path, region: Region) -> Path:
    """Where the region's project is: its `path`, or its repository checked out (CheckoutError)."""
    return region.root if region.root is not None else checkout(portal_root, region)


def region_folder(region: Region) -> str:
    """The region's project folder as messages name it, relative to the portal project."""
    return region.path or str(CHECKOUTS / region.id)
