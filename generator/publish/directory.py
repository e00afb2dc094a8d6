"""A local or mounted directory: `/srv/www/qingdan` holds releases/<name>/ and `current`.

The web server's document root is `<directory>/current`, a symbolic link to one release. A new
release is made beside the others: unchanged files are hard links into the served release (no
bytes copied), changed files are copied; then one rename of a new link over `current` switches
every visitor at once. Until that rename the previous release is served whole, whatever happens
to this process. Changes happen under the target's lock (generator/publish/lock.py); the half-written
release a killed run leaves (`.<name>.<token>.partial`) is removed by the run that takes over its lock.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from generator.publish.base import (
    CURRENT_LINK,
    LOCK_LOST,
    PARTIAL_SUFFIX,
    RELEASES_DIR,
    PublishError,
    Target,
    checkpoint,
    release_mismatches,
    staging_name,
)
from generator.publish.lock import HOLDER_FILE, LOCK_NAME, Holder
from generator.publish.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    file_sha256,
    read_manifest,
    site_files,
)
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
        try:
            return name, read_manifest(self.releases_dir / name, strict=False)
        except ManifestError as exc:
            raise PublishError(str(exc), "目标上的清单文件已损坏；检查是否被手工改动，然后重新发布") from exc

    def releases(self) -> list[str]:
        if not self.releases_dir.is_dir():
            return []
        return sorted(p.name for p in self.releases_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def publish(self, site_dir: Path, manifest: Manifest, plan: Plan, release: str, keep: int) -> None:
        assert self.holder is not None, "publish under the lock"
        current, _ = self.served()
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        staging = self.releases_dir / staging_name(release, self.holder.token)
        staging.mkdir()
        try:
            served_dir = self.releases_dir / current if current else None
            for rel in plan.unchanged:
                dest = staging / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(served_dir / rel, dest)  # type: ignore[operator]
                except OSError:  # a file system without hard links, or a file lost from the release: copy
                    shutil.copyfile(site_dir / rel, dest)
            for sent, rel in enumerate(plan.upload, 1):
                dest = staging / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(site_dir / rel, dest)
                checkpoint(sent)
            self._check_release(staging, site_dir, manifest)
            _fsync_tree(staging)
            if not self._holds(self.holder):
                raise PublishError(LOCK_LOST, "另一次发布接管了发布锁；等它完成后用 --verify 核对，需要时重新发布")
            staging.rename(self.releases_dir / release)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._switch(release)
        for old in releases_to_prune(self.releases(), release, keep):
            shutil.rmtree(self.releases_dir / old, ignore_errors=True)

    def _check_release(self, staging: Path, site_dir: Path, manifest: Manifest) -> None:
        """Every file of the new release against the manifest before it is served. A file hard-linked
        from a served release that was damaged since is copied again from the site (the damaged
        release stays as it was); anything else that differs stops the publish."""
        wrong, extra = release_mismatches(manifest, _hashes(staging))
        for rel in wrong:
            (staging / rel).unlink(missing_ok=True)
            shutil.copyfile(site_dir / rel, staging / rel)
        if wrong:
            wrong, extra = release_mismatches(manifest, _hashes(staging))
        if wrong or extra:
            raise PublishError(f"新版本与 {MANIFEST_NAME} 不符（{len(wrong)} 个文件缺少或内容不同，{len(extra)} 个多余，"
                               f"如 {(wrong + extra)[0]}），没有切换网站",
                               f"检查 {self.releases_dir} 所在磁盘是否已满或损坏，然后重新发布")

    # -- the lock: <root>/.qingdan-lock/holder.json, put in place by one rename -----------------------
    def _try_lock(self, me: Holder) -> tuple[bool, Holder | None]:
        self.root.mkdir(parents=True, exist_ok=True)
        lock = self.root / LOCK_NAME
        while True:
            new = self.root / f"{LOCK_NAME}.{me.token}.new"
            new.mkdir()
            (new / HOLDER_FILE).write_bytes(me.to_bytes())
            try:
                os.rename(new, lock)  # fails on an existing lock: it is never empty
                return True, None
            except OSError:
                shutil.rmtree(new, ignore_errors=True)
            try:
                return False, Holder.from_bytes((lock / HOLDER_FILE).read_bytes())
            except FileNotFoundError:
                if lock.is_dir() and not (lock / HOLDER_FILE).exists():
                    return False, None  # a lock directory without a record: made by hand
                continue  # released meanwhile: try again

    def _break_lock(self, holder: Holder | None) -> bool:
        lock = self.root / LOCK_NAME
        aside = self.root / f"{LOCK_NAME}.{uuid.uuid4().hex[:16]}.broken"
        try:
            os.rename(lock, aside)
        except OSError:
            return False  # already gone
        try:
            found = Holder.from_bytes((aside / HOLDER_FILE).read_bytes())
        except OSError:
            found = None
        if found != holder:  # another run took it in between: give it back
            try:
                os.rename(aside, lock)
                return False
            except OSError:
                pass
        shutil.rmtree(aside, ignore_errors=True)
        return found == holder

    def _holds(self, me: Holder) -> bool:
        try:
            return Holder.from_bytes((self.root / LOCK_NAME / HOLDER_FILE).read_bytes()) == me
        except OSError:
            return False

    def _drop_staging(self, tokens: list[str]) -> None:
        for token in tokens:
            for stale in self.releases_dir.glob(f".*.{token}{PARTIAL_SUFFIX}"):
                shutil.rmtree(stale, ignore_errors=True)

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
        try:
            target = read_manifest(self.releases_dir / previous)
        except ManifestError as exc:
            raise PublishError(f"上一个版本 {previous} 的清单无法读取：{exc}", "检查该目录是否被手工改动") from exc
        if target is None:
            raise PublishError(f"上一个版本 {previous} 缺少 {MANIFEST_NAME}，无法回退", "检查该目录是否被手工改动")
        plan = make_plan(target, served, 0)
        self._switch(previous)
        shutil.rmtree(self.releases_dir / current, ignore_errors=True)
        return Report.of_plan("rollback", self.spec, plan, release=previous, previous=current)

    def served_hashes(self) -> dict[str, str]:
        current, _ = self.served()
        return _hashes(self.releases_dir / current) if current else {}


def _hashes(base: Path) -> dict[str, str]:
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
