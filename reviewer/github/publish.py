"""Publish a report on its pull request: read what is there, plan (``review.py``), send.

A failed request does not raise: the outcome says what happened, so the caller still prints and
writes the report and chooses the exit status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from reviewer.diff import parse_diff
from reviewer.engine import Report
from reviewer.github.client import GitHubClient, GitHubError
from reviewer.github.pull import PullRequest
from reviewer.github.review import PreviousReview, ReviewPlan, commented, plan_review
from reviewer.report.annotations import AnnotationsRenderer
from reviewer.report.markdown import MarkdownRenderer

DISMISS_MESSAGE = "fastapi-review: no finding blocks this pull request any more."


@dataclass(frozen=True)
class Outcome:
    message: str
    """One line for the log."""
    failed: bool = False
    """Nothing reached the pull request, nor the workflow's annotations."""


def _apply(
    client: GitHubClient, pull: PullRequest, plan: ReviewPlan, summary_only: ReviewPlan
) -> str:
    """Send ``plan``; if GitHub refuses its inline comments (422: a line it does not show, as when
    the pull request moved on meanwhile), send ``summary_only`` instead."""
    repo, number = pull.ref.repo, pull.ref.number
    done: list[str] = []
    if plan.review is not None:
        try:
            client.create_review(repo, number, plan.review)
        except GitHubError as exc:
            if exc.status != 422 or not plan.review["comments"]:
                raise
            plan = summary_only
            if plan.review is not None:
                client.create_review(repo, number, plan.review)
    if plan.review is not None:
        inline = len(plan.review["comments"])
        done.append(f"posted a review ({plan.review['event']}) with {inline} inline comments")
    if plan.update_summary is not None:
        client.update_review(repo, number, plan.update_summary, plan.summary)
        done.append("updated the summary")
    for review_id in plan.dismiss:
        client.dismiss_review(repo, number, review_id, DISMISS_MESSAGE)
    if plan.dismiss:
        done.append(f"dismissed {len(plan.dismiss)} earlier change request(s)")
    return "; ".join(done) or "nothing to post (no findings)"


def _fallback(report: Report, env: Mapping[str, str], annotations: TextIO) -> str:
    """Annotations (the runner reads workflow commands on either output stream) and the step
    summary, for a token that cannot write reviews (a pull request from a fork)."""
    annotations.write(AnnotationsRenderer().render(report))
    annotations.flush()
    step_summary = env.get("GITHUB_STEP_SUMMARY")
    if not step_summary:
        return "wrote annotations instead"
    try:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(MarkdownRenderer().render(report))
    except OSError as exc:
        return f"wrote annotations instead (the step summary failed: {exc.strerror or exc})"
    return "wrote annotations and the step summary instead"


def publish(
    client: GitHubClient,
    pull: PullRequest,
    report: Report,
    *,
    fail_on: str,
    request_changes: bool,
    env: Mapping[str, str],
    annotations: TextIO,
) -> Outcome:
    """Publish ``report`` as one review on ``pull``; see :func:`reviewer.github.review.plan_review`.

    When the token may not write reviews (403) inside GitHub Actions, the findings go to workflow
    annotations (written to ``annotations``) and the step summary instead.
    """
    where = str(pull.ref)
    diff = parse_diff(pull.diff)
    try:
        previous = [
            PreviousReview.from_api(data) for data in client.reviews(pull.ref.repo, pull.ref.number)
        ]
        bodies = [
            str(c.get("body") or "") for c in client.review_comments(pull.ref.repo, pull.ref.number)
        ]

        def planned(inline: bool) -> ReviewPlan:
            return plan_review(
                report,
                diff,
                pull.head_sha,
                fail_on=fail_on,
                request_changes=request_changes,
                previous=previous,
                already_commented=commented(bodies),
                inline=inline,
            )

        done = _apply(client, pull, planned(inline=True), planned(inline=False))
    except GitHubError as exc:
        if exc.status == 403 and not exc.rate_limited and env.get("GITHUB_ACTIONS") == "true":
            return Outcome(
                f"{where}: the token cannot write reviews ({exc}); {_fallback(report, env, annotations)}"
            )
        return Outcome(f"{where}: publishing the review failed: {exc}", failed=True)
    return Outcome(f"{where}: {done}")
