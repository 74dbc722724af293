"""The GitHub REST API calls: every HTTP request to GitHub happens here.

Responses that say "try again" are retried within bounds: a secondary or primary rate limit waits
what GitHub asks (``retry-after``, ``x-ratelimit-reset``) when that is at most ``max_wait``
seconds, and a 5xx or a connection failure is retried with exponential backoff. Anything else
raises :class:`GitHubError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from reviewer import __version__
from reviewer.errors import ReviewError, scrub

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
JSON = "application/vnd.github+json"
DIFF = "application/vnd.github.diff"
SECONDARY_WAIT = 60.0
"""GitHub's advice when a secondary rate limit names no time: wait at least a minute."""
MAX_PAGES = 100


class GitHubError(ReviewError):
    """A GitHub API request that failed for good."""

    def __init__(self, message: str, status: int | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.status = status
        """The HTTP status, or None when no response arrived."""
        self.rate_limited = rate_limited
        """The request was refused by a rate limit that did not lift in time."""


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return response.reason_phrase


def _rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying a rate-limited response, or None if it is no rate limit."""
    if response.status_code not in (403, 429):
        return None
    retry_after = response.headers.get("retry-after", "")
    if retry_after.isdigit():
        return float(retry_after)
    if response.headers.get("x-ratelimit-remaining") == "0":
        reset = response.headers.get("x-ratelimit-reset", "")
        return max(0.0, float(reset) - time.time()) + 1.0 if reset.isdigit() else SECONDARY_WAIT
    if response.status_code == 429 or "rate limit" in _message(response).lower():
        return SECONDARY_WAIT
    return None


def _what(response: httpx.Response) -> str:
    """``GET /repos/...``: the request of ``response``, for messages."""
    return f"{response.request.method} {response.request.url.path}"


def _json(response: httpx.Response) -> Any:
    """The JSON of a successful answer; a page from a proxy or a cut-off body is a GitHubError."""
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type") or "no content type"
        raise GitHubError(
            f"{_what(response)}: an answer that is not JSON ({kind}, {len(response.content)} bytes)",
            response.status_code,
        ) from None


class GitHubClient:
    """A GitHub REST API client for one API root (``GITHUB_API_URL``) and token."""

    def __init__(
        self,
        token: str | None,
        api_url: str = DEFAULT_API_URL,
        *,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 90.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.retries = retries
        """Retries after the first attempt, for 5xx, connection failures and rate limits."""
        self.backoff = backoff
        """Seconds before the first retry after a 5xx; doubled for each further retry."""
        self.max_wait = max_wait
        """The longest rate-limit wait accepted; a longer one fails at once."""
        self.sleep = sleep
        self._http = httpx.Client(timeout=timeout, follow_redirects=True)

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> GitHubClient:
        """A client for ``GITHUB_API_URL`` (GitHub Enterprise) with ``GITHUB_TOKEN``, if set."""
        return cls(env.get("GITHUB_TOKEN") or None, env.get("GITHUB_API_URL") or DEFAULT_API_URL)

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _headers(self, url: str, accept: str) -> dict[str, str]:
        headers = {
            "Accept": accept,
            "User-Agent": f"fastapi-review/{__version__}",
            "X-GitHub-Api-Version": API_VERSION,
        }
        if self.token and (url.startswith(self.api_url + "/") or url == self.graphql_url):
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        accept: str = JSON,
    ) -> httpx.Response:
        """Send one API request (retrying as the module says) and return its successful response."""
        url = path_or_url if "://" in path_or_url else self.api_url + path_or_url
        what = f"{method} {url.removeprefix(self.api_url)}"
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method, url, params=params, json=body, headers=self._headers(url, accept)
                )
            except httpx.TransportError as exc:
                if attempt >= self.retries:
                    raise self._error(f"{what}: {exc or type(exc).__name__}") from None
                self.sleep(self.backoff * 2**attempt)
                attempt += 1
                continue
            if response.is_success:
                return response
            wait = _rate_limit_wait(response)
            if wait is not None:
                if wait > self.max_wait or attempt >= self.retries:
                    raise self._error(
                        f"{what}: rate limited by GitHub ({response.status_code}: "
                        f"{_message(response)})",
                        response.status_code,
                        rate_limited=True,
                    )
                self.sleep(wait)
            elif response.status_code >= 500 and attempt < self.retries:
                self.sleep(self.backoff * 2**attempt)
            else:
                raise self._error(
                    f"{what}: {response.status_code} {_message(response)}", response.status_code
                )
            attempt += 1

    def _error(
        self, message: str, status: int | None = None, rate_limited: bool = False
    ) -> GitHubError:
        """The error to raise, without the token (an error body may echo it)."""
        return GitHubError(scrub(message, [self.token]), status, rate_limited)

    def _object(self, response: httpx.Response) -> dict[str, Any]:
        data = _json(response)
        if not isinstance(data, dict):
            raise GitHubError(f"{_what(response)}: expected a JSON object", response.status_code)
        return data

    def paginate(self, path: str) -> list[dict[str, Any]]:
        """Every item of a list endpoint, following the ``Link: <...>; rel="next"`` pages."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        params: dict[str, str | int] | None = {"per_page": 100}
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self.request("GET", url, params=params)
            page = _json(response)
            if not isinstance(page, list):
                raise GitHubError(f"GET {path}: expected a JSON array")
            items.extend(item for item in page if isinstance(item, dict))
            url = response.links.get("next", {}).get("url")
            params = None  # the next link carries them
        return items

    def pull(self, repo: str, number: int) -> dict[str, Any]:
        return self._object(self.request("GET", f"/repos/{repo}/pulls/{number}"))

    def pull_diff(self, repo: str, number: int) -> str:
        return self.request("GET", f"/repos/{repo}/pulls/{number}", accept=DIFF).text

    def tarball(self, repo: str, ref: str) -> bytes:
        """The gzipped tar archive of ``ref`` (GitHub answers with a redirect to the archive)."""
        return self.request("GET", f"/repos/{repo}/tarball/{ref}").content

    def review_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return self.paginate(f"/repos/{repo}/pulls/{number}/comments")

    def reviews(self, repo: str, number: int) -> list[dict[str, Any]]:
        return self.paginate(f"/repos/{repo}/pulls/{number}/reviews")

    def create_review(self, repo: str, number: int, payload: Mapping[str, Any]) -> dict[str, Any]:
        response = self.request("POST", f"/repos/{repo}/pulls/{number}/reviews", body=payload)
        return self._object(response)

    def update_review(self, repo: str, number: int, review_id: int, body: str) -> dict[str, Any]:
        response = self.request(
            "PUT", f"/repos/{repo}/pulls/{number}/reviews/{review_id}", body={"body": body}
        )
        return self._object(response)

    def dismiss_review(self, repo: str, number: int, review_id: int, message: str) -> None:
        self.request(
            "PUT",
            f"/repos/{repo}/pulls/{number}/reviews/{review_id}/dismissals",
            body={"message": message, "event": "DISMISS"},
        )

    def user_login(self) -> str:
        """The login of the account the token belongs to: ``GET /user``, or, for an app's
        installation token (which that endpoint refuses), GraphQL's ``viewer``."""
        try:
            login = self._object(self.request("GET", "/user")).get("login")
        except GitHubError as exc:
            if exc.status != 403:
                raise
            data = self.graphql("query { viewer { login } }", {})
            viewer = data.get("viewer")
            login = viewer.get("login") if isinstance(viewer, dict) else None
        if not isinstance(login, str) or not login:
            raise GitHubError("cannot tell which account the token belongs to")
        return login

    @property
    def graphql_url(self) -> str:
        """GitHub's GraphQL endpoint beside the REST root (``/api/v3`` -> ``/api/graphql`` on
        GitHub Enterprise Server)."""
        if self.api_url.endswith("/api/v3"):
            return self.api_url.removesuffix("/v3") + "/graphql"
        return self.api_url + "/graphql"

    def graphql(self, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The ``data`` of a GraphQL request; an answer with ``errors`` raises GitHubError (status
        403 when one is ``FORBIDDEN``)."""
        response = self.request(
            "POST", self.graphql_url, body={"query": query, "variables": dict(variables)}
        )
        answer = self._object(response)
        errors = answer.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else {}
            message = first.get("message") if isinstance(first, dict) else None
            kind = first.get("type") if isinstance(first, dict) else None
            raise GitHubError(
                f"POST /graphql: {message or 'error'}", 403 if kind == "FORBIDDEN" else None
            )
        data = answer.get("data")
        if not isinstance(data, dict):
            raise GitHubError("POST /graphql: an answer without data")
        return data

    def reply(self, repo: str, number: int, comment_id: int, body: str) -> dict[str, Any]:
        """Reply to a review comment (in its thread)."""
        path = f"/repos/{repo}/pulls/{number}/comments/{comment_id}/replies"
        return self._object(self.request("POST", path, body={"body": body}))
