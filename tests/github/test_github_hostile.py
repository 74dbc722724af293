"""GitHub answers that anyone between us and GitHub could garble: never a traceback, never the token
in a message, and with ``--post`` the report still printed and exit 3."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import Result
from fakegithub import NUMBER, REPO, FakeGitHub

PR = f"{REPO}#{NUMBER}"
PULL = f"/repos/{REPO}/pulls/{NUMBER}"
PAGE = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("method", "path", "text"),
    [
        ("GET", f"{PULL}/reviews", PAGE),
        ("GET", f"{PULL}/comments", '[{"id": 1, "body": "cut off'),
        ("POST", f"{PULL}/reviews", PAGE),
    ],
)
def test_a_200_that_is_not_json_while_posting_exits_3(
    github: FakeGitHub, run: Callable[..., Result], method: str, path: str, text: str
) -> None:
    github.garble(method, path, text)
    result = run("--github-pr", PR, "--post", "--format", "json")
    assert result.code == 3, result.err
    assert '"rule_id": "FAPI402"' in result.out  # the report was printed all the same
    assert f"publishing the review failed: {method} {path}: an answer that is not JSON" in (
        result.err
    )
    assert "Traceback" not in result.err


def test_a_200_that_is_not_json_while_reading_is_an_input_error(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    github.garble("GET", PULL, PAGE)
    result = run("--github-pr", PR)
    assert result.code == 2
    assert result.err == (
        f"fastapi-review: error: GET {PULL}: an answer that is not JSON (text/html, 65 bytes)\n"
    )
