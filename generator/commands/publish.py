"""`qingdan publish --to TARGET`: send the built site to a directory, an SSH server or S3 storage.

Only changed files are sent (by content hash against the manifest the target serves), in an
order that keeps the site whole; releases are kept for `--rollback`; `--verify` re-hashes what the
target serves. See docs/publishing.md and generator/publish/.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from generator.problems import Problems, report_and_fail

if TYPE_CHECKING:  # the publish package is imported only when publishing
    from generator.publish.base import PublishError, Target
    from generator.publish.plan import Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        description="把 qingdan build 生成的网站发布到：本地或挂载的目录（/srv/www/qingdan）、"
        "SSH 服务器（用户@服务器:/目录 或 ssh://用户@服务器:端口/目录）、S3 兼容的对象存储（s3://存储桶/前缀）。"
        "网站服务器的根目录是目录或 SSH 目标下的 current。详见 docs/publishing.md。",
        epilog="示例：\n  qingdan publish --to /srv/www/qingdan --dry-run\n"
        "  qingdan publish --to deploy@www.example.gov.cn:/srv/qingdan\n"
        "  qingdan publish --to s3://qingdan/site --verify\n  qingdan publish --to /srv/www/qingdan --rollback",
    )
    parser.add_argument("--to", required=True, metavar="目标", help="发布目标")
    parser.add_argument("--site", type=Path, default=None, metavar="目录", help="要发布的网站目录（默认：项目下的 site/）")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--rollback", action="store_true", help="恢复上一次发布的版本")
    action.add_argument("--verify", action="store_true", help="按目标上的 qingdan-manifest.json 逐个核对文件的 SHA-256")
    action.add_argument("--dry-run", action="store_true", help="只列出将要发送和删除的文件，不做改动")
    parser.add_argument("--allow-dirty", action="store_true", help="允许发布有未提交改动的项目")
    parser.add_argument("--keep", type=int, default=None, metavar="N",
                        help="目标上保留的版本数（默认取 site_config.yml 的 publish.keep_releases，否则 5）")
    parser.add_argument("--break-lock", action="store_true",
                        help="接管目标上的发布锁（只在确认持有它的那次发布已中断时使用）")
    parser.add_argument("--lock-wait", type=int, default=None, metavar="秒",
                        help="另一次发布正在进行时最多等待的秒数（默认 120；0 表示不等待，立即以退出码 2 结束）")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from generator.config import load_config
    from generator.publish import PublishError, open_target
    from generator.publish.plan import DEFAULT_KEEP

    if args.keep is not None and args.keep < 1:
        print("qingdan publish: 用法错误：--keep 至少为 1\n提示：例如 --keep 5", file=sys.stderr)
        return EXIT_USAGE
    site_dir = (args.site or args.project / "site").resolve()
    settings = getattr(load_config(args.project, Problems()), "publish", None)  # rollback works even when invalid
    keep = args.keep or getattr(settings, "keep_releases", DEFAULT_KEEP)
    if not (args.rollback or args.verify) and not _preflight_passes(args, site_dir):
        return EXIT_FAILED
    if args.lock_wait is not None and args.lock_wait < 0:
        print("qingdan publish: 用法错误：--lock-wait 不能是负数\n提示：例如 --lock-wait 300", file=sys.stderr)
        return EXIT_USAGE
    target = None
    restore = _exit_on_termination()
    try:
        target = open_target(args.to, settings)
        report = _act(args, target, site_dir, keep)
    except PublishError as exc:
        return _failed(args, exc)
    finally:
        _release(target)
        restore()
    if args.format == "json":
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        _print_text(report)
    return EXIT_FAILED if report.problems else EXIT_OK


def _failed(args: argparse.Namespace, exc: PublishError) -> int:
    """A publishing error said to the user; the exit code (usage when another run holds the lock)."""
    from generator.publish.lock import LockHeld

    sys.stderr.write(f"{args.to}: 错误：{exc.message}\n" + (f"    提示：{exc.hint}\n" if exc.hint else ""))
    if isinstance(exc, LockHeld):
        sys.stderr.write(f"没有发布：{args.to} 上的网站没有改动。\n")
        return EXIT_USAGE
    sys.stderr.write("发布未完成。\n" if not (args.rollback or args.verify) else "")
    return EXIT_FAILED


def _preflight_passes(args: argparse.Namespace, site_dir: Path) -> bool:
    """Whether the site may go out (see generator/publish/preflight.py); the problems are said when not."""
    from generator.publish.preflight import preflight

    problems, manifest = preflight(args.project, site_dir, args.allow_dirty)
    if manifest is None:
        report_and_fail(problems, f"未发布：上面的问题修正后再运行 qingdan publish。{args.to} 上的网站没有改动。")
        return False
    return True


def _act(args: argparse.Namespace, target: Target, site_dir: Path, keep: int) -> Report:
    """Roll back, verify or publish (taking the target's lock first unless only reading)."""
    from generator.publish import publish, verify
    from generator.publish.lock import DEFAULT_WAIT

    if not (args.verify or args.dry_run):
        target.lock(DEFAULT_WAIT if args.lock_wait is None else args.lock_wait, args.break_lock)
    if args.rollback:
        return target.rollback()
    if args.verify:
        return verify(target)
    return publish(target, site_dir, keep, dry_run=args.dry_run)


def _release(target: Target | None) -> None:
    """Unlock and close the target, whatever happened."""
    if target is not None:
        try:
            target.unlock()
        finally:
            target.close()


def _exit_on_termination():  # noqa: ANN202 - returns the function that restores the handlers
    """SIGTERM and SIGINT end the run through `finally`: the lock is released, the key and the
    staging of this run removed, and the child processes stopped (SIGKILL is handled by
    generator/publish/guard.py)."""
    def stop(signum: int, _frame: object) -> None:
        sys.stderr.write(f"qingdan publish：收到信号 {signal.Signals(signum).name}，停止发布。\n")
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    return lambda: [signal.signal(sig, handler) for sig, handler in previous.items()]


def _size(n: int) -> str:
    for unit, factor in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} 字节"


def _print_text(report) -> None:  # noqa: ANN001 - a plan.Report
    if report.action == "verify":
        for line in report.problems:
            print(f"{report.target}: {line}", file=sys.stderr)
        if report.problems:
            print(f"核对未通过：{len(report.problems)} 处与 qingdan-manifest.json 不符（版本 {report.release or '无'}）。",
                  file=sys.stderr)
        else:
            print(f"核对通过：{report.target} 上的 {report.unchanged_files} 个文件（{_size(report.unchanged_bytes)}）"
                  f"与 qingdan-manifest.json 一致（版本 {report.release}）。")
        return
    if report.action == "dry-run":
        for path in report.uploaded:
            print(f"发送  {path}")
        for path in report.deleted:
            print(f"删除  {path}")
    counts = (f"发送 {len(report.uploaded)} 个文件（{_size(report.uploaded_bytes)}），删除 {len(report.deleted)} 个，"
              f"未变 {report.unchanged_files} 个（{_size(report.unchanged_bytes)}）")
    if report.action == "dry-run":
        print(f"预演（未做改动）：将{counts}。" if report.uploaded or report.deleted
              else f"预演：{report.target} 已是最新，无需发送。")
    elif report.action == "rollback":
        print(f"已回退：{report.target} 现在是版本 {report.release}（撤下了 {report.previous}；恢复 {len(report.uploaded)} 个文件，"
              f"删除 {len(report.deleted)} 个）。")
    elif not report.uploaded and not report.deleted:
        print(f"{report.target} 已是最新（版本 {report.release}），没有发送文件。")
    else:
        print(f"已发布到 {report.target}：版本 {report.release}；{counts}。")
