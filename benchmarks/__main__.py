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
from benchmarks.measure import Run, dir_size, median, run_measured
from benchmarks.search_bytes import first_query_bytes, material_index_bytes

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
STEPS = ("build", "rebuild", "floor", "naive", "history")
TARGETS_AT = 10_000
BIG = 100_000


# ---------------------------------------------------------------------------------------------
# corpora


def ensure_corpus(path: Path, items: int, departments: int, commits: int, seed: int) -> dict[str, Any]:
    """Reuse `path` when it holds exactly this corpus (clean tree, same HEAD); else generate it."""
    stamp = corpus_mod.read_stamp(path) if path.exists() else None
    wanted = {"version": corpus_mod.GENERATOR_VERSION, "items": items, "departments": departments,
              "commits": commits, "seed": seed}
    if stamp and all(stamp.get(k) == v for k, v in wanted.items()) and _clean_at(path, stamp["result"]["head"]):
        return {"reused": True, **stamp["result"]}
    shutil.rmtree(path, ignore_errors=True)
    stats = corpus_mod.generate(path, items, departments, commits, seed)
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


# ---------------------------------------------------------------------------------------------
# measurements


TIMING = re.compile(r"([A-Za-z_]+) ([\d.]+)s")


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


def bench_build(project: Path, out: Path, opts: argparse.Namespace) -> dict[str, Any]:
    runs, timings = [], []
    for _ in range(opts.repeat):
        shutil.rmtree(project / ".cache", ignore_errors=True)  # a fresh checkout: no history cache
        shutil.rmtree(out, ignore_errors=True)
        run = qingdan_build(project, out, opts.timeout)
        runs.append(run)
        if not run.ok:
            break
        timings.append(parse_timings(run.stdout))
    result = summarize(runs)
    if "error" in result:
        return result
    stages = sorted({k for t in timings for k in t})
    result["stages"] = {k: median([t[k] for t in timings if k in t]) for k in stages}
    if "search_index" in result["stages"]:
        result["before_search"] = median([r.seconds - t.get("search_index", 0.0) for r, t in zip(runs, timings, strict=True)])
    result["site_bytes"] = dir_size(out)
    result["pagefind_bytes"] = dir_size(out / "pagefind") if (out / "pagefind").is_dir() else None
    fq, how = first_query_bytes(out)
    result["first_query_bytes"], result["first_query_how"] = fq, how
    return result


def bench_rebuild(project: Path, out: Path, opts: argparse.Namespace) -> dict[str, Any]:
    if not out.is_dir():
        return {"error": "没有可用的完整构建"}
    runs = []
    try:
        for n in range(opts.repeat):
            touch_one_item(project, n)
            run = qingdan_build(project, out, opts.timeout)
            runs.append(run)
            if not run.ok:
                break
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "lists"], cwd=project, check=False)
    return summarize(runs)


def bench_floor(project: Path, out: Path, opts: argparse.Namespace) -> dict[str, Any]:
    runs, parts = [], []
    for _ in range(opts.repeat):
        shutil.rmtree(out, ignore_errors=True)
        run = run_measured([PYTHON, "-m", "benchmarks.floor", str(project), str(out)], timeout=opts.timeout)
        runs.append(run)
        if not run.ok:
            break
        parts.append(json.loads(run.stdout))
    result = summarize(runs)
    if parts:
        result["read"] = median([p["read"] for p in parts])
        result["render_write"] = median([p["render_write"] for p in parts])
        result["site_bytes"] = dir_size(out)
    shutil.rmtree(out, ignore_errors=True)
    return result


def bench_naive(project: Path, work: Path, n: int, opts: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.pages import read_records, write_naive_project

    variants = ["sections"] + (["items"] if n <= opts.naive_nav_max else [])
    config, records = read_records(project)
    out: dict[str, Any] = {}
    for variant in variants:
        root = work / f"naive-{n}-{variant}"
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        pages = write_naive_project(config, records, root, nav_items=variant == "items")
        written = time.perf_counter() - started
        runs = []
        repeat = opts.repeat if variant == "sections" else opts.naive_nav_repeat
        for _ in range(repeat):
            shutil.rmtree(root / "site", ignore_errors=True)
            run = run_measured([PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml")],
                               cwd=root, timeout=opts.timeout)
            runs.append(run)
            if not run.ok:
                break
        result = summarize(runs)
        result.update({"pages": pages, "markdown_seconds": written})
        if "error" not in result:
            result["site_bytes"] = dir_size(root / "site")
            result["search_index_bytes"], result["search_index_gzip"] = material_index_bytes(root / "site")
        out[variant] = result
        if not opts.keep:
            shutil.rmtree(root, ignore_errors=True)
    return out


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
    out = opts.work / f"site-{n}"
    record: dict[str, Any] = {"corpus": ensure_corpus(project, n, opts.departments, 1, opts.seed)}
    _say(f"{n} 项：语料 {'复用' if record['corpus']['reused'] else '已生成'}（{record['corpus']['items']} 项）")
    if "build" not in opts.skip:
        record["build"] = bench_build(project, out, opts)
        _say(f"{n} 项：qingdan build {_fmt_s(record['build'].get('seconds'))}")
    if "rebuild" not in opts.skip:
        record["rebuild"] = bench_rebuild(project, out, opts)
        _say(f"{n} 项：改一项后重建 {_fmt_s(record['rebuild'].get('seconds'))}")
    if "floor" not in opts.skip:
        record["floor"] = bench_floor(project, opts.work / f"floor-{n}", opts)
        _say(f"{n} 项：纯 Jinja 下限 {_fmt_s(record['floor'].get('seconds'))}")
    if "naive" not in opts.skip:
        record["naive"] = bench_naive(project, opts.work, n, opts)
        _say(f"{n} 项：朴素 MkDocs " + "，".join(f"{k} {_fmt_s(v.get('seconds'))}" for k, v in record["naive"].items()))
    if not opts.keep:
        shutil.rmtree(out, ignore_errors=True)
    return record


# ---------------------------------------------------------------------------------------------
# the report


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value >= 10 else f"{value:.2f} s"


def _fmt_b(value: int | None) -> str:
    if value is None:
        return "—"
    if value >= 1 << 30:
        return f"{value / (1 << 30):.2f} GB"
    if value >= 1 << 20:
        return f"{value / (1 << 20):.1f} MB"
    return f"{value / 1024:.0f} KB"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _fmt_x(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def _fmt_frac(value: float | None) -> str:
    return "—" if not value else f"1/{1 / value:.0f}"


def _cell(result: dict[str, Any] | None, key: str, fmt=_fmt_s) -> str:
    if not result:
        return "未测"
    if "error" in result:
        return "失败"
    return fmt(result.get(key))


def _naive_best(record: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    naive = record.get("naive") or {}
    for variant in ("items", "sections"):
        if variant in naive and "error" not in naive[variant]:
            return naive[variant], variant
    return None, ""


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    sizes = results["sizes"]
    at = sizes.get(str(TARGETS_AT)) or {}
    big = sizes.get(str(BIG)) or {}
    build = at.get("build") or {}
    out: list[tuple[str, str, bool | None]] = []

    naive = (at.get("naive") or {}).get("items") or (at.get("naive") or {}).get("sections") or {}
    r = _ratio(naive.get("seconds"), build.get("seconds"))
    out.append(("10,000 项完整构建（含搜索索引）比朴素构建快 ≥3 倍", _fmt_x(r), None if r is None else r >= 3))
    floor = at.get("floor") or {}
    r = _ratio(build.get("before_search"), floor.get("seconds"))
    out.append(("10,000 项构建至搜索索引前 ≤ 纯 Jinja 下限的 3 倍", _fmt_x(r), None if r is None else r <= 3))
    bb = big.get("build") or {}
    if bb and "error" not in bb:
        peak = bb.get("peak_bytes") or 0
        out.append(("100,000 项能构建，峰值内存 < 4 GB", f"{_fmt_s(bb.get('seconds'))}，{_fmt_b(peak)}",
                    peak < 4 * (1 << 30)))
    else:
        out.append(("100,000 项能构建，峰值内存 < 4 GB", "构建失败" if bb else "未测", False if bb else None))
    rb = (at.get("rebuild") or {}).get("seconds")
    out.append(("10,000 项改一项后重建 < 3 s", _fmt_s(rb), None if rb is None else rb < 3))
    fq, idx = build.get("first_query_bytes"), naive.get("search_index_bytes")
    r = _ratio(fq, idx)
    how = "（估算）" if build.get("first_query_how") == "estimated" else ""
    gz = _ratio(fq, naive.get("search_index_gzip"))
    out.append(("10,000 项搜索首次查询字节 ≤ Material 索引的 1/20",
                f"{_fmt_b(fq)}{how} / {_fmt_b(idx)} = {_fmt_frac(r)}（对 gzip 传输：{_fmt_frac(gz)}）" if r else "—",
                None if r is None else r <= 1 / 20))
    hist = results.get("history") or {}
    cold, warm, naive_h = hist.get("cold") or {}, hist.get("warm") or {}, hist.get("naive") or {}
    size = f"{hist.get('items', 0):,} 项 × {hist.get('commits', 0):,} 次提交"
    c, w = cold.get("seconds"), warm.get("seconds")
    out.append((f"历史冷启动 ≤ 20 s（{size}）", _fmt_s(c), None if c is None else c <= 20))
    out.append(("历史热启动（有缓存，新增一次提交）≤ 2 s", _fmt_s(w), None if w is None else w <= 2))
    r = _ratio(naive_h.get("seconds"), c)
    out.append(("历史冷启动比朴素解析快 ≥20 倍", _fmt_x(r), None if r is None else r >= 20))
    return out


def render_markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        "# 基准测试结果",
        "",
        f"- 命令：`{meta['command']}`",
        f"- 时间：{meta['date']}；Qingdan 提交 {meta['commit']}；Python {meta['python']}；{meta['cpus']} 核；"
        f"负载（1 分钟平均）开始 {meta['load_start']:.1f}、结束 {meta['load_end']:.1f}",
        f"- 每项取 {meta['repeat']} 次运行的中位数（峰值内存取最大值）；倍数在同一次运行中计算。"
        "语料：`benchmarks/corpus.py`，种子 " + str(meta["seed"]) + f"，{meta['departments']} 个部门。",
        "",
        "## 目标",
        "",
        "| 目标 | 实测 | 结论 |",
        "| --- | --- | --- |",
    ]
    for name, value, met in targets(results):
        verdict = "未测" if met is None else ("达到" if met else "未达到")
        lines.append(f"| {name} | {value} | {verdict} |")
    lines += [
        "",
        "## 完整构建",
        "",
        "| 事项数 | qingdan build | CPU | 峰值内存 | 网站大小 | 朴素 MkDocs | 朴素峰值内存 | 朴素网站大小 | 朴素 / qingdan |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    notes = []
    for n, record in results["sizes"].items():
        build = record.get("build")
        naive, variant = _naive_best(record)
        mark = "" if variant == "items" else "¹" if variant else ""
        if variant == "sections":
            notes.append(n)
        lines.append(
            f"| {int(n):,} | {_cell(build, 'seconds')} | {_cell(build, 'cpu_seconds')} | {_cell(build, 'peak_bytes', _fmt_b)} "
            f"| {_cell(build, 'site_bytes', _fmt_b)} | {_cell(naive, 'seconds')}{mark} | "
            f"{_cell(naive, 'peak_bytes', _fmt_b)} | {_cell(naive, 'site_bytes', _fmt_b)} | "
            f"{_fmt_x(_ratio((naive or {}).get('seconds'), (build or {}).get('seconds')))} |"
        )
    if notes:
        lines += ["", "¹ 朴素构建的导航只列到部门、不列事项页（事项页仍逐页生成）。事项页全部进入导航时，每页都带整份导航，"
                  "构建时间和网站大小随事项数平方增长（见下方“朴素构建的两种导航”），在这一规模下跑不完；"
                  "这里用的是对朴素方案更有利的版本，所以倍数是下限。"]
    both = [(n, r["naive"]) for n, r in results["sizes"].items() if "items" in (r.get("naive") or {})]
    if both:
        lines += ["", "### 朴素构建的两种导航", "", "| 事项数 | 导航列出每个事项 | 网站大小 | 导航只到部门 | 网站大小 |",
                  "| ---: | ---: | ---: | ---: | ---: |"]
        for n, naive in both:
            lines.append(f"| {int(n):,} | {_cell(naive['items'], 'seconds')} | {_cell(naive['items'], 'site_bytes', _fmt_b)} "
                         f"| {_cell(naive.get('sections'), 'seconds')} | {_cell(naive.get('sections'), 'site_bytes', _fmt_b)} |")
    lines += [
        "",
        "## 各阶段与纯 Jinja 下限",
        "",
        "| 事项数 | 读取校验 | 历史 | 渲染 | MkDocs | 写页面 | 搜索索引 | 至搜索索引前 | 纯 Jinja 下限 | 其中读 YAML | 其中渲染写出 | 至索引前 / 下限 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, record in results["sizes"].items():
        build = record.get("build") or {}
        stages = build.get("stages") or {}
        floor = record.get("floor")
        lines.append(
            f"| {int(n):,} | {_fmt_s(stages.get('load'))} | {_fmt_s(stages.get('history'))} | "
            f"{_fmt_s(_sum(stages, 'render', 'render_history'))} | {_fmt_s(stages.get('mkdocs'))} | "
            f"{_fmt_s(_sum(stages, 'write_pages', 'data_files'))} | {_fmt_s(stages.get('search_index'))} | "
            f"{_fmt_s(build.get('before_search'))} | {_cell(floor, 'seconds')} | {_cell(floor, 'read')} | "
            f"{_cell(floor, 'render_write')} | {_fmt_x(_ratio(build.get('before_search'), (floor or {}).get('seconds')))} |"
        )
    lines += [
        "",
        "## 搜索与增量重建",
        "",
        "| 事项数 | Material search_index.json | 其 gzip 传输 | Pagefind 首次查询 | 比例 | 比 gzip 后 | Pagefind 索引总大小 | 改一项后重建 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, record in results["sizes"].items():
        build = record.get("build") or {}
        naive, _ = _naive_best(record)
        idx = (naive or {}).get("search_index_bytes")
        fq = build.get("first_query_bytes")
        how = "（估算）" if build.get("first_query_how") == "estimated" else ""
        gz = (naive or {}).get("search_index_gzip")
        lines.append(f"| {int(n):,} | {_fmt_b(idx)} | {_fmt_b(gz)} | {_fmt_b(fq)}{how} | {_fmt_frac(_ratio(fq, idx))} | "
                     f"{_fmt_frac(_ratio(fq, gz))} | {_fmt_b(build.get('pagefind_bytes'))} | "
                     f"{_cell(record.get('rebuild'), 'seconds')} |")
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
    errors = _errors(results)
    if errors:
        lines += ["", "## 失败", ""] + [f"- {where}：{msg}" for where, msg in errors]
    return "\n".join(lines) + "\n"


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


def _sum(stages: dict[str, float], *keys: str) -> float | None:
    found = [stages[k] for k in keys if k in stages]
    return sum(found) if found else None


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
        sizes = {**old.get("sizes", {}), **results["sizes"]}
        results["sizes"] = {k: sizes[k] for k in sorted(sizes, key=int)}
        if "history" not in results and "history" in old:
            results["history"] = old["history"]
        results["meta"]["command"] = old["meta"]["command"] + "；然后 " + results["meta"]["command"]
    text = render_markdown(results)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(text, encoding="utf-8")
    opts.out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True),
                                             encoding="utf-8")
    print(text)
    return 1 if _errors(results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
