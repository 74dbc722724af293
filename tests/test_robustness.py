"""Garbled input never raises anything but ReviewError."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.config import Config
from reviewer.engine import review
from reviewer.errors import ReviewError
from reviewer.source import NoSources

SEED = "\n".join(
    [
        "diff --git a/app/h.py b/app/h.py",
        "index 1111111..2222222 100644",
        "--- a/app/h.py",
        "+++ b/app/h.py",
        "@@ -1,4 +1,6 @@",
        " import time",
        "+from fastapi import FastAPI",
        "+app = FastAPI()",
        " ",
        " async def handler():",
        "-    pass",
        "+    time.sleep(1)",
        "",
    ]
)

LINES = SEED.splitlines(keepends=True)


def _review(patch: str) -> None:
    with contextlib.suppress(ReviewError):
        review(patch, NoSources(), Config())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([*LINES, "@@ -1 +1 @@\n", "+    )\n", "\\ No newline\n", "\r\n"]),
        max_size=30,
    )
)
def test_shuffled_diff_lines_never_raise(lines: list[str]) -> None:
    _review("".join(lines))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_random_text_never_raises(text: str) -> None:
    _review(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)), st.text(max_size=20))
def test_mutated_diff_never_raises(start: int, end: int, insert: str) -> None:
    low, high = sorted((start, end))
    _review(SEED[:low] + insert + SEED[high:])
