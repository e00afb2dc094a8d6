"""YAML list files → the model, collecting every problem with its file, line and column.

Layout: lists/<list-id>/<department-code>.yml, each file a mapping with `items:` (and optionally
`department:`, which must match the file name).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from generator.config import SiteConfig
from generator.fieldtypes import normalize
from generator.model import SAFE_CODE, Catalog, Item
from generator.problems import Problem, Problems, did_you_mean
from generator.yamlsource import LocatedList, LocatedMap, decode_source, parse_yaml, scalar_text

LIST_SUFFIXES = (".yml", ".yaml")
FILE_KEYS = ["department", "items"]


def split_list_path(rel_path: str) -> tuple[str, str] | None:
    """'lists/power/scjgj.yml' → ('power', 'scjgj'); None for paths that are not list files."""
    parts = PurePosixPath(rel_path).parts
    if len(parts) != 3 or not parts[2].endswith(LIST_SUFFIXES):
        return None
    return parts[1], PurePosixPath(parts[2]).stem


def _sentences(*parts: str) -> str:
    """Join hint sentences, ending each with Chinese punctuation."""
    return "".join(p if p.endswith(("？", "。", "！")) else p + "。" for p in parts if p)


def parse_list_bytes(data: bytes, rel_path: str, config: SiteConfig, problems: Problems) -> list[Item]:
    """Parse one list file's bytes into items; every problem goes to `problems`."""
    ids = split_list_path(rel_path)
    if ids is None:
        return []
    list_id, department = ids
    list_type = config.list_type(list_id)
    where = {"file": rel_path, "line": 1, "column": 1}
    if list_type is None:
        problems.error(
            f"目录“{list_id}”不是已定义的清单",
            rule="unknown-list",
            hint=_sentences(did_you_mean(list_id, [t.id for t in config.list_types], what="清单"),
                            "清单类型在 site_config.yml 中定义，目录名必须是清单标识"),
            **where,
        )
        return []
    if config.department(department) is None:
        problems.error(
            f"文件名中的部门代码“{department}”没有在 site_config.yml 的 departments 中声明",
            rule="unknown-department",
            hint=_sentences(did_you_mean(department, [d.code for d in config.departments], what="部门代码"),
                            "新部门请先在 site_config.yml 的 departments 中登记，文件名必须是部门代码"),
            list=list_id,
            **where,
        )
        return []
    text = decode_source(data, rel_path, problems)
    if text is None:
        return []
    root = parse_yaml(text, rel_path, problems)
    if root is None:
        return []
    return _items_from_document(root, rel_path, list_id, department, config, problems)


def _items_from_document(
    root: Any, file: str, list_id: str, department: str, config: SiteConfig, problems: Problems
) -> list[Item]:
    if not isinstance(root, LocatedMap):
        problems.error(
            "清单文件的顶层应当是映射，包含 department 和 items 两项",
            file=file, line=1, column=1, list=list_id, rule="file-shape",
            hint="文件开头写 department: 部门代码，然后写 items: 并在下面逐项列出事项",
        )
        return []
    for key in root:
        if key not in FILE_KEYS:
            line, column = root.key_locs[key].line, root.key_locs[key].column
            problems.error(
                f"文件顶层有未知的字段“{key}”", file=file, line=line, column=column, list=list_id,
                rule="unknown-field", hint=did_you_mean(key, FILE_KEYS) + "（事项应写在 items: 下面，注意缩进）",
            )
    declared = root.get("department")
    if declared is not None and str(declared) != department:
        loc = root.key_locs["department"]
        problems.error(
            f"文件中写的部门“{declared}”与文件名中的部门“{department}”不一致",
            file=file, line=loc.line, column=loc.column, list=list_id, rule="department-mismatch",
            hint=f"把文件改名为 {declared}.yml，或把 department 改为 {department}",
        )
    items = root.get("items")
    if items is None:
        problems.error(
            "文件中没有 items（事项列表）", file=file, line=root.loc.line, column=root.loc.column, list=list_id,
            rule="file-shape", hint="添加 items: 并在下面逐项列出事项；没有事项的部门请删除此文件",
        )
        return []
    if not isinstance(items, LocatedList):
        loc = root.key_locs["items"]
        problems.error(
            "items 应当是以“- ”开头的事项列表", file=file, line=loc.line, column=loc.column, list=list_id,
            rule="file-shape", hint="每个事项以“- code: …”开头",
        )
        return []
    list_type = config.list_type(list_id)
    assert list_type is not None
    out = []
    for index, raw in enumerate(items):
        loc = items.item_locs[index]
        item = _item(raw, loc.line, loc.column, file, list_id, department, config, problems, index)
        if item is not None:
            out.append(item)
    return out


def _item(
    raw: Any, line: int, column: int, file: str, list_id: str, department: str,
    config: SiteConfig, problems: Problems, index: int,
) -> Item | None:
    list_type = config.list_type(list_id)
    assert list_type is not None
    if not isinstance(raw, LocatedMap):
        problems.error(
            f"第 {index + 1} 个事项应当是“字段: 值”的映射", file=file, line=line, column=column, list=list_id,
            rule="item-shape", hint="检查这一行的缩进和“- ”后面的写法",
        )
        return None
    def scalar(key: str) -> str:
        value = raw.get(key)
        return scalar_text(value).strip() if value is not None and not isinstance(value, (dict, list)) else ""

    code = scalar("local_code") or scalar("code")  # the address: a generated local code wins
    label = code or f"第{index + 1}项"
    item = Item(list_id=list_id, department=department, code=code, data={}, file=file, line=line,
                column=column)
    item.field_lines = {k: (loc.line, loc.column) for k, loc in raw.key_locs.items()}
    labels = {f.name: f.label for f in list_type.fields}

    def report_for(field_name: str):
        def report(
            message: str, hint: str = "", container: Any = None, key: Any = None, warning: bool = False
        ) -> None:
            at = item.field_lines.get(field_name, (line, column))
            if isinstance(container, LocatedMap) and key in container.key_locs:
                at = (container.key_locs[key].line, container.key_locs[key].column)
            elif isinstance(container, LocatedList) and isinstance(key, int) and key < len(container.item_locs):
                at = (container.item_locs[key].line, container.item_locs[key].column)
            add = problems.warning if warning else problems.error
            add(message, file=file, line=at[0], column=at[1], list=list_id, code=label,
                rule="field-value", hint=hint)
        return report

    for key in raw:
        if list_type.field(key) is None:
            loc = raw.key_locs[key]
            problems.error(
                f"未知的字段“{key}”", file=file, line=loc.line, column=loc.column, list=list_id, code=label,
                rule="unknown-field", hint=did_you_mean(key, list_type.field_names, labels),
            )
    for fdef in list_type.fields:
        value = raw.get(fdef.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            # A blank code is no error when a local code addresses the item; other blank required
            # fields are findings (rules.missing_required), unless the name or a strict list or field.
            refused = (fdef.required and not scalar("local_code")) if fdef.name == "code" else list_type.refuses_blank(fdef)
            if refused:
                problems.error(
                    f"缺少必填字段“{fdef.name}”（{fdef.label}）", file=file, line=line, column=column,
                    list=list_id, code=label, rule="missing-field",
                    hint=f"在这个事项下添加一行 {fdef.name}: …",
                )
            continue
        normalized = normalize(fdef, value, config, report_for(fdef.name))
        if normalized is not None:
            item.data[fdef.name] = normalized
    address = item.data.get("local_code") or item.data.get("code")
    if not address:
        return None
    if not SAFE_CODE.match(str(address)):
        at = item.field_lines.get("code", (line, column))
        problems.error(
            f"编码“{address}”不能用于网址和文件名", file=file, line=at[0], column=at[1], list=list_id,
            code=label, rule="field-value",
            hint="编码只能包含字母、数字、- 和 _，以字母或数字开头，最长 128 个字符；不能有空格、斜杠或中文。"
            "表格中的编码不能直接使用时（待定、无），qingdan import 会另外生成本地编码（local_code）",
        )
        return None
    item.code = str(address)
    return item


def list_files(lists_dir: Path) -> list[Path]:
    """Every list file under lists/, in a stable order."""
    if not lists_dir.is_dir():
        return []
    return sorted(p for p in lists_dir.glob("*/*") if p.suffix in LIST_SUFFIXES and p.is_file())


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes (what `git log --raw` names a file version by)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class ParsedFile(NamedTuple):
    """One list file as the loader parsed it; the history reuses it for the same git blob."""

    path: str
    items: list[Item]
    problems: list[Problem]


def load_catalog(config: SiteConfig, problems: Problems, parse=None,
                 parsed: dict[str, ParsedFile] | None = None, findings: Path | None = None) -> Catalog:
    """Load every list file of the project and check codes for uniqueness within each list.

    parse: a stand-in for parse_list_bytes (generator/parsecache.py caches it by content).
    parsed: filled with each file's items and problems by git blob id (history.extract reads the
    same blobs again from git: on a repository of one commit, all of them).
    findings: where each item's own findings are kept between loads (generator/findingcache.py)."""
    parse = parse or parse_list_bytes
    from generator.rules import check_catalog  # rules depend on the finished catalog

    lists_dir = config.root / config.lists_dir
    _check_lists_dir(config, lists_dir, problems)
    collected: list[Item] = []
    failed: dict[str, dict[str, str]] = {}  # list id → file → text of the files that gave no items for an error
    contents: dict[str, str] = {}  # file → git blob id
    for path in list_files(lists_dir):
        rel = path.relative_to(config.root).as_posix()
        ids = split_list_path(rel)
        data = _read_list_file(path, rel, problems)
        if data is None:
            if ids:
                failed.setdefault(ids[0], {})[rel] = ""
            continue
        found = Problems()
        items = parse(data, rel, config, found)
        problems.extend(found)
        collected.extend(items)
        if not items and found.has_errors() and ids:  # its text, to search for the codes references name
            failed.setdefault(ids[0], {})[rel] = data.decode("utf-8", errors="replace")
        if parsed is not None or findings is not None:
            contents[rel] = git_blob_id(data)
        if parsed is not None:
            parsed[contents[rel]] = ParsedFile(rel, items, found.items)
    catalog = build_catalog(config, collected, problems)
    cache = None
    if findings is not None:
        from generator.findingcache import FindingCache

        cache = FindingCache(findings, config, dt.date.today(), contents)
    check_catalog(catalog, problems, failed, cache)
    if cache is not None:
        cache.save()
    return catalog


def _check_lists_dir(config: SiteConfig, lists_dir: Path, problems: Problems) -> None:
    """lists/ must exist (a portal, with `regions:`, may have none of its own); a list file outside
    lists/<清单标识>/ is ignored, with a warning."""
    if not lists_dir.is_dir() and config.regions:
        return
    if not lists_dir.is_dir():
        problems.error(
            f"找不到清单目录 {config.lists_dir}/", file=config.lists_dir, rule="io",
            hint="在项目根目录下创建 lists/<清单标识>/<部门代码>.yml",
        )
        return
    strays = [p for pattern in ("*", "*/*/**/*") for p in lists_dir.glob(pattern)]
    for stray in sorted(p for p in strays if p.suffix in LIST_SUFFIXES and p.is_file()):
        problems.warning(
            "清单文件不在 lists/<清单标识>/ 目录下，已忽略", file=stray.relative_to(config.root).as_posix(),
            rule="stray-file", hint="清单文件应放在 lists/<清单标识>/<部门代码>.yml，例如 lists/power/scjgj.yml",
        )


def _read_list_file(path: Path, rel: str, problems: Problems) -> bytes | None:
    """The file's bytes; None, after reporting, for a symbolic link or a file that cannot be read."""
    if path.is_symlink() or path.parent.is_symlink():
        # A link can reach any file of the build machine, and git keeps the link, not the text: the
        # published record would be whatever the link finds there.
        problems.error(
            f"清单文件{'' if path.is_symlink() else '所在的目录'}是符号链接，已拒绝读取", file=rel, line=1, column=1,
            rule="symlink", hint="清单文件必须是 lists/ 中的普通文件：把链接指向的文件复制到这里，再删除链接",
        )
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.error(f"无法读取文件：{exc.strerror}", file=rel, rule="io", hint="检查文件是否有读取权限")
        return None


def build_catalog(config: SiteConfig, items: list[Item], problems: Problems | None) -> Catalog:
    """Order items by list type and department order; report duplicate codes within a list."""
    dept_order = {d.code: d.order for d in config.departments}
    lists: dict[str, dict[str, Item]] = {t.id: {} for t in config.list_types}
    ordered = sorted(items, key=lambda i: dept_order.get(i.department, 1 << 30))  # stable within a file
    for item in ordered:
        existing = lists.setdefault(item.list_id, {}).get(item.code)
        if existing is not None:
            if problems is not None:
                problems.error(
                    f"编码“{item.code}”在{config.list_type(item.list_id).title}中重复"
                    f"（已在 {existing.file} 第 {existing.line} 行使用）",
                    rule="duplicate-code", hint="同一清单中每个事项的编码必须唯一；请核对编码",
                    **item.where("code"),
                )
            continue
        lists[item.list_id][item.code] = item
    return Catalog(config=config, lists=lists)
