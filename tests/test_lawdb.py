"""The repealed and renamed instruments shipped with the package, and how a finding words them."""

from __future__ import annotations

import datetime as dt
import re

import yaml

from generator.lawdb import DATA_FILE, ENTRY_KEYS, KINDS, RepealedIndex, entry_from


def package_entries() -> list[dict]:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["laws"]


def test_every_entry_is_dated_sourced_and_confirmed() -> None:
    entries = package_entries()
    for raw in entries:
        assert set(raw) <= set(ENTRY_KEYS), raw
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["date"]) and raw["date"] >= "2000-01-01", raw
        assert raw.get("kind", "废止") in KINDS and raw["by"].startswith("《"), raw
        assert raw.get("level") in ("法律", "法律性决定", "行政法规"), raw
    unconfirmed = [raw["title"] for raw in entries if raw.get("verify")]
    assert unconfirmed == [], f"unconfirmed entries: {unconfirmed}"
    titles = [raw["title"] for raw in entries]
    assert len(set(titles)) == len(titles)


def test_the_day_of_the_check_decides_between_will_be_and_has_been() -> None:
    law = entry_from({"title": "中华人民共和国增值税暂行条例", "date": "2026-01-01", "kind": "废止",
                      "by": "《中华人民共和国增值税法》", "replaced_by": "《中华人民共和国增值税法》"}, "test")
    assert law.in_force_on(dt.date(2025, 12, 31)) and not law.in_force_on(dt.date(2026, 1, 1))
    assert law.explanation(dt.date(2025, 12, 31)) == (
        "《中华人民共和国增值税暂行条例》将于 2026-01-01 废止（《中华人民共和国增值税法》），届时施行的是《中华人民共和国增值税法》")
    assert law.explanation(dt.date(2026, 1, 1)) == (
        "《中华人民共和国增值税暂行条例》已于 2026-01-01 废止（《中华人民共和国增值税法》），现行的是《中华人民共和国增值税法》")
    renamed = entry_from({"title": "甲条例", "date": "2031-07-01", "kind": "更名", "by": "《乙条例》",
                          "replaced_by": "《乙条例》"}, "test")
    assert renamed.explanation(dt.date(2030, 1, 1)) == "《甲条例》将于 2031-07-01 更名为《乙条例》"
    lapsed = entry_from({"title": "中华人民共和国筵席税暂行条例", "date": "2008-01-15", "kind": "失效",
                         "by": "《国务院关于废止部分行政法规的决定》（2008年1月15日）"}, "test")
    assert lapsed.explanation(dt.date(2026, 12, 7)) == (
        "《中华人民共和国筵席税暂行条例》已于 2008-01-15 宣布失效（《国务院关于废止部分行政法规的决定》（2008年1月15日））")


def test_lookup_reads_the_short_name_of_the_npcsc() -> None:
    index = RepealedIndex([])
    entry = index.lookup("《全国人大常委会关于惩治偷税、抗税犯罪的补充规定》第一条")
    assert entry is not None and entry.date == "2009-06-27"
    assert index.lookup("《卖淫嫖娼人员收容教育办法》") is not None
    assert index.lookup("《中华人民共和国增值税法》") is None  # the law that replaced one is not flagged
