"""The benchmark runner: Qingdan against the naive build and the plain-Jinja floor, in one run.

    python -m benchmarks --sizes 1000,10000 --repeat 3      # writes benchmarks/results.md (+ .json)
    python -m benchmarks --quick                             # smoke: 1,000 items, one repeat, small history

Shared machines are noisy, so every comparison is made in the same run and reported as a ratio,
and times are medians of `--repeat` runs (peak memory: the largest of the runs). Each build runs
as a child process; see measure.py for how time and memory are taken. See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import corpus as corpus_mod
from benchmarks.measure import Run, dir_size, item_chrome_bytes, median, run_measured
from benchmarks.search_bytes import first_query_bytes, first_query_gzip_bytes, material_index_bytes

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
STEPS = ("build", "warm", "rebuild", "edit", "floor", "pagefind", "naive", "history", "publish", "traditional")
TARGETS_AT = 10_000
BIG = 100_000


# ---------------------------------------------------------------------------------------------
# corpora


def ensure_corpus(path: Path, items: int, departments: int, commits: int, seed: int,
                  **place: str) -> dict[str, Any]:
    """Reuse `path` when it holds exactly this corpus (clean tree, same HEAD); else generate it.
    `place` (region, region_code) names another county than the corpus's default one."""
    stamp = corpus_mod.read_stamp(path) if path.exists() else None
    wanted = {"version": corpus_mod.GENERATOR_VERSION, "items": items, "departments": departments,
              "commits": commits, "seed": seed, **place}
    if stamp and all(stamp.get(k) == v for k, v in wanted.items()) and _clean_at(path, stamp["result"]["head"]):
        return {"reused": True, **stamp["result"]}
    shutil.rmtree(path, ignore_errors=True)
    stats = corpus_mod.generate(path, items, departments, commits, seed, **place)
    return {"reused": False, "seconds": stats.seconds, "items": stats.items, "counts": stats.counts,
            "head": stats.head, "bytes": stats.bytes, "files": stats.files}


def _git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, text=True).stdout


def _clean_at(path: Path, head: str) -> bool:
    if not head:
        return True
    try:
        return _git(path, "rev-parse", "HEAD").strip() == head and not _git(path, "status", "--porcelain").strip()
    except (subprocess.CalledProcessError, OSError):
        return False


def touch_one_item(project: Path, n: int) -> str:
    """Change one item's 办理条件 in the first power list file; returns the file changed."""
    path = sorted((project / "lists" / "power").glob("*.y*ml"))[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith("    conditions: ")]
    i = hits[n % len(hits)]
    line = lines[i]
    note = f"（第{n + 1}次修订）"
    lines[i] = line[:-1] + note + '"' if line.endswith('"') else line + note
    path.write_text("\n".join(lines), encoding="utf-8")
    return path.relative_to(project).as_posix()


def pick_query(project: Path) -> str:
    """A search a visitor would type: the name of the first 行政许可 item (the same in every run)."""
    for path in sorted((project / "lists" / "power").glob("*.y*ml")):
        name = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("    name: "):
                name = line[len("    name: "):].strip('"')
            elif line == "    type: 行政许可" and name:
                return name.split("（")[0]
    return "许可"


# ---------------------------------------------------------------------------------------------
# measurements


TIMING = re.compile(r"([A-Za-z_.]+) ([\d.]+)s")


def parse_timings(stdout: str) -> dict[str, float]:
    """`qingdan build --timings` prints 耗时：load 1.20s，render 0.40s，…"""
    for line in stdout.splitlines():
        if line.startswith("耗时"):
            return {k: float(v) for k, v in TIMING.findall(line)}
    return {}


def qingdan_build(project: Path, out: Path, timeout: float) -> Run:
    """One `qingdan build` as a child process (the measured unit: works with any build that exists)."""
    return run_measured([PYTHON, "-m", "generator", "--project", str(project), "build", "--out", str(out),
                         "--timings"], timeout=timeout)


def _fail(run: Run) -> str:
    tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
    return f"退出码 {run.returncode}：" + " / ".join(tail)


def summarize(runs: list[Run]) -> dict[str, Any]:
    ok = [r for r in runs if r.ok]
    if not ok:
        return {"error": _fail(runs[-1]) if runs else "未运行"}
    return {"seconds": median([r.seconds for r in ok]), "cpu_seconds": median([r.cpu_seconds for r in ok]),
            "peak_bytes": max(r.peak_bytes for r in ok), "runs": len(ok),
            "all_seconds": [round(r.seconds, 3) for r in ok]}


class SizeBench:
    """Every measurement at one corpus size, interleaved: each repeat runs the full build, the
    one-item rebuild, the floor and the naive build back to back, so that the machine's load
    weighs on all of them alike; ratios are taken per repeat, then the median."""

    def __init__(self, n: int, project: Path, opts: argparse.Namespace) -> None:
        self.n, self.project, self.opts = n, project, opts
        self.out = opts.work / f"site-{n}"
        self.floor_out = opts.work / f"floor-{n}"
        self.build: list[Run] = []
        self.timings: list[dict[str, float]] = []
        self.rebuild: list[Run] = []
        self.warm: list[Run] = []
        self.edit: dict[str, Any] | None = None
        self.chrome: dict[str, int | None] = {}
        self.floor: list[Run] = []
        self.floor_parts: list[dict[str, float]] = []
        self.pagefind: list[Run] = []
        self.pagefind_docs: Path | None = None
        self.pagefind_unprepared = False  # the documents could not be made: not measured at this size
        self.naive: dict[str, list[Run]] = {}
        self.naive_roots: dict[str, Path] = {}
        self.naive_pages: dict[str, tuple[int, float]] = {}
        self.site_bytes: dict[str, int | None] = {}
        self.ratios: dict[str, list[float]] = {}

    def steps(self, name: str) -> bool:
        return name not in self.opts.skip

    def run(self) -> dict[str, Any]:
        if self.steps("naive"):
            self._prepare_naive("sections")
        for repeat in range(self.opts.repeat):
            build = self._full_build() if self.steps("build") else None
            if build is not None and build.ok and self.steps("warm"):
                self._warm()
            if build is not None and build.ok and self.steps("rebuild"):
                self._rebuild(repeat)
                rebuild = self.rebuild[-1]
                if rebuild.ok:  # issue 23: a one-item build with the cache present, against the cold one
                    self.ratios.setdefault("rebuild_over_build", []).append(rebuild.seconds / build.seconds)
                    self.ratios.setdefault("rebuild_over_build_cpu", []).append(
                        rebuild.cpu_seconds / build.cpu_seconds)
            floor = self._floor() if self.steps("floor") else None
            pagefind = self._pagefind() if self.steps("pagefind") else None
            naive = self._naive("sections") if self.steps("naive") else None
            self._add_ratios(build, floor, naive, pagefind)
        if self.steps("edit"):
            from benchmarks.edit_bench import measure_edits

            shutil.rmtree(self.project / ".cache", ignore_errors=True)
            preview = self.opts.work / f"preview-{self.n}"
            shutil.rmtree(preview, ignore_errors=True)
            self.edit = measure_edits(self.project, preview, edits=self.opts.edits, timeout=self.opts.timeout)
            shutil.rmtree(preview, ignore_errors=True)
            _say(f"{self.n} 项：保存到页面更新 {_fmt_s(self.edit.get('median_seconds'))}")
        if self.steps("naive") and self.n <= self.opts.naive_nav_max:
            self._prepare_naive("items")
            for _ in range(self.opts.naive_nav_repeat):
                if not self._naive("items").ok:
                    break
        return self._result()

    def _full_build(self) -> Run:
        shutil.rmtree(self.project / ".cache", ignore_errors=True)  # a fresh checkout: no history cache
        shutil.rmtree(self.out, ignore_errors=True)
        run = qingdan_build(self.project, self.out, self.opts.timeout)
        self.build.append(run)
        if run.ok:
            self.timings.append(parse_timings(run.stdout))
            if "site" not in self.site_bytes:
                self.site_bytes["site"] = dir_size(self.out)
                pagefind = self.out / "pagefind"
                self.site_bytes["pagefind"] = dir_size(pagefind) if pagefind.is_dir() else None
                api = self.out / "api"
                self.site_bytes["api"] = dir_size(api) if api.is_dir() else None
                self.query = pick_query(self.project)
                self.first_query = first_query_bytes(self.out, self.query)
                self.first_query_gzip = first_query_gzip_bytes(self.out, self.query)
                self.chrome["build"] = item_chrome_bytes(self.out, _list_ids(self.project))
        _say(f"{self.n} 项：qingdan build {_fmt_s(run.seconds)}{'' if run.ok else '（失败）'}")
        return run

    def _warm(self) -> None:
        """The same build again with nothing changed (the caches and the site of the build before)."""
        run = qingdan_build(self.project, self.out, self.opts.timeout)
        self.warm.append(run)
        _say(f"{self.n} 项：无改动再次构建 {_fmt_s(run.seconds)}")

    def _rebuild(self, repeat: int) -> None:
        try:
            touch_one_item(self.project, repeat)
            run = qingdan_build(self.project, self.out, self.opts.timeout)
        finally:
            subprocess.run(["git", "checkout", "-q", "--", "lists"], cwd=self.project, check=False)
        self.rebuild.append(run)
        _say(f"{self.n} 项：改一项后重建 {_fmt_s(run.seconds)}")

    def _floor(self) -> Run:
        shutil.rmtree(self.floor_out, ignore_errors=True)
        run = run_measured([PYTHON, "-m", "benchmarks.floor", str(self.project), str(self.floor_out)],
                           timeout=self.opts.timeout)
        self.floor.append(run)
        if run.ok:
            self.floor_parts.append(json.loads(run.stdout))
            self.site_bytes.setdefault("floor", dir_size(self.floor_out))
        shutil.rmtree(self.floor_out, ignore_errors=True)
        _say(f"{self.n} 项：纯 Jinja 下限 {_fmt_s(run.seconds)}")
        return run

    def _pagefind(self) -> Run | None:
        """Pagefind alone on this size's lean documents (benchmarks/pagefind_alone.py)."""
        from generator import search as searching

        if self.pagefind_unprepared:
            return None
        if self.pagefind_docs is None:
            docs = searching.scratch_dir(self.opts.work)
            prepared = subprocess.run([PYTHON, "-m", "benchmarks.pagefind_alone", str(self.project), str(docs)],
                                      capture_output=True, text=True)
            if prepared.returncode != 0:
                shutil.rmtree(docs, ignore_errors=True)
                self.pagefind_unprepared = True
                _say(f"{self.n} 项：Pagefind 单独未测（{prepared.stderr.strip().splitlines()[-1:]}）")
                return None
            self.pagefind_docs = docs
        output = self.opts.work / f"pagefind-{self.n}"
        shutil.rmtree(output, ignore_errors=True)
        run = run_measured(searching.command(self.pagefind_docs, output), env=searching.index_environment(),
                           timeout=self.opts.timeout)
        shutil.rmtree(output, ignore_errors=True)
        self.pagefind.append(run)
        _say(f"{self.n} 项：Pagefind 单独 {_fmt_s(run.seconds)}（CPU {_fmt_s(run.cpu_seconds)}）")
        return run

    def _prepare_naive(self, variant: str) -> None:
        from benchmarks.pages import read_records, write_naive_project

        root = self.opts.work / f"naive-{self.n}-{variant}"
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        config, records = read_records(self.project)
        pages = write_naive_project(config, records, root, nav_items=variant == "items")
        self.naive_roots[variant] = root
        self.naive_pages[variant] = (pages, time.perf_counter() - started)
        self.naive[variant] = []

    def _naive(self, variant: str) -> Run:
        root = self.naive_roots[variant]
        shutil.rmtree(root / "site", ignore_errors=True)
        run = run_measured([PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")], cwd=root,
                           timeout=self.opts.timeout)
        self.naive[variant].append(run)
        if run.ok and f"naive-{variant}" not in self.site_bytes:
            self.site_bytes[f"naive-{variant}"] = dir_size(root / "site")
            self.site_bytes[f"index-{variant}"], self.site_bytes[f"index-gzip-{variant}"] = material_index_bytes(
                root / "site")
            self.chrome[f"naive-{variant}"] = _naive_chrome(root / "site")
        _say(f"{self.n} 项：朴素 MkDocs（{variant}）{_fmt_s(run.seconds)}")
        return run

    def _add_ratios(self, build: Run | None, floor: Run | None, naive: Run | None,
                    pagefind: Run | None = None) -> None:
        def add(name: str, value: float) -> None:
            self.ratios.setdefault(name, []).append(value)

        if naive is not None and naive.ok and floor is not None and floor.ok and pagefind is not None and pagefind.ok:
            # The best any build of pages from the lists plus a Pagefind index could do (pagefind_alone.py).
            add("naive_over_floor_plus_pagefind", naive.seconds / (floor.seconds + pagefind.seconds))
            add("naive_over_floor_plus_pagefind_cpu", naive.cpu_seconds / (floor.cpu_seconds + pagefind.cpu_seconds))

        if build is not None and build.ok and floor is not None and floor.ok and pagefind is not None and pagefind.ok:
            # Issue 23's limit: the cold build against the floor plus Pagefind alone (target ≤ 1.3).
            add("build_over_floor_plus_pagefind", build.seconds / (floor.seconds + pagefind.seconds))
            add("build_over_floor_plus_pagefind_cpu", build.cpu_seconds / (floor.cpu_seconds + pagefind.cpu_seconds))
        if build is not None and build.ok and naive is not None and naive.ok:
            add("naive_over_build", naive.seconds / build.seconds)
            add("naive_over_build_cpu", naive.cpu_seconds / build.cpu_seconds)
        if build is not None and build.ok and floor is not None and floor.ok and self.timings:
            before = build.seconds - self.timings[-1].get("search_index", 0.0)
            parts = self.floor_parts[-1]
            add("before_search_over_floor", before / floor.seconds)
            add("before_search_over_render", before / parts["render_write"])

    def _result(self) -> dict[str, Any]:
        record: dict[str, Any] = {}
        if self.steps("build"):
            build = summarize(self.build)
            if "error" not in build:
                keys = sorted({k for t in self.timings for k in t})
                build["stages"] = {k: median([t[k] for t in self.timings if k in t]) for k in keys}
                if "search_index" in build["stages"]:
                    ok = [r for r in self.build if r.ok]
                    build["before_search"] = median(
                        [r.seconds - t.get("search_index", 0.0) for r, t in zip(ok, self.timings, strict=True)])
                build["site_bytes"] = self.site_bytes.get("site")
                build["pagefind_bytes"] = self.site_bytes.get("pagefind")
                build["api_bytes"] = self.site_bytes.get("api")
                build["first_query_bytes"], build["first_query_how"] = self.first_query
                build["first_query"] = self.query
                build["first_query_gzip_bytes"] = self.first_query_gzip
                build["item_chrome_bytes"] = self.chrome.get("build")
            record["build"] = build
        if self.steps("rebuild") and self.rebuild:
            record["rebuild"] = summarize(self.rebuild)
        if self.steps("warm") and self.warm:
            record["warm"] = summarize(self.warm)
        if self.edit is not None:
            record["edit_to_page"] = self.edit
        if self.steps("floor"):
            floor = summarize(self.floor)
            if self.floor_parts:
                floor["read"] = median([p["read"] for p in self.floor_parts])
                floor["render_write"] = median([p["render_write"] for p in self.floor_parts])
                floor["site_bytes"] = self.site_bytes.get("floor")
            record["floor"] = floor
        if self.pagefind:
            record["pagefind_alone"] = summarize(self.pagefind)
        if self.pagefind_docs is not None:
            shutil.rmtree(self.pagefind_docs, ignore_errors=True)
        if self.naive:
            record["naive"] = {}
            for variant, runs in self.naive.items():
                naive = summarize(runs)
                pages, seconds = self.naive_pages[variant]
                naive.update({"pages": pages, "markdown_seconds": seconds})
                if "error" not in naive:
                    naive["site_bytes"] = self.site_bytes.get(f"naive-{variant}")
                    naive["search_index_bytes"] = self.site_bytes.get(f"index-{variant}")
                    naive["search_index_gzip"] = self.site_bytes.get(f"index-gzip-{variant}")
                    naive["item_chrome_bytes"] = self.chrome.get(f"naive-{variant}")
                record["naive"][variant] = naive
                if not self.opts.keep:
                    shutil.rmtree(self.naive_roots[variant], ignore_errors=True)
        record["ratios"] = {k: median(v) for k, v in self.ratios.items()}
        if not self.opts.keep:
            shutil.rmtree(self.out, ignore_errors=True)
        return record


def _list_ids(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "lists").iterdir() if p.is_dir())


def _naive_chrome(site: Path) -> int | None:
    """The naive build's item pages live at <list>/<department>/<code>/."""
    pages = sorted(site.glob("power/*/*/index.html"))[:500]
    if not pages:
        return None
    return item_chrome_bytes(pages[0].parent.parent.parent, [pages[0].parent.parent.name], 500)


def _history_run(project: Path, mode: str, cache: Path | None, opts: argparse.Namespace) -> dict[str, Any]:
    cmd = [PYTHON, "-m", "benchmarks.history_bench", str(project), "--mode", mode, "--sample", str(opts.naive_sample)]
    if cache is not None:
        cmd += ["--cache", str(cache)]
    run = run_measured(cmd, timeout=opts.timeout)
    if not run.ok:
        return {"error": _fail(run)}
    return {**json.loads(run.stdout.strip().splitlines()[-1]), "wall": run.seconds, "cpu": run.cpu_seconds,
            "peak_bytes": run.peak_bytes}


def bench_history(opts: argparse.Namespace) -> dict[str, Any]:
    items, commits = opts.history_items, opts.history_commits
    project = opts.work / f"history-{items}x{commits}"
    generated = ensure_corpus(project, items, opts.departments, commits, opts.seed)
    try:
        import generator.history  # noqa: F401
    except ImportError:
        return {"items": items, "commits": commits, "corpus": generated, "error": "generator.history 尚不存在"}
    head = _git(project, "rev-parse", "HEAD").strip()
    result: dict[str, Any] = {"items": items, "commits": commits, "corpus": generated}
    cold, warm = [], []
    cache = opts.work / "history-cache"
    try:
        for _ in range(opts.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(_history_run(project, "cold", cache, opts))
        for n in range(opts.repeat):
            changed = touch_one_item(project, n)
            _git(project, "commit", "-q", "-m", f"县市场监管局：调整1项事项\n\n调整依据: 示府字〔2024〕{n + 1}号\n"
                 f"生效日期: 2024-01-{n + 1:02d}", "--", changed)
            warm.append(_history_run(project, "warm", cache, opts))
        result["naive"] = _history_run(project, "naive", None, opts)
    finally:
        subprocess.run(["git", "reset", "-q", "--hard", head], cwd=project, check=False)
        shutil.rmtree(cache, ignore_errors=True)
    for name, runs in (("cold", cold), ("warm", warm)):
        ok = [r for r in runs if "error" not in r]
        result[name] = ({"seconds": median([r["seconds"] for r in ok]), "wall": median([r["wall"] for r in ok]),
                         "cpu": median([r["cpu"] for r in ok]), "peak_bytes": max(r["peak_bytes"] for r in ok),
                         "events": ok[0].get("events"), "adjustments": ok[0].get("adjustments")}
                        if ok else (runs[0] if runs else {"error": "未运行"}))
    return result


def bench_size(n: int, opts: argparse.Namespace) -> dict[str, Any]:
    project = opts.work / f"corpus-{n}"
    corpus = ensure_corpus(project, n, opts.departments, 1, opts.seed)
    _say(f"{n} 项：语料{'复用' if corpus['reused'] else '已生成'}（{corpus['items']} 项）")
    record = {"corpus": corpus, "repeat": opts.repeat, **SizeBench(n, project, opts).run()}
    if "publish" not in opts.skip:
        from benchmarks.publish_bench import bench_publish

        record["publish"] = bench_publish(project, opts.work, opts.timeout)
        sent = record["publish"].get("one_item") or {}
        _say(f"{n} 项：改一项后发布 {sent.get('files', '—')} 个文件，{_fmt_b(sent.get('bytes'))}")
    if "traditional" not in opts.skip:
        from benchmarks.traditional_bench import bench_traditional

        record["traditional"] = bench_traditional(project, opts.work, opts.timeout)
        _say(f"{n} 项：繁体页面多用 {_fmt_s(record['traditional'].get('added_seconds'))}，"
             f"{_fmt_b(record['traditional'].get('added_bytes'))}")
    return record


# ---------------------------------------------------------------------------------------------
# the report


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"


def _fmt_b(value: int | None) -> str:
    """Decimal units, as the targets are written (MB = 10⁶ bytes)."""
    if value is None:
        return "—"
    if value >= 10**9:
        return f"{value / 1e9:.2f} GB"
    if value >= 10**6:
        return f"{value / 1e6:.1f} MB"
    return f"{value / 1e3:.0f} KB"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _fmt_x(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def _fmt_frac(value: float | None) -> str:
    if not value:
        return "—"
    return f"1/{1 / value:.0f}" if value < 1 else f"{value:.1f} 倍"


HOW = {"estimated": "（估算）", "measured-total": "（含首页）"}


def _cell(result: dict[str, Any] | None, key: str, fmt=_fmt_s) -> str:
    if not result:
        return "未测"
    if "error" in result:
        return "失败"
    return fmt(result.get(key))


# The build's steps (generator/steps/__init__.py); pages.render and pages.write are parts of pages.
STAGE_ORDER = ("load", "history", "downloads", "render", "titles", "editions", "nav", "shell", "pages", "pages.render",
               "pages.write", "search_index", "data_files", "sitemap", "hant", "manifest")
STAGE_NAMES = {"load": "读取校验", "history": "历史", "downloads": "下载文件", "render": "页面键与全站页面",
               "titles": "页面标题", "editions": "历史版本", "nav": "导航", "shell": "MkDocs 外框", "pages": "写页面（合计）",
               "pages.render": "　其中渲染", "pages.write": "　其中写入", "search_index": "搜索索引（等待）",
               "data_files": "数据文件", "sitemap": "站点地图", "hant": "繁體其余", "manifest": "文件清单"}


def _naive_of(record: dict[str, Any], variant: str) -> dict[str, Any] | None:
    naive = (record.get("naive") or {}).get(variant)
    return naive if naive and "error" not in naive else None


def _naive_ratio(record: dict[str, Any]) -> tuple[float | None, str]:
    """Naive over Qingdan, wall time: against the items-in-nav naive build when it was measured,
    else the per-repeat median against the kinder sections-only one (a lower bound)."""
    build = record.get("build") or {}
    items = _naive_of(record, "items")
    if items:
        return _ratio(items.get("seconds"), build.get("seconds")), "items"
    return (record.get("ratios") or {}).get("naive_over_build"), "sections"


# Issue 23's done-means: (key, what, size it is set at, where the figure comes from, limit, ≤ or <, unit).
GOALS = (
    ("cold_build_cpu", "冷构建 CPU ÷（纯 Jinja 下限 + Pagefind 单独）CPU ≤ 1.3", TARGETS_AT,
     ("ratios", "build_over_floor_plus_pagefind_cpu"), 1.3, "le", "x"),
    ("cold_build_wall", "冷构建墙钟 ÷（纯 Jinja 下限 + Pagefind 单独）墙钟 ≤ 1.3", TARGETS_AT,
     ("ratios", "build_over_floor_plus_pagefind"), 1.3, "le", "x"),
    ("rebuild_wall", "改一项后 qingdan build（缓存在）÷ 冷构建，墙钟 ≤ 0.10", TARGETS_AT,
     ("ratios", "rebuild_over_build"), 0.10, "le", "x"),
    ("rebuild_cpu", "改一项后 qingdan build（缓存在）÷ 冷构建，CPU ≤ 0.10", TARGETS_AT,
     ("ratios", "rebuild_over_build_cpu"), 0.10, "le", "x"),
    ("edit_to_page", "qingdan serve 保存到页面更新 ≤ 0.5 s（中位数，经 HTTP；改办理条件，事项页）", TARGETS_AT,
     ("edit_to_page", "median_seconds"), 0.5, "le", "s"),
    ("edit_to_touched_pages", "qingdan serve 改名到受影响的页面（事项、清单、部门、拼音索引）全部更新 ≤ 0.5 s（中位数）",
     TARGETS_AT, ("edit_to_page", "touched", "median_seconds"), 0.5, "le", "s"),
    ("traditional_cpu", "繁体页面多用的 CPU ÷ 不含繁体的构建 CPU ≤ 0.25", TARGETS_AT,
     ("traditional", "added_cpu_over_without"), 0.25, "le", "x"),
    ("traditional_wall", "繁体页面多用的墙钟 ÷ 不含繁体的构建墙钟 ≤ 0.25", TARGETS_AT,
     ("traditional", "added_seconds_over_without"), 0.25, "le", "x"),
    ("publish_one_item", "改一项后发布的字节数 ≤ 5·10⁶", TARGETS_AT, ("publish", "one_item", "bytes"), 5e6, "le", "B"),
    ("site_bytes", "不含繁体页面的整个网站 ≤ 150·10⁶ 字节", TARGETS_AT, ("build", "site_bytes"), 150e6, "le", "B"),
    ("big_build_seconds", "100,000 项冷构建 ≤ 300 s", BIG, ("build", "seconds"), 300, "le", "s"),
    ("big_peak_bytes", "100,000 项峰值内存（整棵进程树）< 4·10⁹ 字节", BIG, ("build", "peak_bytes"), 4e9, "lt", "B"),
)


def _dig(record: dict[str, Any], path: tuple[str, ...]) -> float | None:
    """The figure at `path`; the 繁體 ratios are derived from the traditional record."""
    if path[0] == "traditional" and len(path) == 2:
        hant = record.get("traditional") or {}
        without = hant.get("without") or {}
        if "error" in hant or not without:
            return None
        added, base = (("added_cpu_seconds", "cpu_seconds") if path[1] == "added_cpu_over_without"
                       else ("added_seconds", "seconds"))
        return _ratio(hant.get(added), without.get(base))
    value: Any = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fmt_goal(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return {"x": f"{value:.2f}", "s": f"{value:.2f} s", "B": f"{value:,.0f} 字节"}[unit]


def goal_targets(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 23's targets, each with its figure and whether it is met. A target set at 10,000 items
    falls back to the largest size measured below it, marked by `items` (a smoke run's figures)."""
    sizes = results.get("sizes") or {}
    out: dict[str, dict[str, Any]] = {}
    for key, what, at, path, limit, how, unit in GOALS:
        measured = sorted((int(n) for n in sizes if int(n) <= at), reverse=True)
        items = at if str(at) in sizes else (measured[0] if measured and at == TARGETS_AT else None)
        value = _dig(sizes[str(items)], path) if items is not None else None
        met = None if value is None else (value <= limit if how == "le" else value < limit)
        out[key] = {"target": what, "limit": limit, "items": items, "at": at, "value": value,
                    "figure": _fmt_goal(value, unit), "met": met, "source": ".".join(path)}
    return out


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    sizes = results["sizes"]
    at = sizes.get(str(TARGETS_AT)) or {}
    big = sizes.get(str(BIG)) or {}
    small = sizes.get("1000") or {}
    build = at.get("build") or {}
    ratios = at.get("ratios") or {}
    out: list[tuple[str, str, bool | None]] = []

    r, variant = _naive_ratio(at)
    note = "" if r is None or variant == "items" else "（对导航只到部门的朴素构建）"
    out.append(("10,000 项完整构建（含搜索索引）比朴素构建快 ≥3 倍（墙钟）", _fmt_x(r) + note, None if r is None else r >= 3))
    r = ratios.get("naive_over_build_cpu")
    out.append(("10,000 项完整构建比朴素构建快 ≥3 倍（CPU 时间）", _fmt_x(r), None if r is None else r >= 3))
    w = (at.get("warm") or {}).get("seconds")
    out.append(("10,000 项无改动再次构建 ≤ 5 s", _fmt_s(w), None if w is None else w <= 5))
    e = (at.get("edit_to_page") or {}).get("median_seconds")
    out.append(("10,000 项 qingdan serve 保存到页面更新 ≤ 1 s（中位数，经 HTTP）", _fmt_s(e), None if e is None else e <= 1))
    c = build.get("item_chrome_bytes")
    out.append(("10,000 项事项页自身内容以外的 HTML ≤ 8 KB", _fmt_b(c), None if c is None else c <= 8 * 1024))
    s = build.get("site_bytes")
    out.append(("10,000 项整个网站 ≤ 150 MB", _fmt_b(s), None if s is None else s <= 150 * (1 << 20)))
    naive = _naive_of(at, "items") or _naive_of(at, "sections") or {}
    fq, idx = build.get("first_query_bytes"), naive.get("search_index_bytes")
    r = _ratio(fq, idx)
    how = HOW.get(build.get("first_query_how") or "", "")
    out.append(("10,000 项搜索首次查询字节 ≤ Material 索引的 1/20",
                f"{_fmt_b(fq)}{how} / {_fmt_b(idx)} = {_fmt_frac(r)}" if r else "—", None if r is None else r <= 1 / 20))
    sb = small.get("build") or {}
    sn = _naive_of(small, "sections") or _naive_of(small, "items") or {}
    gq, gm = sb.get("first_query_gzip_bytes"), sn.get("search_index_gzip")
    out.append(("1,000 项搜索首次查询（gzip 传输）< Material 索引（gzip 传输）",
                f"{_fmt_b(gq)} / {_fmt_b(gm)}" if gq and gm else "—", None if not (gq and gm) else gq < gm))
    bb = big.get("build") or {}
    if bb and "error" not in bb:
        peak, secs = bb.get("peak_bytes") or 0, bb.get("seconds") or 0
        out.append(("100,000 项峰值内存（整棵进程树 PSS）< 4 GB", _fmt_b(peak), peak < 4 * (1 << 30)))
        out.append(("100,000 项冷构建 ≤ 300 s", _fmt_s(secs), secs <= 300))
    else:
        out.append(("100,000 项峰值内存（整棵进程树 PSS）< 4 GB", "构建失败" if bb else "未测", False if bb else None))
        out.append(("100,000 项冷构建 ≤ 300 s", "构建失败" if bb else "未测", False if bb else None))
    hist = results.get("history") or {}
    cold, warm, naive_h = hist.get("cold") or {}, hist.get("warm") or {}, hist.get("naive") or {}
    if hist:
        size = f"{hist.get('items', 0):,} 项 × {hist.get('commits', 0):,} 次提交"
        c, w = cold.get("seconds"), warm.get("seconds")
        out.append((f"历史冷启动 ≤ 20 s（{size}）", _fmt_s(c), None if c is None else c <= 20))
        out.append(("历史热启动（有缓存，新增一次提交）≤ 2 s", _fmt_s(w), None if w is None else w <= 2))
        r = _ratio(naive_h.get("seconds"), c)
        out.append(("历史冷启动比朴素解析快 ≥20 倍", _fmt_x(r), None if r is None else r >= 20))
    return out


def render_markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    sizes = results["sizes"]
    lines = [
        "# 基准测试结果",
        "",
        f"- 命令：`{meta['command']}`",
        f"- 时间：{meta['date']}；Qingdan 提交 {meta['commit']}；Python {meta['python']}；{meta['cpus']} 核；"
        f"负载（1 分钟平均）开始 {meta['load_start']:.1f}、结束 {meta['load_end']:.1f}",
        f"- 时间取多次运行的中位数（{_repeats(results)}），峰值内存取最大值。每次重复依次运行完整构建、改一项后重建、"
        "纯 Jinja 下限和朴素构建，倍数按每次重复计算后取中位数。"
        f"语料：`benchmarks/corpus.py`，种子 {meta['seed']}，{meta['departments']} 个部门。",
        "",
        "## 目标（issue 23：对下限的倍数，同一次运行）",
        "",
        "目标按 10,000 项（最后两项按 100,000 项）设定；没有测这个规模时，列出测过的最大规模的数字并注明。"
        "结果也写在 results.json 的 `targets` 中。",
        "",
        "| 目标 | 实测 | 规模 | 结论 |",
        "| --- | --- | ---: | --- |",
    ]
    for goal in results.get("targets", {}).values():
        verdict = "未测" if goal["met"] is None else ("达到" if goal["met"] else "未达到")
        if goal["met"] is not None and goal["items"] != goal["at"]:
            verdict += f"（按 {goal['items']:,} 项，目标按 {goal['at']:,} 项）"
        size = f"{goal['items']:,}" if goal["items"] else "—"
        lines.append(f"| {goal['target']} | {goal['figure']} | {size} | {verdict} |")
    lines += [
        "",
        "## 以前的目标",
        "",
        "| 目标 | 实测 | 结论 |",
        "| --- | --- | --- |",
    ]
    for name, value, met in targets(results):
        verdict = "未测" if met is None else ("达到" if met else "未达到")
        lines.append(f"| {name} | {value} | {verdict} |")
    lines += [
        "",
        "## 完整构建（含搜索索引）与朴素构建",
        "",
        "朴素构建这里是“导航只列到部门”的版本（事项页照样逐页生成并进入 Material 的搜索索引），比把每个事项列进导航"
        "的真正朴素做法快得多，所以倍数是下限；两种导航的对比见下一节。",
        "",
        "| 事项数 | qingdan build | CPU | 峰值内存 | 网站大小 | 朴素 MkDocs | CPU | 峰值内存 | 网站大小 | 朴素 / qingdan | CPU 之比 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, record in sizes.items():
        build = record.get("build")
        naive = (record.get("naive") or {}).get("sections")
        ratios = record.get("ratios") or {}
        lines.append(
            f"| {int(n):,} | {_cell(build, 'seconds')} | {_cell(build, 'cpu_seconds')} | "
            f"{_cell(build, 'peak_bytes', _fmt_b)} | {_cell(build, 'site_bytes', _fmt_b)} | {_cell(naive, 'seconds')} | "
            f"{_cell(naive, 'cpu_seconds')} | {_cell(naive, 'peak_bytes', _fmt_b)} | {_cell(naive, 'site_bytes', _fmt_b)} | "
            f"{_fmt_x(ratios.get('naive_over_build'))} | {_fmt_x(ratios.get('naive_over_build_cpu'))} |"
        )
    lines += _api_lines(sizes)
    ceiling = [(n, r) for n, r in sizes.items() if r.get("pagefind_alone") and "error" not in r["pagefind_alone"]]
    if ceiling:
        lines += ["", "### 上限：纯 Jinja 下限加 Pagefind 单独", "",
                  "任何“从清单逐页渲染、再用 Pagefind 建索引”的构建至少要花这两项：纯 Jinja 下限（读 YAML、每个事项一个"
                  "模板、写出，见下文）和 Pagefind 单独索引同一批精简文档（`benchmarks/pagefind_alone.py`）。"
                  "朴素构建除以两者之和，就是这台机器上这类构建能达到的最高倍数。",
                  "", "| 事项数 | Pagefind 单独 | CPU | 纯 Jinja 下限 | CPU | 朴素 MkDocs CPU | 最高倍数（墙钟） | "
                  "最高倍数（CPU） | qingdan 实测（墙钟） | qingdan 实测（CPU） |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for n, record in ceiling:
            ratios = record.get("ratios") or {}
            alone, floor = record["pagefind_alone"], record.get("floor")
            naive = (record.get("naive") or {}).get("sections")
            lines.append(
                f"| {int(n):,} | {_cell(alone, 'seconds')} | {_cell(alone, 'cpu_seconds')} | {_cell(floor, 'seconds')} | "
                f"{_cell(floor, 'cpu_seconds')} | {_cell(naive, 'cpu_seconds')} | "
                f"{_fmt_x(ratios.get('naive_over_floor_plus_pagefind'))} | "
                f"{_fmt_x(ratios.get('naive_over_floor_plus_pagefind_cpu'))} | "
                f"{_fmt_x(ratios.get('naive_over_build'))} | {_fmt_x(ratios.get('naive_over_build_cpu'))} |")
    both = [(n, r) for n, r in sizes.items() if "items" in (r.get("naive") or {})]
    if both:
        lines += ["", "### 朴素构建的两种导航", "",
                  "把每个事项页列进导航时，Material 把整份导航写进每一页：每页大小和时间随事项数线性增长，总量随平方增长。",
                  "", "| 事项数 | 导航列出每个事项 | 网站大小 | 朴素 / qingdan | 导航只到部门 | 网站大小 |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: |"]
        for n, record in both:
            items, sections = record["naive"]["items"], record["naive"].get("sections")
            ratio = _ratio((_naive_of(record, "items") or {}).get("seconds"), (record.get("build") or {}).get("seconds"))
            lines.append(f"| {int(n):,} | {_cell(items, 'seconds')} | {_cell(items, 'site_bytes', _fmt_b)} | "
                         f"{_fmt_x(ratio)} | {_cell(sections, 'seconds')} | {_cell(sections, 'site_bytes', _fmt_b)} |")
    stages = [k for k in STAGE_ORDER if any(k in ((r.get("build") or {}).get("stages") or {}) for r in sizes.values())]
    stages += sorted({k for r in sizes.values() for k in ((r.get("build") or {}).get("stages") or {})} - set(stages))
    lines += [
        "",
        "## 各阶段（`qingdan build --timings`）与纯 Jinja 下限",
        "",
        "“下限”是独立进程：读同样的 YAML（PyYAML C 加载器，不校验）、用一个 Jinja 模板渲染并写出每个事项页；"
        "括号里是其中只渲染写出的部分。",
        "",
        "| 事项数 | " + " | ".join(STAGE_NAMES.get(k, k) for k in stages)
        + " | 至搜索索引前 | 下限 | 其中读 YAML | 其中渲染写出 | 至索引前 / 下限 | 至索引前 / 渲染写出 |",
        "| ---: " * (len(stages) + 7) + "|",
    ]
    for n, record in sizes.items():
        build = record.get("build") or {}
        got = build.get("stages") or {}
        floor = record.get("floor")
        ratios = record.get("ratios") or {}
        lines.append(
            f"| {int(n):,} | " + " | ".join(_fmt_s(got.get(k)) for k in stages)
            + f" | {_fmt_s(build.get('before_search'))} | {_cell(floor, 'seconds')} | {_cell(floor, 'read')} | "
            f"{_cell(floor, 'render_write')} | {_fmt_x(ratios.get('before_search_over_floor'))} | "
            f"{_fmt_x(ratios.get('before_search_over_render'))} |"
        )
    lines += [
        "",
        "## 搜索下载量与改一项后重建",
        "",
        "| 事项数 | Material search_index.json | 其 gzip 传输 | Pagefind 首次查询 | 比例 | 对 gzip 后 | Pagefind 索引总大小 | 改一项后重建 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, record in sizes.items():
        build = record.get("build") or {}
        naive = _naive_of(record, "sections") or _naive_of(record, "items") or {}
        idx, gz = naive.get("search_index_bytes"), naive.get("search_index_gzip")
        fq = build.get("first_query_bytes")
        how = HOW.get(build.get("first_query_how") or "", "")
        lines.append(f"| {int(n):,} | {_fmt_b(idx)} | {_fmt_b(gz)} | {_fmt_b(fq)}{how} | {_fmt_frac(_ratio(fq, idx))} | "
                     f"{_fmt_frac(_ratio(fq, gz))} | {_fmt_b(build.get('pagefind_bytes'))} | "
                     f"{_cell(record.get('rebuild'), 'seconds')} |")
    lines += [
        "",
        "## 预览、无改动再次构建、页面外壳与搜索传输",
        "",
        "“保存到页面更新”：`qingdan serve` 运行中改动一个事项的办理条件并保存，到经 HTTP 取到的事项页显示改动为止"
        "（每次等上一次的搜索索引刷新完再改下一次）。“外壳”：事项页中事项自身内容以外的 HTML（页头、导航、页脚、脚本、meta），"
        "取前 500 个事项页的中位数。搜索传输按 gzip 计（Pagefind 的索引文件本身已压缩，按原样计）。",
        "",
        "| 事项数 | 无改动再次构建 | 保存到页面更新（中位数） | 各次 | 事项页外壳 | 朴素事项页外壳 | 网站大小 | 首次查询（gzip） | Material 索引（gzip） |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, record in sizes.items():
        build = record.get("build") or {}
        edit = record.get("edit_to_page") or {}
        naive = _naive_of(record, "sections") or _naive_of(record, "items") or {}
        every = "、".join(f"{s:.2f}" for s in edit.get("all_seconds", [])) or ("失败" if "error" in edit else "—")
        lines.append(f"| {int(n):,} | {_cell(record.get('warm'), 'seconds')} | {_fmt_s(edit.get('median_seconds'))} | "
                     f"{every} | {_fmt_b(build.get('item_chrome_bytes'))} | {_fmt_b(naive.get('item_chrome_bytes'))} | "
                     f"{_fmt_b(build.get('site_bytes'))} | {_fmt_b(build.get('first_query_gzip_bytes'))} | "
                     f"{_fmt_b(naive.get('search_index_gzip'))} |")
    published = [(n, r["publish"]) for n, r in sizes.items() if r.get("publish")]
    if published:
        lines += [
            "",
            "## 发布（`qingdan publish` 到目录目标，按内容哈希只发送改动的文件）",
            "",
            "| 事项数 | 网站文件数 | 网站大小 | 首次发布 | 无改动再发布 | 改一项后发送 | 其字节 | 删除 |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, pub in published:
            if "error" in pub:
                lines.append(f"| {int(n):,} | {pub['error']} | | | | | | |")
                continue
            first, same, one = pub.get("first") or {}, pub.get("unchanged") or {}, pub.get("one_item") or {}
            lines.append(f"| {int(n):,} | {pub.get('site_files', 0):,} | {_fmt_b(pub.get('site_bytes'))} | "
                         f"{first.get('files', 0):,} 个 | {same.get('files', 0):,} 个 | {one.get('files', 0):,} 个 | "
                         f"{_fmt_b(one.get('bytes'))} | {one.get('deleted', 0):,} 个 |")
    hist = results.get("history")
    if hist:
        gen = hist.get("corpus") or {}
        lines += [
            "",
            f"## 历史（{hist['items']:,} 项 × {hist['commits']:,} 次提交）",
            "",
            "| 冷启动（无缓存） | 热启动（有缓存，新增一次提交） | 朴素：每次提交解析全部文件 | 朴素 / 冷启动 | 冷启动峰值内存 | 语料生成 |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        if "error" in hist:
            lines.append(f"| {hist['error']} | | | | | |")
        else:
            naive_h = hist.get("naive") or {}
            extrap = "（按 {} 次提交抽样外推）".format(naive_h.get("sampled_commits")) if naive_h.get("extrapolated") else ""
            lines.append(
                f"| {_cell(hist.get('cold'), 'seconds')} | {_cell(hist.get('warm'), 'seconds')} | "
                f"{_cell(naive_h, 'seconds')}{extrap} | {_fmt_x(_ratio(naive_h.get('seconds'), (hist.get('cold') or {}).get('seconds')))} | "
                f"{_cell(hist.get('cold'), 'peak_bytes', _fmt_b)} | "
                f"{'复用' if gen.get('reused') else _fmt_s(gen.get('seconds'))} |"
            )
    hant = [(n, r["traditional"]) for n, r in sizes.items() if r.get("traditional")]
    if hant:
        lines += [
            "",
            "## 繁体页面（zh-Hant/）增加的部分",
            "",
            "上面的目标都不含繁体页面（语料设 `traditional: false`）。这里同一语料连续冷构建两次，先不含、再含繁体页面"
            "（`variant: tw`），取差值；“转换步骤”是 `--timings` 中 traditional 一步（与其搜索索引并行）。",
            "",
            "| 事项数 | 不含 | 含繁体 | 多用时间 | 多用 CPU | 转换步骤 | 峰值内存（含） | 繁体文件数 | 繁体字节 | 其中搜索索引 | 不含时网站 |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, rec in hant:
            if "error" in rec:
                lines.append(f"| {int(n):,} | {rec['error']} | | | | | | | | | |")
                continue
            w, o = rec["with"], rec["without"]
            lines.append(
                f"| {int(n):,} | {_fmt_s(o['seconds'])} | {_fmt_s(w['seconds'])} | {_fmt_s(rec['added_seconds'])} | "
                f"{_fmt_s(rec['added_cpu_seconds'])} | {_fmt_s(w.get('step_seconds'))} | {_fmt_b(w['peak_bytes'])} | "
                f"{w['files']:,} | {_fmt_b(w['bytes'])} | {_fmt_b(w['index_bytes'])} | {_fmt_b(o['bytes'])} |")
    if results.get("province"):
        from benchmarks.province import markdown as province_markdown

        lines += province_markdown(results["province"])
    errors = _errors(results)
    if errors:
        lines += ["", "## 失败", ""] + [f"- {where}：{msg}" for where, msg in errors]
    return "\n".join(lines) + "\n"


def _api_lines(sizes: dict[str, Any]) -> list[str]:
    """The static JSON API (api/v1/, docs/api.md) of each cold build: its bytes and the api step's time."""
    rows = [(n, r["build"]) for n, r in sizes.items() if (r.get("build") or {}).get("api_bytes")]
    if not rows:
        return []
    lines = ["", "### 数据接口（api/v1/）", "", "| 事项数 | 接口大小 | 占网站 | api 步骤 |", "| ---: | ---: | ---: | ---: |"]
    for n, build in rows:
        share = _ratio(build["api_bytes"], build.get("site_bytes"))
        lines.append(f"| {int(n):,} | {_fmt_b(build['api_bytes'])} | {_fmt_frac(share)} | "
                     f"{_fmt_s((build.get('stages') or {}).get('api'))} |")
    return lines


def _repeats(results: dict[str, Any]) -> str:
    default = results["meta"].get("repeat", 1)
    return "，".join(f"{int(n):,} 项 {r.get('repeat', default)} 次" for n, r in results["sizes"].items())


def _errors(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, message) of every measurement that failed."""
    out = []
    for n, record in results["sizes"].items():
        for step, result in record.items():
            if not isinstance(result, dict):
                continue
            nested = result.items() if step == "naive" else [("", result)]
            for variant, r in nested:
                if isinstance(r, dict) and "error" in r:
                    out.append((f"{int(n):,} 项 {step}{'/' + variant if variant else ''}", r["error"]))
    hist = results.get("history") or {}
    for key in ("", "cold", "warm", "naive"):
        r = hist.get(key) if key else hist
        if isinstance(r, dict) and "error" in r:
            out.append((f"历史 {key}".strip(), r["error"]))
    return out


README_START, README_END = "<!-- results:start -->", "<!-- results:end -->"


def update_readme(readme: Path, report: str) -> bool:
    """Put the report (headings one level down) between the README's result markers."""
    if not readme.exists():
        return False
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return False
    body = "\n".join(("#" + line if line.startswith("#") else line) for line in report.splitlines()[1:]).strip()
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme.write_text(f"{head}{README_START}\n{body}\n{README_END}{tail}", encoding="utf-8")
    return True


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _commit() -> str:
    try:
        return _git(HERE.parent, "rev-parse", "--short", "HEAD").strip()
    except (subprocess.CalledProcessError, OSError):
        return "未知"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Qingdan 基准测试：与朴素构建和纯 Jinja 下限对比")
    parser.add_argument("--sizes", default="1000,10000", help="事项数，逗号分隔（默认 1000,10000）")
    parser.add_argument("--repeat", type=int, default=3, help="每项测量的次数，取中位数（默认 3）")
    parser.add_argument("--quick", action="store_true", help="冒烟模式：1,000 项，1 次，小历史；只检查基准能跑通")
    parser.add_argument("--departments", type=int, default=30, help="部门数（默认 30）")
    parser.add_argument("--seed", type=int, default=1, help="语料随机种子（默认 1）")
    parser.add_argument("--history-items", type=int, default=10_000, help="历史测试的事项数（默认 10000）")
    parser.add_argument("--history-commits", type=int, default=1_000, help="历史测试的提交数（默认 1000）")
    parser.add_argument("--naive-sample", type=int, default=5, help="朴素历史解析抽样的提交数（默认 5）")
    parser.add_argument("--naive-nav-max", type=int, default=1000,
                        help="事项数不超过此值时，另测“导航列出每个事项”的朴素构建（默认 1000；0 表示不测）")
    parser.add_argument("--naive-nav-repeat", type=int, default=1, help="上述朴素构建的次数（默认 1，它很慢）")
    parser.add_argument("--skip", default="", help="跳过的步骤，逗号分隔：" + ",".join(STEPS))
    parser.add_argument("--edits", type=int, default=5, help="保存到页面更新：改动次数，取中位数（默认 5）")
    parser.add_argument("--timeout", type=float, default=7200, help="单次运行的超时秒数（默认 7200）")
    parser.add_argument("--work", type=Path, default=HERE / ".work", help="语料和输出的工作目录（默认 benchmarks/.work）")
    parser.add_argument("--out", type=Path, default=None, help="结果 Markdown 文件（默认 benchmarks/results.md；--quick 时写到工作目录）")
    parser.add_argument("--keep", action="store_true", help="保留生成的网站（默认删除，语料保留以便复用）")
    parser.add_argument("--merge", action="store_true",
                        help="并入 --out 已有的结果（同名规模和历史以本次为准），用于分开运行 100,000 项")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = "1000", 1
        args.history_items, args.history_commits = 1000, 40
        args.naive_nav_max, args.naive_sample = 0, 3
        args.departments = min(args.departments, 12)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(STEPS)
    if unknown:
        parser.error("未知的步骤：" + "、".join(sorted(unknown)))
    if args.out is None:
        args.out = args.work / "results-quick.md" if args.quick else HERE / "results.md"
    args.work = args.work.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    opts.work.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
    results: dict[str, Any] = {
        "meta": {"command": command.strip(), "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 "commit": _commit(), "python": platform.python_version(), "cpus": os.cpu_count(),
                 "load_start": os.getloadavg()[0], "repeat": opts.repeat, "seed": opts.seed,
                 "departments": opts.departments},
        "sizes": {},
    }
    for n in opts.sizes:
        results["sizes"][str(n)] = bench_size(n, opts)
    if "history" not in opts.skip:
        results["history"] = bench_history(opts)
        _say("历史：" + "，".join(f"{k} {_fmt_s((results['history'].get(k) or {}).get('seconds'))}"
                                for k in ("cold", "warm", "naive")))
    results["meta"]["load_end"] = os.getloadavg()[0]
    previous = opts.out.with_suffix(".json")
    if opts.merge and previous.exists():
        old = json.loads(previous.read_text(encoding="utf-8"))
        for record in old.get("sizes", {}).values():
            record.setdefault("repeat", old["meta"].get("repeat", 1))
        sizes = {**old.get("sizes", {}), **results["sizes"]}
        results["sizes"] = {k: sizes[k] for k in sorted(sizes, key=int)}
        if "history" not in results and "history" in old:
            results["history"] = old["history"]
        for key in ("command", "date", "commit"):
            if old["meta"].get(key) != results["meta"][key]:
                results["meta"][key] = old["meta"][key] + "；然后 " + results["meta"][key]
        results["meta"]["load_start"] = old["meta"]["load_start"]
    if previous.exists():  # the province benchmark's record (python -m benchmarks.province) stays
        kept = json.loads(previous.read_text(encoding="utf-8")).get("province")
        if kept:
            results["province"] = kept
    results["targets"] = goal_targets(results)
    text = render_markdown(results)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(text, encoding="utf-8")
    opts.out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True),
                                             encoding="utf-8")
    if opts.out.resolve() == (HERE / "results.md").resolve():
        update_readme(HERE / "README.md", text)
    print(text)
    return 1 if _errors(results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
