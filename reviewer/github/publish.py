"""Publish a report on its pull request: read what is there, plan (``review.py``), send.

:class:`Publisher` reads the pull request's conversation first (who the token is, earlier reviews,
review comments and their threads), so that findings a maintainer dismissed leave the report
before it is printed; then it posts. A failed request does not raise: the outcome says what
happened, so the caller still prints and writes the report and chooses the exit status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from reviewer.diff import parse_diff
from reviewer.engine import Report
from reviewer.github.client import GitHubClient, GitHubError
from reviewer.github.pull import PullRequest
from reviewer.github.review import (
    Comment,
    Conversation,
    PreviousReview,
    ReviewPlan,
    fixed_reply,
    plan_review,
    threads,
)
from reviewer.github.threads import resolve, thread_states
from reviewer.record import replace
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
    resolved = replied = 0
    for thread in plan.resolve:
        if thread.state is not None and thread.state.can_resolve:
            try:
                resolve(client, thread.state.id)
                resolved += 1
                continue
            except GitHubError as exc:
                if exc.status != 403:
                    raise
        client.reply(repo, number, thread.root.id, fixed_reply(pull.head_sha))
        replied += 1
    if resolved:
        done.append(f"resolved {resolved} thread(s) of fixed findings")
    if replied:
        done.append(f"answered {replied} thread(s) of fixed findings")
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


def read_conversation(client: GitHubClient, pull: PullRequest) -> Conversation:
    """Who the token is, our earlier reviews and the review threads of ``pull``. Thread states
    come from GraphQL; when it cannot be read, threads count as open and dismissals are known
    from replies only."""
    repo, number = pull.ref.repo, pull.ref.number
    me = client.user_login()
    reviews = tuple(PreviousReview.from_api(data) for data in client.reviews(repo, number))
    comments = [Comment.from_api(data) for data in client.review_comments(repo, number)]
    try:
        states = thread_states(client, repo, number)
    except GitHubError:
        states = {}
    return Conversation(me, reviews, tuple(threads(comments, states)))


class Publisher:
    """One review of ``report`` on ``pull``: :meth:`prepare`, then print the report, then
    :meth:`publish`. See :func:`reviewer.github.review.plan_review`.

    When the token may not write reviews (403) inside GitHub Actions, the findings go to workflow
    annotations (written to ``annotations``) and the step summary instead.
    """

    def __init__(
        self,
        client: GitHubClient,
        pull: PullRequest,
        *,
        fail_on: str,
        request_changes: bool,
        env: Mapping[str, str],
        annotations: TextIO,
    ) -> None:
        self.client = client
        self.pull = pull
        self.fail_on = fail_on
        self.request_changes = request_changes
        self.env = env
        self.annotations = annotations
        self.conversation: Conversation | None = None
        self.error: GitHubError | None = None
        self.dismissed = 0

    def prepare(self, report: Report) -> Report:
        """Read the pull request's conversation, and leave out of ``report`` the findings a
        maintainer dismissed there. A failed read is kept for :meth:`publish` to report."""
        try:
            self.conversation = read_conversation(self.client, self.pull)
        except GitHubError as exc:
            self.error = exc
            return report
        dismissed = self.conversation.dismissed()
        kept = tuple(f for f in report.findings if f.fingerprint not in dismissed)
        self.dismissed = len(report.findings) - len(kept)
        return replace(report, findings=kept)

    def publish(self, report: Report) -> Outcome:
        where = str(self.pull.ref)
        diff = parse_diff(self.pull.diff)
        try:
            if self.error is not None:
                raise self.error
            conversation = self.conversation
            if conversation is None:
                raise GitHubError("the pull request was not read before publishing")

            def planned(inline: bool) -> ReviewPlan:
                return plan_review(
                    report,
                    diff,
                    self.pull.head_sha,
                    fail_on=self.fail_on,
                    request_changes=self.request_changes,
                    conversation=conversation,
                    dismissed=self.dismissed,
                    inline=inline,
                )

            done = _apply(self.client, self.pull, planned(inline=True), planned(inline=False))
        except GitHubError as exc:
            if (
                exc.status == 403
                and not exc.rate_limited
                and self.env.get("GITHUB_ACTIONS") == "true"
            ):
                fallback = _fallback(report, self.env, self.annotations)
                return Outcome(f"{where}: the token cannot write reviews ({exc}); {fallback}")
            return Outcome(f"{where}: publishing the review failed: {exc}", failed=True)
        if self.dismissed:
            done += f"; {self.dismissed} finding(s) dismissed on the pull request left out"
        return Outcome(f"{where}: {done}")
