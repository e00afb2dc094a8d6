"""The static JSON API (/api/v1/): every file valid against the schema published beside it, the
versions it gives match the record (a 取消 ends a version, an approved change waits for its
生效日期), no commit hash anywhere, and a one-item edit rewrites only that item's files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from demo_project import CANCELLED_FEE, _git, demo_with_history
from jsonschema import Draft202012Validator

from generator.site.build import build_site

API = "api/v1/"
NEW_FEE = "SF-zjj-009"  # 建筑垃圾处置费: approved 2024-11-20, in force from 2025-01-01
AS_OF = "2024-12-01"  # the day the site is built for: the new fee is approved, not yet in force


def add_pending_fee(root: Path) -> None:
    """An adjustment entered on 2024-11-20 adding one fee from 2025-01-01."""
    fee = root / "lists/fee/zjj.yml"
    text = fee.read_text(encoding="utf-8")
    start = text.index("  - code: SF-zjj-004")
    block = text[start:].replace("SF-zjj-004", NEW_FEE).replace("name: 污水处理费", "name: 建筑垃圾处置费")
    fee.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")
    _git(root, "commit", "-q", "-am", "关于新增建筑垃圾处置费的通知\n\n调整依据: 示府办字〔2024〕21号\n"
         "发布日期: 2024-11-20\n生效日期: 2025-01-01", date="2024-11-20T10:00:00+08:00")


def api_demo(root: Path) -> Path:
    """The demo county's record (first published 2023-01-10; on 2024-04-01 a fee cancelled and the
    food licence's time cut) and a fee added from 2025-01-01."""
    demo_with_history(root)
    add_pending_fee(root)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = api_demo(tmp_path_factory.mktemp("api") / "county")
    out = root.parent / "site"
    result = build_site(root, out, as_of=AS_OF)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    return root, out


def load(site: Path, rel: str) -> dict:
    return json.loads((site / API / rel).read_text(encoding="utf-8"))


def api_files(site: Path) -> list[Path]:
    return sorted(p for p in (site / API).rglob("*.json") if "schema" not in p.relative_to(site / API).parts)


def schema_for(site: Path, path: Path) -> dict:
    rel = path.relative_to(site / API).parts
    name = "index" if rel == ("index.json",) else "list" if rel[0] == "lists" else "item"
    return load(site, f"schema/{name}.schema.json")


def test_every_api_file_is_valid_against_its_published_schema(built):
    _, site = built
    files = api_files(site)
    assert len(files) > 400  # index, 7 lists, an item file each
    validators = {}
    for path in files:
        schema = schema_for(site, path)
        validator = validators.setdefault(schema["$id"], Draft202012Validator(schema))
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, (path, errors[0].message, list(errors[0].absolute_path))


def test_schemas_are_self_contained_draft_2020_12(built):
    _, site = built
    for name in ("index", "list", "item"):
        text = (site / API / f"schema/{name}.schema.json").read_text(encoding="utf-8")
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        refs = re.findall(r'"\$ref":\s*"([^"]*)"', text)
        assert all(ref.startswith("#/") for ref in refs), refs


def test_index_names_the_site_lists_editions_and_every_adjustment_with_its_dates(built):
    _, site = built
    index = load(site, "index.json")
    # the state the files describe: since the 2024-04-01 changes took effect, until the new fee's day
    assert (index["as_of"], index["next_change"], index["first_published"]) == ("2024-04-01", "2025-01-01", "2023-01-10")
    fee = next(entry for entry in index["lists"] if entry["id"] == "fee")
    assert fee["name"] == "行政事业性收费清单"
    labels = {f["id"]: f["label"] for f in fee["fields"]}
    assert (labels["code"], labels["name"]) == ("项目编码", "收费项目")
    editions = {e["name"]: e for e in index["editions"]}
    assert editions["2023"] == {"name": "2023", "date": "2023-01-10", "page": "editions/2023/"}
    assert all((site / e["page"] / "index.html").is_file() for e in editions.values())
    adjustments = {a["basis"]: a for a in index["adjustments"]}
    cut = adjustments["示府办字〔2024〕3号"]
    assert (cut["published"], cut["effective"], cut["pending"]) == ("2024-03-01", "2024-04-01", False)
    assert {"list": "fee", "kind": "removed", "codes": ["SF-zjj-005"]} in cut["changes"]
    assert {"list": "power", "kind": "changed", "codes": ["000131127004"]} in cut["changes"]
    new = adjustments["示府办字〔2024〕21号"]
    assert (new["effective"], new["pending"], new["changes"]) == (
        "2025-01-01", True, [{"list": "fee", "kind": "added", "codes": [NEW_FEE]}])
    assert re.fullmatch(r"adj-2024-11-20-\d+", new["id"])


def test_a_cancelled_items_versions_end_on_its_cancellation_date(built):
    _, site = built
    code = CANCELLED_FEE.split("/")[1]
    listed = next(i for i in load(site, "lists/fee.json")["items"] if i["code"] == code)
    assert [(v["valid_from"], v["valid_to"]) for v in listed["versions"]] == [("2023-01-10", "2024-04-01")]
    item = load(site, f"items/fee/{code}.json")
    assert item["current"] is None  # nothing in force on the as-of day
    assert item["versions"][-1]["valid_to"] == "2024-04-01"
    assert item["versions"][-1]["values"]["name"] == listed["versions"][-1]["name"]


def test_a_change_keeps_each_version_with_its_values_and_its_adjustment(built):
    _, site = built
    item = load(site, "items/power/000131127004.json")
    promised = [(v["valid_from"], v["valid_to"], v["values"]["time_limit"]["promised"]) for v in item["versions"]]
    assert promised == [("2023-01-10", "2024-04-01", 5), ("2024-04-01", None, 3)]
    assert item["versions"][1]["adjustment"]["basis"] == "示府办字〔2024〕3号"
    # Readings that follow from the value and its field's type are not written (as-of.js makes
    # them: tests/test_as_of_browser.py); a text is its own reading.
    assert "time_limit" not in item["versions"][1]["text"] and "conditions" not in item["versions"][1]["text"]
    assert item["versions"][item["current"]]["values"]["time_limit"]["promised"] == 3


def test_a_pending_version_is_included_with_its_future_valid_from(built):
    _, site = built
    item = load(site, f"items/fee/{NEW_FEE}.json")
    (version,) = item["versions"]
    assert (version["valid_from"], version["valid_to"], version["pending"]) == ("2025-01-01", None, True)
    assert version["values"]["name"] == "建筑垃圾处置费"
    assert item["current"] is None  # approved, not yet in force on the as-of day
    fee = next(entry for entry in load(site, "index.json")["lists"] if entry["id"] == "fee")
    in_force = sum(1 for i in load(site, "lists/fee.json")["items"]
                   if any(v["valid_from"] <= AS_OF and (v["valid_to"] is None or v["valid_to"] > AS_OF)
                          for v in i["versions"]))
    assert fee["count"] == in_force


def test_no_commit_hash_in_any_api_file(built):
    root, site = built
    import subprocess

    commits = subprocess.run(["git", "rev-list", "--all"], cwd=root, capture_output=True, text=True,
                             check=True).stdout.split()
    for path in (site / API).rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert not any(c in text or c[:7] in text for c in commits), path
        assert not re.search(r"\b[0-9a-f]{40}\b", text), path


def test_one_item_edit_rewrites_only_its_item_file_its_list_file_and_the_index(tmp_path):
    root = api_demo(tmp_path / "county")
    out = tmp_path / "site"
    assert build_site(root, out, as_of=AS_OF).ok
    before = {p: p.stat().st_ino for p in (out / API).rglob("*.json")}
    power = root / "lists/power/fgw.yml"
    power.write_text(power.read_text(encoding="utf-8").replace("name: 企业投资项目核准\n",
                                                                "name: 企业投资项目核准（含变更）\n", 1), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "关于调整企业投资项目核准名称的通知\n\n调整依据: 示府办字〔2024〕30号\n"
         "发布日期: 2024-11-25", date="2024-11-25T10:00:00+08:00")
    assert build_site(root, out, as_of=AS_OF).ok
    rewritten = sorted(p.relative_to(out / API).as_posix() for p in before
                       if not p.exists() or p.stat().st_ino != before[p])
    assert rewritten == ["index.json", "items/power/3607990010100100.json", "lists/power.json"]
    item = load(out, "items/power/3607990010100100.json")
    assert item["versions"][-1]["values"]["name"] == "企业投资项目核准（含变更）"


def test_the_as_of_page_is_in_the_site_nav(built):
    _, site = built
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<a href="as-of/" class="md-nav__link">' in home
    assert (site / "as-of/index.html").is_file() and (site / "zh-Hant/as-of/index.html").is_file()


def test_a_recoded_item_is_one_item_whose_versions_carry_the_old_code(tmp_path):
    root = demo_with_history(tmp_path / "county")
    old, new = "3607990010100100", "3607990010100199"
    for path in (root / "lists").rglob("*.yml"):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "关于调整事项编码的通知\n\n调整依据: 示府办字〔2024〕40号\n发布日期: 2024-10-01",
         date="2024-10-01T10:00:00+08:00")
    assert build_site(root, tmp_path / "site", as_of=AS_OF, search=False).ok
    site = tmp_path / "site"
    items = {i["code"]: i for i in load(site, "lists/power.json")["items"]}
    assert old not in items and not (site / API / f"items/power/{old}.json").exists()
    assert [(v["code"], v["valid_from"], v["valid_to"]) for v in items[new]["versions"]] == [
        (old, "2023-01-10", "2024-10-01"), (new, "2024-10-01", None)]
    (adjustment,) = [a for a in load(site, "index.json")["adjustments"] if a["basis"] == "示府办字〔2024〕40号"]
    assert {"list": "power", "kind": "recoded", "codes": [new]} in adjustment["changes"]


def test_a_record_entered_in_one_day_gives_each_adjustments_three_dates_and_its_pending_version(tmp_path):
    """tests/test_versions.py make_record: every commit entered on 2024-03-01; the 时限 cut from
    2020-06-01, the penalty cancelled from 2022-05-10, a further cut decided 2026-11-20 for 2027-01-01."""
    from test_history import FOOD, PENALTY
    from test_versions import make_record

    project = make_record(tmp_path)
    site = tmp_path / "site"
    result = build_site(project, site, as_of="2026-12-07", search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    for path in api_files(site):
        Draft202012Validator(schema_for(site, path)).validate(json.loads(path.read_text(encoding="utf-8")))
    adjustments = {a["basis"]: a for a in load(site, "index.json")["adjustments"]}
    later = adjustments["测政发〔2026〕9号"]
    assert (later["decided"], later["effective"], later["in_force_from"], later["pending"]) == (
        "2026-11-20", "2027-01-01", "2027-01-01", True)
    assert adjustments["测政发〔2022〕2号"]["in_force_from"] == "2022-05-10"
    food = load(site, f"items/power/{FOOD}.json")
    assert [(v["valid_from"], v["valid_to"], v["pending"]) for v in food["versions"]][1:] == [
        ("2020-06-01", "2027-01-01", False), ("2027-01-01", None, True)]
    assert food["versions"][food["current"]]["values"]["time_limit"]["promised"] == 3
    penalty = load(site, f"items/power/{PENALTY}.json")
    assert penalty["current"] is None and penalty["versions"][-1]["valid_to"] == "2022-05-10"


def test_an_item_past_its_valid_until_day_ends_there(tmp_path):
    """有效期至 2024-06-30: listed through that day, not after it (as the site lists it on its as-of day)."""
    root = demo_with_history(tmp_path / "county")
    fee = root / "lists/fee/zjj.yml"
    text = fee.read_text(encoding="utf-8")
    fee.write_text(text.replace("    name: 城市道路占用费\n", "    name: 城市道路占用费\n    valid_until: 2024-06-30\n", 1),
                   encoding="utf-8")
    _git(root, "commit", "-q", "-am", "关于城市道路占用费有效期的通知\n\n调整依据: 示府办字〔2024〕12号\n发布日期: 2024-05-01",
         date="2024-05-01T10:00:00+08:00")
    site = tmp_path / "site"
    assert build_site(root, site, as_of=AS_OF, search=False).ok
    item = load(site, "items/fee/SF-zjj-001.json")
    assert [(v["valid_from"], v["valid_to"]) for v in item["versions"]] == [
        ("2023-01-10", "2024-05-01"), ("2024-05-01", "2024-07-01")]
    assert item["current"] is None
    listed = next(i for i in load(site, "lists/fee.json")["items"] if i["code"] == "SF-zjj-001")
    assert listed["versions"][-1]["valid_to"] == "2024-07-01"


def test_item_files_kept_from_the_previous_build_are_the_ones_a_cold_build_writes(tmp_path):
    """A build keeps an item file whose inputs did not change (it does not make it again): after a
    department's rename, another site address, an adjustment's record rewritten in git (the working
    tree unchanged) and a later as-of day, every API file is the one a cold build writes, and the
    item files those edits concern were written again."""
    from test_pipeline import differences

    root = api_demo(tmp_path / "county")
    out = tmp_path / "site"
    options: dict = {"as_of": AS_OF, "search": False}
    assert build_site(root, out, **options).ok
    message = ("关于新增建筑垃圾处置费的通知\n\n调整依据: 示府办字〔2024〕{basis}号\n"
               "发布日期: 2024-11-20\n生效日期: {effective}")

    def rebuilt(name: str) -> list[str]:
        """Build from the previous build and from nothing; the API files the first rewrote."""
        before = {p: p.stat().st_ino for p in (out / API).rglob("*.json")}
        assert build_site(root, out, **options).ok, name
        assert build_site(root, tmp_path / f"cold-{name}", **options).ok, name
        assert differences(out / API, tmp_path / f"cold-{name}" / API) == [], name
        return sorted(p.relative_to(out / API).as_posix() for p in before
                      if not p.exists() or p.stat().st_ino != before[p])

    config = root / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("name: 示例县住房和城乡建设局,", "name: 示例县住房和城乡建设管理局,", 1), encoding="utf-8")
    assert "index.json" in rebuilt("department")
    assert any(d["name"] == "示例县住房和城乡建设管理局" for d in load(out, "index.json")["departments"])

    options["site_url"] = "https://qingdan.example.org/county/"
    assert "index.json" in rebuilt("site-url")
    assert load(out, "index.json")["site"]["base_url"] == "https://qingdan.example.org/county/"

    _git(root, "commit", "-q", "--amend", "-m", message.format(basis=22, effective="2025-01-01"),
         date="2024-11-20T10:00:00+08:00")
    assert f"items/fee/{NEW_FEE}.json" in rebuilt("basis")
    assert load(out, f"items/fee/{NEW_FEE}.json")["versions"][-1]["adjustment"]["basis"] == "示府办字〔2024〕22号"

    options["as_of"] = "2025-01-02"
    assert f"items/fee/{NEW_FEE}.json" in rebuilt("as-of")
    assert load(out, f"items/fee/{NEW_FEE}.json")["versions"][-1]["pending"] is False

    _git(root, "commit", "-q", "--amend", "-m", message.format(basis=22, effective="2024-12-15"),
         date="2024-11-20T10:00:00+08:00")
    assert f"items/fee/{NEW_FEE}.json" in rebuilt("effective")
    assert load(out, f"items/fee/{NEW_FEE}.json")["versions"][-1]["valid_from"] == "2024-12-15"


def test_an_enum_value_in_another_spelling_is_read_in_its_standard_wording(tmp_path):
    """An item file gives a value's reading only where the site's settings make it (an enum value's
    standard wording): each item its own, however many items share a spelling."""
    from mini_project import make_project

    power = (Path(__file__).parent / "fixtures/mini/lists/power/scjgj.yml").read_text(encoding="utf-8")
    power = power.replace("type: 行政许可", "type: XK\n    level: [县级, 市]", 1).replace(
        "type: 行政处罚", "type: 行政处罚-其他\n    level: [县, 市]", 1)
    zjj = (Path(__file__).parent / "fixtures/mini/lists/power/zjj.yml").read_text(encoding="utf-8")
    zjj = re.sub(r"type: \S+", "type: XK\n    level: [县级, 市]", zjj, count=1)
    root = make_project(tmp_path / "county", {"lists/power/scjgj.yml": power, "lists/power/zjj.yml": zjj})
    result = build_site(root, tmp_path / "site", search=False)
    assert result.ok, [p.format_text() for p in result.problems.errors]
    texts = {}
    for path in sorted((tmp_path / "site" / API / "items/power").glob("*.json")):
        versions = json.loads(path.read_text(encoding="utf-8"))["versions"]
        texts[path.stem] = (versions[-1]["values"]["type"], versions[-1]["text"])
    assert texts["000131127004"] == ("XK", {"type": "行政许可（原文：XK）", "level": "县（原文：县级）、市"})
    assert texts["000231001000"] == ("行政处罚-其他", {"type": "行政处罚（原文：行政处罚-其他）"})
    shared = [text for value, text in texts.values() if value == "XK"]
    assert len(shared) == 2 and shared[0] == shared[1]
    assert all("type" not in text for value, text in texts.values() if value not in ("XK", "行政处罚-其他"))
