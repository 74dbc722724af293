"""The command line run in this process as a test sees it: ``reviewer.cli.main(argv)`` with a given
standard input; its exit status and what it wrote to standard output and standard error."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass

import pytest

from reviewer.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.out)
        return data


def run_cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: bytes = b"",
) -> Result:
    """``fastapi-review ARGS``, reading ``stdin``; the command always ends with SystemExit."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return Result(code if isinstance(code, int) else 1, captured.out, captured.err)
