"""``--format rdjson``: reviewdog's diagnostic format (a ``DiagnosticResult``), so
``fastapi-review ... --format rdjson | reviewdog -f=rdjson`` works."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from reviewer.engine import Report
from reviewer.rules.base import Edit, Finding, Severity

SOURCE = {"name": "fastapi-review"}
SEVERITIES = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO"}


def _range(finding: Finding) -> dict[str, Any]:
    if finding.end_line > finding.line:
        # Both columns omitted: reviewdog reads the range line-wise, end line included.
        return {"start": {"line": finding.line}, "end": {"line": finding.end_line}}
    return {"start": {"line": finding.line, "column": finding.column}}


def _suggestion(edit: Edit) -> dict[str, Any]:
    """reviewdog's ``Suggestion``: 1-based lines and columns (UTF-8 bytes), the end exclusive."""
    span = edit.span
    return {
        "range": {
            "start": {"line": span.line, "column": span.column + 1},
            "end": {"line": span.end_line, "column": span.end_column + 1},
        },
        "text": edit.text,
    }


def diagnostic(finding: Finding) -> dict[str, Any]:
    message = f"{finding.message}\nFix: {finding.fix}" if finding.fix else finding.message
    result: dict[str, Any] = {
        "message": message,
        "location": {"path": finding.path, "range": _range(finding)},
        "severity": SEVERITIES[finding.severity],
        "source": SOURCE,
        "code": {"value": finding.rule_id},
    }
    if finding.autofix is not None:
        result["suggestions"] = [_suggestion(edit) for edit in finding.autofix.edits]
    return result


class RdjsonRenderer:
    name: ClassVar[str] = "rdjson"

    def render(self, report: Report) -> str:
        result = {
            "source": SOURCE,
            "diagnostics": [diagnostic(finding) for finding in report.findings],
        }
        return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
