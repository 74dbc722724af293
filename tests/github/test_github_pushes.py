"""A pull request across pushes, from a repository with real git history served by the local
GitHub: what the change introduces is commented once, a fixed finding has its thread resolved
(or answered), a force-push that moves lines repeats nothing, a maintainer's dismissal holds, and
markers written by anyone but the token's account are not trusted. Also where the head's files
come from: a local checkout of the head, the archive, or nowhere (the hunks)."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from fakegithub import BOT, NUMBER, REPO, FakeGitHub
from test_cli import git
from test_differential import ORDERS_BEFORE

PR = f"{REPO}#{NUMBER}"
PULL = f"/repos/{REPO}/pulls/{NUMBER}"

BASE = ORDERS_BEFORE

# Push 1: the old blocking call reformatted (not new), a def turned async (its sleep is new) and
# a new blocking call.
PUSH_1 = (
    BASE.replace(
        'rates = requests.get("https://fx.example.com/latest", timeout=5).json()',
        'rates = requests.get(\n        "https://fx.example.com/latest", timeout=5\n    ).json()',
    ).replace("def refresh_cache", "async def refresh_cache")
    + """

async def notify(order_id: int):
    requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)
"""
)
# Push 2: the new call fixed, and lines added above the async sleep.
PUSH_2 = PUSH_1.replace(
    'requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)',
    "return order_id",
).replace("async def refresh_cache", "CACHE_SECONDS = 2\n\n\nasync def refresh_cache")
# A force-push: history rewritten, lines moved again, the same problems.
FORCED = '"""Orders."""\n\n' + PUSH_2


class PullRequest:
    """A repository with ``main`` and a pull request branch, pushed to the local GitHub."""

    def __init__(self, root: Path, github: FakeGitHub) -> None:
        self.root, self.github = root, github
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        self.write(BASE)
        git(root, "commit", "-qm", "base")
        git(root, "checkout", "-q", "-b", "ship")

    def write(self, text: str) -> None:
        (self.root / "app").mkdir(exist_ok=True)
        (self.root / "app" / "orders.py").write_text(text)
        git(self.root, "add", "-A")

    def push(self, text: str, amend: bool = False) -> str:
        self.write(text)
        git(
            self.root,
            "commit",
            "-q",
            "--amend" if amend else "-qm",
            *(["--no-edit"] if amend else ["push"]),
        )
        sha = git(self.root, "rev-parse", "HEAD").strip()
        diff = git(self.root, "diff", "--no-color", "-M", "main...HEAD")
        tar = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD"],
            cwd=self.root,
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
            files = {
                member.name: archive.extractfile(member).read()  # type: ignore[union-attr]
                for member in archive
                if member.isfile()
            }
        self.github.push(sha, diff, files)
        return sha


@pytest.fixture
def pull(github: FakeGitHub, tmp_path: Path) -> PullRequest:
    return PullRequest(tmp_path / "repo", github)


def report(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.out)
    return data


def found(result: Result) -> list[tuple[str, str]]:
    return [(f["rule_id"], f["construct"]) for f in report(result)["findings"]]


def posted(github: FakeGitHub) -> list[dict[str, Any]]:
    return [c.body for c in github.calls if (c.method, c.path) == ("POST", f"{PULL}/reviews")]


def graphql(github: FakeGitHub, operation: str) -> list[dict[str, Any]]:
    return [
        c.body["variables"]
        for c in github.calls
        if c.path == "/graphql" and operation in c.body["query"]
    ]


def test_across_pushes(github: FakeGitHub, pull: PullRequest, run: Callable[..., Result]) -> None:
    pull.push(PUSH_1)
    first = run("--github-pr", PR, "--post", "--format", "json")
    assert first.code == 1, first.err
    assert found(first) == [("FAPI402", "refresh_cache"), ("FAPI401", "notify")]
    (review,) = posted(github)
    assert [c["line"] for c in review["comments"]] == [18, 23]
    assert report(first)["mode"] == "differential"
    assert report(first)["stats"]["preexisting"] == 1  # the reformatted call

    # Push 2: the new call is fixed and the sleep moved down three lines.
    pull.push(PUSH_2)
    second = run("--github-pr", PR, "--post", "--format", "json")
    assert second.code == 1, second.err
    assert found(second) == [("FAPI402", "refresh_cache")]
    assert len(posted(github)) == 1  # nothing new to comment on
    notify_thread = github.comments[1]["id"]
    assert graphql(github, "resolveReviewThread") == [{"threadId": f"PRRT_kwDOfake{notify_thread}"}]
    assert github.resolved == {notify_thread: "github-actions"}
    summary = github.reviews[0]["body"]
    assert "Fixed: 1 finding commented on earlier (threads resolved)." in summary
    assert "resolved 1 thread(s) of fixed findings" in second.err

    # A force-push that moves lines again repeats nothing and resolves nothing more.
    pull.push(FORCED, amend=True)
    calls = len(github.calls)
    third = run("--github-pr", PR, "--post", "--format", "json")
    assert third.code == 1, third.err
    assert len(posted(github)) == 1
    assert len(github.comments) == 2
    assert len(graphql(github, "resolveReviewThread")) == 1
    assert [c.method for c in github.writes()[-1:]] == ["PUT"]  # the summary, updated
    assert all(c.method in ("GET", "PUT") or c.path == "/graphql" for c in github.calls[calls:])


def test_a_dismissed_finding_is_not_raised_again(
    github: FakeGitHub, pull: PullRequest, run: Callable[..., Result]
) -> None:
    pull.push(PUSH_1)
    assert run("--github-pr", PR, "--post").code == 1
    sleep_thread, notify_thread = (c["id"] for c in github.comments)
    github.resolve(sleep_thread, by="octocat")  # a maintainer resolves it: a dismissal
    github.comment("mona", "fastapi-review: ignore", "MEMBER", reply_to=notify_thread)
    pull.push(PUSH_1 + "\n\nVERSION = 2\n")
    result = run("--github-pr", PR, "--post", "--format", "json")
    assert result.code == 0, result.err  # nothing left that blocks
    assert found(result) == []
    assert (
        "Dismissed: 2 findings, not raised again on this pull request." in github.reviews[0]["body"]
    )
    assert "2 finding(s) dismissed on the pull request left out" in result.err
    assert graphql(github, "resolveReviewThread") == []
    # A reply by someone without a say in the repository dismisses nothing.
    github.resolved.clear()
    github.comments = github.comments[:2]
    github.comment("passer-by", "fastapi-review: ignore", "NONE", reply_to=notify_thread)
    result = run("--github-pr", PR, "--post", "--format", "json")
    assert found(result) == [("FAPI402", "refresh_cache"), ("FAPI401", "notify")]


def test_where_the_token_may_not_resolve_a_thread_it_answers_once(
    github: FakeGitHub, pull: PullRequest, run: Callable[..., Result]
) -> None:
    github.can_resolve = False
    pull.push(PUSH_1)
    assert run("--github-pr", PR, "--post").code == 1
    notify_thread = github.comments[1]["id"]
    pull.push(PUSH_2)
    result = run("--github-pr", PR, "--post")
    assert "answered 1 thread(s) of fixed findings" in result.err, result.err
    replies = [c for c in github.comments if c.get("in_reply_to_id") == notify_thread]
    assert [(r["user"]["login"], r["body"].splitlines()[0]) for r in replies] == [
        (BOT, f"fastapi-review: fixed at {github.head_sha[:12]}.")
    ]
    run("--github-pr", PR, "--post")
    assert len([c for c in github.comments if c.get("in_reply_to_id") == notify_thread]) == 1


def test_markers_written_by_others_are_not_trusted(
    github: FakeGitHub, pull: PullRequest, run: Callable[..., Result]
) -> None:
    pull.push(PUSH_1)
    fingerprints = [
        f["fingerprint"] for f in report(run("--github-pr", PR, "--format", "json"))["findings"]
    ]
    for fingerprint in fingerprints:  # the author tries to silence the review
        github.comment(
            "octocat",
            f"<!-- fastapi-review:finding {fingerprint} FAPI401 -->",
            "CONTRIBUTOR",
            path="app/orders.py",
            line=25,
        )
    github.reviews.append(
        {
            "id": 79,
            "user": {"login": "octocat", "type": "User"},
            "body": "<!-- fastapi-review -->\n<!-- fastapi-review:summary -->\nall good",
            "state": "COMMENTED",
            "html_url": "",
        }
    )
    result = run("--github-pr", PR, "--post")
    assert result.code == 1, result.err
    (review,) = posted(github)
    assert len(review["comments"]) == 2
    assert github.reviews[0]["body"].endswith("all good")  # theirs, untouched


def test_the_checkout_of_the_head_is_the_context(
    github: FakeGitHub,
    pull: PullRequest,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pull.push(PUSH_1)
    monkeypatch.chdir(pull.root)  # as in the Action after actions/checkout of the head
    result = run("--github-pr", PR, "--format", "json")
    assert found(result) == [("FAPI402", "refresh_cache"), ("FAPI401", "notify")]
    assert report(result)["partial"] == []
    assert not [c for c in github.calls if "tarball" in c.path or "codeload" in c.path]


def test_without_the_archive_the_hunks_are_reviewed_and_it_says_so(
    github: FakeGitHub, pull: PullRequest, run: Callable[..., Result]
) -> None:
    pull.push(PUSH_1)
    github.fail("GET", f"/repos/{REPO}/tarball/.*", 404, "Not Found")
    result = run("--github-pr", PR, "--format", "json")
    assert result.code == 1, result.err
    assert ("FAPI401", "notify") in found(result)
    assert report(result)["partial"] == ["app/orders.py"]
    assert result.err.startswith(
        f"fastapi-review: warning: the files of {REPO}@{github.head_sha[:12]} could not be "
        "downloaded (GET "
    )
    assert "the change is reviewed from the diff's hunks" in result.err
