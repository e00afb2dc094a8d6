"""History extraction timings, each run in its own process by the runner.

    python -m benchmarks.history_bench PROJECT --mode cold  --cache DIR   # empty cache
    python -m benchmarks.history_bench PROJECT --mode warm  --cache DIR   # cache from an earlier run
    python -m benchmarks.history_bench PROJECT --mode naive --sample 20   # parse every file at every commit

Prints one JSON object. `seconds` is the time of the work itself (imports and config excluded).
The naive mode parses every list file of every commit with the project's own parser, reading
blobs through one `git cat-file --batch` (so it is not slowed by process starts); it times an
evenly spaced sample of commits and scales to all of them (`extrapolated: true`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

from generator.config import load_config
from generator.problems import Problems


def _history(project: Path, cache: Path) -> dict:
    from generator.history import extract_history

    problems = Problems()
    config = load_config(project, problems)
    assert config is not None, "site_config.yml does not load"
    started = time.perf_counter()
    history = extract_history(config, problems, cache_dir=cache)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "events": len(history.events), "adjustments": len(history.adjustments),
            "notices": [p.message for p in history.notices][:5]}


class _Blobs:
    """`git cat-file --batch`: read many blobs through one process."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)

    def read(self, sha: str) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(sha.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        size = int(header[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)
        return data

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def _naive(project: Path, sample: int) -> dict:
    from generator.load import parse_list_bytes

    problems = Problems()
    config = load_config(project, problems)
    assert config is not None, "site_config.yml does not load"
    commits = subprocess.run(["git", "rev-list", "--reverse", "HEAD"], cwd=project, check=True,
                             capture_output=True, text=True).stdout.split()
    step = max(1, len(commits) // max(1, sample))
    chosen = commits[::step][:sample] if sample else commits
    blobs = _Blobs(project)
    items = 0
    started = time.perf_counter()
    for sha in chosen:
        listing = subprocess.run(["git", "ls-tree", "-r", sha, config.lists_dir], cwd=project, check=True,
                                 capture_output=True, text=True).stdout
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            blob = meta.split()[2]
            items += len(parse_list_bytes(blobs.read(blob), path, config, Problems()))
    measured = time.perf_counter() - started
    blobs.close()
    per_commit = measured / max(1, len(chosen))
    return {"seconds": per_commit * len(commits), "measured_seconds": measured, "commits": len(commits),
            "sampled_commits": len(chosen), "items_parsed": items, "extrapolated": len(chosen) < len(commits)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.history_bench")
    parser.add_argument("project", type=Path)
    parser.add_argument("--mode", choices=["cold", "warm", "naive"], required=True)
    parser.add_argument("--cache", type=Path, help="缓存目录（cold/warm）")
    parser.add_argument("--sample", type=int, default=20, help="naive：抽样的提交数（0 表示全部）")
    args = parser.parse_args(argv)
    if args.mode == "naive":
        result = _naive(args.project, args.sample)
    else:
        if args.cache is None:
            parser.error("cold/warm 需要 --cache")
        result = _history(args.project, args.cache)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
