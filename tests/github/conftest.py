"""Fixtures of the GitHub tests: the local GitHub (``fakegithub.py``) and the command line run
against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakegithub import ENVIRONMENT, TOKEN, FakeGitHub
from pytest_httpserver import HTTPServer

from reviewer.cli import main


@pytest.fixture
def github(httpserver: HTTPServer) -> Iterator[FakeGitHub]:
    yield FakeGitHub(httpserver)


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(
    github: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Result]:
    """Run the command line against the fake API, from a folder that is no git work tree."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    folder = tmp_path / "workspace"
    folder.mkdir()
    monkeypatch.chdir(folder)

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit) as exited:
            main([*args, "--no-llm"])
        captured = capsys.readouterr()
        code = exited.value.code
        return Result(code if isinstance(code, int) else -1, captured.out, captured.err)

    return invoke
