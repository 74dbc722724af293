"""The review plan (pure): which lines take a comment, the state, what a rerun adds; and reading
the pull request of a workflow run."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from fakegithub import DIFF, FIXTURES, HEAD_SHA

from reviewer.diff import parse_diff
from reviewer.engine import Report
from reviewer.errors import ReviewError
from reviewer.github.pull import workflow_pull_ref
from reviewer.github.review import (
    REVIEW_MARKER,
    SUMMARY_MARKER,
    PreviousReview,
    ReviewPlan,
    comment_range,
    commented,
    finding_marker,
    plan_review,
)
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


def fingerprints(report: Report) -> list[str]:
    return [finding.fingerprint for finding in report.findings]


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


def plan(
    report: Report,
    *,
    fail_on: str = "error",
    request_changes: bool = False,
    previous: Sequence[PreviousReview] = (),
    already_commented: frozenset[str] = frozenset(),
) -> ReviewPlan:
    return plan_review(
        report,
        PATCH,
        HEAD_SHA,
        fail_on=fail_on,
        request_changes=request_changes,
        previous=previous,
        already_commented=already_commented,
    )


REPORT = Report(findings=(finding(24), finding(26, severity=Severity.WARNING)), python_files=1)
SUMMARY = PreviousReview(80, "COMMENTED", f"{REVIEW_MARKER}\n{SUMMARY_MARKER}\nold", "https://x/80")


def test_first_run_posts_the_summary_with_the_comments() -> None:
    result = plan(REPORT)
    review = result.review
    assert isinstance(review, dict)
    assert review["event"] == "COMMENT"
    assert review["body"] == result.summary
    assert [c["line"] for c in review["comments"]] == [24, 26]
    assert result.update_summary is None


def test_no_findings_and_no_earlier_review_posts_nothing() -> None:
    assert plan(Report(findings=())).review is None


def test_an_earlier_summary_is_updated_and_known_findings_skipped() -> None:
    known = commented([f"text\n\n{finding_marker(fingerprints(REPORT)[0])}"])
    result = plan(REPORT, previous=[SUMMARY], already_commented=known)
    review = result.review
    assert isinstance(review, dict)
    assert [c["line"] for c in review["comments"]] == [26]
    assert review["body"].startswith(f"{REVIEW_MARKER}\nfastapi-review: 1 new finding;")
    assert result.update_summary == 80


def test_nothing_new_updates_the_summary_only() -> None:
    known = commented(finding_marker(fp) for fp in fingerprints(REPORT))
    result = plan(REPORT, previous=[SUMMARY], already_commented=known)
    assert (result.review, result.update_summary) == (None, 80)


def test_request_changes_follows_fail_on() -> None:
    review = plan(REPORT, request_changes=True).review
    assert isinstance(review, dict) and review["event"] == "REQUEST_CHANGES"
    review = plan(REPORT, request_changes=True, fail_on="never").review
    assert isinstance(review, dict) and review["event"] == "COMMENT"
    warning_only = Report(findings=(finding(26, severity=Severity.WARNING),))
    review = plan(warning_only, request_changes=True).review
    assert isinstance(review, dict) and review["event"] == "COMMENT"


def test_a_standing_change_request_is_not_repeated_and_dismissed_once_clean() -> None:
    blocking = replace(SUMMARY, state="CHANGES_REQUESTED")
    known = commented(finding_marker(fp) for fp in fingerprints(REPORT))
    result = plan(REPORT, request_changes=True, previous=[blocking], already_commented=known)
    assert (result.review, result.dismiss) == (None, ())
    clean = plan(Report(findings=()), request_changes=True, previous=[blocking])
    assert (clean.review, clean.update_summary, clean.dismiss) == (None, 80, (80,))


def test_only_our_reviews_count() -> None:
    theirs = PreviousReview(5, "CHANGES_REQUESTED", f"I like it\n{SUMMARY_MARKER}")
    assert not theirs.ours and not theirs.summary
    result = plan(Report(findings=()), previous=[theirs])
    assert (result.update_summary, result.dismiss) == (None, ())


def test_review_from_the_api() -> None:
    review = PreviousReview.from_api({"id": 3, "state": "COMMENTED", "body": None})
    assert (review.id, review.body, review.html_url) == (3, "", "")


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
