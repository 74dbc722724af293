"""Review threads through GitHub's GraphQL API: which are resolved, by whom, and resolving ours.

The REST API lists review comments but not whether their thread is resolved; GraphQL's
``PullRequest.reviewThreads`` does, and ``resolveReviewThread`` resolves one.
"""

from __future__ import annotations

from typing import Any

from reviewer.github.client import GitHubClient, GitHubError
from reviewer.github.review import ThreadState

THREADS = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          viewerCanResolve
          resolvedBy { login }
          comments(first: 1) { nodes { databaseId } }
        }
      }
    }
  }
}
"""

RESOLVE = """
mutation($threadId: ID!) {
  resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}
"""

MAX_PAGES = 50


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def thread_states(client: GitHubClient, repo: str, number: int) -> dict[int, ThreadState]:
    """The state of each review thread of the pull request, by the id of its first comment."""
    owner, _, name = repo.partition("/")
    states: dict[int, ThreadState] = {}
    after: str | None = None
    for _ in range(MAX_PAGES):
        variables = {"owner": owner, "name": name, "number": number, "after": after}
        data = client.graphql(THREADS, variables)
        page = _get(data, "repository", "pullRequest", "reviewThreads")
        if not isinstance(page, dict):
            raise GitHubError(f"POST /graphql: no review threads for {repo}#{number}")
        for node in page.get("nodes") or ():
            first = _get(node, "comments", "nodes")
            root = _get(first[0], "databaseId") if isinstance(first, list) and first else None
            if not isinstance(root, int) or not isinstance(_get(node, "id"), str):
                continue
            resolved_by = _get(node, "resolvedBy", "login")
            states[root] = ThreadState(
                id=node["id"],
                resolved=_get(node, "isResolved") is True,
                resolved_by=resolved_by if isinstance(resolved_by, str) else None,
                can_resolve=_get(node, "viewerCanResolve") is True,
            )
        after = _get(page, "pageInfo", "endCursor")
        if _get(page, "pageInfo", "hasNextPage") is not True or not isinstance(after, str):
            break
    return states


def resolve(client: GitHubClient, thread_id: str) -> None:
    """Mark a review thread resolved (a GitHubError with status 403 when the token may not)."""
    client.graphql(RESOLVE, {"threadId": thread_id})
