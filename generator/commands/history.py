"""`qingdan history [LIST/CODE] [--since DATE] [--format text|json]`: the lists' adjustments from git."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from typing import Any

from generator.config import FieldDef, SiteConfig, load_config
from generator.fieldtypes import field_text
from generator.gitrepo import GitRepo
from generator.history import RECODED, RENAMED, TRANSFERRED, Event, History, extract_history
from generator.history.editions import edition_tags
from generator.history.revisions import DATE_MEANING, RevisionError, accepted_forms, resolve_revision
from generator.history.trailers import normalize_date
from generator.problems import Problems, report_and_fail

EXIT_USAGE = 2
MAX_VALUE = 120  # characters of one value shown in text output (JSON has everything)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history",
        epilog="示例：\n  qingdan history\n  qingdan history power/000131127004\n  qingdan history --since 2016-12-01\n"
        "  qingdan history --since 2021版        2021版之后的调整\n\n"
        f"--since 的{DATE_MEANING}。",
        description="列出清单事项的新增、取消、变更、更名、改码和划转，最新的在前。"
        "调整依据和决定日期、发布日期、生效日期取自提交说明末段的“调整依据: …”“决定日期: …”"
        "“发布日期: …”“生效日期: …”（见 docs/history.md）。",
    )
    parser.add_argument("target", nargs="?", metavar="清单/编码",
                        help="只看一个事项，例如 power/000131127004（也可以只写编码）")
    parser.add_argument("--since", metavar="日期", help="只看记录日期在这一天及以后的调整，例如 2016-12-01；"
                        "也可以写历史版本的名称（如 2021版），只看这个版本之后的调整")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    config = load_config(args.project, problems)
    if config is None:
        report_and_fail(problems, "配置文件有错误，无法读取调整记录；请先运行 qingdan check。")
        return 1
    since = _since(args.since, config)
    if since is None:
        return EXIT_USAGE
    target = _parse_target(args.target, config) if args.target else None
    if target is False:
        return EXIT_USAGE
    history = extract_history(config, Problems(), cache_dir=None)
    events = _select(history.events, target, since)
    try:
        _print(history, events, config, args.format)
    except BrokenPipeError:  # `qingdan history | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if target and not events and not since:
        print(f"没有找到 {args.target} 的调整记录。", file=sys.stderr)
        return 1
    return 0


def _since(text: str | None, config: SiteConfig) -> str | set[str] | None:
    """What --since keeps: a record date (YYYY-MM-DD; "" when not given), or for an edition's name
    the commits the edition already contains (the events after it are kept); None (said to the
    user) when it is neither."""
    if not text:
        return ""
    since = normalize_date(text)
    if since is not None:
        return since
    repo = GitRepo(config.root)
    names = [t.name for t in edition_tags(config, repo)] if repo.is_repo() else []
    try:
        revision = resolve_revision(text, config, repo) if text in names else None
    except RevisionError:
        revision = None
    if revision is None:
        forms = accepted_forms(names, text)
        print(f"qingdan history: 用法错误：--since 的“{text}”既不是日期也不是历史版本的名称\n"
              f"提示：日期写成 2016-12-01 的格式；{forms}", file=sys.stderr)
        return None
    return {c.sha for c in repo.commits(revision.sha)}


def _select(events: list[Event], target: tuple[str | None, str] | None, since: str | set[str]) -> list[Event]:
    """The events of one item (under its code now or before) and from a record date, or after an
    edition, on, as asked."""
    if target:
        list_id, code = target
        events = [e for e in events if code in (e.code, e.old_code) and (list_id is None or e.list_id == list_id)]
    if isinstance(since, set):
        events = [e for e in events if e.commit not in since]
    elif since:
        events = [e for e in events if e.record_date >= since]
    return events


def _print(history: History, events: list[Event], config: SiteConfig, fmt: str) -> None:
    if fmt == "json":
        payload = {
            "head": history.head, "complete": history.complete, "count": len(events),
            "notices": [p.to_json() for p in history.notices], "events": [e.to_json() for e in events],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True))
    else:
        for problem in history.notices:
            print(problem.format_text(), file=sys.stderr)
        _print_text(events, config)
    sys.stdout.flush()


def _parse_target(text: str, config: SiteConfig) -> tuple[str | None, str] | bool:
    list_id, sep, code = text.strip().rpartition("/")
    if not sep:
        return None, code
    if config.list_type(list_id) is None or not code:
        ids = [t.id for t in config.list_types]
        close = difflib.get_close_matches(list_id, ids, n=1)
        guess = f"是不是想写“{close[0]}/{code}”？" if close else ""
        print(f"qingdan history: 用法错误：“{text}”不是“清单/编码”\n提示：{guess}清单标识可以是 {'、'.join(ids)}",
              file=sys.stderr)
        return False
    return list_id, code


def describe(value: Any, fdef: FieldDef | None = None, config: SiteConfig | None = None) -> str:
    """A field value in one line of Chinese text: the field type's own text, shortened."""
    text = " ".join(field_text(fdef, value, config).split())
    if not text:
        return "（无）"
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _department(config: SiteConfig, code: str) -> str:
    department = config.department(code)
    return department.short_name if department else code


def _print_text(events: list[Event], config: SiteConfig, stream=None) -> None:
    stream = stream or sys.stdout
    if not events:
        print("没有调整记录。", file=stream)
        return
    for event in events:
        list_type = config.list_type(event.list_id)
        title = list_type.title if list_type else event.list_id
        subject = f"{event.code} {event.name}"
        if event.kind == RECODED:
            subject = f"{event.code}（原编码 {event.old_code}） {event.name}"
        elif event.kind == RENAMED and event.old_name:
            subject += f"（原名称：{event.old_name}）"
        where = _department(config, event.department)
        if event.kind == TRANSFERRED or event.old_department:
            where = f"{_department(config, event.old_department)} → {where}"
        print(f"{event.record_date}  {event.kind}  {title} {subject}（{where}）", file=stream)
        basis = f"调整依据：{event.basis}" if event.has_basis else "调整依据：未注明"
        for label, day in (("决定日期", event.decided), ("发布日期", event.published), ("生效日期", event.effective)):
            if day:
                basis += f"  {label}：{day}"
        print(f"    {basis}", file=stream)
        print(f"    提交 {event.short_commit}  {event.author}  {event.subject}", file=stream)
        for change in event.changes:
            fdef = list_type.field(change.field) if list_type else None
            print(f"    · {change.label}：{describe(change.old, fdef, config)} → {describe(change.new, fdef, config)}",
                  file=stream)
    commits = len({e.commit for e in events})
    print(f"共 {len(events)} 条调整记录，涉及 {commits} 次提交。", file=stream)
