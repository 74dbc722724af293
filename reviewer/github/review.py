"""A report -> what to publish on the pull request: one review, inline comments, a summary.

Pure: the GitHub state it needs (earlier reviews, fingerprints already commented) comes in as
arguments, and the result is data that :mod:`reviewer.github.publish` sends.

Every review body we write starts with :data:`REVIEW_MARKER`; the summary review also carries
:data:`SUMMARY_MARKER`, and each inline comment a hidden marker with the finding's fingerprint, so
a rerun updates the summary in place and comments only on findings not commented before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.diff import Diff
from reviewer.engine import Report
from reviewer.report.markdown import finding_section, location, not_reviewed
from reviewer.report.text import summary
from reviewer.rules.base import Finding, Severity

REVIEW_MARKER = "<!-- fastapi-review -->"
SUMMARY_MARKER = "<!-- fastapi-review:summary -->"
_FINDING_MARKER = re.compile(r"<!-- fastapi-review:finding ([0-9a-f]+) -->")


def finding_marker(fingerprint: str) -> str:
    return f"<!-- fastapi-review:finding {fingerprint} -->"


def commented(bodies: Iterable[str]) -> frozenset[str]:
    """The fingerprints marked in comment bodies."""
    return frozenset(match for body in bodies for match in _FINDING_MARKER.findall(body))


@dataclass(frozen=True)
class PreviousReview:
    """A review already on the pull request."""

    id: int
    state: str
    """``COMMENTED``, ``CHANGES_REQUESTED``, ``APPROVED``, ``DISMISSED`` or ``PENDING``."""
    body: str
    html_url: str = ""

    @property
    def ours(self) -> bool:
        return self.body.startswith(REVIEW_MARKER)

    @property
    def summary(self) -> bool:
        return self.ours and SUMMARY_MARKER in self.body

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PreviousReview:
        return cls(
            id=int(data["id"]),
            state=str(data.get("state") or ""),
            body=str(data.get("body") or ""),
            html_url=str(data.get("html_url") or ""),
        )


@dataclass(frozen=True)
class InlineComment:
    path: str
    line: int
    """The last line commented (new side)."""
    start_line: int | None
    """The first line of a multi-line comment, or None."""
    body: str

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT"}
        if self.start_line is not None:
            data.update(start_line=self.start_line, start_side="RIGHT")
        data["body"] = self.body
        return data


@dataclass(frozen=True)
class ReviewPlan:
    """What one run publishes."""

    summary: str
    """The summary body: counts per severity, the findings that are not inline comments."""
    update_summary: int | None = None
    """Our earlier summary review, whose body becomes :attr:`summary`."""
    review: dict[str, Any] | None = None
    """The payload of the one review this run posts, or None."""
    dismiss: tuple[int, ...] = ()
    """Our earlier change requests, to dismiss now that no finding blocks."""


def comment_range(finding: Finding, diff: Diff) -> tuple[int | None, int] | None:
    """``(start_line, line)`` of a comment on ``finding``, or None when GitHub cannot take one.

    GitHub comments on the lines its diff shows: those of a hunk, on the new side. A multi-line
    finding becomes a multi-line comment on the part of its lines that the first hunk it meets
    shows (``start_line`` is None for a single line).
    """
    change = diff.file(finding.path)
    if change is None:
        return None
    for hunk in change.hunks:
        first = max(finding.line, hunk.start)
        last = min(finding.end_line, hunk.start + len(hunk.lines) - 1)
        if first <= last:
            return (first if first < last else None), last
    return None


def comment_body(report: Report, finding: Finding, fingerprint: str) -> str:
    title = f"**{finding.rule_id}** `{finding.name}`"
    section = finding_section(report, finding, title, show_code=False)
    return f"{section}\n\n{finding_marker(fingerprint)}"


def summary_body(report: Report, head_sha: str, inline: int, elsewhere: Sequence[Finding]) -> str:
    """The body of the summary review."""
    table = ["| Severity | Findings |", "| --- | ---: |"]
    table.extend(f"| {severity.value} | {count} |" for severity, count in report.counts().items())
    parts = [
        f"{REVIEW_MARKER}\n{SUMMARY_MARKER}\n## fastapi-review",
        f"{summary(report)}, at {head_sha[:12]}.",
        "\n".join(table),
    ]
    if inline:
        parts.append(f"{inline} on lines of the diff: see the inline comments.")
    if elsewhere:
        parts.append(f"### Outside the lines GitHub can comment on ({len(elsewhere)})")
        parts.extend(
            finding_section(
                report, finding, f"#### {finding.rule_id} `{finding.name}` at `{location(finding)}`"
            )
            for finding in elsewhere
        )
    notes = not_reviewed(report)
    if notes:
        parts.extend(["### Not fully reviewed", notes])
    parts.append(f"<sub>fastapi-review {report.version}</sub>")
    return "\n\n".join(parts) + "\n"


def _follow_up(new_comments: int, blocking: bool, summary_url: str) -> str:
    where = f"the [summary]({summary_url})" if summary_url else "the summary"
    if new_comments:
        noun = "finding" if new_comments == 1 else "findings"
        text = f"fastapi-review: {new_comments} new {noun}; {where} is up to date."
    else:
        text = f"fastapi-review: findings block this pull request; see {where}."
    if blocking:
        text += " Changes requested."
    return f"{REVIEW_MARKER}\n{text}\n"


def plan_review(
    report: Report,
    diff: Diff,
    head_sha: str,
    *,
    fail_on: str,
    request_changes: bool,
    previous: Sequence[PreviousReview] = (),
    already_commented: frozenset[str] = frozenset(),
    inline: bool = True,
) -> ReviewPlan:
    """Plan the review of ``report`` on a pull request whose diff is ``diff``.

    The state is ``REQUEST_CHANGES`` when ``request_changes`` is set and a finding is at or above
    ``fail_on`` (``COMMENT`` otherwise); once no finding blocks, our earlier change requests are
    dismissed. ``inline=False`` puts every finding in the summary (when GitHub refused the lines).
    """
    threshold = None if fail_on == "never" else Severity(fail_on).rank
    blocking = request_changes and any(
        threshold is not None and finding.severity.rank >= threshold for finding in report.findings
    )
    ours = [review for review in previous if review.ours]
    earlier = next((review for review in ours if review.summary), None)
    requested = tuple(review.id for review in ours if review.state == "CHANGES_REQUESTED")
    elsewhere: list[Finding] = []
    comments: list[InlineComment] = []
    on_diff = 0
    for finding in report.findings:
        fingerprint = finding.fingerprint
        found = comment_range(finding, diff) if inline else None
        if found is None:
            elsewhere.append(finding)
            continue
        on_diff += 1
        if fingerprint not in already_commented:
            start, line = found
            body = comment_body(report, finding, fingerprint)
            comments.append(InlineComment(finding.path, line, start, body))
    body = summary_body(report, head_sha, on_diff, elsewhere)
    event = "REQUEST_CHANGES" if blocking and not requested else "COMMENT"
    review: dict[str, Any] | None = None
    if earlier is None and report.findings:
        review = {"commit_id": head_sha, "body": body, "event": event}
    elif earlier is not None and (comments or event == "REQUEST_CHANGES"):
        follow_up = _follow_up(len(comments), event == "REQUEST_CHANGES", earlier.html_url)
        review = {"commit_id": head_sha, "body": follow_up, "event": event}
    if review is not None:
        review["comments"] = [comment.payload() for comment in comments]
    return ReviewPlan(
        summary=body,
        update_summary=earlier.id if earlier is not None else None,
        review=review,
        dismiss=() if blocking else requested,
    )
