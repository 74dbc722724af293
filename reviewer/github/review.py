"""A report -> what to publish on the pull request: one review, inline comments, a summary, and
what happens to the threads of earlier runs.

Pure: the GitHub state it needs (who we are, earlier reviews, review comments and their threads)
comes in as a :class:`Conversation`, and the result is data that :mod:`reviewer.github.publish`
sends.

Every review body we write starts with :data:`REVIEW_MARKER`; the summary review also carries
:data:`SUMMARY_MARKER`, and each inline comment a hidden marker with the finding's fingerprint and
rule. Only what the token's own account wrote is trusted: anyone can write a comment that carries
our markers. Across pushes, a finding whose fingerprint already has an open thread of ours is not
commented again (wherever its line went); a thread whose finding is gone is resolved (or, where
the token may not resolve it, answered once); a finding a maintainer dismissed (its thread
resolved by someone else, or a reply ``fastapi-review: ignore`` from the repository's owner,
members or collaborators) is not raised again on that pull request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.diff import Diff
from reviewer.engine import Report
from reviewer.fix import apply
from reviewer.record import replace
from reviewer.report.markdown import finding_section, location, not_reviewed
from reviewer.report.text import summary
from reviewer.rules.base import Edit, Finding, Severity

REVIEW_MARKER = "<!-- fastapi-review -->"
SUMMARY_MARKER = "<!-- fastapi-review:summary -->"
FIXED_MARKER = "<!-- fastapi-review:fixed -->"
_FINDING_MARKER = re.compile(r"<!-- fastapi-review:finding ([0-9a-f]+)(?: (FAPI\d+))? -->")
_IGNORE = re.compile(r"^\s*fastapi-review:\s*ignore\b", re.IGNORECASE | re.MULTILINE)
MAINTAINERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
"""Author associations whose ``fastapi-review: ignore`` reply dismisses a finding."""


def finding_marker(finding: Finding) -> str:
    return f"<!-- fastapi-review:finding {finding.fingerprint} {finding.rule_id} -->"


def markers(body: str) -> list[tuple[str, str | None]]:
    """``(fingerprint, rule id or None)`` of every finding marker in ``body``."""
    return [(match[0], match[1] or None) for match in _FINDING_MARKER.findall(body)]


def same_account(login: str, other: str) -> bool:
    """Two spellings of one login: REST names an app ``name[bot]``, GraphQL ``name``."""
    return login.lower().removesuffix("[bot]") == other.lower().removesuffix("[bot]")


def _login(data: Mapping[str, Any], key: str = "user") -> str:
    user = data.get(key)
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) else ""


@dataclass(frozen=True)
class PreviousReview:
    """A review already on the pull request."""

    id: int
    state: str
    """``COMMENTED``, ``CHANGES_REQUESTED``, ``APPROVED``, ``DISMISSED`` or ``PENDING``."""
    body: str
    html_url: str = ""
    author: str = ""

    def ours(self, me: str) -> bool:
        return self.body.startswith(REVIEW_MARKER) and same_account(self.author, me)

    def summary(self, me: str) -> bool:
        return self.ours(me) and SUMMARY_MARKER in self.body

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> PreviousReview:
        return cls(
            id=int(data["id"]),
            state=str(data.get("state") or ""),
            body=str(data.get("body") or ""),
            html_url=str(data.get("html_url") or ""),
            author=_login(data),
        )


@dataclass(frozen=True)
class Comment:
    """A review comment (REST), the first of its thread or a reply."""

    id: int
    author: str
    body: str
    association: str = "NONE"
    """``OWNER``, ``MEMBER``, ``COLLABORATOR``, ``CONTRIBUTOR``, ``NONE``..."""
    reply_to: int | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Comment:
        reply_to = data.get("in_reply_to_id")
        return cls(
            id=int(data["id"]),
            author=_login(data),
            body=str(data.get("body") or ""),
            association=str(data.get("author_association") or "NONE"),
            reply_to=reply_to if isinstance(reply_to, int) else None,
        )


@dataclass(frozen=True)
class ThreadState:
    """What GraphQL says of a review thread."""

    id: str
    """The thread's node id, for ``resolveReviewThread``."""
    resolved: bool
    resolved_by: str | None
    can_resolve: bool


@dataclass(frozen=True)
class Thread:
    root: Comment
    replies: tuple[Comment, ...] = ()
    state: ThreadState | None = None
    """None when GraphQL could not be read: the thread counts as open."""

    @property
    def open(self) -> bool:
        return self.state is None or not self.state.resolved


def threads(comments: Iterable[Comment], states: Mapping[int, ThreadState]) -> list[Thread]:
    """Review comments grouped into threads (a reply names its thread's first comment), with the
    state GraphQL gave for each first comment."""
    roots: dict[int, Comment] = {}
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.reply_to is None:
            roots[comment.id] = comment
        else:
            replies.setdefault(comment.reply_to, []).append(comment)
    return [
        Thread(root, tuple(replies.get(root.id, ())), states.get(root.id))
        for root in roots.values()
    ]


@dataclass(frozen=True)
class Tracked:
    """A finding of an earlier run: its fingerprint and rule, and the thread of its comment."""

    fingerprint: str
    rule_id: str | None
    thread: Thread


@dataclass(frozen=True)
class Conversation:
    """What is on the pull request, as far as it is ours to trust."""

    me: str
    """The login of the token's account."""
    reviews: tuple[PreviousReview, ...] = ()
    threads: tuple[Thread, ...] = ()

    def tracked(self) -> list[Tracked]:
        """Our findings of earlier runs: threads whose first comment we wrote, with a marker."""
        result: list[Tracked] = []
        for thread in self.threads:
            if same_account(thread.root.author, self.me):
                for fingerprint, rule_id in markers(thread.root.body)[:1]:
                    result.append(Tracked(fingerprint, rule_id, thread))
        return result

    def dismissed(self) -> frozenset[str]:
        """Fingerprints a person dismissed: the thread resolved by someone else than us, or a
        maintainer's reply ``fastapi-review: ignore``."""
        found: set[str] = set()
        for tracked in self.tracked():
            state, replies = tracked.thread.state, tracked.thread.replies
            by_other = (
                state is not None
                and state.resolved
                and not same_account(state.resolved_by or "", self.me)
            )
            ignored = any(
                reply.association in MAINTAINERS and _IGNORE.search(reply.body) for reply in replies
            )
            if by_other or ignored:
                found.add(tracked.fingerprint)
        return frozenset(found)

    def commented(self) -> frozenset[str]:
        """Fingerprints with an open thread of ours: not to be commented again."""
        return frozenset(t.fingerprint for t in self.tracked() if t.thread.open)


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
    resolve: tuple[Thread, ...] = ()
    """Open threads of ours whose finding is fixed: resolved, or answered where the token may not
    resolve them (:func:`fixed_reply`)."""


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


def suggestion(report: Report, finding: Finding, first: int, last: int) -> str | None:
    """The lines ``first``..``last`` of the finding's file with its fix applied, as a GitHub
    suggestion block (which replaces exactly the commented lines), or None when the finding has
    no fix or its fix edits other lines too (an import at the top of the file)."""
    fix = finding.autofix
    lines = report.lines.get(finding.path, ())
    if fix is None or not 0 < first <= last <= len(lines):
        return None
    if any(not first <= edit.span.line <= edit.span.end_line <= last for edit in fix.edits):
        return None
    shift = first - 1
    local = tuple(
        Edit(
            replace(edit.span, line=edit.span.line - shift, end_line=edit.span.end_line - shift),
            edit.text,
        )
        for edit in fix.edits
    )
    text, applied = apply("\n".join(lines[first - 1 : last]) + "\n", [replace(fix, edits=local)])
    if not applied:
        return None
    note = "" if fix.safe else " (it changes behaviour: check it before applying)"
    return f"Suggested fix: {fix.title}{note}\n```suggestion\n{text}```"


def comment_body(report: Report, finding: Finding, lines: tuple[int, int] | None = None) -> str:
    """The inline comment on ``finding``, with its fix as a suggestion when the comment covers
    the lines ``lines`` (first, last) that the fix edits."""
    title = f"**{finding.rule_id}** `{finding.name}`"
    section = finding_section(report, finding, title, show_code=False)
    suggested = suggestion(report, finding, *lines) if lines is not None else None
    if suggested is not None:
        section = f"{section}\n\n{suggested}"
    return f"{section}\n\n{finding_marker(finding)}"


def fixed_reply(head_sha: str) -> str:
    """The reply on a thread whose finding is fixed, where the token may not resolve it."""
    return f"fastapi-review: fixed at {head_sha[:12]}.\n\n{FIXED_MARKER}"


@dataclass(frozen=True)
class History:
    """What earlier runs' findings became, for the summary."""

    fixed: int = 0
    """Findings commented on earlier and gone now."""
    dismissed: int = 0
    """Findings a maintainer dismissed, not reported again."""


def summary_body(
    report: Report,
    head_sha: str,
    inline: int,
    elsewhere: Sequence[Finding],
    history: History = History(),
) -> str:
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
    if history.fixed:
        noun = "finding" if history.fixed == 1 else "findings"
        parts.append(f"Fixed: {history.fixed} {noun} commented on earlier (threads resolved).")
    if history.dismissed:
        noun = "finding" if history.dismissed == 1 else "findings"
        parts.append(
            f"Dismissed: {history.dismissed} {noun}, not raised again on this pull request."
        )
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
    conversation: Conversation,
    dismissed: int = 0,
    inline: bool = True,
) -> ReviewPlan:
    """Plan the review of ``report`` on a pull request whose diff is ``diff``.

    ``report`` no longer holds the findings dismissed on the pull request (``dismissed`` counts
    them, for the summary). The state is ``REQUEST_CHANGES`` when ``request_changes`` is set and
    a finding is at or above ``fail_on`` (``COMMENT`` otherwise); once no finding blocks, our
    earlier change requests are dismissed. ``inline=False`` puts every finding in the summary
    (when GitHub refused the lines). A tracked finding counts as fixed when it is gone and its
    rule ran in this review (an LLM finding, or one of a rule left out this time, is not known to
    be fixed).
    """
    me = conversation.me
    threshold = None if fail_on == "never" else Severity(fail_on).rank
    blocking = request_changes and any(
        threshold is not None and finding.severity.rank >= threshold for finding in report.findings
    )
    ours = [review for review in conversation.reviews if review.ours(me)]
    earlier = next((review for review in ours if review.summary(me)), None)
    requested = tuple(review.id for review in ours if review.state == "CHANGES_REQUESTED")
    already = conversation.commented()
    elsewhere: list[Finding] = []
    comments: list[InlineComment] = []
    on_diff = 0
    for finding in report.findings:
        found = comment_range(finding, diff) if inline else None
        if found is None:
            elsewhere.append(finding)
            continue
        on_diff += 1
        if finding.fingerprint not in already:
            start, line = found
            body = comment_body(report, finding, (start or line, line))
            comments.append(InlineComment(finding.path, line, start, body))
    settled = {finding.fingerprint for finding in report.findings} | conversation.dismissed()
    gone = [
        tracked
        for tracked in conversation.tracked()
        if tracked.fingerprint not in settled and tracked.rule_id in report.rules
    ]
    history = History(fixed=len({t.fingerprint for t in gone}), dismissed=dismissed)
    body = summary_body(report, head_sha, on_diff, elsewhere, history)
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
        resolve=tuple(
            t.thread
            for t in gone
            if t.thread.open
            and not any(
                same_account(r.author, me) and FIXED_MARKER in r.body for r in t.thread.replies
            )
        ),
    )
