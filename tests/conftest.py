from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from cli_run import Result, run_cli

# Golden cases hold whole repositories, with their own tests and conftest.py: not ours to run.
collect_ignore = ["cases"]

# Variables that would turn the LLM pass on, or point it at a real API: no test may use them.
LLM_ENVIRONMENT = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_PROFILE",
    "ANTHROPIC_CUSTOM_HEADERS",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
)


@pytest.fixture(autouse=True)
def _no_llm_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LLM_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the expected outputs of golden tests from the current behaviour.",
    )


@pytest.fixture
def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """``run(*args, stdin=b"")``: the command line run in this process (:func:`cli_run.run_cli`)."""
    return functools.partial(run_cli, capsys, monkeypatch)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
