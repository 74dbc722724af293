"""Fixes reach the pull request as suggestion blocks (```suggestion) that a maintainer applies in
one click, in the review the local GitHub receives; a fix that also edits lines outside the
comment (an import at the top of the file) is not offered as one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result
from fakegithub import FakeGitHub
from test_differential import ORDERS_BEFORE
from test_github_pushes import PR, PullRequest, posted, report

PAGED = (
    ORDERS_BEFORE.replace(
        "from fastapi import APIRouter", "import asyncio\n\nfrom fastapi import APIRouter, Query"
    )
    + """

@router.get("/orders/page")
async def page(limit: int = Query(20, ge=1)):
    await asyncio.sleep(0)
    return []


async def pause():
    time.sleep(1)
"""
)


def test_fixes_are_suggestions_on_the_commented_lines(
    github: FakeGitHub, tmp_path: Path, run: Callable[..., Result]
) -> None:
    pull = PullRequest(tmp_path / "repo", github)
    pull.push(PAGED)
    result = run("--github-pr", PR, "--post", "--format", "json")
    assert result.code == 1, result.err
    by_rule = {f["rule_id"]: f for f in report(result)["findings"]}
    assert by_rule["FAPI902"]["autofix"]["safe"] is False
    assert by_rule["FAPI402"]["autofix"]["safe"] is True
    (review,) = posted(github)
    bodies = {c["line"]: c["body"] for c in review["comments"]}
    paged = bodies[by_rule["FAPI902"]["line"]]
    assert (
        "Suggested fix: Bound it: `le=100` (it changes behaviour: check it before applying)\n"
        "```suggestion\n"
        "async def page(limit: int = Query(20, ge=1, le=100)):\n"
        "```"
    ) in paged
    slept = bodies[by_rule["FAPI402"]["line"]]
    assert "```suggestion\n    await asyncio.sleep(1)\n```" in slept  # asyncio is imported already
