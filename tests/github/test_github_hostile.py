"""GitHub answers that anyone between us and GitHub could garble: never a traceback, never the token
in a message, and with ``--post`` the report still printed and exit 3."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable

import pytest
from conftest import Result
from fakegithub import HEAD_SHA, NUMBER, REPO, TOKEN, FakeGitHub

from reviewer.github.client import GitHubClient
from reviewer.github.sources import ApiSources

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


def test_the_archive_keeps_python_and_configuration_only(github: FakeGitHub) -> None:
    buffer = io.BytesIO()
    files = {
        "app/main.py": b"app = 1\n",
        "app/types.pyi": b"x: int\n",
        "pyproject.toml": b"[project]\n",
        "requirements.txt": b"pydantic>=2\n",
        "docs/manual.pdf": b"%PDF" + b"\0" * 100_000,
        "web/bundle.js": b"console.log(1);\n" * 1000,
    }
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(f"acme-shop-{HEAD_SHA[:7]}/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    github.archive = buffer.getvalue()
    with GitHubClient(TOKEN, github.url) as client:
        sources = ApiSources(client, REPO, HEAD_SHA)
        assert list(sources.python_files()) == ["app/main.py"]
        assert sources.read("requirements.txt") == "pydantic>=2\n"
        assert sources.read("pyproject.toml") == "[project]\n"
        assert sources.read("app/types.pyi") == "x: int\n"
        assert sources.read("docs/manual.pdf") is None
        assert sources.read("web/bundle.js") is None


def test_an_error_that_echoes_the_token_does_not_show_it(
    github: FakeGitHub, run: Callable[..., Result]
) -> None:
    github.fail("POST", f"{PULL}/reviews", 401, f"Bad credentials: {TOKEN}")
    result = run("--github-pr", PR, "--post", "--format", "json")
    assert result.code == 3
    assert TOKEN not in result.err + result.out
    assert "401 Bad credentials: ***" in result.err
    github.fail("GET", PULL, 404, f"Not Found ({TOKEN})")
    result = run("--github-pr", PR)
    assert (result.code, result.err) == (
        2,
        f"fastapi-review: error: GET {PULL}: 404 Not Found (***)\n",
    )
