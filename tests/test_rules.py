"""Every rule's own examples, its metadata and its documentation."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from reviewer.engine import review_source
from reviewer.extract.model import Module
from reviewer.record import replace
from reviewer.rules import testing
from reviewer.rules.base import Finding, Invalid, Rule, Severity, Valid
from reviewer.rules.registry import FAMILIES, RULES, STATIC_RULES

CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "rules.md"


def _cases() -> Iterator[ParameterSet]:
    for rule in STATIC_RULES:
        for i, valid in enumerate(rule.VALID):
            case = valid if isinstance(valid, Valid) else Valid(valid)
            yield pytest.param(rule, case.code, case.path, None, id=f"{rule.id}-valid-{i}")
        for i, invalid in enumerate(rule.INVALID):
            yield pytest.param(
                rule, invalid.code, invalid.path, invalid.line, id=f"{rule.id}-invalid-{i}"
            )


@pytest.mark.parametrize(("rule", "code", "path", "line"), list(_cases()))
def test_examples(rule: type[Rule], code: str, path: str, line: int | None) -> None:
    lines = [f.line for f in review_source(code, path, rules=[rule])]
    assert lines == ([] if line is None else [line])


def test_every_static_rule_has_examples() -> None:
    for rule in STATIC_RULES:
        assert len(rule.VALID) >= 2, rule.id
        assert len(rule.INVALID) >= 2, rule.id
        assert all(isinstance(case, Invalid) for case in rule.INVALID)


def test_every_module_with_rules_is_a_family() -> None:
    """The registry lists its family modules: one left out would run none of its rules."""
    for path in sorted(Path(FAMILIES[0].__file__ or "").parent.glob("*.py")):
        module = importlib.import_module(f"reviewer.rules.{path.stem}")
        defines = any(
            isinstance(value, type)
            and issubclass(value, Rule)
            and "id" in vars(value)
            and value.__module__ == module.__name__
            for value in vars(module).values()
        )
        assert defines == (module in FAMILIES), path.name


def test_ids_sorted_unique_and_named() -> None:
    ids = [rule.id for rule in RULES]
    assert ids == sorted(set(ids))
    for rule in RULES:
        assert re.fullmatch(r"FAPI[1-9]\d\d", rule.id)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.name), rule.id
        assert rule.engine in ("static", "llm")
        if rule.engine == "static":
            assert rule.fix, f"{rule.id} has no fix text"


DOC_HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_doc_shape(rule: type[Rule]) -> None:
    doc = rule.doc()
    positions = [doc.find(heading) for heading in DOC_HEADINGS]
    assert all(p >= 0 for p in positions), f"{rule.id} misses a heading"
    assert positions == sorted(positions)
    for block in re.findall(r"```python\n(.*?)```", doc, re.S):
        ast.parse(block)


def _catalogue() -> dict[str, tuple[str, str, str]]:
    rows: dict[str, tuple[str, str, str]] = {}
    for line in CATALOGUE.read_text().splitlines():
        match = re.match(r"\| (FAPI\d{3}) \| ([a-z0-9-]+) \| (static|llm) \| (\w+) \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3), match.group(4))
    return rows


@pytest.mark.skipif(not CATALOGUE.exists(), reason="../shared/rules.md is not beside the project")
def test_registry_matches_catalogue() -> None:
    catalogue = _catalogue()
    assert catalogue, "no rows parsed from rules.md"
    for rule in RULES:
        name, engine, severity = catalogue[rule.id]
        assert (rule.name, rule.engine) == (name, engine), rule.id
        # The catalogue's severity is the ceiling: the real-code ledger may lower a rule whose
        # findings are often debatable (issue 9), never raise one.
        assert rule.severity.rank <= Severity(severity).rank, rule.id


def test_generated_docs_are_current() -> None:
    script = Path(__file__).resolve().parents[1] / "scripts" / "gen_docs.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_findings_have_a_total_order() -> None:
    """Two findings that differ in any reported field sort apart, so a report never depends on
    set or hash order (a real report of litellm came out in two orders before)."""
    base = Finding("FAPI501", "n", Severity.WARNING, "a.py", 3, 3, 1, "m", "f")
    variants = [
        replace(base, message="other"),
        replace(base, end_line=4),
        replace(base, source="llm"),
    ]
    assert len({finding.sort_key for finding in [base, *variants]}) == 4


def test_fapi703_looks_for_http_mocking_only_once_a_test_calls_a_real_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether a test module fakes HTTP is asked (a walk of its calls and decorators) only when
    one of its requests goes to a real host, and then once: most test modules send none."""
    asked: list[str] = []
    mocks_http = testing._mocks_http

    def counted(module: Module) -> bool:
        asked.append(module.path)
        return mocks_http(module)

    monkeypatch.setattr(testing, "_mocks_http", counted)
    rule = [testing.ProductionResourceInTest]
    local = "import requests\ndef test_a():\n    requests.get('http://localhost/a')\n"
    assert review_source(local, "tests/test_a.py", rule) == [] and asked == []
    real = "import requests\ndef test_a():\n    requests.get('https://example.com/a')\n"
    mocked = "import responses\n" + real + "    requests.get('https://example.com/b')\n"
    assert [f.line for f in review_source(real, "tests/test_b.py", rule)] == [3]
    assert review_source(mocked, "tests/test_c.py", rule) == []
    assert asked == ["tests/test_b.py", "tests/test_c.py"]
