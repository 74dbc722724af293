"""The REST client against the local GitHub: paging, rate limits, 5xx, errors. Waits are recorded
instead of slept, so the retries are checked without slowing the tests."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fakegithub import HEAD_SHA, NUMBER, REPO, TOKEN, FakeGitHub

from reviewer.github.client import SECONDARY_WAIT, GitHubClient, GitHubError
from reviewer.github.pull import fetch_pull, parse_pull_ref

PULL = f"/repos/{REPO}/pulls/{NUMBER}"


class Waits(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def client(github: FakeGitHub, waits: Waits) -> Iterator[GitHubClient]:
    with GitHubClient(TOKEN, github.url, backoff=0.5, sleep=waits) as api:
        yield api


def test_pagination_follows_next_links(github: FakeGitHub, client: GitHubClient) -> None:
    github.comments = [{"id": n, "body": f"comment {n}"} for n in range(5)]
    assert [c["id"] for c in client.review_comments(REPO, NUMBER)] == [0, 1, 2, 3, 4]
    assert [c.query for c in github.calls] == [
        {"per_page": "100"},
        {"per_page": "2", "page": "2"},
        {"per_page": "2", "page": "3"},
    ]
    assert all(c.authorization == f"Bearer {TOKEN}" for c in github.calls)


def test_an_empty_list_is_one_request(github: FakeGitHub, client: GitHubClient) -> None:
    assert client.reviews(REPO, NUMBER) == []
    assert len(github.calls) == 1


def test_a_502_then_success(github: FakeGitHub, client: GitHubClient, waits: Waits) -> None:
    github.fail("GET", PULL, 502, "Bad Gateway")
    assert client.pull(REPO, NUMBER)["number"] == NUMBER
    assert waits == [0.5]
    assert len(github.calls) == 2


def test_5xx_retries_are_bounded(github: FakeGitHub, client: GitHubClient, waits: Waits) -> None:
    for _ in range(4):
        github.fail("POST", f"{PULL}/reviews", 503, "Service Unavailable")
    with pytest.raises(GitHubError, match=r"POST /repos/acme/shop/pulls/7/reviews: 503") as error:
        client.create_review(REPO, NUMBER, {"commit_id": HEAD_SHA, "event": "COMMENT", "body": "x"})
    assert error.value.status == 503
    assert waits == [0.5, 1.0, 2.0]
    assert len(github.calls) == 4
    assert github.reviews == []


def test_secondary_rate_limit_waits_retry_after(
    github: FakeGitHub, client: GitHubClient, waits: Waits
) -> None:
    github.fail(
        "GET", PULL, 403, "You have exceeded a secondary rate limit.", **{"retry-after": "7"}
    )
    assert client.pull(REPO, NUMBER)["number"] == NUMBER
    assert waits == [7.0]


def test_429_without_a_time_waits_a_minute(
    github: FakeGitHub, client: GitHubClient, waits: Waits
) -> None:
    github.fail("GET", PULL, 429, "Too Many Requests")
    client.pull(REPO, NUMBER)
    assert waits == [SECONDARY_WAIT]


def test_primary_rate_limit_waits_for_the_reset(
    github: FakeGitHub, client: GitHubClient, waits: Waits
) -> None:
    reset = str(int(time.time()) + 20)
    github.fail(
        "GET",
        PULL,
        403,
        "API rate limit exceeded",
        **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
    )
    client.pull(REPO, NUMBER)
    assert len(waits) == 1 and 15 <= waits[0] <= 22


def test_a_long_rate_limit_fails_at_once(
    github: FakeGitHub, client: GitHubClient, waits: Waits
) -> None:
    github.fail("GET", PULL, 429, "Too Many Requests", **{"retry-after": "3600"})
    with pytest.raises(GitHubError, match="rate limited by GitHub") as error:
        client.pull(REPO, NUMBER)
    assert error.value.rate_limited
    assert waits == []


def test_a_403_is_not_retried(github: FakeGitHub, client: GitHubClient, waits: Waits) -> None:
    github.read_only = True
    with pytest.raises(GitHubError, match="403 Resource not accessible by integration") as error:
        client.update_review(REPO, NUMBER, 1, "body")
    assert (error.value.status, error.value.rate_limited) == (403, False)
    assert waits == []
    assert len(github.calls) == 1


def test_connection_failures_are_retried_then_reported(waits: Waits) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        GitHubClient(TOKEN, f"http://127.0.0.1:{port}", retries=2, backoff=0.1, sleep=waits) as api,
        pytest.raises(GitHubError, match=f"GET /repos/{REPO}/pulls/{NUMBER}: ") as error,
    ):
        api.pull(REPO, NUMBER)
    assert error.value.status is None
    assert waits == [0.1, 0.2]


def test_no_token_sends_no_authorization(github: FakeGitHub) -> None:
    with (
        GitHubClient(None, github.url) as api,
        pytest.raises(GitHubError, match="401 Bad credentials"),
    ):
        api.pull(REPO, NUMBER)
    assert github.calls[0].authorization is None


def test_head_files_come_from_one_archive(github: FakeGitHub, client: GitHubClient) -> None:
    pull = fetch_pull(client, parse_pull_ref(f"{REPO}#{NUMBER}"))
    assert pull.head_sha == HEAD_SHA
    assert pull.diff.startswith("diff --git a/app/orders.py b/app/orders.py")
    sources = pull.sources
    assert list(sources.python_files()) == ["app/__init__.py", "app/main.py", "app/orders.py"]
    orders = sources.read("app/orders.py")
    assert orders is not None and "async def ship(" in orders
    assert sources.read("pyproject.toml") is not None
    assert sources.read("app/missing.py") is None
    assert sources.label == f"{REPO}@{HEAD_SHA[:12]} (GitHub API)"
    archive_calls = [c for c in github.calls if "tarball" in c.path or "codeload" in c.path]
    assert len(archive_calls) == 2  # the redirect and the archive, once for all reads


@pytest.mark.parametrize(
    ("text", "repo", "number"),
    [
        ("acme/shop#7", "acme/shop", 7),
        (" octo-org/my.repo_2#1234 ", "octo-org/my.repo_2", 1234),
        ("https://github.com/acme/shop/pull/7", "acme/shop", 7),
        ("https://ghe.example.com/acme/shop/pull/7/", "acme/shop", 7),
    ],
)
def test_pull_references(text: str, repo: str, number: int) -> None:
    ref = parse_pull_ref(text)
    assert (ref.repo, ref.number) == (repo, number)
    assert str(ref) == f"{repo}#{number}"
