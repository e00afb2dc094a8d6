"""The portal's 十统一 page body: the items whose elements differ between regions, side by side, and
each region against the province's 通用目录 — an HTML fragment the join puts in a page.

Tables are real tables (caption, column and row headers) so a screen reader reads each value with
its region and element; each sits in its own scrolling box (a focusable, labelled region), so a
table wider than a phone scrolls inside the box and the page itself never scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape

from generator.problems import Problems
from generator.regions.catalogue import KINDS, Catalogue, CatalogueFinding
from generator.regions.tenfold import BY_NAME, Difference
from generator.siteconfig import SiteConfig

PAGE_LIMIT = 200  # item tables on the portal's page (and rows per region against the catalogue)
WORKBOOK = "uniformity.xlsx"  # every finding, under the portal's downloads/

# The box's rules for a page outside the site (`qingdan assess --format html` puts them in its head);
# on the site, qingdan.css styles .qd-table-wrap, .qd-table and .qd-uniform-box the same way.
STYLE = (".qd-uniform-box{overflow-x:auto;max-width:100%;margin:.5em 0 1.5em}"
         ".qd-uniform-box:focus{outline:2px solid currentColor}"
         ".qd-uniform-box table{border-collapse:collapse;min-width:100%}"
         ".qd-uniform-box th,.qd-uniform-box td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;"
         "text-align:left;white-space:pre-line}"
         ".qd-uniform-box td{min-width:8em}.qd-uniform-box caption{text-align:left;font-weight:bold;padding:.3em 0}")


def _box(label: str, table: str) -> str:
    table = table.replace("<table>", '<table class="qd-table">', 1)
    return (f'<div class="qd-table-wrap qd-uniform-box" role="region" tabindex="0" aria-label="{escape(label)}">'
            f"{table}</div>")


def _item_table(code: str, rows: list[Difference]) -> str:
    first = rows[0]
    regions = [(v.region, v.region_name) for v in first.values]
    caption = f"{first.name}（编码 {code}）" if code else f"{first.name}（按名称和设定依据对应）"
    head = "".join(f'<th scope="col">{escape(name)}</th>' for _, name in regions)
    body = []
    for d in rows:
        by_region = {v.region: v.text for v in d.values}
        cells = "".join(f"<td>{escape(by_region.get(rid, ''))}</td>" for rid, _ in regions)
        body.append(f'<tr><th scope="row">{escape(d.label)}</th>{cells}</tr>')
    table = (f"<table><caption>{escape(caption)}</caption><thead><tr><th scope=\"col\">要素</th>{head}</tr></thead>"
             f"<tbody>{''.join(body)}</tbody></table>")
    return _box(caption, table)


def _grouped(findings: Iterable[Difference]) -> list[list[Difference]]:
    """Differences of the same item together (an item of one match differs in several elements)."""
    groups: dict[tuple, list[Difference]] = {}
    for d in findings:
        key = (d.list_id, d.code, d.name, tuple(v.code for v in d.values), d.matched_by)
        groups.setdefault(key, []).append(d)
    return list(groups.values())


def _catalogue_section(findings: list[CatalogueFinding], title: str, limit: int | None, more: str) -> str:
    parts = [f"<h2>与{escape(title)}对照</h2>"]
    if not findings:
        return "".join(parts) + "<p>各地区的事项与通用目录一致。</p>"
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        counts.setdefault(f.region_name, dict.fromkeys(KINDS, 0))[f.kind] += 1
    head = "".join(f'<th scope="col">{label}</th>' for label in KINDS.values())
    rows = "".join(f'<tr><th scope="row">{escape(name)}</th>' + "".join(f"<td>{n}</td>" for n in by.values()) + "</tr>"
                   for name, by in counts.items())
    parts.append(_box("各地区与通用目录对照汇总", f"<table><caption>各地区与通用目录对照汇总（事项数）</caption><thead><tr>"
                                      f'<th scope="col">地区</th>{head}</tr></thead><tbody>{rows}</tbody></table>'))
    by_region: dict[str, list[CatalogueFinding]] = {}
    for f in findings:
        by_region.setdefault(f.region_name, []).append(f)
    for name, found in by_region.items():
        if limit is not None and len(found) > limit:
            parts.append(f"<p>{escape(name)}与通用目录有 {len(found)} 处不同，下表列出前 {limit} 处{more}。</p>")
            found = found[:limit]
        body = "".join(
            f'<tr><th scope="row">{escape(f.kind_label)}</th><td>{escape(f.code)}</td><td>{escape(f.name)}</td>'
            f"<td>{escape(f.label)}</td><td>{escape(f.catalogue_value)}</td><td>{escape(f.region_value)}</td></tr>"
            for f in found)
        caption = f"{name}与通用目录的不同"
        parts.append(_box(caption, f"<table><caption>{escape(caption)}</caption><thead><tr><th scope=\"col\">情况</th>"
                                   '<th scope="col">编码</th><th scope="col">事项名称</th><th scope="col">要素</th>'
                                   f'<th scope="col">通用目录</th><th scope="col">{escape(name)}</th></tr></thead>'
                                   f"<tbody>{body}</tbody></table>"))
    return "".join(parts)


def uniformity_page(findings: list[Difference], catalogue_findings: list[CatalogueFinding] | None = None,
                    catalogue_title: str = "通用目录", limit: int | None = None, download: str = "") -> str:
    """The page body (HTML fragment) for the 十统一 findings, and the catalogue comparison when the
    portal has a catalogue (`catalogue_findings` None: no catalogue section). `limit`: at most
    that many item tables (and rows per region against the catalogue), so that a province with
    thousands of differences still gets a page a phone can open; `download` links the workbook
    that holds them all."""
    more = f'，全部见<a href="{escape(download)}">十统一对照表（Excel）</a>' if download else ""
    parts = ["<h2>各地区不一致的事项（十统一）</h2>"]
    groups = _grouped(findings)
    if not groups:
        parts.append("<p>各地区的同一事项在名称、职权类型、设定依据、法定时限和承诺时限上一致。</p>")
    else:
        by_name = sum(1 for g in groups if g[0].matched_by == BY_NAME)
        note = f"其中 {by_name} 项没有共同的编码，按名称和设定依据对应。" if by_name else ""
        parts.append(f"<p>同一事项在各地区应当名称、职权类型、设定依据、法定时限和承诺时限一致。以下 {len(groups)} 项不一致；"
                     f"事项按编码对应（编码开头的行政区划代码不计）。{note}</p>")
        if limit is not None and len(groups) > limit:
            parts.append(f"<p>下面列出前 {limit} 项{more}。</p>")
            groups = groups[:limit]
        parts += [_item_table(g[0].code, g) for g in groups]
    if catalogue_findings is not None:
        parts.append(_catalogue_section(catalogue_findings, catalogue_title, limit, more))
    return "\n".join(parts) + "\n"


@dataclass
class JoinUniformity:
    """What the join publishes for 十统一: the page body, the catalogue (None without one) and the
    workbook of every finding (downloads/uniformity.xlsx)."""

    body: str
    catalogue: Catalogue | None
    workbook: bytes


def join_uniformity(out: Path, config: SiteConfig, problems: Problems) -> JoinUniformity:
    """What the join calls: 十统一 from the region sites already in `out` (their published
    all.json.zip). A region whose site cannot be read, or a catalogue entry with an error, is
    reported and left out."""
    from generator.regions.assess import PortalAssessment
    from generator.regions.catalogue import load_catalogue, report
    from generator.regions.published import read_region_catalog
    from generator.regions.render import render_xlsx
    from generator.regions.sources import RegionSiteError
    from generator.regions.tenfold import findings

    regions = []
    for region in config.regions:
        try:
            regions.append(read_region_catalog(region, out, config))
        except RegionSiteError as exc:
            problems.error(str(exc), file="site_config.yml", rule="region-site")
    catalogue = load_catalogue(config, problems)
    result = PortalAssessment(
        site_name=config.portal.site_name, as_of="",
        regions=[(rc.region.id, rc.region.name, sum(rc.catalog.counts().values())) for rc in regions],
        differences=findings(regions, config), catalogue=catalogue,
        catalogue_findings=report(catalogue, regions) if catalogue is not None else [])
    body = uniformity_page(result.differences, result.catalogue_findings if catalogue else None,
                           catalogue.title if catalogue else "通用目录", PAGE_LIMIT, f"../downloads/{WORKBOOK}")
    return JoinUniformity(body, catalogue, render_xlsx(result))
