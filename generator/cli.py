"""The `qingdan` command. Thin: parses arguments and hands over to one module per sub-command.

Each module in generator/commands/ defines `register(subparsers)`, which adds its parser and sets
`func` (taking the parsed arguments, returning the exit code).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from pathlib import Path

import generator.commands

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own text stays; the frame is Chinese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 用法错误：{message}\n提示：运行 {self.prog} --help 查看用法\n")
        raise SystemExit(EXIT_USAGE)


def _requested_modules(argv: list[str] | None) -> list[str]:
    """Command modules to load: only the one asked for, unless help or an unknown command is asked.

    Each command pulls in heavy libraries (MkDocs, openpyxl, pypinyin…); importing all of them
    made every `qingdan check` pay over a second of start-up.
    """
    modules = sorted(m.name for m in pkgutil.iter_modules(generator.commands.__path__))
    args = list(sys.argv[1:] if argv is None else argv)
    words = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--project":
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    if words and not {"-h", "--help"} & set(args[: args.index(words[0])]):
        wanted = [m for m in modules if m.rstrip("_") == words[0]]
        if wanted:
            return wanted
    return modules


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="qingdan", description="清单公开：校验、生成并发布政府部门的权责清单网站"
    )
    parser.add_argument("--project", type=Path, default=Path("."), help="项目目录（默认：当前目录）")
    subparsers = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    subparsers.required = True
    for name in _requested_modules(argv):
        module = importlib.import_module(f"generator.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    args.project = args.project.resolve()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:  # `qingdan … | head` closed the pipe: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception:  # a bug of ours, never the user's input: keep the traceback out of their way
        log = args.project / ".cache" / "qingdan-error.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f"详细信息已写入 {log}"
        except OSError:
            where = "详细信息：\n" + traceback.format_exc()
        sys.stderr.write(f"qingdan 内部错误：{sys.exc_info()[1]!r}\n{where}\n请把该文件发给维护人员。\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
