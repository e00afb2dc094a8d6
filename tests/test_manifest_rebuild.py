"""The manifest a build from the previous site writes is the one a build hashing every file writes.

A build from the previous site lists again only the folders whose time moved since the previous
build recorded them, and reads only the files that are not the recorded ones
(generator/publish/manifest.py write_manifest). Its manifest must be, byte for byte, the manifest
of the same tree hashed from nothing; and a file changed by hand in a folder no step wrote is
still caught by `qingdan publish`, as the publishing guide promises."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from demo_project import demo_with_history
from test_pipeline import cancel, rename

from generator.publish.manifest import MANIFEST_NAME, PARTS_DIR, read_manifest, scan, write_manifest
from generator.publish.preflight import preflight
from generator.site.build import build_site

SETTLE = 2.1  # seconds: a folder's time is trusted once it is older than this (write_manifest)


@pytest.fixture
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")


def manifest_bytes(site: Path) -> dict[str, bytes]:
    """The manifest's root and every part, as written."""
    files = {MANIFEST_NAME: (site / MANIFEST_NAME).read_bytes()}
    files.update({f"{PARTS_DIR}/{p.name}": p.read_bytes() for p in sorted((site / PARTS_DIR).iterdir())})
    return files


def hashed_from_nothing(site: Path, copy: Path) -> dict[str, bytes]:
    """The manifest of a copy of `site` written with no record of a previous build."""
    shutil.copytree(site, copy)
    write_manifest(copy, read_manifest(site).build, known={})
    return manifest_bytes(copy)


def test_a_rebuilds_manifest_is_the_manifest_of_its_tree_hashed_from_nothing(tmp_path, fixed_date):
    root = demo_with_history(tmp_path / "county")
    out = tmp_path / "site"
    assert build_site(root, out).ok
    for n, edit in enumerate((rename, cancel)):
        time.sleep(SETTLE)  # so that the folders no step writes are taken from the record
        edit(root)
        result = build_site(root, out)
        assert result.ok and "shell" not in result.timings, result.timings  # from the previous site
        assert manifest_bytes(out) == hashed_from_nothing(out, tmp_path / f"copy-{n}"), edit.__name__
        assert {p: e for p, e in read_manifest(out).files.items()} == scan(out)
    assert not (out / "fee/SF-zjj-004/feed.xml").exists()  # the cancelled item's feed went, and its lines


def test_a_file_changed_by_hand_where_no_step_writes_is_still_refused_by_publish(tmp_path, fixed_date):
    root = demo_with_history(tmp_path / "county")
    subprocess.run(["git", "-C", str(root), "config", "user.email", "t@example.gov.cn"], check=True)
    out = tmp_path / "site"
    assert build_site(root, out).ok
    # A build records a folder's time only once it is settled (a cold build's folders are all
    # fresh), so the folder is in the record from the first rebuild on.
    time.sleep(SETTLE)
    rename(root)
    assert build_site(root, out).ok
    changed = out / "departments/jyj/feed.xml"  # no step rewrites it after the cancel below
    changed.write_text(changed.read_text(encoding="utf-8") + "<!-- 手改 -->", encoding="utf-8")
    cancel(root)
    result = build_site(root, out)
    assert result.ok and "shell" not in result.timings
    assert "手改" in changed.read_text(encoding="utf-8")  # the build kept it, as before
    problems, _ = preflight(root, out, allow_dirty=True)
    assert any(p.rule == "publish-modified" and "departments/jyj/feed.xml" in p.message for p in problems.errors), \
        [p.format_text() for p in problems.errors]
