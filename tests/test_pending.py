"""Approved, not yet in force: a change whose 生效日期 falls after the day a site is built for (its
as-of date) is announced on the item page, the home page and 动态调整, while the site keeps showing
the values in force as 现行; a build on or after that day shows the change in force, with nothing
done by hand. The same for an item that reaches its 有效期至. Real git, real builds."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_history import BUILD, FOOD, PENALTY, commit, edit, new_repo
from test_pipeline import differences

from generator.site.build import build_site

SCJGJ = "lists/power/scjgj.yml"
ENTERED = "2026-11-25T09:00:00+08:00"  # the day the clerk entered the approved adjustments
NEW_ITEM = "000131127099"
TEMPORARY = "LS-scjgj-001"
TEMPORARY_TYPE = """
extra_list_types:
  - id: temporary
    title: 临时性事项清单
    item_label: 临时性事项
    fields:
      - {name: code, label: 编码, type: code, required: true}
      - {name: name, label: 事项名称, type: text, required: true}
      - {name: valid_until, label: 有效期至, type: date}
"""
TEMPORARY_LIST = f"""\
department: scjgj
items:
  - code: {TEMPORARY}
    name: 临时占道经营备案
    valid_until: 2026-12-31
"""
NEW_POWER = f"""\
  - code: "{NEW_ITEM}"
    name: 食品小作坊登记
    type: 行政许可
    subject: 测试县市场监督管理局
    basis:
      - law: 《测试省食品小作坊管理条例》
        article: 第十条
    conditions: 有固定的生产场所。
    procedure: [申请, 受理, 审查, 决定, 送达]
    time_limit: {{statutory: 20, promised: 10, unit: 工作日}}
    result: 食品小作坊登记证
    fee: {{basis: 无, standard: 不收费}}
"""


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> Path:
    """The mini project, published in 2016 with a temporary item valid until 2026-12-31, then three
    adjustments approved in November 2026 that take effect in 2027: the 承诺时限 of 食品经营许可
    shortened (2027-01-01), a penalty cancelled (2027-02-01), a new item added (2027-03-01)."""
    top, project = new_repo(tmp_path_factory.mktemp("pending"))
    config = project / "site_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + TEMPORARY_TYPE, encoding="utf-8")
    (project / "lists/temporary").mkdir()
    (project / "lists/temporary/scjgj.yml").write_text(TEMPORARY_LIST, encoding="utf-8")
    commit(top, "发布临时性事项清单\n\n调整依据: 测政发〔2016〕3号", "2016-01-05T09:00:00+08:00")
    edit(project, SCJGJ, "{statutory: 20, promised: 5", "{statutory: 20, promised: 3")
    commit(top, "关于压缩食品经营许可承诺时限的通知\n\n调整依据: 测政发〔2026〕9号\n发布日期: 2026-11-25\n"
           "生效日期: 2027-01-01", ENTERED)
    text = (project / SCJGJ).read_text(encoding="utf-8")
    start = text.index(f'  - code: "{PENALTY}"')
    (project / SCJGJ).write_text(text[:start], encoding="utf-8")
    commit(top, "关于取消一项行政处罚的通知\n\n调整依据: 测政发〔2026〕10号\n生效日期: 2027-02-01", ENTERED)
    with (project / SCJGJ).open("a", encoding="utf-8") as f:
        f.write(NEW_POWER)
    commit(top, "关于新增食品小作坊登记的通知\n\n调整依据: 测政发〔2026〕11号\n生效日期: 2027-03-01", ENTERED)
    return project


@pytest.fixture(autouse=True)
def fixed_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01: every build below names its day


def build(project: Path, out: Path, as_of: str) -> Path:
    result = build_site(project, out, search=False, as_of=as_of)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return out


@pytest.fixture(scope="module")
def before(record, tmp_path_factory) -> Path:
    """The site on 2026-12-07: every adjustment of November approved, none in force."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1764547200")
        return build(record, tmp_path_factory.mktemp("before") / "site", "2026-12-07")


@pytest.fixture(scope="module")
def after(record, tmp_path_factory) -> Path:
    """The site on 2027-03-01: all three in force, the temporary item expired."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1764547200")
        return build(record, tmp_path_factory.mktemp("after") / "site", "2027-03-01")


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


BLOCK = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|section|article|dl|dt|dd|br|details|summary)\b[^>]*>")


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: blocks apart, inline tags out, blanks collapsed."""
    words = re.sub(r"<[^>]+>", "", BLOCK.sub(" ", fragment))
    return re.sub(r"\s+", " ", html.unescape(words)).strip()


def part(document: str, start: str, end: str) -> str:
    begin = document.index(start)
    return document[begin:document.index(end, begin)]


def disclosures(site: Path, path: str) -> str:
    return text(part(page(site, path), 'class="qd-disclosures"', "</section>"))


def notices(site: Path, path: str) -> str:
    return " ".join(text(n) for n in re.findall(r'<div class="admonition warning qd-pending".*?</div>',
                                                 page(site, path), re.S))


# -- DONE-MEANS -----------------------------------------------------------------------------------

def test_a_change_not_yet_in_force_shows_the_old_values_as_current_and_the_new_ones_in_a_notice(before):
    food = f"power/{FOOD}/"
    assert "承诺时限 5 工作日" in disclosures(before, food)  # 现行: the values in force today
    notice = notices(before, food)
    assert notice.startswith("已批准调整（测政发〔2026〕9号），将于 2027-01-01 起施行")
    assert "办理时限现行：法定时限 20 工作日；承诺时限 5 工作日调整为：法定时限 20 工作日；承诺时限 3 工作日" in notice
    assert "在此之前，仍按本页所列的现行内容办理" in notice
    head = text(part(page(before, food), '<p class="qd-currency"', "</p>"))
    assert "现行有效" in head and "另有已批准、尚未施行的调整" in head
    # the notice comes before the disclosures, right under the page's head
    document = page(before, food)
    assert document.index("qd-pending") < document.index('class="qd-disclosures"')


def test_a_build_on_the_effective_day_shows_the_new_values_and_no_notice(after):
    food = f"power/{FOOD}/"
    assert "承诺时限 3 工作日" in disclosures(after, food)
    assert notices(after, food) == "" and "qd-pending" not in page(after, food)
    head = text(part(page(after, food), '<p class="qd-currency"', "</p>"))
    assert "现行内容自 2027-01-01 起施行" in head and "测政发〔2026〕9号" in head
    assert "目前没有已批准、尚未施行的调整" in head


# -- removals, additions, 有效期至 -------------------------------------------------------------

def test_a_pending_removal_is_still_listed_with_a_notice_until_its_day(before, after):
    penalty = f"power/{PENALTY}/"
    assert notices(before, penalty).startswith("已批准调整（测政发〔2026〕10号），本事项将于 2027-02-01 起取消")
    assert "对生产经营不符合食品安全标准的食品的处罚" in page(before, "power/")
    assert "data-pagefind-body" in page(before, penalty)  # still a current page: searchable
    assert "对生产经营不符合食品安全标准的食品的处罚" not in page(after, "power/")
    assert "本事项已取消" in page(after, penalty)


def test_an_item_added_by_a_pending_adjustment_has_a_page_but_is_not_listed_before_its_day(before, after):
    new = f"power/{NEW_ITEM}/"
    assert "食品小作坊登记" not in page(before, "power/")
    assert "食品小作坊登记" not in page(before, "departments/scjgj/")
    assert notices(before, new).startswith("已批准新增（测政发〔2026〕11号），将于 2027-03-01 起施行，目前尚未施行")
    assert "尚未施行" in text(part(page(before, new), '<p class="qd-currency"', "</p>"))
    assert "data-pagefind-body" not in page(before, new)  # not found by search before its day
    assert "食品小作坊登记" in page(after, "power/")
    assert "data-pagefind-body" in page(after, new) and "qd-pending" not in page(after, new)


def test_the_downloads_agree_with_the_pages(before, after):
    def codes(site: Path) -> set[str]:
        import json
        import zipfile

        with zipfile.ZipFile(site / "downloads/all.json.zip") as archive:
            data = json.loads(archive.read("all.json"))
        found = set()

        def walk(value):
            if isinstance(value, dict):
                if "code" in value and isinstance(value["code"], str):
                    found.add(value["code"])
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)
        walk(data)
        return found

    assert PENALTY in codes(before) and NEW_ITEM not in codes(before) and TEMPORARY in codes(before)
    assert PENALTY not in codes(after) and NEW_ITEM in codes(after) and TEMPORARY not in codes(after)


def test_an_item_past_its_valid_until_day_is_out_of_the_lists(before, after):
    temporary = f"temporary/{TEMPORARY}/"
    assert "本事项有效期至 2026-12-31，到期不再施行" in text(page(before, temporary))
    assert "临时占道经营备案" in page(before, "temporary/")
    assert "临时占道经营备案" not in page(after, "temporary/")
    expired = page(after, temporary)
    assert "本事项有效期至 2026-12-31，已到期，不再施行" in text(expired)
    assert "已到期" in text(part(expired, '<p class="qd-currency"', "</p>"))
    assert "data-pagefind-body" not in expired


# -- home and 动态调整 -----------------------------------------------------------------------------

def test_home_and_adjustments_list_the_pending_adjustments_in_their_own_section(before, after):
    for path in ("", "adjustments/"):
        section = part(page(before, path), "<section class=\"qd-pending-adjustments\"", "</section>")
        words = text(section)
        assert words.startswith("已批准、尚未施行的调整")
        assert words.index("测政发〔2026〕11号") < words.index("测政发〔2026〕10号") < words.index("测政发〔2026〕9号")
        assert "发布日期：2026-11-25 生效日期：2027-01-01" in words
        assert f'href="{"../" if path else ""}power/{FOOD}/"' in section  # the items it changes, linked
        assert "qd-pending-adjustments" not in page(after, path)
    latest = text(part(page(before, ""), "<h2>最新调整</h2>", "</section>"))
    assert "测政发〔2026〕9号" not in latest  # announced above, not among the changes made


def test_provenance_names_the_day_and_adjustment_of_the_current_values_without_hashes(before):
    build_page = page(before, f"power/{BUILD}/")
    head = text(part(build_page, '<p class="qd-currency"', "</p>"))
    assert head == "现行有效 现行内容自 2016-01-04 起施行，来自 2016-01-04 的新增：发布权责清单（未注明文号）。目前没有已批准、尚未施行的调整。"
    food_head = part(page(before, f"power/{FOOD}/"), '<p class="qd-currency"', "</p>")
    assert "现行内容自 2016-01-04 起施行" in text(food_head)  # the approved change is not in force
    temp_head = part(page(before, f"temporary/{TEMPORARY}/"), '<p class="qd-currency"', "</p>")
    assert "来自 2016-01-05 的新增：依据 测政发〔2016〕3号" in text(temp_head)
    assert 'href="../../adjustments/#adj-2016-01-05-1"' in temp_head
    assert 'id="adj-2016-01-05-1"' in page(before, "adjustments/")
    assert not re.search(r"\b[0-9a-f]{7,40}\b", text(head + food_head + temp_head))


# -- day to day ----------------------------------------------------------------------------------

def test_with_nothing_pending_a_later_day_builds_the_same_site(record, after, tmp_path):
    later = build(record, tmp_path / "later", "2027-06-30")
    assert differences(after, later) == []


def test_the_day_a_change_takes_effect_an_incremental_build_refreshes_exactly_the_pages_concerned(record, tmp_path):
    out = build(record, tmp_path / "site", "2026-12-31")
    result = build_site(record, out, search=False, as_of="2027-01-01")
    assert result.ok
    written = {p for p in result.written if "/" in p.rstrip("/") and not p.startswith(("adjustments", "zh-Hant"))}
    assert f"power/{FOOD}/" in written
    assert f"power/{BUILD}/" not in written and f"power/{PENALTY}/" not in written
    fresh = build(record, tmp_path / "fresh", "2027-01-01")
    assert differences(out, fresh) == []


# -- accessibility of the notices ----------------------------------------------------------------

@pytest.mark.browser
def test_the_notices_pass_axe_in_every_mode_at_phone_and_desktop_width(before, browser):
    """The pages that carry a notice (a change, a 取消, a 新增 not yet in force, a 有效期至) and the two
    lists of pending adjustments: no serious or critical axe violation in default, 大字, 高对比 and
    大字+高对比, at 390 and 1280 px."""
    from a11y_support import AXE, audit
    from browser_support import serve_directory

    if not AXE.exists():
        pytest.skip("axe-core 未安装（npm ci）")
    paths = ["", "adjustments/", f"power/{FOOD}/", f"power/{PENALTY}/", f"power/{NEW_ITEM}/",
             f"temporary/{TEMPORARY}/"]
    failures, checked = [], 0
    with serve_directory(before) as base:
        for mode, width, path, violations in audit(browser, base, paths):
            checked += 1
            failures += [f"{mode} {width} /{path}: {v['impact']} {v['id']} {v['nodes'][:2]}" for v in violations]
    assert checked == len(paths) * 8
    assert not failures, "\n".join(failures[:20])


def test_the_notices_are_valid_html(before):
    import shutil

    from a11y_support import VNU, nu_errors

    if not VNU.exists() or shutil.which("java") is None:
        pytest.skip("vnu-jar（npm ci）或 Java 未安装")
    files = [str(before / p / "index.html") for p in ("", "adjustments/", f"power/{FOOD}/", f"power/{PENALTY}/",
                                                       f"power/{NEW_ITEM}/", f"temporary/{TEMPORARY}/")]
    errors = nu_errors(files)
    assert not errors, errors[:5]
