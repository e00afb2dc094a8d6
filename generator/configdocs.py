"""Write docs/config-reference.md from the declared options (generator/config.py).

`python -m generator.configdocs` rewrites the page; `--check` exits 1 when the committed page differs
from what the declarations give. The page is generated, never edited by hand, so the reference and
the reader cannot disagree (tests/test_config_reference.py checks it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.config import ROOT
from generator.configoptions import ListOf, Option, Section

PAGE = Path(__file__).resolve().parent.parent / "docs" / "config-reference.md"

INTRO = """# site_config.yml 配置参考

本页列出 `site_config.yml` 的全部设置：类型、默认值和说明。它由 `python -m generator.configdocs`
根据 `generator/config.py` 中的声明生成，请不要手工修改；改动设置时改声明，再运行这条命令。
`qingdan check` 按同样的声明检查 `site_config.yml`，每个错误都指出文件、行和列。

写法示例见示例县的 `site_config.yml`；清单类型的默认定义见 `generator/defaults/schema.yml`。
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(option: Option) -> str:
    if option.required:
        return "（必填）"
    if isinstance(option, Section):
        return "—"
    value = option.default
    if isinstance(value, list) and value:
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    if value is None and isinstance(option, ListOf):
        return "（默认清单）" if option.key.endswith("list_types") else "（默认规则）"
    return option.default_text()


def _sections(option: Option, path: str) -> list[tuple[str, Section]]:
    """The section under an option (itself, its list's entries, its mapping's values), with its heading."""
    if isinstance(option, Section):
        return [(path, option)]
    below = option.below()
    return _sections(below[1], path + below[0]) if below else []


def _table(section: Section, path: str) -> list[str]:
    lines = ["| 设置 | 类型 | 默认值 | 说明 |", "| --- | --- | --- | --- |"]
    for option in section.options:
        name = f"`{option.key}`"
        doc = option.doc or option.words
        lines.append(f"| {name} | {_cell(option.kind)} | {_cell(_default(option))} | {_cell(f'{option.words}。{doc}' if doc != option.words else doc)} |")
    return lines


def render() -> str:
    """The reference page: the top-level table, then each section right after the one it sits in."""
    lines = [INTRO, "## 顶层设置", "", *_table(ROOT, ""), ""]
    seen: dict[int, str] = {}

    def document(option: Option, path: str) -> None:
        for heading, section in _sections(option, path):
            words = f"（{option.words}）" if option.words else ""
            lines.extend([f"## {heading}{words}", ""])
            if option.doc:
                lines.extend([option.doc, ""])
            if id(section) in seen:
                lines.extend([f"设置同“{seen[id(section)]}”一节。", ""])
                continue
            seen[id(section)] = heading
            lines.extend([*_table(section, heading), ""])
            for child in section.options:
                document(child, f"{path}.{child.key}")

    for option in ROOT.options:
        document(option, option.key)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        if not PAGE.exists() or PAGE.read_text(encoding="utf-8") != text:
            sys.stderr.write(f"{PAGE} 与 generator/config.py 中的声明不一致：请运行 python -m generator.configdocs\n")
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"已写入 {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
