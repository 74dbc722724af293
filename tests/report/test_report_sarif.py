"""SARIF: valid against the 2.1.0 schema, with the rule docs as help and stable fingerprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reviewer.engine import Report
from reviewer.record import replace
from reviewer.report.fingerprint import FINGERPRINT_KEY
from reviewer.report.sarif import SarifRenderer, precision_band
from reviewer.rules.registry import BY_ID

SCHEMA_FILE = next(
    (
        folder / "shared" / "schemas" / "sarif-schema-2.1.0.json"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared" / "schemas" / "sarif-schema-2.1.0.json").is_file()
    ),
    None,
)


def sarif(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SarifRenderer().render(report))
    return data


def fingerprints(log: dict[str, Any]) -> list[str]:
    return [result["partialFingerprints"][FINGERPRINT_KEY] for result in log["runs"][0]["results"]]


@pytest.mark.skipif(SCHEMA_FILE is None, reason="shared/schemas is not beside the repository")
@pytest.mark.parametrize("empty", [False, True])
def test_validates_against_the_sarif_schema(report: Report, empty: bool) -> None:
    assert SCHEMA_FILE is not None
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    log = sarif(replace(report, findings=()) if empty else report)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_rules_carry_the_rule_docs(report: Report) -> None:
    rules = sarif(report)["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["FAPI103", "FAPI401", "FAPI402", "FAPI404"]
    for rule in rules:
        source = BY_ID[rule["id"]]
        assert rule["name"] == source.name
        assert rule["help"]["markdown"] == source.doc()
        assert "## Why is this bad?" in rule["help"]["text"]
        assert rule["shortDescription"]["text"] == source.summary()


def test_results_point_at_their_rule_with_the_finding_level(report: Report) -> None:
    run = sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for finding, result in zip(report.findings, run["results"], strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule_id
        assert result["level"] == levels[finding.severity.value]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == finding.line
        assert region.get("endLine", finding.line) == finding.end_line


def test_results_carry_the_fingerprint_and_the_construct(report: Report) -> None:
    results = sarif(report)["runs"][0]["results"]
    assert fingerprints(sarif(report)) == [finding.fingerprint for finding in report.findings]
    assert len(set(fingerprints(sarif(report)))) == len(results)
    names = [
        [logical["fullyQualifiedName"] for logical in r["locations"][0].get("logicalLocations", [])]
        for r in results
    ]
    assert names == [["app"], ["create_order"], ["create_order"], ["create_order"]]


def test_security_rules_carry_tags_cwe_and_security_severity(report: Report) -> None:
    """GitHub code scanning shows a result as a security alert, with its severity, when its rule
    is tagged ``security`` and carries ``security-severity``; CWE tags as CodeQL writes them."""
    sql = replace(report.findings[0], rule_id="FAPI804", name=BY_ID["FAPI804"].name)
    cookie = replace(report.findings[0], rule_id="FAPI809", name=BY_ID["FAPI809"].name)
    log = sarif(replace(report, findings=(*report.findings, sql, cookie)))
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["FAPI804"]["properties"]["tags"] == [
        "fastapi", "static", "security", "external/cwe/cwe-089",
    ]  # fmt: skip
    assert rules["FAPI809"]["properties"]["tags"][-2:] == [
        "external/cwe/cwe-1004", "external/cwe/cwe-614",
    ]  # fmt: skip
    expected = {"error": "8.0", "warning": "5.5", "info": "3.0"}[BY_ID["FAPI804"].severity.value]
    assert rules["FAPI804"]["properties"]["security-severity"] == expected
    assert "security" not in rules["FAPI402"]["properties"]["tags"]
    assert "security-severity" not in rules["FAPI402"]["properties"]
    for rule_id, rule in rules.items():
        assert rule["helpUri"].endswith(f"/docs/rules/{rule_id}.md")
        assert (Path(__file__).resolve().parents[2] / "docs" / "rules" / f"{rule_id}.md").is_file()


@pytest.mark.parametrize(
    ("value", "band"),
    [(1.0, "very-high"), (0.95, "very-high"), (0.94, "high"), (0.9, "high"), (0.89, "medium"),
     (0.75, "medium"), (0.74, "low"), (0.0, "low")],
)  # fmt: skip
def test_precision_bands(value: float, band: str) -> None:
    assert precision_band(value) == band
