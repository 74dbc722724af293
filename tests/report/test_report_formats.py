"""Whole-output comparison: every format renders the shared report exactly as recorded.

The expected outputs are ``expected/report.<format>``; ``pytest --update-golden`` rewrites them
(review the diff before committing).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from reviewer.engine import Report
from reviewer.report.json import schema
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


def test_the_json_report_follows_its_schema(report: Report) -> None:
    data = json.loads(renderer("json").render(report))
    jsonschema.validate(data, schema())
    assert data["version"] == schema()["properties"]["version"]["const"]
    for broken in ({**data, "surprise": 1}, {**data, "version": "0"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema())


def test_the_schema_is_a_valid_schema_and_documented() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    docs = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"
    assert json.loads(docs.read_text()) == schema()


def test_gitlab_issues_have_unique_fingerprints_and_known_severities(report: Report) -> None:
    issues = json.loads(renderer("gitlab").render(report))
    assert len(issues) == len(report.findings)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert {issue["severity"] for issue in issues} <= {"info", "minor", "major"}
    assert all(issue["location"]["lines"]["begin"] >= 1 for issue in issues)
