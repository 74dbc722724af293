"""``--format gitlab``: a GitLab Code Quality report, for merge requests without reviewdog.

GitLab reads a JSON array of issues (a subset of the Code Climate spec) from the job artifact
``artifacts:reports:codequality``: a description, the check's name, a fingerprint unique to the
issue (ours is stable across pushes, so GitLab tells new findings from old), a severity and a
location. Paths are relative to the repository root, as GitLab wants them.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from reviewer.engine import Report
from reviewer.rules.base import Finding, Severity

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
"""GitLab's scale is info, minor, major, critical, blocker; an error blocks a merge, as a major
issue does in GitLab's widget."""


def _issue(finding: Finding) -> dict[str, Any]:
    lines = {"begin": finding.line}
    if finding.end_line > finding.line:
        lines["end"] = finding.end_line
    return {
        "type": "issue",
        "description": f"{finding.rule_id} {finding.message}",
        "check_name": f"{finding.rule_id} {finding.name}",
        "fingerprint": finding.fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": finding.path, "lines": lines},
    }


class GitlabRenderer:
    name: ClassVar[str] = "gitlab"

    def render(self, report: Report) -> str:
        issues = [_issue(finding) for finding in report.findings]
        return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
