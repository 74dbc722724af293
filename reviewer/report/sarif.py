"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.

Each rule that has a finding is described once (``tool.driver.rules``) with its documentation as
help text; each result carries a level, a location and a stable fingerprint.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from reviewer.engine import Report
from reviewer.report.fingerprint import FINGERPRINT_KEY
from reviewer.rules.base import Finding, Severity
from reviewer.rules.measured import measure
from reviewer.rules.registry import BY_ID

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


DOCS = "https://github.com/fastapi-review/fastapi-review/blob/main/docs/rules/{}.md"
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "3.0"}
"""GitHub code scanning's scale: 7.0 to 8.9 is high, 4.0 to 6.9 medium, 0.1 to 3.9 low."""


def precision_band(value: float) -> str:
    """SARIF's ``precision`` word for a measured precision (tp / (tp + fp))."""
    if value >= 0.95:
        return "very-high"
    if value >= 0.9:
        return "high"
    return "medium" if value >= 0.75 else "low"


def _precision(rule_id: str) -> str | None:
    """The band of the rule's precision on the real-code ledger, once enough is judged."""
    measured = measure(rule_id)
    value = measured.precision if measured is not None and measured.complete else None
    return None if value is None else precision_band(value)


def _rule_descriptor(rule_id: str, finding: Finding) -> dict[str, Any]:
    rule = BY_ID.get(rule_id)
    if rule is None:
        return {"id": rule_id, "name": finding.name}
    doc = rule.doc()
    properties: dict[str, Any] = {"tags": ["fastapi", rule.engine]}
    if rule.cwe:
        properties["tags"] += ["security", *(f"external/cwe/cwe-{cwe:03d}" for cwe in rule.cwe)]
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    precision = _precision(rule.id)
    if precision is not None:
        properties["precision"] = precision
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "help": {"text": doc, "markdown": doc},
        "helpUri": DOCS.format(rule.id),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _message(finding: Finding) -> str:
    return f"{finding.message}\n\nFix: {finding.fix}" if finding.fix else finding.message


def _location(path: str) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": path}}}


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": finding.line, "startColumn": finding.column}
    if finding.end_line > finding.line:
        region["endLine"] = finding.end_line
    location = _location(finding.path)
    location["physicalLocation"]["region"] = region
    if finding.construct:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.construct}]
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"engine": finding.source},
    }


def _notifications(report: Report) -> list[dict[str, Any]]:
    notes: list[dict[str, Any]] = [
        {
            "level": "warning",
            "message": {"text": f"{skipped.path} was not reviewed: {skipped.reason}"},
            "locations": [_location(skipped.path)],
        }
        for skipped in report.skipped
    ]
    notes.extend(
        {
            "level": "note",
            "message": {"text": f"{path} was reviewed from the diff's hunks only"},
            "locations": [_location(path)],
        }
        for path in report.partial
    )
    return notes


def sarif_log(report: Report) -> dict[str, Any]:
    """The SARIF log of ``report`` as a JSON-ready dict."""
    first: dict[str, Finding] = {}
    for finding in report.findings:
        first.setdefault(finding.rule_id, finding)
    rule_ids = sorted(first)
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    results = [_result(finding, index[finding.rule_id]) for finding in report.findings]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-review",
                        "version": report.version,
                        "semanticVersion": report.version,
                        "rules": [
                            _rule_descriptor(rule_id, first[rule_id]) for rule_id in rule_ids
                        ],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": _notifications(report),
                    }
                ],
                "results": results,
            }
        ],
    }


class SarifRenderer:
    name: ClassVar[str] = "sarif"

    def render(self, report: Report) -> str:
        return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
