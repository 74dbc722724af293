"""``--github-pr`` end to end against the local GitHub: what we read, what we post, and how we
fall back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import Result
from fakegithub import FIXTURES, HEAD_SHA, NUMBER, REPO, TOKEN, FakeGitHub

PR = f"{REPO}#{NUMBER}"
PULL = f"/repos/{REPO}/pulls/{NUMBER}"
MARKER = "<!-- fastapi-review:finding "


def posted_reviews(github: FakeGitHub) -> list[dict[str, object]]:
    return [
        call.body
        for call in github.calls
        if (call.method, call.path) == ("POST", f"{PULL}/reviews")
    ]


def test_reads_the_diff_and_the_head_files(github: FakeGitHub, run: Callable[..., Result]) -> None:
    result = run("--github-pr", PR, "--format", "json")
    assert result.code == 1, result.err
    report = json.loads(result.out)
    assert [(f["rule_id"], f["line"], f["end_line"]) for f in report["findings"]] == [
        ("FAPI402", 24, 24),
        ("FAPI404", 25, 25),
        ("FAPI401", 32, 36),
    ]
    assert report["partial"] == []  # the whole file came from the head commit's archive
    assert [(c.method, c.path, c.accept) for c in github.calls] == [
        ("GET", PULL, "application/vnd.github+json"),
        ("GET", PULL, "application/vnd.github.diff"),
        ("GET", f"/repos/{REPO}/tarball/{HEAD_SHA}", "application/vnd.github+json"),
        ("GET", f"/codeload/{REPO}/legacy.tar.gz/{HEAD_SHA}", "application/vnd.github+json"),
    ]
    assert github.calls[0].authorization == f"Bearer {TOKEN}"
    assert github.writes() == []


def test_post_publishes_one_review_with_comments_on_the_right_lines(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    result = run("--github-pr", PR, "--post")
    assert result.code == 1, result.err
    assert "app/orders.py:24:5 FAPI402 error" in result.out
    assert f"{PR}: posted a review (COMMENT) with 3 inline comments" in result.err
    (review,) = posted_reviews(github)
    assert isinstance(review, dict)
    assert review["commit_id"] == HEAD_SHA
    assert review["event"] == "COMMENT"
    assert [
        {key: c[key] for key in ("path", "line", "side") if key in c}
        | {"start": c.get("start_line")}
        for c in review["comments"]
    ] == [
        {"path": "app/orders.py", "line": 24, "side": "RIGHT", "start": None},
        {"path": "app/orders.py", "line": 25, "side": "RIGHT", "start": None},
        {"path": "app/orders.py", "line": 36, "side": "RIGHT", "start": 32},
    ]
    assert review["comments"][2]["start_side"] == "RIGHT"
    first = review["comments"][0]["body"]
    assert first.startswith("**FAPI402** `blocking-sleep-in-async`\n\n**error**: ")
    assert "**Fix:**" in first and "<summary>Why is this bad?</summary>" in first
    assert all(c["body"].count(MARKER) == 1 for c in review["comments"])
    body = review["body"]
    assert body.startswith("<!-- fastapi-review -->\n<!-- fastapi-review:summary -->\n")
    assert "| error | 2 |\n| warning | 1 |\n| info | 0 |" in body
    assert "3 on lines of the diff: see the inline comments." in body
    assert HEAD_SHA[:12] in body


def test_a_second_run_updates_the_summary_and_repeats_nothing(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    assert run("--github-pr", PR, "--post").code == 1
    github.reviews[0]["body"] = "<!-- fastapi-review -->\n<!-- fastapi-review:summary -->\nold"
    result = run("--github-pr", PR, "--post")
    assert result.code == 1, result.err
    assert f"{PR}: updated the summary" in result.err
    assert len(posted_reviews(github)) == 1
    assert len(github.comments) == 3
    updates = [c for c in github.writes() if c.method == "PUT"]
    assert [c.path for c in updates] == [f"{PULL}/reviews/80"]
    assert github.reviews[0]["body"].startswith(
        "<!-- fastapi-review -->\n<!-- fastapi-review:summary -->\n## "
    )
    # three comments on pages of two: the second run read both pages
    pages = [c.query.get("page") for c in github.calls if c.path == f"{PULL}/comments"]
    assert pages == [None, None, "2"]


def test_only_new_findings_are_commented(github: FakeGitHub, run: Callable[..., Result]) -> None:
    assert run("--github-pr", PR, "--post", "--select", "FAPI402").code == 1
    result = run("--github-pr", PR, "--post")
    assert result.code == 1, result.err
    first, second = posted_reviews(github)
    assert isinstance(first, dict) and isinstance(second, dict)
    assert [c["line"] for c in first["comments"]] == [24]
    assert [c["line"] for c in second["comments"]] == [25, 36]
    assert second["body"].startswith("<!-- fastapi-review -->\nfastapi-review: 2 new findings;")
    assert "pullrequestreview-80" in second["body"]
    assert "<!-- fastapi-review:summary -->" not in second["body"]
    assert "| error | 2 |" in github.reviews[0]["body"]  # summary updated in place


def test_findings_outside_the_diff_go_into_the_summary(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    result = run("--github-pr", PR, "--post", "--all-lines")
    assert result.code == 1, result.err
    (review,) = posted_reviews(github)
    assert isinstance(review, dict)
    assert [c["line"] for c in review["comments"]] == [24, 25, 36]
    assert "### Outside the lines GitHub can comment on (1)" in review["body"]
    assert "#### FAPI402 `blocking-sleep-in-async` at `app/orders.py:13`" in review["body"]
    assert "time.sleep(0.1)" in review["body"]


def test_request_changes_then_dismiss_once_fixed(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    assert run("--github-pr", PR, "--post", "--request-changes").code == 1
    (review,) = posted_reviews(github)
    assert isinstance(review, dict) and review["event"] == "REQUEST_CHANGES"
    assert github.reviews[0]["state"] == "CHANGES_REQUESTED"
    # the blocking findings are gone (here: ignored); the warning stays a comment
    result = run("--github-pr", PR, "--post", "--request-changes", "--ignore", "FAPI401,FAPI402")
    assert result.code == 0, result.err
    assert "dismissed 1 earlier change request(s)" in result.err
    dismissal = github.writes()[-1]
    assert dismissal.path == f"{PULL}/reviews/80/dismissals"
    assert dismissal.body["event"] == "DISMISS"
    assert github.reviews[0]["state"] == "DISMISSED"
    assert len(posted_reviews(github)) == 1


def test_comment_state_by_default_even_with_errors(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    assert run("--github-pr", PR, "--post", "--fail-on", "warning").code == 1
    assert github.reviews[0]["state"] == "COMMENTED"


def test_lines_github_refuses_move_into_the_summary(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    github.reject_inline = True
    result = run("--github-pr", PR, "--post")
    assert result.code == 1, result.err
    refused, accepted = posted_reviews(github)
    assert isinstance(refused, dict) and isinstance(accepted, dict)
    assert len(refused["comments"]) == 3
    assert accepted["comments"] == []
    assert "### Outside the lines GitHub can comment on (3)" in accepted["body"]
    assert len(github.reviews) == 1


def test_fork_without_write_permission_falls_back_to_annotations(
    github: FakeGitHub, run: Callable[..., Result], tmp_path: Path
) -> None:
    github.read_only = True
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("earlier step\n")
    result = run(
        "--github-pr",
        PR,
        "--post",
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary)},
    )
    assert result.code == 1, result.err  # findings at or above --fail-on, as without --post
    assert "app/orders.py:24:5 FAPI402 error" in result.out
    assert (
        "::error file=app/orders.py,line=24,col=5,title=FAPI402 blocking-sleep-in-async::"
        in result.err
    )
    assert "::error file=app/orders.py,line=32,endLine=36,title=FAPI401" in result.err
    assert "the token cannot write reviews" in result.err
    assert "wrote annotations and the step summary instead" in result.err
    summary = step_summary.read_text()
    assert summary.startswith("earlier step\n## fastapi-review\n")
    assert "| 1 | error | FAPI402 `blocking-sleep-in-async` | `app/orders.py:24` |" in summary
    assert github.reviews == []


def test_a_403_outside_actions_still_writes_the_report_and_exits_3(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    github.read_only = True
    result = run(
        "--github-pr", PR, "--post", "--format", "sarif", "--output", "r.sarif", "--format", "text"
    )
    assert result.code == 3
    assert "app/orders.py:24:5 FAPI402 error" in result.out
    assert json.loads(Path("r.sarif").read_text())["runs"][0]["results"]
    assert result.err.strip().endswith(
        f"{PR}: publishing the review failed: POST {PULL}/reviews: 403 Resource not accessible by integration"
    )
    assert "::error" not in result.err


def test_a_502_on_reading_is_retried(github: FakeGitHub, run: Callable[..., Result]) -> None:
    github.fail("GET", f"/repos/{REPO}/pulls/{NUMBER}/reviews", 502, "Bad Gateway")
    result = run("--github-pr", PR, "--post")
    assert result.code == 1, result.err
    assert len(posted_reviews(github)) == 1
    assert [c.path for c in github.calls].count(f"{PULL}/reviews") == 3  # 502, GET, POST


def test_in_a_pull_request_workflow(github: FakeGitHub, run: Callable[..., Result]) -> None:
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(FIXTURES / "event_pull_request.json"),
        "GITHUB_REPOSITORY": REPO,
    }
    result = run("--github-pr", "--post", "--fail-on", "never", env=env)
    assert result.code == 0, result.err
    assert f"{PR}: posted a review (COMMENT) with 3 inline comments" in result.err
    assert len(posted_reviews(github)) == 1


def test_outside_a_pull_request_workflow(github: FakeGitHub, run: Callable[..., Result]) -> None:
    result = run("--github-pr", env={"GITHUB_EVENT_NAME": "push"})
    assert result.code == 2
    assert "needs a pull_request workflow run (GITHUB_EVENT_NAME is push)" in result.err
    assert github.calls == []


def test_usage_errors(github: FakeGitHub, run: Callable[..., Result]) -> None:
    assert "expected OWNER/REPO#NUMBER" in run("--github-pr", "acme/shop").err
    assert "--post needs --github-pr" in run(str(FIXTURES / "pull.diff"), "--post").err
    assert "--request-changes needs --post" in run("--github-pr", PR, "--request-changes").err
    assert "give one of PATCH" in run(str(FIXTURES / "pull.diff"), "--github-pr", PR).err
    assert github.calls == []


def test_a_pull_request_address_works_too(github: FakeGitHub, run: Callable[..., Result]) -> None:
    result = run("--github-pr", f"https://github.com/{REPO}/pull/{NUMBER}", "--format", "json")
    assert result.code == 1, result.err


def test_an_unknown_pull_request(github: FakeGitHub, run: Callable[..., Result]) -> None:
    result = run("--github-pr", f"{REPO}#8")
    assert result.code == 2
    assert result.err == f"fastapi-review: error: GET /repos/{REPO}/pulls/8: 404 Not Found\n"
