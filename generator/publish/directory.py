"""A local or mounted directory: `/srv/www/qingdan` holds releases/<name>/ and `current`.

The web server's document root is `<directory>/current`, a symbolic link to one release. A new
release is made beside the others: unchanged files are hard links into the served release (no
bytes copied), changed files are copied; then one rename of a new link over `current` switches
every visitor at once. Until that rename the previous release is served whole, whatever happens
to this process; the half-written release it leaves (`.<name>.partial`) is removed by the next run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.publish.base import (
    CURRENT_LINK,
    PARTIAL_SUFFIX,
    RELEASES_DIR,
    PublishError,
    Target,
    checkpoint,
)
from generator.publish.manifest import MANIFEST_NAME, Manifest, file_sha256, read_manifest, site_files
from generator.publish.plan import Plan, Report, make_plan, previous_release, releases_to_prune


class DirectoryTarget(Target):
    kind = "directory"

    def __init__(self, spec: str, root: Path) -> None:
        super().__init__(spec)
        self.root = root
        self.releases_dir = root / RELEASES_DIR
        self.link = root / CURRENT_LINK

    def _check_layout(self) -> None:
        if self.link.exists() and not self.link.is_symlink():
            raise PublishError(
                f"{self.link} 是普通目录，不是 qingdan 发布的版本链接",
                f"请把网站服务器的根目录改为 {self.link}（由 qingdan 管理的链接），并先移走现有的 {self.link}",
            )

    def served(self) -> tuple[str, Manifest | None]:
        self._check_layout()
        if not self.link.is_symlink():
            return "", None
        name = Path(os.readlink(self.link)).name
        return name, read_manifest(self.releases_dir / name)

    def releases(self) -> list[str]:
        if not self.releases_dir.is_dir():
            return []
        return sorted(p.name for p in self.releases_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def publish(self, site_dir: Path, manifest: Manifest, plan: Plan, release: str, keep: int) -> None:
        current, _ = self.served()
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.releases_dir.glob(f".*{PARTIAL_SUFFIX}"):  # left by an interrupted publish
            shutil.rmtree(stale)
        staging = self.releases_dir / f".{release}{PARTIAL_SUFFIX}"
        staging.mkdir()
        served_dir = self.releases_dir / current if current else None
        for rel in plan.unchanged:
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(served_dir / rel, dest)  # type: ignore[operator]
            except OSError:  # a file system without hard links: copy
                shutil.copyfile(site_dir / rel, dest)
        for sent, rel in enumerate(plan.upload, 1):
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site_dir / rel, dest)
            checkpoint(sent)
        _fsync_tree(staging)
        final = self.releases_dir / release
        staging.rename(final)
        self._switch(release)
        for old in releases_to_prune(self.releases(), release, keep):
            shutil.rmtree(self.releases_dir / old, ignore_errors=True)

    def _switch(self, release: str) -> None:
        """Point `current` at the release with one rename (atomic on POSIX file systems)."""
        tmp = self.root / f".{CURRENT_LINK}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(f"{RELEASES_DIR}/{release}", tmp)
        os.replace(tmp, self.link)

    def rollback(self) -> Report:
        current, served = self.served()
        previous = previous_release(self.releases(), current) if current else None
        if previous is None or served is None:
            raise PublishError(f"{self.spec} 上没有可以回退的上一个版本",
                               "只有发布过至少两次、且上一个版本仍保留时才能回退（--keep 决定保留几个）")
        target = read_manifest(self.releases_dir / previous)
        if target is None:
            raise PublishError(f"上一个版本 {previous} 缺少 {MANIFEST_NAME}，无法回退", "检查该目录是否被手工改动")
        plan = make_plan(target, served, 0)
        self._switch(previous)
        shutil.rmtree(self.releases_dir / current, ignore_errors=True)
        return Report.of_plan("rollback", self.spec, plan, release=previous, previous=current)

    def served_hashes(self) -> dict[str, str]:
        current, _ = self.served()
        if not current:
            return {}
        base = self.releases_dir / current
        return {rel: file_sha256(base / rel) for rel in site_files(base)}


def _fsync_tree(root: Path) -> None:
    """Flush the new release to disk before it is switched in (a power cut must not serve empty files)."""
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
