"""``--format markdown``: a summary table and a section per finding, for a pull-request comment or
``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from reviewer.engine import Report
from reviewer.report.text import summary
from reviewer.rules.base import Finding
from reviewer.rules.registry import BY_ID

SNIPPET_LINES = 12
"""At most this many lines of code are shown under a finding."""


def cell(text: str) -> str:
    """``text`` made safe for one cell of a table."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def fenced(code: str, language: str = "python") -> str:
    """A fenced code block that ``code`` (which may hold backticks) cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code}\n{fence}"


def section(doc: str, heading: str) -> str:
    """The text under ``## heading`` in a rule's documentation ("" if absent)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", doc, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else ""


def snippet(report: Report, finding: Finding) -> str:
    """The post-change code of the finding's lines, dedented ("" if unknown)."""
    lines = report.lines.get(finding.path, ())
    last = min(finding.end_line, finding.line + SNIPPET_LINES - 1, len(lines))
    chosen = list(lines[finding.line - 1 : last]) if finding.line >= 1 else []
    if not any(line.strip() for line in chosen):
        return ""
    indent = min(len(line) - len(line.lstrip()) for line in chosen if line.strip())
    return "\n".join(line[indent:].rstrip() for line in chosen)


def location(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}"


def finding_section(report: Report, finding: Finding, title: str, show_code: bool = True) -> str:
    """A finding as Markdown: ``title`` (a heading line), message, code, fix and the rule's why."""
    by = " (Claude pass)" if finding.source == "llm" else ""
    parts = [title, f"**{finding.severity.value}**{by}: {finding.message}"]
    code = snippet(report, finding) if show_code else ""
    if code:
        parts.append(fenced(code))
    if finding.fix:
        parts.append(f"**Fix:** {finding.fix}")
    rule = BY_ID.get(finding.rule_id)
    why = section(rule.doc(), "Why is this bad?") if rule is not None else ""
    if why:
        parts.append(f"<details><summary>Why is this bad?</summary>\n\n{why}\n\n</details>")
    return "\n\n".join(parts)


def findings_table(findings: Iterable[Finding]) -> str:
    rows = [
        "| # | Severity | Rule | Location | Message |",
        "| ---: | --- | --- | --- | --- |",
    ]
    rows.extend(
        f"| {number} | {finding.severity.value} | {finding.rule_id} `{finding.name}` "
        f"| `{cell(location(finding))}` | {cell(finding.message)} |"
        for number, finding in enumerate(findings, start=1)
    )
    return "\n".join(rows)


def not_reviewed(report: Report) -> str:
    """A list of the files skipped or reviewed from their hunks only ("" if none)."""
    items = [f"- `{skipped.path}`: {skipped.reason}" for skipped in report.skipped]
    items.extend(f"- `{path}`: reviewed from the diff's hunks only" for path in report.partial)
    return "\n".join(items)


class MarkdownRenderer:
    name: ClassVar[str] = "markdown"

    def render(self, report: Report) -> str:
        parts = ["## fastapi-review", f"{summary(report)}."]
        if report.findings:
            parts.append(findings_table(report.findings))
            parts.extend(
                finding_section(
                    report,
                    finding,
                    f"### {number}. {finding.rule_id} `{finding.name}` at `{location(finding)}`",
                )
                for number, finding in enumerate(report.findings, start=1)
            )
        notes = not_reviewed(report)
        if notes:
            parts.extend(["### Not fully reviewed", notes])
        return "\n\n".join(parts) + "\n"
