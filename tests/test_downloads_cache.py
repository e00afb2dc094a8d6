"""The downloads' cache never serves a file made from other inputs: a real git project built twice
with its cache, compared byte for byte with a fresh clone's build of the same commit."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from mini_project import make_project

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2024-01-10T09:00:00+08:00",
           "GIT_COMMITTER_DATE": "2024-01-10T09:00:00+08:00"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=GIT_ENV, check=True, capture_output=True)


def build(root: Path, out: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "--project", str(root), "build", "--out", str(out),
                             "--no-search"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def downloads(site: Path) -> dict[str, bytes]:
    folder = site / "downloads"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_renaming_a_department_reaches_every_download_as_in_a_fresh_clone(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "清单")
    build(root, tmp_path / "before")
    assert (root / ".cache" / "downloads").is_dir()  # the second build has a cache to (mis)use

    config = root / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    renamed = text.replace("{code: scjgj, name: 测试县市场监督管理局, short_name: 县市场监管局}",
                           "{code: scjgj, name: 测试县市场监督管理委员会, short_name: 县市场监管委}")
    mzj = "  - {code: mzj, name: 测试县民政局, short_name: 县民政局}\n"
    renamed = renamed.replace(mzj, "").replace("departments:\n", "departments:\n" + mzj)  # and a new order
    assert renamed != text
    config.write_text(renamed, encoding="utf-8")
    git(root, "commit", "-qam", "部门更名")
    build(root, tmp_path / "after")

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True, capture_output=True)
    build(clone, tmp_path / "fresh")

    cached, fresh = downloads(tmp_path / "after"), downloads(tmp_path / "fresh")
    assert sorted(cached) == sorted(fresh)
    differing = [name for name in fresh if cached[name] != fresh[name]]
    assert differing == []
    with zipfile.ZipFile(io.BytesIO(cached["all.json.zip"])) as archive:
        assert archive.namelist() == ["all.json"]
        names = [d["name"] for d in json.loads(archive.read("all.json"))["departments"]]
    assert names == ["测试县民政局", "测试县市场监督管理委员会", "测试县住房和城乡建设局"]
