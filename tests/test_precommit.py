"""The pre-commit hook reviews the staged change, in a real repository with real pre-commit.

The hook definition is ours (``.pre-commit-hooks.yaml``); the test runs it as a ``local`` hook with
``language: system``, so pre-commit uses the installed ``fastapi-review`` instead of building an
environment from the network. Everything else (entry, arguments, file types, stashing what is not
staged) is pre-commit's own behaviour.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("pre-commit", path=str(BIN)) is None:
        pytest.fail("pre-commit is a development dependency: pip install -e '.[dev]'")
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = {**hook, "language": "system"}
    local.pop("minimum_pre_commit_version")
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    repo = tmp_path / "svc"
    (repo / "app").mkdir(parents=True)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    (repo / "app" / "jobs.py").write_text(
        "import time\n\n\ndef run() -> None:\n    time.sleep(1)\n"
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "start")
    return repo


def _pre_commit(repo: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
    }
    return subprocess.run(
        [str(BIN / "pre-commit"), "run"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_hook_fails_on_what_the_staged_change_introduces(repo: Path) -> None:
    jobs = repo / "app" / "jobs.py"
    jobs.write_text(jobs.read_text().replace("def run()", "async def run()"))
    _git(repo, "add", "app/jobs.py")
    result = _pre_commit(repo)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app/jobs.py:5:5 FAPI402" in result.stdout


def test_the_hook_passes_a_clean_change_and_ignores_what_is_not_staged(repo: Path) -> None:
    (repo / "app" / "health.py").write_text("def health() -> dict[str, str]:\n    return {}\n")
    _git(repo, "add", "app/health.py")
    jobs = repo / "app" / "jobs.py"  # an unstaged change that would be a finding
    jobs.write_text(jobs.read_text().replace("def run()", "async def run()"))
    result = _pre_commit(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAPI402" not in result.stdout
    assert "async def run()" in jobs.read_text()  # pre-commit put the unstaged change back


def test_the_hook_skips_commits_without_python(repo: Path) -> None:
    (repo / "README.md").write_text("# svc\n")
    _git(repo, "add", "README.md")
    result = _pre_commit(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout
