"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=app/main.py,line=12,col=5,title=FAPI402 blocking-sleep-in-async::message``. The
runner reads these from a step's output and shows them on the changed lines of the pull request.
"""

from __future__ import annotations

from typing import ClassVar

from reviewer.engine import Report
from reviewer.report.safe import terminal_safe
from reviewer.report.text import summary
from reviewer.rules.base import Finding, Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    """Escape the message of a workflow command (after ``::``), without control sequences."""
    escaped = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal_safe(escaped)


def escape_property(value: str) -> str:
    """Escape a property value of a workflow command (``file=``, ``title=``...)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    """One workflow command line, escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return (
        f"::{name} {props}::{escape_data(message)}"
        if props
        else f"::{name}::{escape_data(message)}"
    )


def annotation(finding: Finding) -> str:
    properties: dict[str, str | int] = {"file": finding.path, "line": finding.line}
    if finding.end_line > finding.line:
        properties["endLine"] = finding.end_line
    else:
        properties["col"] = finding.column
    properties["title"] = f"{finding.rule_id} {finding.name}"
    message = f"{finding.message}\nFix: {finding.fix}" if finding.fix else finding.message
    return command(COMMANDS[finding.severity], message, **properties)


class AnnotationsRenderer:
    name: ClassVar[str] = "github"

    def render(self, report: Report) -> str:
        lines = [annotation(finding) for finding in report.findings]
        lines.extend(
            command(
                "warning",
                f"fastapi-review did not review this file: {skipped.reason}",
                file=skipped.path,
            )
            for skipped in report.skipped
        )
        lines.append(f"fastapi-review: {summary(report)}")
        return "\n".join(lines) + "\n"
