"""The one exception type that crosses module boundaries, and what no message may show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CREDENTIALS = (
    "GITHUB_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
)
"""Environment variables whose values never appear in a message."""
HIDDEN = "***"


class ReviewError(Exception):
    """A problem the user can act on: bad input, bad configuration, an unreachable source.

    Only ``cli.py`` catches it; it prints the message on one line and exits with status 2.
    """


def scrub(message: str, secrets: Iterable[str | None]) -> str:
    """``message`` with every one of ``secrets`` replaced by ``***``: an error body that echoes
    the token or key it was sent with must not print it."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            message = message.replace(secret, HIDDEN)
    return message


def scrub_environment(message: str, environ: Mapping[str, str]) -> str:
    """``message`` without the values of :data:`CREDENTIALS` in ``environ``."""
    return scrub(message, (environ.get(name) for name in CREDENTIALS))
