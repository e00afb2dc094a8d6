"""The 繁體 view writes legal text with the right characters (issue 22, item 4).

OpenCC converts phrase by phrase and gets words of government text wrong (换发 → 換髮, 网签 → 網籤,
抵押注销 → 抵押注銷). generator/defaults/traditional_phrases.yml corrects them; these tests hold
the method, not only the cases found so far:
- a golden corpus of real item names and sentences (tests/data/traditional_tw_golden.tsv) with
  their reviewed Taiwan form;
- every place a risky character (one Simplified character for several Traditional ones) occurs in
  the demo lists and ../shared/realdata is decided (tests/data/traditional_tw_risky.tsv): a new
  list text with an undecided case fails here until someone decides it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.traditional import converter, phrases

PROJECT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
REALDATA = PROJECT.parent / "shared" / "realdata" / "rows.json"
# Simplified characters that stand for two or more Traditional ones (发 發/髮, 制 制/製, 注 注/註 …).
RISKY = "发干后制注签布台里系面准松余征钟冲历范采只卷斗谷丑云才复获汇尽苏划借几据虫须咸凶"
HAN = re.compile(r"[\u4e00-\u9fff]")


def table(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            simplified, traditional = line.split("\t")[:2]
            rows.append((simplified, traditional))
    return rows


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def list_texts() -> list[str]:
    """Every text of the demo's lists, and of the real published tables when they are beside the project."""
    texts = [t for path in sorted((PROJECT / "lists").rglob("*.yml"))
             for t in strings(yaml.safe_load(path.read_text(encoding="utf-8")))]
    if REALDATA.is_file():
        texts += [t for entry in json.loads(REALDATA.read_text(encoding="utf-8")) for t in strings(entry["rows"])]
    return list(dict.fromkeys(texts))


def test_the_cases_of_the_issue():
    convert = converter("tw")
    assert convert("不动产权证书补发、换发") == "不動產權證書補發、換發"
    assert convert("足额发放") == "足額發放"
    assert convert("商品房买卖合同网签备案") == "商品房買賣合同網簽備案"
    assert convert("不动产抵押注销登记") == "不動產抵押註銷登記"
    assert convert("公布并发布") == "公布並發布"
    assert convert("当场制证") == "當場製證"
    assert convert("编制年度报告") == "編製年度報告"
    assert convert("头发") == "頭髮"  # OpenCC's own phrases still apply around ours


def test_the_golden_corpus_converts_as_reviewed():
    golden = table("traditional_tw_golden.tsv")
    assert len(golden) >= 300
    convert = converter("tw")
    wrong = [(s, expected, convert(s)) for s, expected in golden if convert(s) != expected]
    assert wrong == [], "\n".join(f"{s}：应为 {e}，实为 {got}" for s, e, got in wrong)


def test_every_risky_character_in_the_lists_is_decided():
    """Each risky character of the lists lies inside a decided phrase, and is converted as decided."""
    decided = dict(table("traditional_tw_risky.tsv"))
    longest = max(map(len, decided))
    convert = converter("tw")
    undecided: set[str] = set()
    wrong: set[str] = set()
    for text in list_texts():
        out = convert(text)
        assert len(out) == len(text)
        for i, ch in enumerate(text):
            if ch not in RISKY:
                continue
            covering = [(a, text[a:b]) for b in range(i + 1, min(len(text), i + longest) + 1)
                        for a in range(max(0, b - longest), i + 1) if text[a:b] in decided]
            alone = not any(HAN.match(c) for c in text[max(0, i - 1):i] + text[i + 1:i + 2])
            covering = [(a, w) for a, w in covering if len(w) > 1 or alone]
            if not covering:
                undecided.add(text[max(0, i - 3):i + 4])
            for a, w in covering:
                if out[a:a + len(w)] != decided[w]:
                    wrong.add(f"{text[max(0, a - 3):a + len(w) + 3]}：{w} 应为 {decided[w]}，实为 {out[a:a + len(w)]}")
    assert not undecided, ("这些含易错字的文字尚未判定繁体写法（在 tests/data/traditional_tw_risky.tsv 中补上，"
                           "必要时在 generator/defaults/traditional_phrases.yml 中加词）：" + "、".join(sorted(undecided)))
    assert not wrong, "\n".join(sorted(wrong))


def test_dictionary_phrases_replace_like_for_like():
    """A phrase and its Traditional form have the same length (positions in a page stay put) and differ
    from it only by conversion (a phrase never rewrites the words of the text)."""
    import opencc

    back = opencc.OpenCC("t2s").convert
    for simplified, traditional in phrases().items():
        assert len(simplified) == len(traditional), simplified
        assert back(traditional) == simplified, (simplified, traditional)


@pytest.mark.parametrize("variant", ["tw", "hk", "plain"])
def test_every_variant_uses_the_dictionary(variant):
    assert converter(variant)("网签和换发") == "網簽和換發"
