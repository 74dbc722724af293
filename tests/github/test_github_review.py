"""The review plan (pure): which lines take a comment, the state, what a rerun adds; and reading
the pull request of a workflow run."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from fakegithub import DIFF, FIXTURES, HEAD_SHA

from reviewer.diff import parse_diff
from reviewer.engine import Report
from reviewer.errors import ReviewError
from reviewer.github.pull import workflow_pull_ref
from reviewer.github.review import (
    FIXED_MARKER,
    REVIEW_MARKER,
    SUMMARY_MARKER,
    Comment,
    Conversation,
    PreviousReview,
    ReviewPlan,
    Thread,
    ThreadState,
    comment_range,
    finding_marker,
    plan_review,
    same_account,
)
from reviewer.record import replace
from reviewer.rules.base import Finding, Severity

PATCH = parse_diff(DIFF)  # hunks: new-side lines 2-8 and 17-37 of app/orders.py


def finding(line: int, end_line: int | None = None, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        rule_id="FAPI402",
        name="blocking-sleep-in-async",
        severity=severity,
        path="app/orders.py",
        line=line,
        end_line=end_line or line,
        column=5,
        message="`time.sleep()` blocks the event loop",
        fix="Use `await asyncio.sleep(...)`.",
        fingerprint=f"{line:04x}",
    )


@pytest.mark.parametrize(
    ("line", "end_line", "expected"),
    [
        (24, 24, (None, 24)),
        (32, 36, (32, 36)),
        (15, 19, (17, 19)),  # starts before the hunk: the part the hunk shows
        (35, 40, (35, 37)),  # ends after it
        (13, 13, None),  # between the hunks
        (9, 16, None),
    ],
)
def test_comment_range(line: int, end_line: int, expected: tuple[int | None, int] | None) -> None:
    assert comment_range(finding(line, end_line), PATCH) == expected


def test_no_comment_on_a_file_outside_the_diff() -> None:
    assert comment_range(replace(finding(24), path="app/main.py"), PATCH) is None


ME = "github-actions[bot]"


def plan(
    report: Report,
    *,
    fail_on: str = "error",
    request_changes: bool = False,
    previous: Sequence[PreviousReview] = (),
    threads: Sequence[Thread] = (),
) -> ReviewPlan:
    return plan_review(
        report,
        PATCH,
        HEAD_SHA,
        fail_on=fail_on,
        request_changes=request_changes,
        conversation=Conversation(ME, tuple(previous), tuple(threads)),
    )


REPORT = Report(
    findings=(finding(24), finding(26, severity=Severity.WARNING)),
    python_files=1,
    rules=frozenset({"FAPI402"}),
)
SUMMARY = PreviousReview(
    80, "COMMENTED", f"{REVIEW_MARKER}\n{SUMMARY_MARKER}\nold", "https://x/80", ME
)


def thread(
    found: Finding,
    *,
    author: str = ME,
    resolved_by: str | None = None,
    replies: Sequence[Comment] = (),
    can_resolve: bool = True,
    known: bool = True,
) -> Thread:
    """The thread of an earlier run's comment on ``found``."""
    root = Comment(100 + found.line, author, f"text\n\n{finding_marker(found)}")
    state = ThreadState(f"T{found.line}", resolved_by is not None, resolved_by, can_resolve)
    return Thread(root, tuple(replies), state if known else None)


def test_first_run_posts_the_summary_with_the_comments() -> None:
    result = plan(REPORT)
    review = result.review
    assert isinstance(review, dict)
    assert review["event"] == "COMMENT"
    assert review["body"] == result.summary
    assert [c["line"] for c in review["comments"]] == [24, 26]
    assert result.update_summary is None
    assert review["comments"][0]["body"].endswith("<!-- fastapi-review:finding 0018 FAPI402 -->")


def test_no_findings_and_no_earlier_review_posts_nothing() -> None:
    assert plan(Report(findings=())).review is None


def test_an_earlier_summary_is_updated_and_known_findings_skipped() -> None:
    result = plan(REPORT, previous=[SUMMARY], threads=[thread(REPORT.findings[0])])
    review = result.review
    assert isinstance(review, dict)
    assert [c["line"] for c in review["comments"]] == [26]
    assert review["body"].startswith(f"{REVIEW_MARKER}\nfastapi-review: 1 new finding;")
    assert result.update_summary == 80


def test_nothing_new_updates_the_summary_only() -> None:
    known = [thread(found) for found in REPORT.findings]
    result = plan(REPORT, previous=[SUMMARY], threads=known)
    assert (result.review, result.update_summary, result.resolve) == (None, 80, ())


def test_request_changes_follows_fail_on() -> None:
    review = plan(REPORT, request_changes=True).review
    assert isinstance(review, dict) and review["event"] == "REQUEST_CHANGES"
    review = plan(REPORT, request_changes=True, fail_on="never").review
    assert isinstance(review, dict) and review["event"] == "COMMENT"
    warning_only = Report(findings=(finding(26, severity=Severity.WARNING),))
    review = plan(warning_only, request_changes=True).review
    assert isinstance(review, dict) and review["event"] == "COMMENT"


def test_a_standing_change_request_is_not_repeated_and_dismissed_once_clean() -> None:
    blocking = dataclasses.replace(SUMMARY, state="CHANGES_REQUESTED")  # a dataclass
    known = [thread(found) for found in REPORT.findings]
    result = plan(REPORT, request_changes=True, previous=[blocking], threads=known)
    assert (result.review, result.dismiss) == (None, ())
    clean = plan(Report(findings=()), request_changes=True, previous=[blocking])
    assert (clean.review, clean.update_summary, clean.dismiss) == (None, 80, (80,))


def test_only_our_reviews_count() -> None:
    theirs = PreviousReview(5, "CHANGES_REQUESTED", f"I like it\n{SUMMARY_MARKER}", "", ME)
    assert not theirs.ours(ME) and not theirs.summary(ME)
    forged = PreviousReview(6, "COMMENTED", SUMMARY.body, "", "mallory")
    assert not forged.ours(ME) and not forged.summary(ME)
    result = plan(Report(findings=()), previous=[theirs, forged])
    assert (result.update_summary, result.dismiss) == (None, ())


def test_markers_in_comments_of_others_are_not_trusted() -> None:
    forged = [thread(found, author="mallory") for found in REPORT.findings]
    review = plan(REPORT, threads=forged).review
    assert isinstance(review, dict) and [c["line"] for c in review["comments"]] == [24, 26]


def test_the_token_account_in_rest_and_graphql_spellings() -> None:
    assert same_account("github-actions[bot]", "github-actions")
    assert same_account("Octo-Bot", "octo-bot")
    assert not same_account("github-actions[bot]", "github-actions-evil")


def test_a_fixed_finding_has_its_thread_resolved_and_counted() -> None:
    gone = finding(30)
    result = plan(REPORT, previous=[SUMMARY], threads=[thread(gone), thread(REPORT.findings[0])])
    assert [t.root.id for t in result.resolve] == [130]
    assert "Fixed: 1 finding commented on earlier (threads resolved)." in result.summary
    # Already resolved by us: counted, not resolved again. Answered once: not answered again.
    ours = thread(gone, resolved_by="github-actions")
    answered = thread(
        gone, known=False, replies=[Comment(7, ME, f"fixed\n{FIXED_MARKER}", reply_to=130)]
    )
    for earlier in (ours, answered):
        result = plan(REPORT, previous=[SUMMARY], threads=[earlier])
        assert result.resolve == ()
        assert "Fixed: 1 finding" in result.summary


def test_a_gone_finding_of_a_rule_that_did_not_run_is_not_fixed() -> None:
    other = replace(finding(30), rule_id="FAPI807", fingerprint="f807")
    result = plan(REPORT, previous=[SUMMARY], threads=[thread(other)])
    assert result.resolve == () and "Fixed" not in result.summary


@pytest.mark.parametrize(
    ("replies", "resolved_by", "dismissed"),
    [
        ((), "octocat", True),  # resolved by a person
        ((), None, False),
        ((Comment(7, "maintainer", "fastapi-review: ignore", "MEMBER", 124),), None, True),
        ((Comment(7, "owner", "Fastapi-Review: IGNORE (known)", "OWNER", 124),), None, True),
        ((Comment(7, "passer-by", "fastapi-review: ignore", "NONE", 124),), None, False),
        ((Comment(7, "author", "fastapi-review: ignore", "CONTRIBUTOR", 124),), None, False),
        ((Comment(7, "maintainer", "why fastapi-review: ignore?", "MEMBER", 124),), None, False),
    ],
)
def test_dismissed_findings(
    replies: tuple[Comment, ...], resolved_by: str | None, dismissed: bool
) -> None:
    found = REPORT.findings[0]
    conversation = Conversation(ME, (), (thread(found, replies=replies, resolved_by=resolved_by),))
    assert (found.fingerprint in conversation.dismissed()) is dismissed


def test_review_and_comment_from_the_api() -> None:
    review = PreviousReview.from_api({"id": 3, "state": "COMMENTED", "body": None})
    assert (review.id, review.body, review.html_url, review.author) == (3, "", "", "")
    comment = Comment.from_api(
        {
            "id": 9,
            "user": {"login": "a"},
            "body": "b",
            "in_reply_to_id": 4,
            "author_association": "OWNER",
        }
    )
    assert comment == Comment(9, "a", "b", "OWNER", 4)


def test_workflow_event(tmp_path: Path) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(FIXTURES / "event_pull_request.json"),
    }
    ref = workflow_pull_ref(env)  # GITHUB_REPOSITORY unset: the event's repository
    assert (ref.repo, ref.number) == ("acme/shop", 7)
    broken = tmp_path / "event.json"
    broken.write_text(json.dumps({"push": {}}))
    with pytest.raises(ReviewError, match="cannot read the pull request from the event file"):
        workflow_pull_ref({**env, "GITHUB_EVENT_PATH": str(broken)})
    with pytest.raises(ReviewError, match="GITHUB_EVENT_NAME is not set"):
        workflow_pull_ref({})
