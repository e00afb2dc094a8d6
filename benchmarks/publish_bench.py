"""What `qingdan publish` sends for a one-item change: files and bytes, against a directory target.

Build the corpus, publish it to an empty directory target, publish again unchanged, change one
item's 办理条件 and commit it, build, publish: the last publish's files and bytes are the figure.
Counts, not times: they do not depend on the machine. The corpus is reset to its commit after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from generator.publish.manifest import MANIFEST_NAME, read_manifest

PYTHON = sys.executable


def _qingdan(project: Path, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "generator", "--project", str(project), *args], capture_output=True,
                          text=True, timeout=timeout, check=False)


def _sent(report: dict[str, Any], site: Path) -> dict[str, int]:
    """Files and bytes sent; of those bytes, the manifest's (root and parts) and the API's."""
    paths = report["uploaded"]["paths"]

    def bytes_under(prefix: str) -> int:
        return sum((site / p).stat().st_size for p in paths if p.startswith(prefix))

    return {"files": report["uploaded"]["files"], "bytes": report["uploaded"]["bytes"],
            "deleted": report["deleted"]["files"], "unchanged": report["unchanged"]["files"],
            "manifest_bytes": bytes_under("qingdan-manifest"), "api_bytes": bytes_under("api/")}


def bench_publish(project: Path, work: Path, timeout: float) -> dict[str, Any]:
    from benchmarks.__main__ import touch_one_item  # the same one-item edit as the rebuild benchmark

    root = work / f"publish-{project.name}"
    shutil.rmtree(root, ignore_errors=True)
    site, target = root / "site", root / "target"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True,
                          check=True).stdout.strip()
    result: dict[str, Any] = {}
    try:
        for step in ("first", "unchanged", "one_item"):
            if step == "one_item":
                changed = touch_one_item(project, 0)
                subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-qm",
                                "县市场监管局：调整1项事项\n\n调整依据: 示府字〔2024〕1号", "--", changed],
                               cwd=project, check=True)
            if step != "unchanged":
                build = _qingdan(project, "build", "--out", str(site), timeout=timeout)
                if build.returncode != 0:
                    return {"error": f"qingdan build 失败：{build.stderr.strip().splitlines()[-1:]}"}
            run = _qingdan(project, "publish", "--to", str(target), "--site", str(site), "--format", "json",
                           timeout=timeout)
            if run.returncode != 0:
                return {"error": f"qingdan publish 失败：{' / '.join(run.stderr.strip().splitlines()[-2:])}"}
            result[step] = _sent(json.loads(run.stdout), site)
        manifest = read_manifest(site)
        assert manifest is not None
        root = site / MANIFEST_NAME
        result["site_files"] = len(manifest.files) + 1  # the parts and the root included
        result["site_bytes"] = manifest.total_bytes + root.stat().st_size
        parts = manifest.parts()
        result["manifest"] = {"root_bytes": root.stat().st_size, "parts": len(parts),
                              "parts_bytes": sum(e.size for e in parts.values())}
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", head], cwd=project, check=False)
        shutil.rmtree(root, ignore_errors=True)
    return result
