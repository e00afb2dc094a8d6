"""The catch-all (兜底) detector measured on real published text: recall and precision over a corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from mini_project import MINI

from generator.config import DEFAULT_CATCH_ALL_PATTERNS, SiteConfig, load_config
from generator.problems import Problems
from generator.rules import catch_all_clauses

CORPUS = Path(__file__).parent / "fixtures" / "catchall" / "corpus.yml"
REQUIRED = 0.95


def corpus() -> list[dict]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return data["catch_alls"] + data["concrete"]


def scores(patterns: list[str], entries: list[dict]) -> tuple[float, float, list[str]]:
    """(recall, precision, the texts judged wrongly) of the detector over some corpus entries."""
    tp = fp = fn = 0
    wrong = []
    for entry in entries:
        caught = bool(catch_all_clauses(entry["text"], patterns))
        tp += caught and entry["expected"]
        fp += caught and not entry["expected"]
        fn += entry["expected"] and not caught
        if caught != entry["expected"]:
            wrong.append(entry["text"])
    return tp / (tp + fn), tp / (tp + fp) if tp + fp else 0.0, wrong


def site_config(tmp_path: Path, rules: str = "") -> SiteConfig:
    project = tmp_path / "site"
    shutil.copytree(MINI, project)
    if rules:
        path = project / "site_config.yml"
        path.write_text(path.read_text(encoding="utf-8") + "\nrules:\n" + rules, encoding="utf-8")
    problems = Problems()
    config = load_config(project, problems)
    assert config is not None and problems.errors == []
    return config


def test_corpus_is_large_enough_and_distinct() -> None:
    entries = corpus()
    texts = [e["text"] for e in entries]
    assert len(set(texts)) == len(texts)
    assert sum(e["expected"] for e in entries) >= 40
    assert sum(not e["expected"] for e in entries) >= 40
    assert all(e["source"] and e["split"] in ("tune", "holdout", "fresh") for e in entries)


@pytest.mark.parametrize("split", ["tune", "holdout", "fresh", "all"])
def test_default_patterns_reach_95_percent_recall_and_precision(tmp_path: Path, split: str) -> None:
    config = site_config(tmp_path)
    assert config.catch_all_patterns == DEFAULT_CATCH_ALL_PATTERNS
    entries = [e for e in corpus() if split in ("all", e["split"])]
    recall, precision, wrong = scores(config.catch_all_patterns, entries)
    report = f"{split}: {len(entries)} texts, recall {recall:.1%}, precision {precision:.1%}; wrong: {wrong}"
    print(report)
    assert recall >= REQUIRED and precision >= REQUIRED, report


def test_a_site_extends_the_patterns(tmp_path: Path) -> None:
    local = "上级主管部门临时布置的任务"
    assert not catch_all_clauses(local, DEFAULT_CATCH_ALL_PATTERNS)
    config = site_config(tmp_path, "  extra_catch_all_patterns:\n    - 临时布置的任务\n")
    assert config.catch_all_patterns == [*DEFAULT_CATCH_ALL_PATTERNS, "临时布置的任务"]
    assert catch_all_clauses(local, config.catch_all_patterns) == [local]
    recall, precision, _ = scores(config.catch_all_patterns, corpus())
    assert recall >= REQUIRED and precision >= REQUIRED


def test_a_site_replaces_the_patterns(tmp_path: Path) -> None:
    config = site_config(tmp_path, "  catch_all_patterns:\n    - 临时布置的任务\n")
    assert config.catch_all_patterns == ["临时布置的任务"]
    assert not catch_all_clauses("5、其他法律法规政策规定应履行的责任。", config.catch_all_patterns)
