"""The offline evaluation set of the Claude pass holds what the issue asks of it, and every label
names a construct that exists in its case's repository."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import tomllib

from reviewer.config import Config
from reviewer.engine import analyze
from reviewer.extract import parse_module
from reviewer.extract.model import Module
from reviewer.llm.schema import Answer, parse
from reviewer.llm.usage import JUDGEMENT_RULES
from reviewer.source import DirectorySources

CASES = sorted(p for p in (Path(__file__).parent / "eval" / "cases").iterdir() if p.is_dir())


def _spec(case: Path) -> dict[str, object]:
    return tomllib.loads((case / "case.toml").read_text())


def test_the_set_is_large_enough_and_half_real() -> None:
    labels = [
        (expect["rule"], _spec(case)["origin"])
        for case in CASES
        for expect in _spec(case).get("expect", [])
    ]  # type: ignore[union-attr]
    per_rule = Counter(rule for rule, _ in labels)
    assert len(CASES) >= 25
    assert len(labels) >= 30
    assert all(per_rule[rule] >= 4 for rule in JUDGEMENT_RULES), per_rule
    assert sum(origin == "real" for _, origin in labels) * 2 >= len(labels)
    assert sum(not _spec(case).get("expect") for case in CASES) >= 5  # clean changes


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case_is_consistent(case: Path) -> None:
    spec = _spec(case)
    assert spec["origin"] in ("real", "written") and spec["source"] and spec["summary"]
    if spec["origin"] == "real":
        assert "https://github.com/" in str(spec["source"])
    change = analyze((case / "change.patch").read_text(), DirectorySources(case / "repo"), Config())
    assert sorted(f.path for f in change.diff.files) == sorted(spec["changed"])  # type: ignore[arg-type]
    assert not any(module.partial for module in change.modules)  # the patch matches repo/
    for expect in spec.get("expect", []):  # type: ignore[union-attr]
        assert expect["rule"] in JUDGEMENT_RULES and expect["why"]
        for at in expect["at"] if isinstance(expect["at"], list) else [expect["at"]]:
            path, _, qualname = at.partition("::")
            module = parse_module(path, (case / "repo" / path).read_text())
            assert isinstance(module, Module) and module.function(qualname) is not None, at


ANSWERS = sorted((Path(__file__).parent / "eval" / "answers").glob("round-*"))


@pytest.mark.parametrize("round_dir", ANSWERS, ids=lambda path: path.name)
def test_recorded_answers_are_said_to_be_stand_in_answers_and_match_the_schema(
    round_dir: Path,
) -> None:
    readme = (round_dir / "README.md").read_text()
    assert "not API captures" in readme and "stand-in" in readme
    names = {case.name for case in CASES}
    assert (round_dir / "ours").is_dir()  # the baseline may keep an earlier round's answers
    for side in ("ours", "baseline"):
        recorded = sorted((round_dir / side).glob("*.json"))
        assert {path.stem for path in recorded} <= names
        for path in recorded:
            for answer in json.loads(path.read_text())["answers"]:
                assert len(answer["request_sha256"]) == 64
                assert isinstance(parse(answer["input"]), Answer), path
