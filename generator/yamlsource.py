"""Read YAML into plain Python values that remember where each value came from.

PyYAML's scanner and parser run in C (libyaml) when available; construction is ours so that we can
reject duplicate keys (PyYAML silently keeps the last one), bound alias expansion ("billion
laughs") and keep the line and column of every mapping key and sequence entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from generator.problems import Problems

try:  # libyaml makes scanning and parsing several times faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class Loc:
    line: int  # 1-based
    column: int  # 1-based


class LocatedMap(dict):
    """A dict that also knows where it and each of its keys' values stand in the file."""

    loc: Loc
    key_locs: dict[str, Loc]


class LocatedList(list):
    loc: Loc
    item_locs: list[Loc]


class SourceInt(int):
    """An integer YAML read from a spelling that str() does not give back ("000131127004", "9:00")."""

    source: str


class SourceFloat(float):
    """A float whose written form str() does not give back ("1.10")."""

    source: str


def scalar_text(value: Any) -> str:
    """The text the author wrote for a scalar: YAML may have read `007` or `9:00` as a number."""
    return getattr(value, "source", None) or str(value)


MAX_EXPANSION_FACTOR = 2  # nodes per character of source: plain YAML needs ≥ 2 characters a node
MAX_EXPANSION_FLOOR = 10_000
MAX_DEPTH = 64  # list files nest five or six levels deep

_SCALAR_CONSTRUCTOR = SafeConstructor()
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, line feed and carriage return are text
_STR_TAG = "tag:yaml.org,2002:str"


def _loc(mark: yaml.Mark) -> Loc:
    return Loc(mark.line + 1, mark.column + 1)


def decode_source(data: bytes, file: str, problems: Problems) -> str | None:
    """Decode a file's bytes as UTF-8 (a BOM is fine); explain GBK files instead of failing."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error(
            "这个文件是 UTF-16 编码（记事本中的“Unicode”），无法按 UTF-8 读取",
            file=file,
            line=1,
            column=1,
            rule="encoding",
            hint="请另存为 UTF-8 编码：在记事本中选择“另存为 → 编码 UTF-8”，"
            f"或运行 iconv -f UTF-16 -t UTF-8 {Path(file).name} -o {Path(file).name}.utf8",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            data.decode("gb18030")
            guess = "这个文件看起来是 GBK/GB18030 编码（Windows 记事本或 WPS 的默认编码）"
        except UnicodeDecodeError:
            guess = "这个文件不是 UTF-8 编码"
        problems.error(
            f"{guess}，无法按 UTF-8 读取（第一个无法识别的字节在此处）",
            file=file,
            line=line,
            column=column,
            rule="encoding",
            hint=f"请另存为 UTF-8 编码：在记事本中选择“另存为 → 编码 UTF-8”，"
            f"或运行 iconv -f GB18030 -t UTF-8 {Path(file).name} -o {Path(file).name}.utf8",
        )
        return None
    _replacement_characters(text, file, problems)
    return text


def _replacement_characters(text: str, file: str, problems: Problems) -> None:
    """U+FFFD is what an earlier conversion left where it could not read the text: the published
    words are gone, so the file cannot be published as it is. One error per line."""
    position = text.find("\ufffd")
    while position >= 0:
        line_start = text.rfind("\n", 0, position) + 1
        problems.error(
            "文字中有替换字符“\ufffd”（U+FFFD）：这里原来的文字在之前的某次编码转换中已经丢失",
            file=file,
            line=text.count("\n", 0, position) + 1,
            column=position - line_start + 1,
            rule="encoding",
            hint="对照部门公布的原件把“\ufffd”改回原来的字；它通常来自把 GBK 文件当作 UTF-8 打开后又保存",
        )
        line_end = text.find("\n", position)
        position = text.find("\ufffd", line_end) if line_end >= 0 else -1


_TAB_IN_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


def _check_tabs(text: str, file: str, problems: Problems) -> bool:
    match = _TAB_IN_INDENT.search(text)
    if not match:
        return True
    line = text.count("\n", 0, match.start()) + 1
    column = match.end() - match.start()
    problems.error(
        "缩进中使用了制表符（Tab），YAML 只允许用空格缩进",
        file=file,
        line=line,
        column=column,
        rule="tab-indent",
        hint="把行首的 Tab 替换为空格（通常每级缩进 2 个空格）；编辑器中可开启“用空格代替 Tab”",
    )
    return False


_INDENT_HINT = "同一层级的字段必须左对齐，同一列表中的每个“- ”也必须对齐；只用空格缩进"

# (needle in PyYAML's or libyaml's message, Chinese message, hint, point at the context mark).
# The context mark is where an unclosed quote or bracket opened, or where a key without its colon
# starts: the place to fix, rather than where the parser noticed.
_SYNTAX_TRANSLATIONS = [
    ("mapping values are not allowed", "此处不能出现“键: 值”：这一行缩进过多，或者值中含有“: ”",
     "检查这一行的缩进是否与上一行的字段对齐；值中含有冒号时请给整个值加引号", False),
    ("could not find expected ':'", "这一行缺少冒号“:”", "每个字段写成“字段名: 值”，冒号后留一个空格", True),
    ("while scanning a quoted scalar", "引号没有闭合：从这里开始的引号一直到文件末尾都没有结束",
     "在值的末尾补上对应的引号（\" 或 '）", True),
    ("while parsing a flow sequence", "方括号“[”没有闭合", "在列表末尾补上“]”，元素之间用逗号分隔", True),
    ("while parsing a flow mapping", "花括号“{”没有闭合", "在末尾补上“}”，各项之间用逗号分隔", True),
    ("did not find expected key", "缩进不一致：这一行与同级的字段没有对齐", _INDENT_HINT, False),
    ("did not find expected '-' indicator", "缩进不一致：这一行与上面的字段或列表项“- ”没有对齐", _INDENT_HINT, False),
    ("expected <block end>, but found", "缩进层级不对", _INDENT_HINT, False),
    ("found unexpected end of stream", "文件在引号或括号闭合之前结束了", "检查引号、方括号、花括号是否成对", False),
    ("found undefined alias", "引用了未定义的别名（*名称）", "先用 &名称 定义锚点，或删除 *名称", False),
    ("found duplicate anchor", "锚点（&名称）重复定义", "每个锚点名称只能定义一次", False),
    ("expected a single document", "文件中有多个 YAML 文档（出现了 ---）",
     "一个清单文件只能有一个文档：删除多余的 ---，或把内容拆到不同的文件中", False),
    ("block sequence entries are not allowed", "“- ”开头的列表不能和“字段:”写在同一行",
     "把列表写到下一行，并比字段多缩进两个空格", False),
    ("cannot start any token", "出现了不能作为开头的字符", "以 @、` 或 % 开头的值需要加引号", False),
    ("found unknown escape character", "双引号中出现了无效的转义符“\\”", "改用单引号，或把 \\ 写成 \\\\", False),
    ("while parsing a flow", "方括号或花括号没有正确闭合", "检查 [ ] 和 { } 是否成对，元素之间用逗号分隔", True),
]


def _syntax_error(exc: yaml.MarkedYAMLError, file: str, problems: Problems) -> None:
    mark = exc.problem_mark or exc.context_mark
    text = f"{exc.context or ''} {exc.problem or ''}"
    message, hint = "YAML 语法错误", "检查这一行及上一行的缩进、冒号和引号"
    for needle, zh, zh_hint, at_context in _SYNTAX_TRANSLATIONS:
        if needle in text:
            message, hint = f"YAML 语法错误：{zh}", zh_hint
            if at_context and exc.context_mark is not None:
                mark = exc.context_mark
            break
    problems.error(
        f"{message}（原文：{(exc.problem or exc.context or '').strip()}）",
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        rule="yaml-syntax",
        hint=hint,
    )


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str, problems: Problems) -> None:
    """libyaml refuses control characters; say which one and where it is."""
    character = exc.character if isinstance(exc.character, int) else None
    # libyaml reports a byte offset, PyYAML a character offset: find the character itself instead.
    position = text.find(chr(character)) if character is not None else -1
    line = text.count("\n", 0, position) + 1 if position >= 0 else None
    column = position - (text.rfind("\n", 0, position) + 1) + 1 if position >= 0 else None
    what = f"（U+{character:04X}）" if character is not None else ""
    problems.error(
        f"文件中有不可见的控制字符{what}，YAML 不允许出现", file=file, line=line, column=column, rule="yaml-syntax",
        hint="删除这个字符；它通常是从网页、Word 或 Excel 复制内容时带进来的",
    )


def _too_deep(mark: yaml.Mark | None, file: str, problems: Problems) -> None:
    problems.error(
        f"YAML 嵌套超过 {MAX_DEPTH} 层，已拒绝读取",
        file=file,
        line=mark.line + 1 if mark else 1,
        column=mark.column + 1 if mark else 1,
        rule="too-deep",
        hint="清单文件只需要几层缩进；检查是否有成串的“[”“{”或“- ”",
    )


def parse_yaml(text: str, file: str, problems: Problems) -> Any:
    """Parse YAML text into located values; None (with problems recorded) when it cannot."""
    if not _check_tabs(text, file, problems):
        return None
    # Every node costs at least two characters of source unless an alias repeats it, so a budget
    # proportional to the text bounds alias expansion while building, without a separate pass.
    builder = _Builder(file, problems, budget=MAX_EXPANSION_FACTOR * len(text) + MAX_EXPANSION_FLOOR)
    try:
        try:
            root = builder.build(_events(text, _Loader))
        except yaml.MarkedYAMLError as exc:
            if not _is_libyaml_limit(exc):
                raise
            # Some libyaml builds stop at a nesting limit of their own while scanning ahead, before
            # our builder sees the 65th level. The pure-Python parser scans lazily and has no such
            # limit, so re-reading with it reports the same located message on every PyYAML build.
            builder = _Builder(file, problems, budget=builder.limit)
            root = builder.build(_events(text, yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, file, problems)
        return None
    except yaml.reader.ReaderError as exc:  # control characters
        _reader_error(exc, text, file, problems)
        return None
    except yaml.YAMLError as exc:
        problems.error(f"YAML 无法解析：{exc}", file=file, rule="yaml-syntax", hint="检查文件中是否有不可见的控制字符")
        return None
    except _TooDeep as exc:
        _too_deep(exc.mark, file, problems)
        return None
    except _TooBig:
        _too_big(builder.limit, file, problems)
        return None
    if root is None:
        problems.error(
            "文件为空", file=file, line=1, column=1, rule="empty-file", hint="写入内容，或删除这个文件"
        )
        return None
    return root


def _events(text: str, loader_class: type) -> Iterator[Any]:
    """The parser's events, as yaml.parse gives them but without a check_event call per event: both
    parsers give None once the stream has ended."""
    loader = loader_class(text)
    try:
        yield from iter(loader.get_event, None)
    finally:
        loader.dispose()


def _is_libyaml_limit(exc: yaml.MarkedYAMLError) -> bool:
    """libyaml's own depth or size limits ("exceeded maximum nesting depth" and the like)."""
    text = f"{exc.context or ''} {exc.problem or ''}".lower()
    return "maximum" in text or "exceeded" in text or "limit" in text


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark) -> None:
        self.mark = mark


class _TooBig(Exception):
    """Aliases expand the document beyond what its size allows ("billion laughs")."""


def _too_big(limit: int, file: str, problems: Problems) -> None:
    problems.error(
        f"YAML 别名（*引用）展开后有 {limit:,} 个以上节点，远超文件本身的规模，已拒绝读取",
        file=file,
        line=1,
        column=1,
        rule="alias-bomb",
        hint="清单文件不需要层层嵌套的别名；请直接写出内容",
    )


_NO_VALUE = object()  # the root, before the document's node arrives


class _Frame:
    """A collection being built, with what the next event means inside it."""

    __slots__ = ("value", "anchor", "size", "key", "key_loc", "skip")

    def __init__(self, value: Any, anchor: str | None) -> None:
        self.value = value
        self.anchor = anchor
        self.size = 1  # nodes, counting every alias at its full size
        self.key: Any = _NO_VALUE  # in a mapping: the pending key, or _NO_VALUE while a key is expected
        self.key_loc: Loc | None = None
        self.skip = False  # the pending key was refused: build its value, then drop it


class _Builder:
    """Builds located values straight from libyaml's event stream.

    PyYAML's composer would first build a node object per value and resolve its tag in Python;
    reading events directly halves the cost of loading a large list.
    """

    def __init__(self, file: str, problems: Problems, budget: int) -> None:
        self.file = file
        self.problems = problems
        self.limit = self.budget = budget
        self.anchors: dict[str, tuple[Any, int, yaml.Mark]] = {}

    def build(self, events: Any) -> Any:
        self.stack: list[_Frame] = []
        self.root: Any = _NO_VALUE
        self.document_mark: yaml.Mark | None = None
        handlers = {
            yaml.MappingStartEvent: self._on_start, yaml.SequenceStartEvent: self._on_start,
            yaml.MappingEndEvent: self._on_end, yaml.SequenceEndEvent: self._on_end,
            yaml.AliasEvent: self._on_alias,
            yaml.DocumentStartEvent: self._on_document,
        }
        stack = self.stack
        for event in events:
            if type(event) is not yaml.ScalarEvent:  # scalars, the most frequent, are handled inline
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
                continue
            self.budget -= 1  # self._spend(1), inline: the loop runs once per scalar
            if self.budget < 0:
                raise _TooBig()
            if stack and stack[-1].key is _NO_VALUE and isinstance(stack[-1].value, LocatedMap):
                self._key(stack[-1], event)
                continue
            value = self._scalar(event)
            self._remember(event.anchor, value, 1, event.start_mark)
            self._add(value, _loc(event.start_mark), 1)
        return None if self.root is _NO_VALUE else self.root

    def _expects_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].key is _NO_VALUE and isinstance(self.stack[-1].value, LocatedMap)

    def _on_start(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent) -> None:
        if len(self.stack) + 1 > MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        self._spend(1)
        value = LocatedMap() if type(event) is yaml.MappingStartEvent else LocatedList()
        value.loc = _loc(event.start_mark)
        if isinstance(value, LocatedMap):
            value.key_locs = {}
        else:
            value.item_locs = []
        frame = _Frame(value, event.anchor)
        frame.key_loc = value.loc
        self.stack.append(frame)

    def _on_end(self, event: yaml.MappingEndEvent | yaml.SequenceEndEvent) -> None:
        frame = self.stack.pop()
        self._remember(frame.anchor, frame.value, frame.size, event.start_mark)
        self._add(frame.value, _mark_of(frame.value), frame.size)

    def _on_alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        value, size, _ = self.anchors[event.anchor]
        self._spend(size)
        if self._expects_key():
            self._refuse_key(self.stack[-1], _loc(event.start_mark))
            return
        self._add(value, _loc(event.start_mark), size)

    def _on_document(self, event: yaml.DocumentStartEvent) -> None:
        if self.document_mark is not None:
            raise yaml.composer.ComposerError(
                "expected a single document in the stream", self.document_mark,
                "but found another document", event.start_mark)
        self.document_mark = event.start_mark

    def _spend(self, nodes: int) -> None:
        self.budget -= nodes
        if self.budget < 0:
            raise _TooBig()

    def _remember(self, anchor: str | None, value: Any, size: int, mark: yaml.Mark) -> None:
        if anchor is None:
            return
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence", self.anchors[anchor][2],
                "second occurrence", mark)
        self.anchors[anchor] = (value, size, mark)

    def _add(self, value: Any, mark: Loc, size: int) -> None:
        """Put a finished value into the collection being built (or make it the root)."""
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.value
        if isinstance(container, LocatedList):
            container.append(value)
            container.item_locs.append(mark)
        elif frame.key is _NO_VALUE:  # a collection or alias where a key was expected
            self._refuse_key(frame, mark)
        else:
            if not frame.skip:
                container[frame.key] = value
                container.key_locs[frame.key] = frame.key_loc
            frame.key, frame.skip = _NO_VALUE, False

    def _key(self, frame: _Frame, event: yaml.ScalarEvent) -> None:
        loc = _loc(event.start_mark)
        where = {"file": self.file, "line": loc.line, "column": loc.column}
        frame.key, frame.key_loc, frame.skip = event.value, loc, False
        tag = _tag_of(event)
        if tag == "tag:yaml.org,2002:merge":
            self.problems.error("不支持 YAML 合并键“<<”", rule="yaml-merge", hint="把要合并的字段直接写出来", **where)
            frame.skip = True
            return
        if tag != _STR_TAG and tag not in SafeConstructor.yaml_constructors:
            self._scalar(event)  # reports the unsupported tag
        key = event.value  # as written: "~" or "007" stays itself, not None or 7
        container = frame.value
        if key in container:
            first = container.key_locs[key]
            self.problems.error(
                f"字段“{key}”重复出现（第一次在第 {first.line} 行）",
                rule="duplicate-key",
                hint="同一层级中每个字段只能写一次；删除或合并重复的那一行",
                **where,
            )
            frame.skip = True

    def _refuse_key(self, frame: _Frame, loc: Loc) -> None:
        self.problems.error("字段名必须是普通文字", rule="yaml-key", hint="检查这一行的写法",
                            file=self.file, line=loc.line, column=loc.column)
        frame.key, frame.skip = None, True  # the value that follows is built and dropped

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = _tag_of(event)
        if tag == _STR_TAG:
            if event.style == '"':  # only an escape ("\0", "\v") can bring in a control character
                self._control_characters(event)
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        value = self._construct(node)
        if type(value) in (int, float) and str(value) != node.value:  # 007, 0o7, 9:00, 1_000, 1.10
            value = (SourceInt if isinstance(value, int) else SourceFloat)(value)
            value.source = node.value
        return value

    def _control_characters(self, event: yaml.ScalarEvent) -> None:
        """libyaml refuses a control character written as it is, but not one written as an escape: it
        would reach the pages as text no browser shows (U+000B is Word's line break, pasted from Excel)."""
        found = CONTROL_CHARACTER.search(event.value)
        if found:
            self.problems.error(
                f"文字中有不可见的控制字符（U+{ord(found.group()):04X}）",
                file=self.file, line=event.start_mark.line + 1, column=event.start_mark.column + 1,
                rule="yaml-syntax",
                hint="删除这个字符；U+000B 通常是从 Word 复制到 Excel 时带来的换行，可以改为真正的换行",
            )

    def _construct(self, node: yaml.ScalarNode) -> Any:
        constructor = SafeConstructor.yaml_constructors.get(node.tag)
        if constructor is None:
            self.problems.error(
                f"不支持的 YAML 标签 {node.tag}",
                file=self.file,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                rule="yaml-tag",
                hint="去掉以 ! 开头的标签，直接写值",
            )
            return node.value
        try:
            return constructor(_SCALAR_CONSTRUCTOR, node)
        except (ValueError, yaml.YAMLError):
            return node.value


def _mark_of(value: LocatedMap | LocatedList) -> Loc:
    return value.loc


_IMPLICIT = Resolver.yaml_implicit_resolvers


def _tag_of(event: yaml.ScalarEvent) -> str:
    """The tag PyYAML's resolver would give this scalar (plain scalars by their spelling)."""
    if event.tag is not None and event.tag != "!":
        return event.tag
    if not event.implicit[0]:
        return _STR_TAG
    value = event.value
    if value and value[0] not in _IMPLICIT and None not in _IMPLICIT:  # Chinese text: no pattern to try
        return _STR_TAG
    return _plain_tag(value)


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    """The resolver's tag of a plain scalar: by its spelling alone, so kept for the field names and
    short values every item repeats (each was matched against the resolvers' patterns again)."""
    for tag, regexp in _IMPLICIT.get(value[0] if value else "", []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            return tag
    return _STR_TAG


def load_yaml_file(path: Path, display: str, problems: Problems) -> Any:
    """Read, decode and parse one YAML file; None when it could not be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.error(f"无法读取文件：{exc.strerror}", file=display, rule="io", hint="检查文件是否存在、是否有读取权限")
        return None
    text = decode_source(data, display, problems)
    if text is None:
        return None
    return parse_yaml(text, display, problems)
