"""The commits a ``push`` or ``merge_group`` workflow run reviews, from the event file Actions
writes (no API call, no third-party import: ``--git`` pays nothing for it)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reviewer.errors import ReviewError

PUSH_EVENTS = frozenset({"push", "merge_group"})
_NO_COMMIT = "0" * 40
_SHA = re.compile(r"[0-9a-f]{40}")


def workflow_range(env: Mapping[str, str]) -> tuple[str, str] | None:
    """The ``(range, fallback)`` of git revisions a ``push`` or ``merge_group`` workflow run
    reviews, or None outside such a run. The range is what the push added (``before..after``) or
    what the merge queue tests (``base_sha..head_sha``); the fallback, the last commit alone, is
    for a push whose ``before`` is not in the clone (a new branch, a force-push)."""
    if env.get("GITHUB_ACTIONS") != "true" or env.get("GITHUB_EVENT_NAME") not in PUSH_EVENTS:
        return None
    event_path = env.get("GITHUB_EVENT_PATH", "")
    try:
        payload: Any = json.loads(Path(event_path).read_text(encoding="utf-8"))
        if env["GITHUB_EVENT_NAME"] == "merge_group":
            start, end = payload["merge_group"]["base_sha"], payload["merge_group"]["head_sha"]
        else:
            start, end = payload["before"], payload["after"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReviewError(
            f"--git: cannot read the pushed commits from the event file {event_path!r} ({exc})"
        ) from None
    if not all(isinstance(sha, str) and _SHA.fullmatch(sha) for sha in (start, end)):
        raise ReviewError(f"--git: the event file {event_path!r} names no pushed commits")
    last = f"{end}~1..{end}"
    return (last if start == _NO_COMMIT else f"{start}..{end}"), last
