"""The `qingdan` command. Thin: parses arguments and hands over to one module per sub-command.

The commands are listed once, in generator/commands/__init__.py; each module there defines
`register(subparsers)`, which adds its parser and sets `func` (taking the parsed arguments,
returning the exit code). Only the module of the command asked for is imported: each pulls in
heavy libraries (MkDocs, openpyxl, pypinyin…), and `qingdan check` should not pay for all of them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from pathlib import Path

from generator.commands import COMMANDS, Command

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# argparse's own words (Python 3.10–3.13), in Chinese: it looks each one up through its module-level
# gettext `_` when it needs it, so every help screen and usage error reads in one language.
_ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 必须给出其中一个",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "invalid %(type)s value: %(value)r": "值 %(value)r 无效",
    "invalid choice: %(value)r (choose from %(choices)s)": "“%(value)s”不是可选的值（可选：%(choices)s）",
    "invalid choice: %(value)r": "“%(value)s”不是可选的值",
    "ignored explicit argument %r": "选项不接受值：%r",
    "unexpected option string: %s": "意外的选项：%s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：用法错误：%(message)s\n",
}


def _chinese(message: str) -> str:
    return _ARGPARSE_WORDS.get(message, message)


def _chinese_plural(singular: str, plural: str, n: int) -> str:
    return _chinese(singular if n == 1 else plural)


argparse._ = _chinese  # type: ignore[attr-defined]
argparse.ngettext = _chinese_plural  # type: ignore[attr-defined]


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks, ends headings with a full-width colon, lists commands flat."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(heading and heading + "\uff1a\b")  # argparse appends ":"; \b marks it

    def format_help(self) -> str:
        return super().format_help().replace("\uff1a\b:", "\uff1a")

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction):  # its own line would repeat the heading
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        return super()._format_action(action)


class ChineseArgumentParser(argparse.ArgumentParser):
    """Help screens and usage errors in Chinese; an error says what to run for help."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}：用法错误：{message}\n提示：运行 {self.prog} --help 查看用法\n")
        raise SystemExit(EXIT_USAGE)


OVERVIEW_EPILOG = """示例：
  qingdan check                       校验 site_config.yml 和 lists/ 下的全部清单
  qingdan build                       生成网站到 site/
  qingdan serve                       在 http://127.0.0.1:8000/ 预览，修改后自动更新
  qingdan import 权力清单.xlsx --list power --department scjgj

运行 qingdan 命令 --help 查看一个命令的说明和示例，例如 qingdan build --help。"""


def _requested(argv: list[str]) -> Command | None:
    """The command asked for, unless help for the whole program (or an unknown command) is asked."""
    words, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--project":
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    if not words or {"-h", "--help"} & set(argv[: argv.index(words[0])]):
        return None
    return next((c for c in COMMANDS if c.name == words[0]), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = ChineseArgumentParser(
        prog="qingdan", description="清单公开：校验、生成并发布政府部门的权责清单网站。", epilog=OVERVIEW_EPILOG
    )
    parser.add_argument("--project", type=Path, default=Path("."), metavar="目录", help="项目目录（默认：当前目录）")
    subparsers = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=ChineseArgumentParser)
    wanted = _requested(argv)
    if wanted is not None:
        importlib.import_module(f"generator.commands.{wanted.module}").register(subparsers)
    else:  # the overview: every command's summary, none of their modules
        for command in COMMANDS:
            subparsers.add_parser(command.name, help=command.summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:  # bare `qingdan` (or only --project): the overview
        parser.print_help()
        return EXIT_USAGE
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
