"""Copies of the embedded demo county, for tests that build or edit a project of their own."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def copy_demo_project(root: Path, content: bool = True) -> Path:
    """Copy site_config.yml, mkdocs.yml, lists/ (and content/) of the demo into `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("site_config.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    shutil.copytree(PROJECT / "lists", root / "lists")
    if content:
        shutil.copytree(PROJECT / "content", root / "content")
    return root


def _git(root: Path, *args: str, date: str) -> None:
    import os
    import subprocess

    env = dict(os.environ, GIT_AUTHOR_NAME="县编办", GIT_AUTHOR_EMAIL="bb@example.gov.cn",
               GIT_COMMITTER_NAME="县编办", GIT_COMMITTER_EMAIL="bb@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _tiny_png() -> bytes:
    """A 1×1 red PNG standing in for the badge image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xc0\x20\x20")) + chunk(b"IEND", b""))


FOOD = "power/000131127004/"  # 食品经营许可, changed in 2024
CANCELLED_FEE = "fee/SF-zjj-005/"  # cancelled in 2024


def demo_with_history(root: Path) -> Path:
    """The demo with a public record: first published 2023-01-10 (edition tag 2023), then on
    2024-03-01 the food licence's promised time cut from 5 to 3 days and one fee cancelled."""
    copy_demo_project(root)
    # The portal's optional slots: 党政机关网站标识 (a local image) and 我为政府网站找错.
    config = root / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  description:", (
        "  badge_url: https://dzjg.example.gov.cn/?site=3607990001\n  badge_image: assets/dzjg.png\n"
        "  error_report_url: https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?webSiteCode=3607990001\n"
        "  description:"), 1), encoding="utf-8")
    (root / "content/assets").mkdir(parents=True, exist_ok=True)
    (root / "content/assets/dzjg.png").write_bytes(_tiny_png())
    _git(root, "init", "-q", "-b", "main", date="2023-01-10T10:00:00+08:00")
    _git(root, "add", "-A", date="2023-01-10T10:00:00+08:00")
    _git(root, "commit", "-q", "-m", "示例县清单首次公布\n\n清单基线: 首次公布\n发布日期: 2023-01-10",
         date="2023-01-10T10:00:00+08:00")
    _git(root, "tag", "2023", date="2023-01-10T10:00:00+08:00")
    power = root / "lists/power/scjgj.yml"
    text = power.read_text(encoding="utf-8")
    power.write_text(text.replace("promised: 5, unit: 工作日}", "promised: 3, unit: 工作日}", 1), encoding="utf-8")
    fee = root / "lists/fee/zjj.yml"
    data = fee.read_text(encoding="utf-8")
    fee.write_text(data[: data.index("  - code: SF-zjj-005")], encoding="utf-8")
    _git(root, "commit", "-q", "-am",
         "关于调整示例县权责清单的通知\n\n调整依据: 示府办字〔2024〕3号\n发布日期: 2024-03-01\n生效日期: 2024-04-01",
         date="2024-03-05T10:00:00+08:00")
    return root


def demo_record(root: Path, day: str = "2026-11-28T10:00:00+08:00") -> Path:
    """The demo county's public record (its first publication and every adjustment since, as this
    repository's own history has them) replayed into a new repository at `root`, every commit made
    on one day: the record is dated by its trailers only. Skips the test in a clone without that
    history (a shallow CI checkout)."""
    import io
    import subprocess
    import tarfile

    import pytest

    def ours(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT, check=True, capture_output=True, text=True).stdout

    try:
        log = ours("log", "--first-parent", "--reverse", "--format=%H", "HEAD", "--", "lists/").split()
        marked = [sha for sha in log if "清单基线:" in ours("log", "-1", "--format=%B", sha)]
    except (OSError, subprocess.CalledProcessError):
        marked = []
    if not marked:
        pytest.skip("the demo's record (git history of lists/ from 清单基线 on) is not in this clone")
    copy_demo_project(root)
    for sha in log[log.index(marked[-1]):]:
        shutil.rmtree(root / "lists")
        archive = subprocess.run(["git", "archive", "--format=tar", sha, "lists"], cwd=PROJECT, check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
        if not (root / ".git").exists():
            _git(root, "init", "-q", "-b", "main", date=day)
        # Extracted files carry their commit's time and may keep their size: git's index would
        # trust its cached stat and miss the change, so every file is hashed again.
        (root / ".git" / "index").unlink(missing_ok=True)
        _git(root, "add", "-A", date=day)
        _git(root, "commit", "-q", "-m", ours("log", "-1", "--format=%B", sha).strip(), date=day)
    return root
