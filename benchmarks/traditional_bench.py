"""What the 繁體 view (generator/traditional.py) adds to a build: time, memory, files and bytes.

The speed targets are measured without it (the corpus sets `traditional: false`). Here the same
corpus is built twice back to back, cold each time, without and then with `traditional:
{variant: tw}`; the figures are the differences, and the view's own step time from --timings.
The corpus's site_config.yml is restored afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from generator.traditional import HANT_DIR

OFF, ON = "traditional: false\n", "traditional:\n  variant: tw\n"


def _files_and_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench_traditional(project: Path, work: Path, timeout: float) -> dict[str, Any]:
    from benchmarks.__main__ import parse_timings, qingdan_build

    config = project / "site_config.yml"
    original = config.read_text(encoding="utf-8")
    if OFF not in original:
        return {"error": "语料的 site_config.yml 没有 traditional: false"}
    out = work / f"traditional-{project.name}"
    runs: dict[str, Any] = {}
    try:
        for name, text in (("without", original), ("with", original.replace(OFF, ON))):
            config.write_text(text, encoding="utf-8")
            shutil.rmtree(project / ".cache", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            run = qingdan_build(project, out, timeout)
            if not run.ok:
                return {"error": f"{name}：qingdan build 失败：{' / '.join(run.stderr.strip().splitlines()[-2:])}"}
            runs[name] = {"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "peak_bytes": run.peak_bytes,
                          "step_seconds": parse_timings(run.stdout).get("traditional")}
            if name == "with":
                files, size = _files_and_bytes(out / HANT_DIR)
                # 0 since the 繁體 view searches the Simplified index (kept: a key of results.json).
                index_files, index_bytes = _files_and_bytes(out / HANT_DIR / "pagefind")
                runs[name].update(files=files, bytes=size, index_bytes=index_bytes, index_files=index_files)
            else:
                runs[name]["files"], runs[name]["bytes"] = _files_and_bytes(out)
    finally:
        config.write_text(original, encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
    without, with_ = runs["without"], runs["with"]
    return {
        **runs,
        "added_seconds": with_["seconds"] - without["seconds"],
        "added_cpu_seconds": with_["cpu_seconds"] - without["cpu_seconds"],
        "added_bytes": with_["bytes"],
        "added_files": with_["files"],
    }
