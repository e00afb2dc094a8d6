"""The package's shape: no module imports another that (directly or through others) imports it back,
and no module under generator/ imports a browser library (that is test and benchmark code).

Import circles make a module's meaning depend on import order (a half-initialised module, a lazy
import to dodge it); a stage should only lean on the stages before it. Lazy, function-level imports
count; imports under `if TYPE_CHECKING:` do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
BROWSER_LIBRARIES = ("playwright", "selenium", "pyppeteer")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that runs: at module level or inside functions, not under TYPE_CHECKING."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        visit(node)

    visit(tree)
    return found


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The package modules an import statement runs: `from generator.x import y` runs x, and y when
    y is a submodule; importing generator.p.m also runs the package generator/p/__init__.py first,
    unless the importing module is itself inside generator.p (then that package is already running)."""
    if isinstance(node, ast.Import):
        named = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        named = {base} | {f"{base}.{alias.name}" for alias in node.names}
    out = set()
    for name in named & known:
        parts = name.split(".")
        for end in range(2, len(parts) + 1):  # generator.p, generator.p.q, …, the module itself
            target = ".".join(parts[:end])
            if target in known and not (module == target or module.startswith(target + ".")):
                out.add(target)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for node in _imports(tree):
            edges |= _targets(module, path, node, known)
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of modules (Tarjan), with one concrete circle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return sorted(groups)


def _one_circle(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest circle from the group's first module back to itself, for the message."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return group


def test_the_import_graph_sees_lazy_imports_and_skips_type_checking(tmp_path):
    """The graph builder itself: a function-level import is an edge, a TYPE_CHECKING one is not."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from generator.model import Catalog\n"
        "def f():\n    from generator.rules import RULES\n"
    )
    names = [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)]
    assert "generator.rules" in names and "generator.model" not in names
    known = {"generator.history", "generator.history.trailers", "generator.history.events", "generator.config"}
    node = ast.parse("from generator.history.trailers import normalize_date").body[0]
    assert _targets("generator.config", Path("config.py"), node, known) == {
        "generator.history", "generator.history.trailers"}  # the package's __init__ runs first
    assert _targets("generator.history.events", Path("events.py"), node, known) == {"generator.history.trailers"}
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert _one_circle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_no_import_circles_inside_the_package():
    graph = import_graph()
    found = cycles(graph)
    report = "\n".join(
        f"  {len(group)} modules: " + " → ".join(_one_circle(graph, group)) + f"\n    (all: {', '.join(group)})"
        for group in found
    )
    assert not found, f"import circles inside generator/:\n{report}"


def test_no_browser_library_inside_the_package():
    offenders = []
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            for name in names:
                if name.split(".")[0] in BROWSER_LIBRARIES:
                    offenders.append(f"{module} (line {node.lineno}): {name}")
    assert not offenders, "browser libraries imported inside generator/:\n  " + "\n  ".join(offenders)
