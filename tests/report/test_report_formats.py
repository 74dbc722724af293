"""Whole-output comparison: every format renders the shared report exactly as recorded.

The expected outputs are ``expected/report.<format>``; ``pytest --update-golden`` rewrites them
(review the diff before committing).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.engine import Report
from reviewer.report.registry import FORMATS, renderer

EXPECTED = Path(__file__).parent / "expected"


@pytest.mark.parametrize("name", FORMATS)
def test_whole_output(name: str, report: Report, update_golden: bool) -> None:
    output = renderer(name).render(report)
    expected = EXPECTED / f"report.{name}"
    if update_golden or not expected.exists():
        expected.write_text(output, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"wrote {expected.name}: review it and commit it")
    assert output == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", FORMATS)
def test_ends_with_a_newline_and_names_every_finding(name: str, report: Report) -> None:
    output = renderer(name).render(report)
    assert output.endswith("\n")
    for finding in report.findings:
        assert finding.rule_id in output


@pytest.mark.parametrize("name", FORMATS)
def test_empty_report(name: str) -> None:
    output = renderer(name).render(Report(findings=(), python_files=1, files=1))
    assert output.endswith("\n")
