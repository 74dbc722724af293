"""The differential review on a repository with real git history: what the change introduces is
reported, what the touched lines already had is not, in every way of naming a base; and how the
revisions are read (one ``git cat-file`` stream, the clean work tree, missing objects)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_run import Result
from test_cli import git

ORDERS_BEFORE = """\
import time

import requests
from fastapi import APIRouter

router = APIRouter()


@router.get("/orders")
async def list_orders():
    rates = requests.get("https://fx.example.com/latest", timeout=5).json()
    return [{"id": 1, "rate": rates["eur"]}]


def refresh_cache():
    time.sleep(2)
    return True
"""

# Reflowed decorator with a new path, the old blocking call reformatted, a def turned async, and
# one new blocking call.
ORDERS_AFTER = """\
import time

import requests
from fastapi import APIRouter

router = APIRouter()


@router.get(
    "/v2/orders",
)
async def list_orders():
    rates = requests.get(
        "https://fx.example.com/latest", timeout=5
    ).json()
    return [{"id": 1, "rate": rates["eur"]}]


async def refresh_cache():
    time.sleep(2)
    return True


async def notify(order_id: int):
    requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)
"""

SCHEMAS_BEFORE = """\
from pydantic import BaseModel


class UserOut(BaseModel):
    name: str
    password: str
"""

SCHEMAS_AFTER = """\
from pydantic import BaseModel


class UserOut(BaseModel):
    name: str
    password:  str  # still sent, for the legacy client
"""

INTRODUCED = [
    ("FAPI402", "app/orders.py", "refresh_cache"),  # the def became async
    ("FAPI401", "app/orders.py", "notify"),  # a new call
]
TOUCHED = [
    ("FAPI201", "app/orders.py", "list_orders"),
    ("FAPI401", "app/orders.py", "list_orders"),
    *INTRODUCED,
    ("FAPI202", "app/schemas.py", "UserOut.password"),
]


def commit(repo: Path, files: dict[str, str], message: str) -> None:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits on ``main``: the base, then the change."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    context = {f"app/lib/m{i}.py": f"VALUE_{i} = {i}\n" for i in range(20)}
    commit(
        root, {"app/orders.py": ORDERS_BEFORE, "app/schemas.py": SCHEMAS_BEFORE, **context}, "base"
    )
    commit(root, {"app/orders.py": ORDERS_AFTER, "app/schemas.py": SCHEMAS_AFTER}, "change")
    return root


@pytest.fixture
def review(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``run`` (the command line, from conftest) in ``cwd``, without the LLM pass."""

    def invoke(*args: str, cwd: Path, stdin: str = "") -> Result:
        monkeypatch.chdir(cwd)
        return run(*args, "--no-llm", "--preview", stdin=stdin.encode())

    return invoke


def stats(result: Result) -> dict[str, int]:
    data: Any = result.json["stats"]
    return dict(data)


def found(result: Result) -> list[tuple[str, str, str]]:
    findings: Any = result.json["findings"]
    return [(f["rule_id"], f["path"], f["construct"]) for f in findings]


def test_a_range_reports_what_the_change_introduces(
    review: Callable[..., Result], repo: Path
) -> None:
    result = review("--git", "HEAD~1..HEAD", "--format", "json", cwd=repo)
    assert found(result) == INTRODUCED
    assert (result.json["mode"], result.json["base"]) == ("differential", "git revision HEAD~1")
    assert stats(result)["preexisting"] == 3


def test_all_touched_gives_every_finding_on_the_changed_lines(
    review: Callable[..., Result], repo: Path
) -> None:
    result = review("--git", "HEAD~1..HEAD", "--all-touched", "--format", "json", cwd=repo)
    assert sorted(found(result)) == sorted(TOUCHED)
    assert (result.json["mode"], result.json["base"]) == ("touched", None)
    all_lines = review("--git", "HEAD~1..HEAD", "--all-lines", "--format", "json", cwd=repo)
    assert all_lines.json["mode"] == "all-lines"


@pytest.mark.parametrize(
    "args",
    [
        ("--git", "main~1...main"),  # the merge base
        ("--git", "HEAD~1"),  # the work tree (here: HEAD) against one revision
    ],
)
def test_every_git_form_has_a_base(
    review: Callable[..., Result], repo: Path, args: tuple[str, ...]
) -> None:
    result = review(*args, "--format", "json", cwd=repo)
    assert found(result) == INTRODUCED
    assert result.json["mode"] == "differential"


def test_the_work_tree_against_head(review: Callable[..., Result], repo: Path) -> None:
    orders = repo / "app" / "orders.py"
    orders.write_text(orders.read_text() + "\n\nasync def pause():\n    time.sleep(5)\n")
    (repo / "app" / "schemas.py").write_text(SCHEMAS_BEFORE)  # a pre-existing finding touched
    result = review("--git", "--format", "json", cwd=repo)
    assert found(result) == [("FAPI402", "app/orders.py", "pause")]
    assert stats(result)["preexisting"] == 1


def test_a_patch_with_a_base_revision_or_a_base_directory(
    review: Callable[..., Result], repo: Path, tmp_path: Path
) -> None:
    patch = tmp_path / "change.patch"
    patch.write_text(git(repo, "diff", "HEAD~1", "HEAD"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    base_dir = tmp_path / "before"
    git(repo, "worktree", "add", "-q", "--detach", str(base_dir), "HEAD~1")
    for args in (("--base", "HEAD~1"), ("--base-repo", str(base_dir))):
        result = review(str(patch), "--repo", str(repo), *args, "--format", "json", cwd=outside)
        assert found(result) == INTRODUCED, args
        assert result.json["mode"] == "differential"
    # --base alone finds the repository from the current directory.
    result = review(str(patch), "--base", "HEAD~1", "--format", "json", cwd=repo / "app")
    assert found(result) == INTRODUCED


def test_a_lone_patch_keeps_the_touched_lines_contract(
    review: Callable[..., Result], repo: Path, tmp_path: Path
) -> None:
    patch = tmp_path / "change.patch"
    patch.write_text(git(repo, "diff", "HEAD~1", "HEAD"))
    result = review(str(patch), "--repo", str(repo), "--format", "json", cwd=tmp_path)
    assert sorted(found(result)) == sorted(TOUCHED)
    assert (result.json["mode"], result.json["base"]) == ("touched", None)


def test_the_text_report_says_which_mode_ran(review: Callable[..., Result], repo: Path) -> None:
    result = review("--git", "HEAD~1..HEAD", cwd=repo)
    assert result.out.splitlines()[-1] == (
        "2 findings (2 errors) in 2 Python files, new against git revision HEAD~1 "
        "(3 already there not shown)"
    )
    result = review("--git", "HEAD~1..HEAD", "--all-touched", cwd=repo)
    assert "in 2 Python files, on the changed lines" in result.out.splitlines()[-1]


def test_a_renamed_file_keeps_its_old_findings_old(
    review: Callable[..., Result], repo: Path
) -> None:
    git(repo, "mv", "app/orders.py", "app/routes.py")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "rename")
    result = review("--git", "HEAD~1..HEAD", "--all-lines", "--format", "json", cwd=repo)
    assert len(found(result)) == 4  # every finding of the renamed file, with --all-lines
    result = review("--git", "HEAD~1..HEAD", "--format", "json", cwd=repo)
    assert found(result) == []


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--git", "HEAD", "--base", "HEAD~1"), "--base and --base-repo go with PATCH"),
        (("-", "--base", "HEAD~1", "--base-repo", "."), "not both"),
        (("-", "--all-touched", "--all-lines"), "exclude each other"),
        (("-", "--base", "nope"), "git cannot resolve 'nope'"),
        (("-", "--base=--output=x"), "is not a revision"),
        (("-", "--base", "--output=x"), "argument --base: expected one argument"),
    ],
)
def test_bad_base_options(
    review: Callable[..., Result], repo: Path, option: tuple[str, ...], message: str
) -> None:
    result = review(*option, cwd=repo, stdin=git(repo, "diff", "HEAD~1", "HEAD"))
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1


# -- reading git ---------------------------------------------------------------------------------


@pytest.fixture
def git_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``git`` first on PATH that logs its arguments, then runs the real one."""
    real = shutil.which("git")
    assert real is not None
    shims = tmp_path / "shims"
    shims.mkdir()
    log = tmp_path / "git.log"
    shim = shims / "git"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    return log


def cat_files(log: Path) -> int:
    return sum("cat-file" in line for line in log.read_text().splitlines()) if log.exists() else 0


def test_a_revision_is_read_in_one_stream(
    review: Callable[..., Result], repo: Path, git_log: Path
) -> None:
    commit(repo, {"app/other.py": "x = 1\n"}, "one more")  # HEAD~1 is no longer the work tree
    # 23 Python files at HEAD~1, read for context by the cross-module lookups: one process.
    result = review("--git", "HEAD~2..HEAD~1", "--all-touched", "--format", "json", cwd=repo)
    assert sorted(found(result)) == sorted(TOUCHED)
    assert cat_files(git_log) == 1
    git_log.unlink()
    # The differential review adds one stream for the base side's few files.
    result = review("--git", "HEAD~2..HEAD~1", "--format", "json", cwd=repo)
    assert found(result) == INTRODUCED
    assert cat_files(git_log) == 2


def test_the_checked_out_head_is_read_from_the_clean_work_tree(
    review: Callable[..., Result], repo: Path, git_log: Path
) -> None:
    result = review("--git", "HEAD~1..HEAD", "--all-touched", "--format", "json", cwd=repo)
    assert sorted(found(result)) == sorted(TOUCHED)
    assert cat_files(git_log) == 0
    # A file changed in the work tree is read from the commit, not from the work tree.
    (repo / "app" / "orders.py").write_text("x = 1\n")
    result = review("--git", "HEAD~1..HEAD", "--all-touched", "--format", "json", cwd=repo)
    assert sorted(found(result)) == sorted(TOUCHED)
    assert cat_files(git_log) == 1


def test_a_missing_object_is_skipped_and_the_review_goes_on(
    review: Callable[..., Result], repo: Path
) -> None:
    commit(repo, {"app/other.py": "x = 1\n"}, "one more")
    blob = git(repo, "rev-parse", "HEAD~1:app/lib/m3.py").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # as in a partial clone
    result = review("--git", "HEAD~2..HEAD~1", "--format", "json", cwd=repo)
    assert result.code == 1
    assert found(result) == INTRODUCED
    assert result.json["skipped"] == [
        {
            "path": "app/lib/m3.py",
            "reason": f"cannot be read from git revision HEAD~1: object {blob[:12]} is missing "
            "(a partial or shallow clone?)",
            "needs_python": None,
        }
    ]
