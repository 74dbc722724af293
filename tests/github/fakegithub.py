"""A local server that plays the GitHub REST API for one pull request, acme/shop#7.

It serves the fixtures of ``fixtures/`` (the pull request, its diff, its head commit as a tar
archive), keeps the reviews and review comments that are posted in memory, validates them as
GitHub does (a comment must be on a line of the diff, on the new side), pages its lists, and can
be told to fail: a queued error response, a queued answer that is not JSON (a proxy's page), or a
read-only token (a pull request from a fork).
Every request is recorded so that tests check what we send.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures"
REPO = "acme/shop"
NUMBER = 7
TOKEN = "ghs_fake_token_for_tests"
PULL = json.loads((FIXTURES / "pull.json").read_text(encoding="utf-8"))
HEAD_SHA: str = PULL["head"]["sha"]
DIFF = (FIXTURES / "pull.diff").read_text(encoding="utf-8")
ENVIRONMENT = (
    "GITHUB_ACTIONS",
    "GITHUB_API_URL",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_REPOSITORY",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_TOKEN",
    "ANTHROPIC_API_KEY",
)


def diff_hunks(diff: str) -> dict[str, list[tuple[int, int]]]:
    """New-side line ranges of each file's hunks: the lines GitHub lets a review comment on."""
    hunks: dict[str, list[tuple[int, int]]] = {}
    path = ""
    for line in diff.splitlines():
        if line.startswith("+++ b/"):
            path = line[len("+++ b/") :]
        match = re.match(r"@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
        if match:
            start, count = int(match[1]), int(match[2] or 1)
            hunks.setdefault(path, []).append((start, start + count - 1))
    return hunks


def head_archive() -> bytes:
    """The head commit as GitHub archives it: one top folder, ``<owner>-<repo>-<short sha>/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for file in sorted((FIXTURES / "head").rglob("*")):
            if file.is_file():
                data = file.read_bytes()
                info = tarfile.TarInfo(
                    f"acme-shop-{HEAD_SHA[:7]}/{file.relative_to(FIXTURES / 'head')}"
                )
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    accept: str | None
    body: Any


@dataclass
class Failure:
    method: str
    path: str
    """A regular expression the whole request path must match."""
    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    raw: str | None = None
    """Sent as the body instead of a JSON error, as text/html."""


class FakeGitHub:
    def __init__(self, server: HTTPServer) -> None:
        self.url = server.url_for("/").rstrip("/")
        self.page_size = 2
        """Items per page at most, whatever ``per_page`` asks: small, so lists are paged."""
        self.read_only = False
        """Writes answer 403, as for a fork's pull request with a read-only token."""
        self.reject_inline = False
        """Reviews with inline comments answer 422, as when the diff moved on meanwhile."""
        self.reviews: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.hunks = diff_hunks(DIFF)
        self.archive = head_archive()
        server.expect_request(re.compile(r"/.*")).respond_with_handler(self.handle)

    def fail(self, method: str, path: str, status: int, message: str = "", **headers: str) -> None:
        """Answer the next request matching ``method`` and ``path`` (a regex) with an error."""
        self.failures.append(Failure(method, path, status, message or str(status), headers))

    def garble(self, method: str, path: str, text: str, status: int = 200) -> None:
        """Answer the next request matching ``method`` and ``path`` with ``text`` as HTML."""
        self.failures.append(Failure(method, path, status, "", raw=text))

    def writes(self) -> list[Call]:
        return [call for call in self.calls if call.method in ("POST", "PUT", "PATCH", "DELETE")]

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.data else None
        self.calls.append(
            Call(
                request.method,
                request.path,
                dict(request.args),
                request.headers.get("Authorization"),
                request.headers.get("Accept"),
                body,
            )
        )
        for failure in self.failures:
            if failure.method == request.method and re.fullmatch(failure.path, request.path):
                self.failures.remove(failure)
                if failure.raw is not None:
                    return Response(failure.raw, status=failure.status, content_type="text/html")
                return self.error(failure.status, failure.message, failure.headers)
        if request.path.startswith("/codeload/"):
            return Response(self.archive, content_type="application/x-gzip")
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.error(401, "Bad credentials")
        if self.read_only and request.method != "GET":
            return self.error(403, "Resource not accessible by integration")
        return self.route(request, body)

    def route(self, request: Request, body: Any) -> Response:
        pull = f"/repos/{REPO}/pulls/{NUMBER}"
        path, method = request.path, request.method
        if (method, path) == ("GET", pull):
            if request.headers.get("Accept") == "application/vnd.github.diff":
                return Response(DIFF, content_type="application/vnd.github.diff; charset=utf-8")
            return self.json(PULL)
        if (method, path) == ("GET", f"/repos/{REPO}/tarball/{HEAD_SHA}"):
            location = f"{self.url}/codeload/{REPO}/legacy.tar.gz/{HEAD_SHA}"
            return Response(status=302, headers={"Location": location})
        if (method, path) == ("GET", f"{pull}/comments"):
            return self.page(request, self.comments)
        if (method, path) == ("GET", f"{pull}/reviews"):
            return self.page(request, self.reviews)
        if (method, path) == ("POST", f"{pull}/reviews"):
            return self.create_review(body)
        found = re.fullmatch(rf"{pull}/reviews/(\d+)(/dismissals)?", path)
        review = next((r for r in self.reviews if found and r["id"] == int(found[1])), None)
        if method == "PUT" and review is not None and found is not None:
            if found[2]:
                review["state"] = "DISMISSED"
            else:
                review["body"] = body["body"]
            return self.json(review)
        return self.error(404, "Not Found")

    def page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        size = min(int(request.args.get("per_page", 30)), self.page_size)
        number = int(request.args.get("page", 1))
        pages = max(1, -(-len(items) // size))
        headers = {}
        if number < pages:
            link = f"{self.url}{request.path}?per_page={size}&page="
            headers["Link"] = f'<{link}{number + 1}>; rel="next", <{link}{pages}>; rel="last"'
        return self.json(items[(number - 1) * size : number * size], headers)

    def resolvable(self, comment: dict[str, Any]) -> bool:
        ranges = self.hunks.get(comment.get("path", ""), [])
        line, start = comment.get("line"), comment.get("start_line", comment.get("line"))
        if comment.get("side", "RIGHT") != "RIGHT" or not isinstance(line, int):
            return False
        return (
            isinstance(start, int)
            and start <= line
            and any(a <= start and line <= b for a, b in ranges)
        )

    def create_review(self, body: dict[str, Any]) -> Response:
        comments = body.get("comments", [])
        if body.get("commit_id") != HEAD_SHA or body.get("event") not in (
            "COMMENT",
            "REQUEST_CHANGES",
        ):
            return self.error(422, "Unprocessable Entity")
        if (self.reject_inline and comments) or not all(self.resolvable(c) for c in comments):
            return self.error(422, "Unprocessable Entity: Line could not be resolved")
        review_id = 80 + len(self.reviews)
        review = {
            "id": review_id,
            "user": {"login": "github-actions[bot]", "type": "Bot"},
            "body": body.get("body", ""),
            "state": "CHANGES_REQUESTED" if body["event"] == "REQUEST_CHANGES" else "COMMENTED",
            "html_url": f"https://github.com/{REPO}/pull/{NUMBER}#pullrequestreview-{review_id}",
            "commit_id": body["commit_id"],
        }
        self.reviews.append(review)
        for comment in comments:
            self.comments.append(
                {
                    "id": 1000 + len(self.comments),
                    "pull_request_review_id": review_id,
                    "commit_id": body["commit_id"],
                    "user": review["user"],
                    **comment,
                }
            )
        return self.json(review)

    @staticmethod
    def json(data: Any, headers: dict[str, str] | None = None) -> Response:
        return Response(
            json.dumps(data), headers=headers, content_type="application/json; charset=utf-8"
        )

    @staticmethod
    def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        data = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        return Response(
            json.dumps(data), status=status, headers=headers, content_type="application/json"
        )
