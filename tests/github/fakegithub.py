"""A local server that plays the GitHub REST and GraphQL APIs for one pull request, acme/shop#7.

It serves the fixtures of ``fixtures/`` (the pull request, its diff, its head commit as a tar
archive), or what :meth:`FakeGitHub.push` put there since; keeps the reviews and review comments
that are posted in memory, validates them as GitHub does (a comment must be on a line of the diff,
on the new side), pages its lists, and can be told to fail: a queued error response, a queued
answer that is not JSON (a proxy's page), or a read-only token (a pull request from a fork).
The token is a GitHub Actions token: ``GET /user`` refuses it, GraphQL's ``viewer`` is the
``github-actions`` app. GraphQL answers ``viewer``, the pull request's ``reviewThreads`` (built
from the review comments and their replies) and ``resolveReviewThread``, in the documented wire
format (``{"data": ...}``, errors as ``{"errors": [{"type": "FORBIDDEN", ...}]}``); people's
comments, replies and thread resolutions are added with :meth:`FakeGitHub.comment` and
:meth:`FakeGitHub.resolve`.
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


BOT = "github-actions[bot]"
"""The account of the token, as REST names it (GraphQL: ``github-actions``)."""


def head_files() -> dict[str, bytes]:
    head = FIXTURES / "head"
    return {
        str(file.relative_to(head)): file.read_bytes()
        for file in sorted(head.rglob("*"))
        if file.is_file()
    }


def archive(sha: str, files: dict[str, bytes]) -> bytes:
    """A commit as GitHub archives it: one top folder, ``<owner>-<repo>-<short sha>/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(f"acme-shop-{sha[:7]}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
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
        self.can_resolve = True
        """GraphQL's ``viewerCanResolve`` for our threads; False: the mutation is FORBIDDEN."""
        self.resolved: dict[int, str] = {}
        """First comment id of a resolved thread -> the GraphQL login of who resolved it."""
        self.push(HEAD_SHA, DIFF, head_files())
        server.expect_request(re.compile(r"/.*")).respond_with_handler(self.handle)

    def push(self, sha: str, diff: str, files: dict[str, bytes]) -> None:
        """The pull request's head is now commit ``sha``: its diff and its files."""
        self.head_sha, self.diff = sha, diff
        self.pull = {**PULL, "head": {**PULL["head"], "sha": sha}}
        self.hunks = diff_hunks(diff)
        self.archive = archive(sha, files)

    def comment(
        self,
        author: str,
        body: str,
        association: str = "NONE",
        reply_to: int | None = None,
        **where: Any,
    ) -> int:
        """A review comment written by someone (a reply when ``reply_to`` names a comment)."""
        comment_id = 1000 + len(self.comments)
        data: dict[str, Any] = {
            "id": comment_id,
            "user": {"login": author, "type": "Bot" if author.endswith("[bot]") else "User"},
            "author_association": association,
            "body": body,
            **where,
        }
        if reply_to is not None:
            root = next(c for c in self.comments if c["id"] == reply_to)
            data.update(in_reply_to_id=reply_to, path=root.get("path"), line=root.get("line"))
        self.comments.append(data)
        return comment_id

    def resolve(self, root: int, by: str) -> None:
        """A person resolves the thread that starts with comment ``root``."""
        self.resolved[root] = by

    def thread_of(self, comment_id: int) -> int:
        comment = next(c for c in self.comments if c["id"] == comment_id)
        return int(comment.get("in_reply_to_id") or comment_id)

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
        if (request.method, request.path) == ("POST", "/graphql"):
            return self.graphql(body or {})
        if self.read_only and request.method != "GET":
            return self.error(403, "Resource not accessible by integration")
        return self.route(request, body)

    def route(self, request: Request, body: Any) -> Response:
        pull = f"/repos/{REPO}/pulls/{NUMBER}"
        path, method = request.path, request.method
        if (method, path) == ("GET", "/user"):  # an installation token has no user
            return self.error(403, "Resource not accessible by integration")
        if (method, path) == ("GET", pull):
            if request.headers.get("Accept") == "application/vnd.github.diff":
                return Response(
                    self.diff, content_type="application/vnd.github.diff; charset=utf-8"
                )
            return self.json(self.pull)
        if (method, path) == ("GET", f"/repos/{REPO}/tarball/{self.head_sha}"):
            location = f"{self.url}/codeload/{REPO}/legacy.tar.gz/{self.head_sha}"
            return Response(status=302, headers={"Location": location})
        replied = re.fullmatch(rf"{pull}/comments/(\d+)/replies", path)
        if method == "POST" and replied and any(c["id"] == int(replied[1]) for c in self.comments):
            root = self.thread_of(int(replied[1]))
            reply = self.comment(BOT, body["body"], reply_to=root)
            return self.json(self.comments[reply - 1000], status=201)
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
        if body.get("commit_id") != self.head_sha or body.get("event") not in (
            "COMMENT",
            "REQUEST_CHANGES",
        ):
            return self.error(422, "Unprocessable Entity")
        if (self.reject_inline and comments) or not all(self.resolvable(c) for c in comments):
            return self.error(422, "Unprocessable Entity: Line could not be resolved")
        review_id = 80 + len(self.reviews)
        review = {
            "id": review_id,
            "user": {"login": BOT, "type": "Bot"},
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
                    "author_association": "NONE",
                    **comment,
                }
            )
        return self.json(review)

    def graphql(self, body: dict[str, Any]) -> Response:
        """``POST /graphql``: the three operations we send, answered as GitHub documents them."""
        query, variables = str(body.get("query", "")), body.get("variables") or {}
        if "resolveReviewThread" in query:
            return self.resolve_mutation(str(variables.get("threadId", "")))
        if "reviewThreads" in query:
            if (variables.get("owner"), variables.get("name"), variables.get("number")) != (
                *REPO.split("/"),
                NUMBER,
            ):
                return self.graphql_error("NOT_FOUND", "Could not resolve to a PullRequest.")
            return self.json(
                {
                    "data": {
                        "repository": {
                            "pullRequest": {"reviewThreads": self.threads(variables.get("after"))}
                        }
                    }
                }
            )
        if "viewer" in query:
            return self.json({"data": {"viewer": {"login": BOT.removesuffix("[bot]")}}})
        return self.graphql_error("UNPROCESSABLE", "unknown query")

    def threads(self, after: str | None) -> dict[str, Any]:
        roots = [c for c in self.comments if "in_reply_to_id" not in c]
        start = int(after.removeprefix("cursor:")) if after else 0
        page = roots[start : start + self.page_size]
        nodes = [
            {
                "id": f"PRRT_kwDOfake{root['id']}",
                "isResolved": root["id"] in self.resolved,
                "viewerCanResolve": self.can_resolve,
                "resolvedBy": (
                    {"login": self.resolved[root["id"]]} if root["id"] in self.resolved else None
                ),
                "comments": {"nodes": [{"databaseId": root["id"]}]},
            }
            for root in page
        ]
        end = start + len(page)
        return {
            "pageInfo": {"hasNextPage": end < len(roots), "endCursor": f"cursor:{end}"},
            "nodes": nodes,
        }

    def resolve_mutation(self, thread_id: str) -> Response:
        root = thread_id.removeprefix("PRRT_kwDOfake")
        if not root.isdigit() or not any(c["id"] == int(root) for c in self.comments):
            return self.graphql_error(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{thread_id}'"
            )
        if not self.can_resolve:
            return self.graphql_error(
                "FORBIDDEN", "Resource not accessible by integration", path="resolveReviewThread"
            )
        self.resolved[int(root)] = BOT.removesuffix("[bot]")
        thread = {"id": thread_id, "isResolved": True}
        return self.json({"data": {"resolveReviewThread": {"thread": thread}}})

    def graphql_error(self, kind: str, message: str, path: str | None = None) -> Response:
        error: dict[str, Any] = {
            "type": kind,
            "locations": [{"line": 2, "column": 3}],
            "message": message,
        }
        if path is not None:
            error["path"] = [path]
        return self.json({"data": {path: None} if path else None, "errors": [error]})

    @staticmethod
    def json(data: Any, headers: dict[str, str] | None = None, status: int = 200) -> Response:
        return Response(
            json.dumps(data),
            status=status,
            headers=headers,
            content_type="application/json; charset=utf-8",
        )

    @staticmethod
    def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        data = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        return Response(
            json.dumps(data), status=status, headers=headers, content_type="application/json"
        )
