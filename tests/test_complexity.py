"""Functions stay small enough to read: over generator/, at most 5 functions (methods included) of
cyclomatic complexity above 20 and none above 30, as radon counts them (`radon cc -s -n D generator`).
MkDocs, whose layout we follow, has 3 above 20; a long function is where a step hides its inputs."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit, sorted_results
from radon.visitors import Function

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
HIGH, CEILING, ALLOWED_HIGH = 20, 30, 5


def functions() -> list[tuple[int, str]]:
    """(complexity, "path:line name") of every function and method under generator/."""
    found = []
    for path in sorted(GENERATOR.rglob("*.py")):
        for block in sorted_results(cc_visit(path.read_text(encoding="utf-8"))):
            if isinstance(block, Function):
                where = f"{path.relative_to(GENERATOR.parent).as_posix()}:{block.lineno} {block.fullname}"
                found.append((block.complexity, where))
    return sorted(found, reverse=True)


def test_the_measure_sees_every_function() -> None:
    counted = functions()
    assert len(counted) > 500  # the whole package, not one folder
    assert any(where.endswith(" main") for _, where in counted if where.startswith("generator/cli.py:"))


def test_few_functions_above_complexity_20_and_none_above_30() -> None:
    counted = functions()
    high = [(cc, where) for cc, where in counted if cc > HIGH]
    over = [(cc, where) for cc, where in high if cc > CEILING]
    report = "\n".join(f"  {cc:3d}  {where}" for cc, where in high)
    print(f"复杂度超过 {HIGH} 的函数（{len(high)} 个，上限 {ALLOWED_HIGH} 个，不得超过 {CEILING}）：\n{report}")
    assert not over and len(high) <= ALLOWED_HIGH, (
        f"{len(high)} functions above complexity {HIGH} (at most {ALLOWED_HIGH}), {len(over)} above {CEILING}"
        f" (none allowed):\n{report}")
