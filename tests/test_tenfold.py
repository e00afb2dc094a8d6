"""十统一 (issue 25, item 5): the same item across the regions of a portal, and each region against
the province's 通用目录, as `qingdan import --catalogue` and `qingdan assess` give them to a user.

The fixture (tests/fixtures/regions/) is a portal and three county projects (东县, 西县, 南县) with
planted differences: 食品经营许可's 法定时限 (南县 15, the others 20 工作日), 建筑工程施工许可's name
(西县 …证核发), a 处罚's 设定依据 (南县 cites 第一百二十五条), and 个体工商户登记, which 东县 and 西县 publish
under different codes (so it is matched by name and basis) with different 承诺时限. The regions are
plain folders, not git repositories: they load with no history.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

FIXTURE = Path(__file__).parent / "fixtures" / "regions"
FOOD = "《中华人民共和国食品安全法》"
CATALOGUE_ROWS = [
    [1, "0010100100", "食品经营许可", "行政许可", FOOD + "第三十五条", 20, 5],
    [2, "0020100100", "建筑工程施工许可", "行政许可", "《中华人民共和国建筑法》第七条", 7, 3],
    [3, "0030100100", "对生产经营不符合食品安全标准的食品的处罚", "行政处罚", FOOD + "第一百二十四条", None, None],
    [4, "000231001000", "对未取得食品生产经营许可从事食品生产经营活动的处罚", "行政处罚", FOOD + "第一百二十二条", None, None],
    [5, "0090100100", "药品零售企业许可", "行政许可", "《中华人民共和国药品管理法》第五十一条", 30, 15],
    [6, "0050100100", "个体工商户登记", "行政许可", "《促进个体工商户发展条例》第九条", 15, 3],
]
HEADER = ["序号", "基本编码", "事项名称", "职权类型", "设定依据", "法定时限（工作日）", "承诺时限（工作日）"]


def qingdan(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=300, cwd=project)


def write_sheet(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "通用目录"
    sheet.append(["测试省市场监管领域权力事项通用目录"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def portal(tmp_path: Path) -> Path:
    """The fixture's portal and regions in a temp dir."""
    shutil.copytree(FIXTURE, tmp_path / "regions")
    return tmp_path / "regions" / "portal"


def name_catalogue(portal: Path) -> None:
    with (portal / "site_config.yml").open("a", encoding="utf-8") as f:
        f.write("catalogue: catalogue.yml\n")


@pytest.fixture
def with_catalogue(portal: Path) -> Path:
    name_catalogue(portal)
    sheet = write_sheet(portal / "通用目录.xlsx", CATALOGUE_ROWS)
    run = qingdan(portal, "import", sheet.name, "--list", "power", "--catalogue")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "通用目录已写入 catalogue.yml" in run.stdout
    return portal


EXPECTED_DIFFERENCES = [
    ("0010100100", "食品经营许可", "法定时限", "编码", [("dong", "20 工作日"), ("xi", "20 工作日"), ("nan", "15 工作日")]),
    ("0020100100", "建筑工程施工许可", "事项名称", "编码",
     [("dong", "建筑工程施工许可"), ("xi", "建筑工程施工许可证核发"), ("nan", "建筑工程施工许可")]),
    ("0030100100", "对生产经营不符合食品安全标准的食品的处罚", "设定依据", "编码",
     [("dong", FOOD + "第一百二十四条"), ("xi", FOOD + "第一百二十四条"), ("nan", FOOD + "第一百二十五条")]),
    ("", "个体工商户登记", "承诺时限", "名称和设定依据", [("dong", "3 工作日"), ("xi", "1 工作日")]),
]


def _differences(report: dict) -> list[tuple]:
    return [(d["code"], d["name"], d["label"], d["matched_by"], [(v["region"], v["value"]) for v in d["values"]])
            for d in report["differences"]]


def test_assess_json_names_each_difference_by_code_label_and_regions(portal: Path) -> None:
    run = qingdan(portal, "assess", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["schema"] == "qingdan-assess-portal/1"
    assert [(r["id"], r["name"], r["items"]) for r in report["regions"]] == [("dong", "东县", 6), ("xi", "西县", 6),
                                                                             ("nan", "南县", 5)]
    assert _differences(report) == EXPECTED_DIFFERENCES
    first = report["differences"][0]
    assert first["rule"] == "ten-unified" and first["regions"] == ["dong", "xi", "nan"]
    assert first["message"] == "法定时限不一致：东县、西县 20 工作日；南县 15 工作日"
    # The item every region publishes alike (a national code, no 区划代码 in it) is no finding.
    assert all(d["code"] != "000231001000" for d in report["differences"])
    assert report["rules"] == [{"id": "ten-unified", "label": "十统一", "count": 4,
                                "meaning": report["rules"][0]["meaning"]}]


def test_the_rule_is_the_registry_s_and_the_portal_can_switch_it_off(portal: Path) -> None:
    help_text = qingdan(portal, "assess", "--help").stdout
    assert "ten-unified" in help_text and "十统一" in help_text
    with (portal / "site_config.yml").open("a", encoding="utf-8") as f:
        f.write("rules:\n  levels:\n    ten-unified: off\n")
    report = json.loads(qingdan(portal, "assess", "--format", "json").stdout)
    assert report["differences"] == []
    # …and --fail-on names it, as in a county's assess.
    (portal / "site_config.yml").write_text(
        (portal / "site_config.yml").read_text(encoding="utf-8").replace("ten-unified: off", "ten-unified: error"),
        encoding="utf-8")
    run = qingdan(portal, "assess")
    assert run.returncode == 1 and "评估未通过" in run.stderr
    assert "错误［power，编码 0010100100］食品经营许可：十统一：法定时限不一致" in run.stdout


def test_catalogue_import_writes_the_portal_s_yaml(with_catalogue: Path) -> None:
    text = (with_catalogue / "catalogue.yml").read_text(encoding="utf-8")
    assert "title: 测试省市场监管领域权力事项通用目录" in text
    assert '- code: "0090100100"\n    name: 药品零售企业许可' in text
    assert "time_limit: {statutory: 20, promised: 5, unit: 工作日}" in text


def test_each_region_is_reported_against_the_catalogue(with_catalogue: Path) -> None:
    report = json.loads(qingdan(with_catalogue, "assess", "--format", "json").stdout)
    catalogue = report["catalogue"]
    assert (catalogue["title"], catalogue["items"]) == ("测试省市场监管领域权力事项通用目录", 6)
    found = [(f["region"], f["kind_label"], f["code"], f["name"], f["label"], f["catalogue_value"], f["region_value"])
             for f in catalogue["findings"]]
    assert found == [
        ("dong", "缺少", "0090100100", "药品零售企业许可", "", "", ""),
        ("dong", "多出", "3607010070100100", "对农贸市场的行政检查", "", "", ""),
        ("xi", "名称不同", "0020100100", "建筑工程施工许可", "事项名称", "建筑工程施工许可", "建筑工程施工许可证核发"),
        ("xi", "缺少", "0090100100", "药品零售企业许可", "", "", ""),
        # 西县 publishes 个体工商户登记 under a code of its own: found by name, the code and 承诺时限 differ.
        ("xi", "要素不同", "0050100100", "个体工商户登记", "事项编码", "0050100100", "3607020060100100"),
        ("xi", "要素不同", "0050100100", "个体工商户登记", "承诺时限", "3 工作日", "1 工作日"),
        ("xi", "多出", "3607020080100100", "特殊食品生产许可", "", "", ""),
        ("nan", "要素不同", "0010100100", "食品经营许可", "法定时限", "20 工作日", "15 工作日"),
        ("nan", "要素不同", "0030100100", "对生产经营不符合食品安全标准的食品的处罚", "设定依据",
         FOOD + "第一百二十四条", FOOD + "第一百二十五条"),
        ("nan", "缺少", "0090100100", "药品零售企业许可", "", "", ""),
        ("nan", "缺少", "0050100100", "个体工商户登记", "", "", ""),
        ("nan", "多出", "3607030090100200", "计量器具强制检定", "", "", ""),
    ]
    assert all(f["rule"] == "ten-unified" for f in catalogue["findings"])


def test_assess_xlsx_puts_the_regions_side_by_side(with_catalogue: Path) -> None:
    out = with_catalogue / "评估.xlsx"
    run = qingdan(with_catalogue, "assess", "--format", "xlsx", "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert "各地区不一致 4 处，与通用目录不同 12 处" in run.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["十统一", "与通用目录对照"]
    rows = [[c if c is not None else "" for c in row] for row in book["十统一"].iter_rows(values_only=True)]
    assert rows[0] == ["编码", "事项名称", "要素", "对应方式", "东县", "西县", "南县"]
    assert rows[1] == ["0010100100", "食品经营许可", "法定时限", "编码", "20 工作日", "20 工作日", "15 工作日"]
    assert rows[4] == ["", "个体工商户登记", "承诺时限", "名称和设定依据", "3 工作日", "1 工作日", "（无此事项）"]
    against = list(book["与通用目录对照"].iter_rows(values_only=True))
    assert against[0] == ("地区", "情况", "编码", "事项名称", "要素", "通用目录", "本地区", "本地区编码")
    assert against[8][:7] == ("南县", "要素不同", "0010100100", "食品经营许可", "法定时限", "20 工作日", "15 工作日")


def test_a_bad_catalogue_row_is_located_in_chinese_and_nothing_is_written(portal: Path) -> None:
    rows = [*CATALOGUE_ROWS[:2], [3, "0030100100", None, "行政处罚", FOOD + "第一百二十四条", None, None],
            [4, "0010100100", "食品经营许可（重复）", "行政许可", FOOD + "第三十五条", 20, 5]]
    name_catalogue(portal)
    sheet = write_sheet(portal / "通用目录.xlsx", rows)
    run = qingdan(portal, "import", sheet.name, "--list", "power", "--catalogue")
    assert run.returncode == 1
    assert "「通用目录.xlsx」工作表「通用目录」第5行 C列：错误［power/0030100100］：通用目录的这一行没有事项名称" in run.stdout
    assert "「通用目录.xlsx」工作表「通用目录」第6行 B列：错误［power/0010100100］：编码“0010100100”在通用目录中重复（第一次在第3行）" \
        in run.stdout
    assert "导入未完成：2 个错误，没有写入通用目录" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert not (portal / "catalogue.yml").exists()


def test_a_catalogue_entry_without_a_name_is_located_in_the_yaml(with_catalogue: Path) -> None:
    path = with_catalogue / "catalogue.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    name: 建筑工程施工许可\n", ""), encoding="utf-8")
    line = text.splitlines().index('  - code: "0020100100"') + 1
    run = qingdan(with_catalogue, "assess", "--format", "json")
    assert run.returncode == 1
    assert f"catalogue.yml:{line}:5: 错误：通用目录的第 2 项没有事项名称" in run.stderr
    report = json.loads(run.stdout)
    assert report["catalogue"]["items"] == 5  # the others are still compared
    assert ("xi", "多出") in {(f["region"], f["kind_label"]) for f in report["catalogue"]["findings"]}


def test_the_catalogue_is_published_as_open_data(with_catalogue: Path, tmp_path: Path) -> None:
    from generator.config import load_config
    from generator.problems import Problems
    from generator.regions.catalogue import load_catalogue, write_catalogue_data

    problems = Problems()
    config = load_config(with_catalogue, problems)
    catalogue = load_catalogue(config, problems)
    written = write_catalogue_data(tmp_path / "site", catalogue)
    assert sorted(p.name for p in written) == ["catalogue.csv", "catalogue.json", "catalogue.xlsx"]
    data = json.loads((tmp_path / "site" / "downloads" / "catalogue.json").read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False)
    for _, code, name, *_ in CATALOGUE_ROWS:
        assert code in text and name in text
    csv_text = (tmp_path / "site" / "downloads" / "catalogue.csv").read_bytes().decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("事项编码,事项名称,职权类型")
    assert "0090100100,药品零售企业许可,行政许可" in csv_text
    sheet = load_workbook(tmp_path / "site" / "downloads" / "catalogue.xlsx").active
    assert [c.value for c in sheet[1]][:3] == ["事项编码", "事项名称", "职权类型"]


def test_the_page_reads_side_by_side_and_scrolls_in_its_box_at_390px(with_catalogue: Path, visit) -> None:
    from browser_support import serve_directory

    out = with_catalogue / "report"
    out.mkdir()
    run = qingdan(with_catalogue, "assess", "--format", "html", "--output", str(out / "index.html"))
    assert run.returncode == 0, run.stderr
    with serve_directory(out) as base:
        page = visit(base, viewport={"width": 390, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        boxes = page.locator(".qd-uniform-box")
        assert boxes.count() == 4 + 1 + 3  # four items, the catalogue summary, one table per region
        widths = page.evaluate("[...document.querySelectorAll('.qd-uniform-box')]"
                               ".map(b => [b.scrollWidth, b.clientWidth, b.getAttribute('role'), b.tabIndex])")
        assert any(scroll > client for scroll, client, _, _ in widths)  # a wide table scrolls inside its box
        assert all(role == "region" and tab == 0 for _, _, role, tab in widths)
        table = page.locator("table").first
        assert table.locator("caption").inner_text() == "食品经营许可（编码 0010100100）"
        assert table.locator("thead th").all_inner_texts() == ["要素", "东县", "西县", "南县"]
        assert table.locator("tbody tr").first.inner_text().split("\t") == ["法定时限", "20 工作日", "20 工作日", "15 工作日"]
        assert page.locator("th[scope=row]").count() > 0


def test_the_join_finds_the_same_differences_in_the_regions_published_sites(with_catalogue: Path, tmp_path: Path
                                                                           ) -> None:
    """The join reads each region's published all.json.zip (built with --only-region), never the
    region projects: its page shows what assess reports, and the catalogue is written as open data."""
    from generator.config import load_config
    from generator.problems import Problems
    from generator.regions.catalogue import write_catalogue_data
    from generator.regions.uniformity import join_uniformity

    out = tmp_path / "site"
    for region in ("dong", "xi", "nan"):
        run = qingdan(with_catalogue, "build", "--only-region", region, "--out", str(out))
        assert run.returncode == 0, run.stderr
    problems = Problems()
    config = load_config(with_catalogue, problems)
    shutil.rmtree(with_catalogue.parent / "dong" / "lists")  # the join must not need the projects
    made = join_uniformity(out, config, problems)
    assert problems.items == []
    body = made.body
    write_catalogue_data(out, made.catalogue)
    assert body.count('class="qd-table-wrap qd-uniform-box"') == 4 + 1 + 3
    assert ('<tr><th scope="row">法定时限</th><td>20 工作日</td><td>20 工作日</td><td>15 工作日</td></tr>'
            in body)
    assert "<caption>个体工商户登记（按名称和设定依据对应）</caption>" in body
    assert '<tr><th scope="row">名称不同</th><td>0020100100</td><td>建筑工程施工许可</td><td>事项名称</td>' in body
    assert sorted(p.name for p in (out / "downloads").iterdir()) == ["catalogue.csv", "catalogue.json",
                                                                      "catalogue.xlsx"]
    # The join publishes the page beside the portal's others, and the catalogue with its stats.json.
    run = qingdan(with_catalogue, "build", "--join-only", "--out", str(out))
    assert run.returncode == 0, run.stderr
    page = (out / "uniformity" / "index.html").read_text(encoding="utf-8")
    assert "<caption>食品经营许可（编码 0010100100）</caption>" in page and "十统一" in page
    assert {"catalogue.json", "catalogue.csv", "catalogue.xlsx", "stats.json", "uniformity.xlsx"} <= {
        p.name for p in (out / "downloads").iterdir()}
    rows = list(load_workbook(out / "downloads" / "uniformity.xlsx")["十统一"].iter_rows(values_only=True))
    assert rows[1] == ("0010100100", "食品经营许可", "法定时限", "编码", "20 工作日", "20 工作日", "15 工作日")


def test_a_long_page_lists_the_first_items_and_links_the_workbook_with_all() -> None:
    from generator.regions.tenfold import BY_CODE, Difference, Value
    from generator.regions.uniformity import uniformity_page

    many = [Difference("power", f"{n:010d}", f"事项{n}", "name", "事项名称", BY_CODE,
                       (Value("dong", "东县", "a", f"事项{n}"), Value("xi", "西县", "b", f"事项{n}甲")))
            for n in range(5)]
    body = uniformity_page(many, limit=2, download="../downloads/uniformity.xlsx")
    assert body.count("<caption>") == 2
    assert '下面列出前 2 项，全部见<a href="../downloads/uniformity.xlsx">十统一对照表（Excel）</a>。' in body
    assert "以下 5 项不一致" in body


def test_the_join_names_a_region_whose_site_is_missing(with_catalogue: Path, tmp_path: Path) -> None:
    from generator.config import load_config
    from generator.problems import Problems
    from generator.regions.uniformity import join_uniformity

    problems = Problems()
    config = load_config(with_catalogue, problems)
    join_uniformity(tmp_path / "site", config, problems)
    assert [p.message for p in problems.items][0] == (
        "读不了地区“东县”（dong）的 dong/downloads/all.json.zip：先运行 qingdan build --only-region dong，"
        "或把该地区生成的网站放到 dong/ 下")
