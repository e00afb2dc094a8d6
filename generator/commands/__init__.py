"""The `qingdan` sub-commands: the one list of them, in the order a new user meets them.

Each command module defines `register(subparsers)`, which adds its parser (description, example,
one line per option) and sets `func`. Helpers shared by commands (usage.py) live beside them but
are not commands: only the modules named here are registered. The one-line summaries live here so
that `qingdan` and `qingdan --help` can list every command without importing any of them.
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    name: str  # what the user types
    module: str  # the module in generator/commands/
    summary: str  # one line in the overview


COMMANDS: tuple[Command, ...] = (
    Command("check", "check", "校验配置和全部清单数据"),
    Command("build", "build", "生成网站（校验通过后才替换旧网站）"),
    Command("serve", "serve", "本地预览：修改清单后自动更新页面"),
    Command("import", "import_", "从 Excel（.xlsx/.xls）或 CSV 导入清单"),
    Command("export", "export", "把清单导出为 Excel、CSV 或 JSON"),
    Command("history", "history", "查看清单的调整记录（来自 git 提交历史）"),
    Command("diff", "diff", "法制审核：比较两个版本的清单，列出新增、取消、变更并提示问题"),
    Command("assess", "assess", "清单评估：检查整个清单中需要清理的问题，按部门汇总"),
    Command("publish", "publish", "发布网站到目录、SSH 服务器或对象存储（只发送改动的文件，可回退）"),
)
