"""Which pull request to review (``OWNER/REPO#N``, or the one of a ``pull_request`` workflow run),
and what the REST API says about it: head commit, diff and files."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.errors import ReviewError
from reviewer.github.client import GitHubClient
from reviewer.github.sources import ApiSources

_REF = re.compile(r"(?P<repo>[\w.-]+/[\w.-]+)#(?P<number>[1-9][0-9]*)")
_URL = re.compile(r"https?://[^/]+/(?P<repo>[\w.-]+/[\w.-]+)/pull/(?P<number>[1-9][0-9]*)/?")
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})


@dataclass(frozen=True)
class PullRef:
    repo: str
    """``owner/name`` of the repository the pull request belongs to (its base)."""
    number: int

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"


def parse_pull_ref(text: str) -> PullRef:
    """``OWNER/REPO#N`` or the pull request's web address."""
    match = _REF.fullmatch(text.strip()) or _URL.fullmatch(text.strip())
    if match is None:
        raise ReviewError(f"--github-pr: expected OWNER/REPO#NUMBER, got {text!r}")
    return PullRef(match["repo"], int(match["number"]))


def workflow_pull_ref(env: Mapping[str, str]) -> PullRef:
    """The pull request of the running ``pull_request`` (or ``pull_request_target``) workflow."""
    event = env.get("GITHUB_EVENT_NAME", "")
    if event not in PULL_REQUEST_EVENTS:
        raise ReviewError(
            "--github-pr without a value needs a pull_request workflow run "
            f"(GITHUB_EVENT_NAME is {event or 'not set'}); give OWNER/REPO#NUMBER"
        )
    event_path = env.get("GITHUB_EVENT_PATH", "")
    try:
        payload: Any = json.loads(Path(event_path).read_text(encoding="utf-8"))
        number = payload["pull_request"]["number"]
        repo = env.get("GITHUB_REPOSITORY") or payload["repository"]["full_name"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReviewError(
            f"--github-pr: cannot read the pull request from the event file {event_path!r} ({exc})"
        ) from None
    if not isinstance(number, int) or not isinstance(repo, str):
        raise ReviewError(f"--github-pr: the event file {event_path!r} names no pull request")
    return PullRef(repo, number)


@dataclass(frozen=True)
class PullRequest:
    ref: PullRef
    head_sha: str
    """The commit reviewed, which the review is attached to."""
    diff: str
    """The pull request's diff (from the merge base to the head), as the API serves it."""
    sources: ApiSources
    """The files of the head commit."""


def fetch_pull(client: GitHubClient, ref: PullRef) -> PullRequest:
    data = client.pull(ref.repo, ref.number)
    head = data.get("head")
    sha = head.get("sha") if isinstance(head, dict) else None
    if not isinstance(sha, str):
        raise ReviewError(f"{ref}: the API response names no head commit")
    diff = client.pull_diff(ref.repo, ref.number)
    return PullRequest(ref, sha, diff, ApiSources(client, ref.repo, sha))
