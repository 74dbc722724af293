"""The recall corpus of ``bench/recall_cases/``: shapes of real code, labelled line by line.

Each ``# ruleid:`` line must be reported, each ``# todo:`` line (a known miss) must not be yet
(when it is, relabel it), and nothing else of the rules a case names. ``bench/recall.py`` prints
the same labels as recall and precision figures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "recall.py"
_spec = importlib.util.spec_from_file_location("recall_bench", BENCH)
assert _spec is not None and _spec.loader is not None
recall = importlib.util.module_from_spec(_spec)
sys.modules["recall_bench"] = recall
_spec.loader.exec_module(recall)

CASES = sorted(recall.CASES.glob("*.py.txt"))


def test_corpus_exists() -> None:
    assert len(CASES) >= 2


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name.removesuffix(".py.txt"))
def test_case(case: Path) -> None:
    score = recall.Score()
    recall.score_file(score, case, None)
    todo = [miss for miss in score.misses if miss.endswith("(todo)")]
    assert [miss for miss in score.misses if not miss.endswith("(todo)")] == []
    assert score.noise == []
    labelled = sum(text.count("# todo:") for text in [case.read_text()])
    assert len(todo) == labelled, "a todo line is reported now: label it ruleid"
