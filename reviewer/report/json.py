"""``--format json``: the machine-readable report, described by ``report.schema.json`` (shipped in
the package and copied to ``docs/``)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from reviewer.engine import Report
from reviewer.rules.base import Autofix, Edit, Finding


def schema() -> dict[str, Any]:
    """The JSON Schema of the report."""
    from importlib import resources  # 4 ms of start-up (tempfile, shutil) a review never uses

    text = resources.files("reviewer.report").joinpath("report.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


REPORT_VERSION = "1"
"""The version of the report format (``version`` in the report), as the schema states it."""


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "end_line": finding.end_line,
        "column": finding.column,
        "message": finding.message,
        "fix": finding.fix,
        "source": finding.source,
        "construct": finding.construct,
        "fingerprint": finding.fingerprint,
        "autofix": _autofix(finding.autofix),
    }


def edit_dict(edit: Edit) -> dict[str, Any]:
    """An edit with 1-based lines and columns (columns in UTF-8 bytes), the end exclusive."""
    span = edit.span
    return {
        "line": span.line,
        "column": span.column + 1,
        "end_line": span.end_line,
        "end_column": span.end_column + 1,
        "text": edit.text,
    }


def _autofix(fix: Autofix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {"title": fix.title, "safe": fix.safe, "edits": [edit_dict(e) for e in fix.edits]}


def report_dict(report: Report) -> dict[str, Any]:
    counts = {severity.value: count for severity, count in report.counts().items()}
    data: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": "fastapi-review", "version": report.version},
        "mode": report.mode,
        "base": report.base or None,
        "findings": [finding_dict(finding) for finding in report.findings],
        "stats": {
            "files": report.files,
            "python_files": report.python_files,
            "findings": len(report.findings),
            **counts,
            "preexisting": report.preexisting,
            "fixed": report.fixed,
            "skipped": len(report.skipped),
            "needs_newer_python": sum(s.needs is not None for s in report.skipped),
        },
        "skipped": [
            {
                "path": s.path,
                "reason": s.reason,
                "needs_python": None if s.needs is None else ".".join(map(str, s.needs)),
            }
            for s in report.skipped
        ],
        "partial": list(report.partial),
    }
    if report.unused_suppressions:
        data["unused_suppressions"] = [
            {"path": u.path, "line": u.line, "rule_ids": list(u.ids)}
            for u in report.unused_suppressions
        ]
    if report.llm is not None:
        data["llm"] = report.llm.as_dict()
    return data


class JsonRenderer:
    name: ClassVar[str] = "json"

    def render(self, report: Report) -> str:
        return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
