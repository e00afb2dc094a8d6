"""Run every rule over a catalog and summarise per department. Pure: no files, no git."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.model import Catalog, Item
from generator.rules import (
    LEVEL_LABELS,
    LEVELS,
    LIST_RULES,
    RULES,
    Finding,
    catalog_findings,
    item_findings,
    missing_disclosures,
    overlap_findings,
    review_due_findings,
    rule_level,
)

SCORE_FORMULA = "规范度 = 没有“错误”和“警告”级问题的事项数 ÷ 事项数 × 100"


@dataclass(frozen=True)
class AssessFinding:
    """One finding about one item, with everything a report shows."""

    rule: str
    label: str
    level: str
    list: str
    list_title: str
    department: str
    department_name: str
    code: str
    name: str
    message: str
    quote: str
    hint: str
    field: str
    file: str
    line: int | None

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class DepartmentSummary:
    code: str
    name: str
    items: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    disclosed: int = 0  # 八公开 filled, over the disclosures that apply
    expected: int = 0
    clean_items: int = 0  # items with no error- or warning-level finding

    @property
    def completeness(self) -> float | None:
        return 100 * self.disclosed / self.expected if self.expected else None

    @property
    def score(self) -> float | None:
        return 100 * self.clean_items / self.items if self.items else None

    @property
    def findings(self) -> int:
        return sum(self.by_rule.values())


@dataclass
class Assessment:
    site_name: str
    as_of: str  # YYYY-MM-DD
    findings: list[AssessFinding]
    departments: list[DepartmentSummary]
    rules: list[str]  # rule ids that ran (not switched off), in report order
    list_filter: str = ""
    department_filter: str = ""
    notes: list[str] = field(default_factory=list)
    review_after_years: int = 0

    def by_rule(self, rule: str) -> list[AssessFinding]:
        return [f for f in self.findings if f.rule == rule]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.rules, 0)
        for f in self.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        return counts

    def level_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(LEVELS, 0)
        for f in self.findings:
            counts[f.level] += 1
        return counts

    @property
    def total(self) -> DepartmentSummary:
        total = DepartmentSummary("", "合计")
        for d in self.departments:
            total.items += d.items
            total.disclosed += d.disclosed
            total.expected += d.expected
            total.clean_items += d.clean_items
            for rule, n in d.by_rule.items():
                total.by_rule[rule] = total.by_rule.get(rule, 0) + n
        return total

    def label(self, rule: str) -> str:
        return RULES[rule].label


def assess(catalog: Catalog, *, list_filter: str = "", department_filter: str = "",
           last_adjusted: dict[tuple[str, str], str] | None = None, as_of: dt.date | None = None,
           site_name: str = "") -> Assessment:
    """Every enabled rule over the items in scope; `last_adjusted` None means no history (no review-due)."""
    config = catalog.config
    as_of = as_of or dt.date.today()
    enabled = [r for r in LIST_RULES if rule_level(config, r) != "off"]

    def in_scope(item: Item) -> bool:
        return (not list_filter or item.list_id == list_filter) and (
            not department_filter or item.department == department_filter)

    pairs: list[tuple[Item, Finding]] = []
    scope = [i for i in catalog.items() if in_scope(i)]
    for item in scope:
        pairs += [(item, f) for f in item_findings(catalog, item, as_of) + catalog_findings(catalog, item)]
    pairs += [(i, f) for i, f in overlap_findings(catalog) if in_scope(i)]
    notes = []
    if last_adjusted is None:
        notes.append("没有读取调整记录（不在 git 仓库中，或用了 --no-history），未检查“久未调整”。")
    else:
        pairs += [(i, f) for i, f in review_due_findings(catalog, last_adjusted, as_of) if in_scope(i)]

    order = {rule: n for n, rule in enumerate(RULES)}
    depts = {d.code: n for n, d in enumerate(config.departments)}
    lists = {t.id: n for n, t in enumerate(config.list_types)}
    findings = [_finding(catalog, item, f) for item, f in pairs]
    findings.sort(key=lambda f: (depts.get(f.department, len(depts)), f.department, lists.get(f.list, 99),
                                 f.file, f.line or 0, order[f.rule], f.message))
    return Assessment(
        site_name=site_name or config.portal.site_name, as_of=as_of.isoformat(), findings=findings,
        departments=_summaries(catalog, scope, findings), rules=enabled, list_filter=list_filter,
        department_filter=department_filter, notes=notes, review_after_years=config.review_after_years,
    )


def _finding(catalog: Catalog, item: Item, f: Finding) -> AssessFinding:
    config = catalog.config
    list_type = config.list_type(item.list_id)
    department = config.department(item.department)
    where = item.where(f.field or None)
    return AssessFinding(
        rule=f.rule, label=RULES[f.rule].label, level=f.severity, list=item.list_id,
        list_title=list_type.title if list_type else item.list_id, department=item.department,
        department_name=department.short_name if department else item.department, code=item.code,
        name=item.name, message=f.message, quote=f.quote, hint=f.hint, field=f.field,
        file=where["file"], line=where["line"],
    )


def _summaries(catalog: Catalog, scope: list[Item], findings: list[AssessFinding]) -> list[DepartmentSummary]:
    config = catalog.config
    out: dict[str, DepartmentSummary] = {}
    for d in config.departments:
        out[d.code] = DepartmentSummary(d.code, d.short_name)
    flagged = {(f.list, f.code) for f in findings if f.level in ("error", "warning")}
    for item in scope:
        summary = out.setdefault(item.department, DepartmentSummary(item.department, item.department))
        summary.items += 1
        expected = len(config.applicable_disclosures(item.list_id))
        summary.expected += expected
        summary.disclosed += expected - len(missing_disclosures(catalog, item))
        if (item.list_id, item.code) not in flagged:
            summary.clean_items += 1
    for f in findings:
        summary = out[f.department]
        summary.by_rule[f.rule] = summary.by_rule.get(f.rule, 0) + 1
    return [s for s in out.values() if s.items]
