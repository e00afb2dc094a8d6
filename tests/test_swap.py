"""The staging copy a build starts from (generator/site/swap.py): the previous site's files hard
linked into a new folder, made by `cp -al` beside the first steps, or in process where there is no
such `cp`. Either way the copy is the whole site, its files are the previous site's (no byte
copied), and a build from it is the site a cold build writes while the previous one stays as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from demo_project import copy_demo_project

from generator.site.build import build_site
from generator.site.swap import LinkedCopy


def tree(root: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every file, folder and link under root: its bytes (or link target) and its inode."""
    out: dict[str, tuple[bytes | str, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = (os.readlink(path), 0)
        elif path.is_dir():
            out[rel] = ("dir", 0)
        else:
            out[rel] = (path.read_bytes(), path.stat().st_ino)
    return out


def a_site(root: Path) -> Path:
    for n in range(30):
        page = root / f"power/{n:04d}/index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>事项 {n}</p>", encoding="utf-8")
    (root / "empty").mkdir()
    (root / "latest").symlink_to("power/0001")
    return root


@pytest.mark.parametrize("cp", ["cp", "none"])
def test_the_copy_is_the_whole_site_with_its_files_linked(tmp_path, monkeypatch, cp):
    source = a_site(tmp_path / "site")
    if cp == "none":  # no `cp` on the PATH: the copy is made in process
        monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    copy = LinkedCopy(source, tmp_path / "staging")
    copy.wait()
    assert tree(tmp_path / "staging") == tree(source)
    copy.wait()  # waiting again changes nothing
    assert tree(tmp_path / "staging") == tree(source)


def test_a_cancelled_copy_leaves_the_site_as_it_was(tmp_path):
    source = a_site(tmp_path / "site")
    before = tree(source)
    copy = LinkedCopy(source, tmp_path / "staging")
    copy.cancel()
    shutil.rmtree(tmp_path / "staging", ignore_errors=True)
    assert tree(source) == before


def test_a_build_from_the_previous_site_without_cp_is_the_site_a_cold_build_writes(tmp_path, monkeypatch):
    from test_pipeline import differences

    root = copy_demo_project(tmp_path / "project")
    out = tmp_path / "site"
    assert build_site(root, out, search=False, history=False).ok
    page = out / "power/3607990010100100/index.html"
    held = tmp_path / "held.html"  # the previous site's page as a visitor has it: the same file
    os.link(page, held)
    old = held.read_bytes()
    fgw = root / "lists/power/fgw.yml"
    fgw.write_text(fgw.read_text(encoding="utf-8").replace("name: 企业投资项目核准\n", "name: 企业投资项目核准（含变更）\n", 1),
                   encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    result = build_site(root, out, search=False, history=False)
    assert result.ok and "shell" not in result.timings  # built from the previous site, not cold
    assert held.read_bytes() == old  # the previous site's file was replaced, never written into
    assert page.stat().st_ino != held.stat().st_ino and "含变更" in page.read_text(encoding="utf-8")
    monkeypatch.undo()
    assert build_site(root, tmp_path / "cold", search=False, history=False).ok
    assert differences(out, tmp_path / "cold") == []
