"""The corpus as plain records, and the two baselines built from them.

Both baselines publish the same information per item as Qingdan's item page (every field with its
label), so that what differs between the three builds is the machinery, not the content:

- the naive build: one Markdown page per item, put through MkDocs + Material with Material's
  built-in (lunr) search, item pages listed in the nav the way a person would write it;
- the floor: the same pages rendered with one plain Jinja template and written, nothing else.

Records are read with PyYAML's C loader and no validation: the baselines must not pay for
Qingdan's located loader, or the comparison would flatter Qingdan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.config import SiteConfig, load_config
from generator.problems import Problems

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


@dataclass
class Record:
    list_id: str
    list_title: str
    dept: str
    dept_name: str
    code: str
    name: str
    fields: list[tuple[str, Any]]  # (label, value) in the list type's field order


def read_records(project: Path) -> tuple[SiteConfig, list[Record]]:
    """Every item of the project, in list, department and file order."""
    problems = Problems()
    config = load_config(project, problems)
    if config is None:
        raise SystemExit("site_config.yml 无法读取：" + "; ".join(p.message for p in problems.errors))
    depts = {d.code: d for d in config.departments}
    records: list[Record] = []
    for list_type in config.list_types:
        folder = project / config.lists_dir / list_type.id
        if not folder.is_dir():
            continue
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
        files.sort(key=lambda p: depts[p.stem].order if p.stem in depts else 1 << 30)
        for path in files:
            doc = yaml.load(path.read_bytes(), Loader=Loader) or {}
            dept = depts.get(path.stem)
            for raw in doc.get("items") or []:
                fields = [(f.label, raw[f.name]) for f in list_type.fields if raw.get(f.name) not in (None, "")]
                records.append(Record(
                    list_type.id, list_type.title, path.stem, dept.name if dept else path.stem,
                    str(raw.get("code")), str(raw.get("name")), fields,
                ))
    return config, records


def text_of(value: Any) -> str:
    """A field value as one line of text (lists joined, legal bases as 《law》article)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(text_of(v) for v in value)
    if isinstance(value, dict):
        if "law" in value:
            return str(value.get("law", "")) + str(value.get("article", ""))
        if "standard" in value or "basis" in value:
            return f"收费依据：{value.get('basis', '')}；收费标准：{value.get('standard', '')}"
        if "statutory" in value or "promised" in value:
            unit = value.get("unit", "工作日")
            return f"法定时限 {value.get('statutory', '—')} {unit}；承诺时限 {value.get('promised', '—')} {unit}"
        return "；".join(f"{k}：{text_of(v)}" for k, v in value.items())
    return str(value)


# ---------------------------------------------------------------------------------------------
# naive: MkDocs + Material with its built-in search


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def naive_markdown(record: Record) -> str:
    """One item page as a person would write it by hand: a title and a two-column table."""
    rows = "\n".join(f"| {label} | {_md_cell(text_of(value))} |" for label, value in record.fields)
    return f"# {record.name}\n\n{record.list_title} · {record.dept_name}\n\n| 项目 | 内容 |\n| --- | --- |\n{rows}\n"


def write_naive_project(config: SiteConfig, records: list[Record], out: Path, nav_items: bool = True) -> int:
    """Write docs/ and mkdocs.yml under `out`; returns the number of pages.

    nav_items=True lists every item page in the nav, by list and department (what a person
    would do). False leaves item pages out of the nav (MkDocs still builds them): a kinder
    baseline, used when the full nav would not fit on the disk.
    """
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(f"# {config.portal.site_name}\n\n{config.portal.description}\n", encoding="utf-8")
    tree: dict[str, dict[str, list[tuple[str, str]]]] = {}
    titles = {t.id: t.title for t in config.list_types}
    dept_names = {d.code: d.short_name for d in config.departments}
    for record in records:
        rel = f"{record.list_id}/{record.dept}/{record.code}.md"
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(naive_markdown(record), encoding="utf-8")
        tree.setdefault(record.list_id, {}).setdefault(record.dept, []).append((record.name, rel))
    lines = [
        f"site_name: {config.portal.site_name}（朴素构建）",
        "theme:",
        "  name: material",
        "  language: zh",
        "plugins:",
        "  - search",
        "markdown_extensions:",
        "  - tables",
        "nav:",
        "  - 首页: index.md",
    ]
    for list_id, by_dept in tree.items():
        lines.append(f"  - {_yaml_key(titles[list_id])}:")
        for dept, pages in by_dept.items():
            if nav_items:
                lines.append(f"    - {_yaml_key(dept_names.get(dept, dept))}:")
                lines.extend(f"      - {_yaml_key(name)}: {rel}" for name, rel in pages)
            else:
                lines.append(f"    - {_yaml_key(dept_names.get(dept, dept))}: {pages[0][1]}")
    (out / "mkdocs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(records) + 1


def _yaml_key(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------------
# floor: one plain Jinja template, rendered and written


FLOOR_TEMPLATE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="SiteName" content="{{ site_name }}">
<meta name="ArticleTitle" content="{{ r.name }}">
<title>{{ r.name }} - {{ site_name }}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<header><a href="/">{{ site_name }}</a></header>
<main>
<nav class="crumbs"><a href="/{{ r.list_id }}/">{{ r.list_title }}</a> › {{ r.dept_name }}</nav>
<h1>{{ r.name }}</h1>
<dl>
{%- for label, value in r.fields %}
<dt>{{ label }}</dt><dd>{{ value | fieldtext }}</dd>
{%- endfor %}
</dl>
</main>
<footer>主办单位：{{ sponsor }}</footer>
</body>
</html>
"""
