"""`qingdan diff [A] [B]`: the legal office's review of a proposed change to the lists.

A and B are dates, edition names, commits, tags or branches (generator.history.revisions: a date
is a record date, the lists after the last adjustment in force by then); A defaults to HEAD and B
to the working tree, so a department can review uncommitted edits. The comparison itself is
`generator.diff` (pure); this module resolves the two versions, names the adjustments made between
them (from the history) and writes the report. Exit code 1 when a flag named in --fail-on was raised, 2 for a usage error.
Each flag is a rule of generator.rules.RULES, named by its rule id.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.commands.usage import UsageError, run_reporting_usage
from generator.commands.usage import parse_fail_on as _parse_ids
from generator.config import SiteConfig, did_you_mean, load_config
from generator.diff import compare
from generator.diff.result import KINDS, AdjustmentRef, DiffResult, Version
from generator.gitrepo import GitRepo
from generator.history.revisions import DATE_MEANING, RevisionError, resolve_revision
from generator.model import Catalog
from generator.problems import Problems, report_and_fail
from generator.project import Project, open_project
from generator.rules import REVIEW_ALIASES, REVIEW_RULES, RULES

FORMATS = ["text", "md", "html", "json", "xlsx"]
WORKTREE_NAMES = ("WORKTREE", "工作区")
EXIT_OK, EXIT_FLAGGED = 0, 1


def _flags_help() -> str:
    lines = ["审核提示（--fail-on 使用的标识，与 qingdan check、qingdan assess 和 site_config.yml 的 rules: levels: 相同）："]
    lines += [f"  {rid:<26}{RULES[rid].label}：{RULES[rid].meaning}" for rid in REVIEW_RULES]
    lines.append("  any                       以上任何一项")
    lines.append("旧的标识仍可用于 --fail-on，含义不变：" + "，".join(
        f"{alias} 即 {rid}" for alias, rid in REVIEW_ALIASES.items()))
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        description="比较两个版本的清单（默认：HEAD 与工作区中未提交的修改），生成法制审核报告。",
        epilog=_flags_help() + "\n\n版本的写法：历史版本的名称（如 2021版，与网站“历史版本”页相同）；"
        f"日期 YYYY-MM-DD，表示那一天施行的清单（{DATE_MEANING}）；提交编号、标签或分支名。"
        "报告列出两个版本之间的各次调整及其调整依据、决定日期、发布日期和生效日期。"
        "\n\n示例：\n  qingdan diff                          审核未提交的修改\n"
        "  qingdan diff 2021版 2024版             比较两个历史版本\n"
        "  qingdan diff v2023 HEAD --format html --output 审核.html\n"
        "  qingdan diff 2023-01-01 2024-01-01 --list power\n"
        "  qingdan diff origin/main HEAD --format md --fail-on no-legal-basis,catch-all-clause",
    )
    parser.add_argument("a", nargs="?", default="HEAD", metavar="A",
                        help="原版本：历史版本名称（如 2021版）、日期 YYYY-MM-DD（按记录日期）、提交、标签或分支（默认 HEAD）")
    parser.add_argument("b", nargs="?", default=None, metavar="B",
                        help="新版本：同上；省略或写 WORKTREE 表示工作区（含未提交的修改）")
    parser.add_argument("--list", dest="list_id", default="", metavar="清单", help="只审核一个清单，例如 power")
    parser.add_argument("--department", default="", metavar="部门", help="只审核一个部门，例如 scjgj")
    parser.add_argument("--format", choices=FORMATS, default="text", help="报告格式（默认 text）")
    parser.add_argument("--output", type=Path, default=None, metavar="文件", help="写入文件（默认输出到屏幕）")
    parser.add_argument("--fail-on", default="", metavar="提示",
                        help="出现这些审核提示时退出码为 1，逗号分隔，或 any；标识见下")
    parser.add_argument("--ignore-format", action="store_true", help="不显示格式调整（全角半角、空格、括号写法）")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return run_reporting_usage("diff", _run, args)


def parse_fail_on(value: str) -> set[str]:
    """The rule ids named by --fail-on ('any' is all of them); an old flag id counts as its rule."""
    return _parse_ids(value, REVIEW_RULES, "审核提示", "可用的标识：" + "、".join(REVIEW_RULES) + "，或 any",
                      aliases=REVIEW_ALIASES)


def _run(args: argparse.Namespace) -> int:
    fail_on = parse_fail_on(args.fail_on)
    if args.format == "xlsx" and args.output is None:
        raise UsageError("Excel 格式的报告需要用 --output 指定文件名", "例如 --format xlsx --output 审核.xlsx")
    side_b = args.b if args.b is not None else WORKTREE_NAMES[0]
    uses_worktree = args.a in WORKTREE_NAMES or side_b in WORKTREE_NAMES
    # The working tree's lists are read only when one side is the working tree.
    project = open_project(args.project) if uses_worktree else None
    config_problems = project.problems if project else Problems()
    config = project.config if project else load_config(args.project, config_problems)
    if config is None or (project is not None and project.catalog is None):
        report_and_fail(config_problems, "qingdan diff：配置文件有错误，无法比较；请先修正上面的问题。")
        return EXIT_FLAGGED
    _check_filters(config, args.list_id, args.department)
    repo = GitRepo(args.project)
    failure = None if args.a in WORKTREE_NAMES and side_b in WORKTREE_NAMES else repo.probe()
    if failure is not None and failure.is_repo_missing:
        raise UsageError(f"{args.project} 不在 git 仓库中，无法读取以前的版本",
                         "在项目目录运行 git init 并提交清单，或在 git 仓库的克隆中运行")
    if failure is not None:
        raise UsageError(f"无法读取 {args.project} 的 git 仓库。git 的提示：{failure.message}",
                         f"确认仓库可信后运行：{failure.fix}" if failure.fix else "按 git 的提示修复仓库后重试")
    catalog_a, version_a, problems_a = _load(args.a, config, repo, project)
    catalog_b, version_b, problems_b = _load(side_b, config, repo, project)
    notes, skip = _unreadable(config, [(version_a, catalog_a, problems_a), (version_b, catalog_b, problems_b)])
    result = compare(catalog_a, catalog_b, version_a, version_b, list_filter=args.list_id,
                     department_filter=args.department, ignore_format=args.ignore_format, skip_files=skip)
    result.notes.extend(notes)
    result.adjustments = _adjustments_between(config, repo, version_a, version_b)
    _write(result, args, config)
    raised = sorted(fail_on & result.flag_ids(), key=REVIEW_RULES.index)
    if raised:
        counts = result.flag_counts()
        sys.stderr.write("审核未通过：" + "，".join(f"{RULES[f].label} {counts[f]} 项" for f in raised)
                         + f"（--fail-on {args.fail_on}）\n")
        return EXIT_FLAGGED
    return EXIT_OK


def _check_filters(config: SiteConfig, list_id: str, department: str) -> None:
    ids = [t.id for t in config.list_types]
    if list_id and list_id not in ids:
        raise UsageError(f"没有标识为“{list_id}”的清单",
                         did_you_mean(list_id, ids).replace("可用的字段", "可用的清单"))
    codes = [d.code for d in config.departments]
    if department and department not in codes:
        raise UsageError(f"没有代码为“{department}”的部门",
                         did_you_mean(department, codes).replace("可用的字段", "可用的部门"))


def _load(rev: str, config: SiteConfig, repo: GitRepo, project: Project | None) -> tuple[Catalog, Version, Problems]:
    """The catalog at a revision, a date or in the working tree, and how to name that version."""
    if rev in WORKTREE_NAMES:
        assert project is not None and project.catalog is not None
        return project.catalog, Version("工作区", "worktree", problems=len(project.problems.errors)), project.problems
    try:
        revision = resolve_revision(rev, config, repo)
    except RevisionError as exc:
        raise UsageError(exc.message, exc.hint) from None
    sha = revision.sha
    problems = Problems()
    catalog = _catalog_at(config, repo, sha, problems)
    info = repo.commit_info(sha)
    version = Version(
        label=rev, kind=revision.kind, commit=sha,
        date=revision.day or (_short_date(info.date) if info else ""), subject=info.subject if info else "",
        author=info.author if info else "", problems=len(problems.errors),
    )
    return catalog, version, problems


def _adjustments_between(config: SiteConfig, repo: GitRepo, a: Version, b: Version) -> list[AdjustmentRef]:
    """The public adjustments (after the first publication, not format-only) made after A and up to B,
    oldest first, as the history of HEAD records them. The working tree stands for HEAD here."""
    from generator.history import extract_history

    sha_a = a.commit
    sha_b = b.commit or (repo.rev_parse("HEAD") if b.kind == "worktree" else None)
    if not sha_a or not sha_b:
        return []
    between = {c.sha for c in repo.commits(f"{sha_a}..{sha_b}")}
    if not between:
        return []
    history = extract_history(config, Problems())
    return [AdjustmentRef(title=adj.title, basis=adj.basis, decided=adj.decided, published=adj.published,
                          effective=adj.effective, record_date=adj.record_date, commit=adj.commit,
                          counts={kind: n for kind, n in adj.counts.items() if n})
            for adj in reversed(history.adjustments) if adj.commit in between]


def _catalog_at(config: SiteConfig, repo: GitRepo, sha: str, problems: Problems) -> Catalog:
    """The lists as they stood at a commit; parsed blobs are shared with the history's cache."""
    from generator.history.cache import open_cache
    from generator.snapshot import catalog_at

    cache = open_cache(config)
    try:
        return catalog_at(config, repo, sha, problems, cache)
    finally:
        cache.close()


def _short_date(iso: str) -> str:
    """'2016-12-01T10:00:00+08:00' → '2016-12-01 10:00'."""
    return iso[:16].replace("T", " ") if len(iso) >= 16 else iso


def _unreadable(config: SiteConfig, sides: list[tuple[Version, Catalog, Problems]]) -> tuple[list[str], frozenset]:
    """List files that could not be read in a version: left out of the comparison, and said so."""
    notes: list[str] = []
    skip: set[str] = set()
    prefix = config.lists_dir.rstrip("/") + "/"
    for name, (version, catalog, problems) in zip("AB", sides, strict=True):
        loaded = {item.file for item in catalog.items()}
        broken = sorted({p.file for p in problems.errors if p.file.startswith(prefix)} - loaded)
        if broken:
            skip.update(broken)
            notes.append(f"{name}（{version.title}）中有 {len(broken)} 个清单文件无法读取，其中的事项未参加比较："
                         + "、".join(broken) + "。请先运行 qingdan check 修正。")
        elif version.kind == "worktree" and problems.errors:
            notes.append(f"{name}（{version.title}）有 {len(problems.errors)} 个校验错误，请同时运行 qingdan check 查看。")
    return notes, frozenset(skip)


def _write(result: DiffResult, args: argparse.Namespace, config: SiteConfig) -> None:
    fmt = args.format
    if fmt == "xlsx":
        from generator.diff import render_xlsx

        args.output.write_bytes(render_xlsx.render(result))
    else:
        if fmt == "text":
            from generator.diff import render_text

            color = args.output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            text = render_text.render(result, color=color)
        elif fmt == "md":
            from generator.diff import render_md

            text = render_md.render(result)
        elif fmt == "html":
            from generator.diff import render_html

            text = render_html.render(result, config.portal.site_name, args.project / "templates")
        else:
            from generator.diff import render_json

            text = render_json.render(result)
        if args.output is None:
            sys.stdout.write(text)
            return
        args.output.write_text(text, encoding="utf-8")
    total = result.summary_by_list()[-1][2]
    counts = "，".join(f"{KINDS[k]} {n}" for k, n in total.items() if n) or "没有调整"
    sys.stderr.write(f"审核报告已写入 {args.output}：{counts}；审核提示 {len(result.flagged())} 项。\n")
