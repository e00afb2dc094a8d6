"""The figures the reforms are judged by, computed from the catalog (and the history) as plain data.

Used by the 统计 page, by each department page (its own figures) and written as JSON beside the
data downloads. Grouping uses standard enumeration values (`config.enum_standard`), never the
published spelling, so 09 and 行政裁决 count together.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from generator.model import Catalog, Item

UNKNOWN = "未标明"
# Days per unit, to add up time limits given in different units (1 工作日 = 1.4 自然日, as the review does).
_DAYS = {"工作日": 1.0, "自然日": 5 / 7, "小时": 1 / 8}


@dataclass
class TimeLimits:
    """Items with both a statutory and a promised limit; days in 工作日."""

    items: int = 0
    statutory_days: float = 0.0
    promised_days: float = 0.0
    reduction_sum: float = 0.0  # sum over items of (1 − promised ÷ statutory)

    @property
    def saved_days(self) -> float:
        return self.statutory_days - self.promised_days

    @property
    def average_reduction(self) -> float | None:
        """Mean share by which the promise shortens the statute, in per cent."""
        return 100 * self.reduction_sum / self.items if self.items else None


@dataclass
class Stats:
    scope: str  # "" for the whole site, else a department code
    lists: list[tuple[str, str, int]] = field(default_factory=list)  # (list id, title, items)
    departments: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, items)
    power_types: list[tuple[str, int]] = field(default_factory=list)  # GB/T 39046 types, in code order
    handling: list[tuple[str, int]] = field(default_factory=list)  # 即办件 / 承诺件 / 其他 / 未标明
    time_limits: list[tuple[str, str, TimeLimits]] = field(default_factory=list)  # per department
    time_total: TimeLimits = field(default_factory=TimeLimits)
    fees_by_department: list[tuple[str, str, int]] = field(default_factory=list)
    fees_by_fund: list[tuple[str, int]] = field(default_factory=list)  # 资金管理方式
    adjustments: list[tuple[str, dict[str, int]]] = field(default_factory=list)  # (year, kind → items)
    adjustment_kinds: list[str] = field(default_factory=list)

    @property
    def total_items(self) -> int:
        return sum(n for _, _, n in self.lists)

    def to_json(self) -> dict[str, Any]:
        def limits(t: TimeLimits) -> dict[str, Any]:
            avg = t.average_reduction
            return {"items": t.items, "statutory_days": round(t.statutory_days, 1),
                    "promised_days": round(t.promised_days, 1), "saved_days": round(t.saved_days, 1),
                    "average_reduction_percent": round(avg, 1) if avg is not None else None}

        return {
            "schema": "qingdan-stats/1",
            "scope": self.scope or None,
            "items": self.total_items,
            "lists": [{"list": i, "title": t, "items": n} for i, t, n in self.lists],
            "departments": [{"department": c, "name": n, "items": k} for c, n, k in self.departments],
            "power_types": [{"type": t, "items": n} for t, n in self.power_types],
            "handling": [{"handling": h, "items": n} for h, n in self.handling],
            "time_limits": {"unit": "工作日", "total": limits(self.time_total),
                            "departments": [{"department": c, "name": n, **limits(t)} for c, n, t in self.time_limits]},
            "fees": {"departments": [{"department": c, "name": n, "items": k} for c, n, k in self.fees_by_department],
                     "fund_management": [{"fund_management": f, "items": n} for f, n in self.fees_by_fund]},
            "adjustments": [{"year": y, **{k: counts.get(k, 0) for k in self.adjustment_kinds}}
                            for y, counts in self.adjustments],
        }


def _standard(catalog: Catalog, item: Item, field_name: str) -> str:
    list_type = catalog.config.list_type(item.list_id)
    fdef = list_type.field(field_name) if list_type else None
    raw = item.data.get(field_name)
    if fdef is None or raw is None or str(raw).strip() == "":
        return UNKNOWN
    if fdef.type == "enum":
        return catalog.config.enum_standard(fdef.enum, raw) or str(raw)
    return str(raw)


def _days(value: Any, unit: str) -> float:
    return float(value) * _DAYS.get(unit or "工作日", 1.0)


class _Facts(NamedTuple):
    """What the figures count of one item (None: not counted there)."""

    power_type: str | None  # 职权类型, of a power item
    handling: str | None  # 办件类型, of an item of a list that has the field
    limit: tuple[float, float, float] | None  # statutory and promised days, 1 − promised ÷ statutory
    fund: str | None  # 资金管理方式, of a fee item


# id(item) → (item, config, facts): a preview asks for the figures of the whole catalog and of a
# department on every edit, and of items that are mostly the same objects; their facts are found
# again rather than worked out again. Holds the items of the last whole-catalog count only.
_KNOWN: dict[int, tuple[Item, Any, _Facts]] = {}


def _facts(catalog: Catalog, item: Item) -> _Facts:
    known = _KNOWN.get(id(item))
    if known is not None and known[0] is item and known[1] is catalog.config:
        return known[2]
    list_type = catalog.config.list_type(item.list_id)
    handling = _standard(catalog, item, "handling") if list_type and list_type.field("handling") else None
    facts = _Facts(_standard(catalog, item, "type") if item.list_id == "power" else None, handling,
                   _limit(item), _standard(catalog, item, "fund_management") if item.list_id == "fee" else None)
    _KNOWN[id(item)] = (item, catalog.config, facts)
    return facts


def _limit(item: Item) -> tuple[float, float, float] | None:
    """An item with a positive statutory and a promised limit: both in 工作日, and the reduction."""
    limit = item.data.get("time_limit")
    if not isinstance(limit, dict):
        return None
    statutory, promised = limit.get("statutory"), limit.get("promised")
    if not isinstance(statutory, int) or not isinstance(promised, int) or statutory <= 0:
        return None
    unit = str(limit.get("unit") or "工作日")
    return _days(statutory, unit), _days(promised, unit), 1 - promised / statutory


def compute(catalog: Catalog, events: list[Any] | None = None, department: str = "") -> Stats:
    """Figures for the whole catalog, or for one department's items (and adjustments)."""
    global _KNOWN
    config = catalog.config
    items = [i for i in catalog.items() if not department or i.department == department]
    if not department:  # only the current items' facts are kept
        _KNOWN = {id(i): _KNOWN[id(i)] for i in items if id(i) in _KNOWN}
    facts = [_facts(catalog, i) for i in items]
    stats = Stats(scope=department)
    per_list = Counter(i.list_id for i in items)
    stats.lists = [(t.id, t.title, per_list[t.id]) for t in config.list_types if per_list[t.id]]
    stats.departments = _per_department(catalog, items)
    stats.power_types = _in_order(Counter(f.power_type for f in facts if f.power_type is not None), config,
                                  "item_type")
    handling = Counter(f.handling for f in facts if f.handling is not None)
    handling.pop(UNKNOWN, None)  # the share among items that published their 办件类型
    stats.handling = _in_order(handling, config, "handling")
    stats.time_limits, stats.time_total = _time_limits(catalog, items, facts)
    stats.fees_by_department = _per_department(catalog, [i for i in items if i.list_id == "fee"])
    stats.fees_by_fund = _in_order(Counter(f.fund for f in facts if f.fund is not None), config, "fund_management")
    if events:
        stats.adjustment_kinds, stats.adjustments = _adjustments(events, department)
    return stats


def _per_department(catalog: Catalog, items: list[Item]) -> list[tuple[str, str, int]]:
    """(code, short name, items) of each department with items, in publishing order."""
    counts = Counter(i.department for i in items)
    return [(d.code, d.short_name, counts[d.code]) for d in catalog.config.departments if counts[d.code]]


def _in_order(counts: Counter, config: Any, enum: str) -> list[tuple[str, int]]:
    """The counted values in the enumeration's order, then the values it does not know, sorted."""
    order = [v.value for v in config.enums.get(enum, [])]
    return [(v, counts[v]) for v in order if counts[v]] + sorted((v, n) for v, n in counts.items() if v not in order)


def _time_limits(catalog: Catalog, items: list[Item],
                 facts: list[_Facts]) -> tuple[list[tuple[str, str, TimeLimits]], TimeLimits]:
    """Per department and in total, over the items with a positive statutory and a promised limit."""
    by_dept: dict[str, TimeLimits] = {}
    total = TimeLimits()
    for item, fact in zip(items, facts, strict=True):
        if fact.limit is None:
            continue
        statutory, promised, reduction = fact.limit
        for t in (by_dept.setdefault(item.department, TimeLimits()), total):
            t.items += 1
            t.statutory_days += statutory
            t.promised_days += promised
            t.reduction_sum += reduction
    per_dept = [(d.code, d.short_name, by_dept[d.code]) for d in catalog.config.departments if d.code in by_dept]
    return per_dept, total


def _adjustments(events: list[Any], department: str) -> tuple[list[str], list[tuple[str, dict[str, int]]]]:
    """The change kinds, and per year the items of each kind (a moved item counts in both departments)."""
    from generator.history import KINDS

    years: dict[str, Counter] = {}
    for event in events:
        if department and department not in (event.department, event.old_department):
            continue
        years.setdefault(event.day[:4], Counter())[event.kind] += 1
    return list(KINDS), [(y, dict(years[y])) for y in sorted(years)]


def stats_json(stats: Stats) -> dict[str, Any]:
    return stats.to_json()





def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


Chart = tuple[str, str, list[tuple[str, float]], str, str]  # name, title, rows, unit, summary


def charts(stats: Stats, prefix: str = "qd-chart") -> dict[str, Any]:
    """Each chart of the 统计 page with its text summary: name → (svg, summary)."""
    from generator.render.charts import bar_chart

    out: dict[str, Any] = {}
    for make in _CHARTS:
        chart = make(stats)
        if chart is not None and chart[2]:
            name, title, rows, unit, summary = chart
            out[name] = (bar_chart(f"{prefix}-{name}", title, rows, unit, summary), summary)
    return out


def _lists_chart(stats: Stats) -> Chart | None:
    if not stats.lists:
        return None
    top = max(stats.lists, key=lambda r: r[2])
    return ("lists", "各清单的事项数", [(t, n) for _, t, n in stats.lists], "项",
            f"共 {stats.total_items} 项事项，分属 {len(stats.lists)} 个清单；{top[1]}最多，{top[2]} 项。")


def _departments_chart(stats: Stats) -> Chart | None:
    if not stats.departments:
        return None
    most, least = max(stats.departments, key=lambda r: r[2]), min(stats.departments, key=lambda r: r[2])
    return ("departments", "各部门的事项数", [(n, k) for _, n, k in stats.departments], "项",
            f"{len(stats.departments)} 个部门公布了事项；{most[1]}最多（{most[2]} 项），{least[1]}最少（{least[2]} 项）。")


def _types_chart(stats: Stats) -> Chart | None:
    if not stats.power_types:
        return None
    powers = sum(n for _, n in stats.power_types)
    ranked = sorted(stats.power_types, key=lambda r: -r[1])[:3]
    return ("types", "权力事项按职权类型", list(stats.power_types), "项",
            f"权力事项共 {powers} 项，按国家标准《政务服务平台基础数据规范》（GB/T 39046—2020）的职权类型分为 {len(stats.power_types)} 类；最多的是"
            + "、".join(f"{t}（{n} 项）" for t, n in ranked) + "。")


def _handling_chart(stats: Stats) -> Chart | None:
    if not stats.handling:
        return None
    handled = sum(n for _, n in stats.handling)
    return ("handling", "即办件与承诺件", list(stats.handling), "项",
            "写明办件类型的事项中，" + "，".join(f"{h} {n} 项（{_share(n, handled)}）" for h, n in stats.handling)
            + "。")


def _time_chart(stats: Stats) -> Chart | None:
    t = stats.time_total
    if not t.items:
        return None
    return ("time", "各部门承诺时限比法定时限压缩的工作日",
            [(n, round(x.saved_days, 1)) for _, n, x in stats.time_limits], "个工作日",
            f"{t.items} 个事项同时公布了法定时限和承诺时限：法定时限合计 {_number(t.statutory_days)} 个工作日，"
            f"承诺时限合计 {_number(t.promised_days)} 个工作日，共压缩 {_number(t.saved_days)} 个工作日，"
            f"平均压缩 {t.average_reduction:.1f}%。")


def _fees_chart(stats: Stats) -> Chart | None:
    if not stats.fees_by_department:
        return None
    fees = sum(n for _, _, n in stats.fees_by_department)
    return ("fees", "各部门的收费项目数", [(n, k) for _, n, k in stats.fees_by_department], "项",
            f"行政事业性收费项目共 {fees} 项，分属 {len(stats.fees_by_department)} 个部门。")


def _funds_chart(stats: Stats) -> Chart | None:
    if not stats.fees_by_fund:
        return None
    return ("funds", "收费项目按资金管理方式", list(stats.fees_by_fund), "项",
            "按资金管理方式：" + "，".join(f"{f} {n} 项" for f, n in stats.fees_by_fund) + "。")


def _adjustments_chart(stats: Stats) -> Chart | None:
    if not stats.adjustments:
        return None
    totals: list[tuple[str, float]] = [(y, sum(c.values())) for y, c in stats.adjustments]
    kinds: Counter = Counter()
    for _, c in stats.adjustments:
        kinds.update(c)
    return ("adjustments", "每年调整的事项数", totals, "项次",
            f"{stats.adjustments[0][0]} 年至 {stats.adjustments[-1][0]} 年共调整 {sum(n for _, n in totals)} 项次，其中"
            + "、".join(f"{k} {kinds[k]}" for k in stats.adjustment_kinds if kinds[k]) + "。")


# In the order the 统计 page shows them.
_CHARTS = (_lists_chart, _departments_chart, _types_chart, _handling_chart, _time_chart, _fees_chart,
           _funds_chart, _adjustments_chart)


def _number(value: float) -> str:
    value = round(float(value), 1)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
