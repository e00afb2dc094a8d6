"""The floor: read the YAML, render every item page with one plain Jinja template, write it.

    python -m benchmarks.floor PROJECT OUT      # prints {"read": s, "render_write": s, "pages": n}

Run as its own process by the runner, so that its wall time (interpreter start included) is
comparable with `qingdan build` up to the search index.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from jinja2 import Environment

from benchmarks.pages import FLOOR_TEMPLATE, read_records, text_of


def render_floor(project: Path, out: Path) -> dict[str, float]:
    started = time.perf_counter()
    config, records = read_records(project)
    read = time.perf_counter() - started
    env = Environment(autoescape=True)
    env.filters["fieldtext"] = text_of
    template = env.from_string(FLOOR_TEMPLATE)
    site_name, sponsor = config.portal.site_name, config.portal.sponsor
    started = time.perf_counter()
    for record in records:
        target = out / record.list_id / record.code / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(template.render(r=record, site_name=site_name, sponsor=sponsor), encoding="utf-8")
    return {"read": read, "render_write": time.perf_counter() - started, "pages": len(records)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("用法：python -m benchmarks.floor 项目目录 输出目录", file=sys.stderr)
        return 2
    print(json.dumps(render_floor(Path(args[0]), Path(args[1]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
