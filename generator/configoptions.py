"""Declared options: each setting of site_config.yml says once what it is and how it is read.

An option holds its key, the Chinese words its messages use, its default, its documentation and
its validation (after MkDocs' `config_options`). One reader, `Option.read`, walks the declarations:
every setting is checked, located (file, line, column) and explained in Chinese the same way, and
`generator/configdocs.py` writes the reference page from the same declarations, so the two cannot
disagree. The options of Qingdan's own file are declared in generator/config.py.

Where MkDocs stops at the first error, a reader here reports every problem it finds and carries on
with the default, so a clerk sees all the mistakes of a file at once; any error still means no
configuration (load_config returns None).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.problems import Problems, did_you_mean
from generator.yamlsource import LocatedList, LocatedMap, scalar_text

INVALID: Any = object()  # what a check returns after reporting: the option then takes its default
INDENT_HINT = "检查缩进：下一级的设置要比它多缩进两个空格"
LIST_HINT = "每一项单独一行，以“- ”开头"


@dataclass(frozen=True)
class Spot:
    """Where a value was written: its container, its key (or index) there, and its dotted path."""

    container: Any
    key: Any
    path: str
    role: str = "key"  # "key": a declared key; "entry": an item of a list; "value": a value of a mapping

    def child(self, container: Any, key: Any, role: str = "key") -> Spot:
        path = self.path if role != "key" else f"{self.path}.{key}" if self.path else str(key)
        return Spot(container, key, path, role)


class Context:
    """One file being read: where its problems go, and facts that later options and checks consult
    (the list ids, the enumerations, the defaults)."""

    def __init__(self, file: str, problems: Problems, facts: dict[str, Any] | None = None) -> None:
        self.file = file
        self.problems = problems
        self.facts: dict[str, Any] = facts if facts is not None else {}
        self._later: list[Callable[[], None]] = []

    def where(self, container: Any, key: Any = None) -> dict[str, Any]:
        loc = None
        if isinstance(container, LocatedMap) and key is not None:
            loc = container.key_locs.get(key)
        elif isinstance(container, LocatedList) and isinstance(key, int) and key < len(container.item_locs):
            loc = container.item_locs[key]
        if loc is None:
            loc = getattr(container, "loc", None)
        return {"file": self.file, "line": loc.line if loc else None, "column": loc.column if loc else None}

    def error(self, message: str, rule: str, hint: str = "", container: Any = None, key: Any = None,
              where: dict[str, Any] | None = None) -> None:
        self.problems.error(message, rule=rule, hint=hint, **(where or self.where(container, key)))

    def later(self, check: Callable[[], None]) -> None:
        """A check that needs the whole file read first (a reference to an enumeration or a list)."""
        self._later.append(check)

    def run_later(self) -> None:
        for check in self._later:
            check()
        self._later.clear()


Check = Callable[[Context, Any, Spot, "Option"], Any]  # returns the (possibly corrected) value, or INVALID


class Option:
    """One setting. Subclasses say what type of value it takes (`type_words`, for the reference page)
    and how to read it (`convert`); `checks` add validation beyond the type."""

    type_words = ""
    container = False  # a section or a list: named "key（words）" at the top level of the file

    def __init__(self, key: str = "", words: str = "", doc: str = "", *, default: Any = None, required: bool = False,
                 checks: Sequence[Check] = (), fact: str = "", kind: str = "") -> None:
        self.key = key
        self.words = words
        self.doc = doc
        self._default = default
        self.required = required
        self.checks = tuple(checks)
        self.fact = fact  # remember the read value in the context's facts under this name
        self._kind = kind  # the type in the reference page's words, when the class's is not precise

    @property
    def kind(self) -> str:
        return self._kind or self.type_words

    @property
    def default(self) -> Any:
        value = self._default() if callable(self._default) else self._default
        return value.copy() if hasattr(value, "copy") else value

    def default_text(self) -> str:
        """The default as the reference page shows it."""
        value = self.default
        if value is None or value == "" or value == [] or value == {}:
            return "（无）" if not self.required else "（必填）"
        if isinstance(value, bool):
            return "true" if value else "false"
        return f"`{value}`"

    def what(self, spot: Spot, value: Any = None) -> str:
        """How messages name this setting: 网站名称（site_name）, departments（部门列表）, 枚举“item_type”."""
        if spot.role == "entry":
            return self.words if self.container or value is None else f"{self.words}“{scalar_text(value)}”"
        if spot.role == "value":
            return self.words.format(spot.key) if "{}" in self.words else f"{self.words}“{spot.key}”"
        if not self.words:
            return self.key
        top = "." not in spot.path
        return f"{self.key}（{self.words}）" if self.container and top else f"{self.words}（{self.key}）"

    def below(self) -> tuple[str, Option] | None:
        """The declaration one level down (a list's entries, a mapping's values), with how the
        reference page names that level; None for a plain value."""
        return None

    def missing_hint(self) -> str:
        if self.container:
            return f"添加 {self.key}: 一节（可参照示例项目的 site_config.yml）"
        return f"添加一行 {self.key}: …"

    def missing_message(self, spot: Spot) -> str:
        what = self.what(spot)
        return f"缺少 {what}" if self.container and what[:1].isascii() else f"缺少{what}"

    def read(self, ctx: Context, present: bool, value: Any, spot: Spot) -> Any:
        """The checked value of this setting, or its default after reporting what is wrong."""
        empty = value is None and spot.role == "key" and not (self.container and self.required)
        if not present or empty:  # `key:` with nothing after it is a key left out; an empty entry is not
            if self.required:
                ctx.error(self.missing_message(spot), "config-missing", self.missing_hint(), spot.container)
            result = self.default
        else:
            result = self.convert(ctx, value, spot)
            for check in self.checks:
                if result is INVALID:
                    break
                result = check(ctx, result, spot, self)
            result = self.default if result is INVALID else result
        if self.fact:
            ctx.facts[self.fact] = result
        return result

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        return value


class Text(Option):
    type_words = "文字"

    def __init__(self, key: str = "", words: str = "", doc: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(key, words, doc, **kwargs)

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if value is None or isinstance(value, (dict, list)):
            ctx.error(f"{self.what(spot)}应当是一段文字", "config-type", container=spot.container, key=spot.key)
            return INVALID
        return scalar_text(value)


class Flag(Option):
    type_words = "true 或 false"

    def __init__(self, key: str, words: str, doc: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("default", False)
        super().__init__(key, words, doc, **kwargs)

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if isinstance(value, bool):  # not the text "no", which would count as true
            return value
        ctx.error(f"{self.what(spot)}应当是 true 或 false，而不是“{value}”", "config-type",
                  f"写 {self.key}: true 或 {self.key}: false，不加引号", spot.container, spot.key)
        return INVALID


class Integer(Option):
    def __init__(self, key: str, words: str, doc: str = "", *, minimum: int = 1, unit: str = "", example: str = "",
                 **kwargs: Any) -> None:
        super().__init__(key, words, doc, **kwargs)
        self.minimum, self.unit, self.example = minimum, unit, example
        self.type_words = f"不小于 {minimum} 的整数" + (f"（{unit}）" if unit else "")

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            ctx.error(f"{spot.path} 应为{self.kind}，而不是“{value}”", "config-value",
                      f"例如 {self.key}: {self.example or self.default}", spot.container, spot.key)
            return INVALID
        return int(value)


class Choice(Text):
    """One of a fixed set of words; `choices` may be a function of the facts read so far."""

    def __init__(self, key: str = "", words: str = "", doc: str = "", *,
                 choices: dict[str, str] | Callable[[Context | None], dict[str, str]], message: str = "",
                 more_hint: str = "", false_means: str = "", **kwargs: Any) -> None:
        super().__init__(key, words, doc, **kwargs)
        self.choices = choices
        self.message = message  # e.g. "未知的字段类型“{value}”"; default "<path> 不能是“<value>”"
        self.more_hint = more_hint
        self.false_means = false_means  # YAML reads a bare `off` as false

    def options(self, ctx: Context | None) -> dict[str, str]:
        return self.choices if isinstance(self.choices, dict) else self.choices(ctx)

    @property
    def type_words(self) -> str:  # type: ignore[override]
        """The choices; one that depends on what was read (list ids) declares its `kind` instead."""
        return "、".join(f"`{k}`" + (f"（{v}）" if v else "") for k, v in self.options(None).items())

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if value is False and self.false_means:
            value = self.false_means
        text = super().convert(ctx, value, spot)
        choices = self.options(ctx)
        if text is INVALID or text in choices:
            return text
        name = spot.path if spot.role == "key" else self.what(spot)
        message = self.message.format(value=text) if self.message else f"{name} 不能是“{text}”"
        hint = did_you_mean(text, list(choices), what="值")
        if hint.startswith("可用的"):
            hint = "可用的值：" + "、".join(f"{k}（{v}）" if v else k for k, v in choices.items())
        hint += f"；{self.more_hint}" if self.more_hint else ""
        ctx.error(message, "config-value", hint, spot.container, spot.key)
        return INVALID


class Section(Option):
    """A mapping of declared options (`portal:`, `publish:`, one department). `make` turns the read
    values into the program's dataclass; `after` checks what involves several options at once."""

    type_words = "设置（见下文）"
    container = True

    def __init__(self, key: str = "", words: str = "", doc: str = "", options: Sequence[Option] = (), *,
                 make: Callable[[dict[str, Any]], Any] | None = None,
                 after: Callable[[Context, dict[str, Any], LocatedMap], Any] | None = None,
                 scope: str = "", when_false: Any = INVALID, **kwargs: Any) -> None:
        super().__init__(key, words, doc, **kwargs)
        self.when_false = when_false  # what `key: false` means, when it may be switched off that way
        self.options = list(options)
        self.make = make
        self.after = after
        self.scope = scope  # how "…中有未知的设置" names this section; default its key or words

    @property
    def default(self) -> Any:
        if self._default is not None:
            return super().default
        values = {o.key: o.default for o in self.options}
        return self.make(values) if self.make else values

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if value is False and self.when_false is not INVALID:
            return self.when_false
        if not isinstance(value, LocatedMap):
            ctx.error(f"{self.what(spot)}应当是“字段: 值”的映射", "config-type", INDENT_HINT,
                      spot.container if spot.container is not None else value, spot.key)
            return INVALID
        keys = [o.key for o in self.options]
        scope = self.scope or (spot.path if spot.role == "key" and spot.path else self.words)
        for key in value:
            if key not in keys:
                ctx.error(f"{scope}{' ' if scope[-1:].isascii() else ''}中有未知的设置“{key}”", "config-unknown",
                          did_you_mean(str(key), keys), value, key)
        values = {o.key: o.read(ctx, o.key in value, value.get(o.key), spot.child(value, o.key)) for o in self.options}
        if self.after:
            values = self.after(ctx, values, value)
        return self.make(values) if self.make and values is not INVALID else values


class ListOf(Option):
    """A list of one kind of entry (`departments:`, `catch_all_patterns:`)."""

    container = True

    def __init__(self, key: str = "", words: str = "", doc: str = "", item: Option | None = None, *,
                 one_ok: bool = False, after: Callable[[Context, list[Any], LocatedList], Any] | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        super().__init__(key, words, doc, **kwargs)
        self.item = item or Text()
        self.one_ok = one_ok  # a single word stands for a list of one
        self.after = after

    @property
    def type_words(self) -> str:  # type: ignore[override]
        return f"列表，每项为{self.item.kind}"

    def below(self) -> tuple[str, Option] | None:
        return " 的每一项", self.item

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if self.one_ok and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            ctx.error(f"{self.what(spot)}应当是以“- ”开头的列表", "config-type", LIST_HINT, spot.container, spot.key)
            return INVALID
        out = []
        for index, entry in enumerate(value):
            if entry is None and self.one_ok:
                continue  # an empty line in a list of words
            read = self.item.read(ctx, True, entry, spot.child(value, index, "entry"))
            if read is not INVALID and read is not None:
                out.append(read)
        return self.after(ctx, out, value) if self.after else out


class MapOf(Option):
    """A mapping whose keys the user chooses (`enums:`, `rules: levels:`), each value read by `value`."""

    container = True

    def __init__(self, key: str = "", words: str = "", doc: str = "", value: Option | None = None, *,
                 keys: Callable[[Context], list[str]] | None = None, key_message: str = "", key_noun: str = "",
                 **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(key, words, doc, **kwargs)
        self.value = value or Text()
        self.keys = keys
        self.key_message = key_message  # "{path} 中的“{key}”…", for a key that is not one of `keys`
        self.key_noun = key_noun

    @property
    def type_words(self) -> str:  # type: ignore[override]
        return f"映射（名称: {self.value.kind}）"

    def below(self) -> tuple[str, Option] | None:
        return ".<名称>", self.value

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        if not isinstance(value, LocatedMap):
            ctx.error(f"{self.what(spot)}应当是“字段: 值”的映射", "config-type", INDENT_HINT, spot.container, spot.key)
            return INVALID
        known = self.keys(ctx) if self.keys else None
        out = {}
        for key, entry in value.items():
            if known is not None and str(key) not in known:
                ctx.error(self.key_message.format(path=spot.path, key=key), "config-value",
                          did_you_mean(str(key), known, what=self.key_noun), value, key)
                continue
            read = self.value.read(ctx, True, entry, spot.child(value, key, "value"))
            if read is not INVALID:
                out[str(key)] = read
        return out


class Regex(Text):
    type_words = "正则表达式"

    def convert(self, ctx: Context, value: Any, spot: Spot) -> Any:
        text = super().convert(ctx, value, spot)
        if text is INVALID:
            return text
        try:
            re.compile(text)
        except re.error as exc:
            ctx.error(f"{self.what(spot, text)}不是有效的正则表达式：{exc}", "config-value",
                      "检查括号是否成对；要匹配括号等符号本身时在前面加 \\", spot.container, spot.key)
            return INVALID
        return text


# --- checks shared by several options ------------------------------------------------------------


def pattern(regexp: str, message: str, hint: str = "") -> Check:
    """A check that the text matches `regexp`; `message` may use {value}."""
    compiled = re.compile(regexp)

    def check(ctx: Context, text: str, spot: Spot, option: Option) -> Any:
        if text and not compiled.fullmatch(text):
            ctx.error(message.format(value=text), "config-value", hint, spot.container, spot.key)
            return INVALID
        return text

    return check


def report_repeated(ctx: Context, raw: LocatedList, key: str, what: str, hint: str) -> None:
    """A located error for each entry of a list whose `key` repeats an earlier entry's (`what`: the
    key's Chinese name, e.g. 部门代码), naming the line of the first."""
    seen: dict[str, int] = {}
    for entry in raw:
        value = str(entry.get(key, "")) if isinstance(entry, LocatedMap) else ""
        if value and value in seen:
            ctx.error(f"{what}“{value}”重复（第一次在第 {seen[value]} 行）", "config-duplicate", hint, entry, key)
        elif value:
            seen[value] = entry.loc.line
