"""A Messages endpoint that misbehaves never costs the static findings, never hangs the review and
never shows the API key: the real SDK against the loopback server's misbehaving modes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

Replay = Any  # tests/llm/conftest.py: the recorded API
STATIC = [
    ("FAPI806", 11, "static"),
    ("FAPI402", 19, "static"),
    ("FAPI806", 27, "static"),
]


def found(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(f["rule_id"], f["line"], f["source"]) for f in report["findings"]]


@pytest.mark.parametrize(
    ("fixture", "problem"),
    [
        ("truncated.json", "an answer that is not JSON"),
        ("html_page.json", "an answer that is not JSON (text/html"),
        ("wrong_shape.json", "an answer that is not a message"),
        ("huge.json", "an answer larger than 1 MiB"),
    ],
)
def test_a_broken_200_answer_keeps_the_static_findings(
    api: Replay, cli: Any, tmp_path: Path, fixture: str, problem: str
) -> None:
    api.load(fixture)
    out = tmp_path / "report.json"
    run = cli("items.patch", "--format", "json", "--format", "sarif", "--output", str(out))
    assert run.code == 1
    assert found(run.json) == STATIC
    assert json.loads(out.read_text())["runs"][0]["results"]
    assert run.json["llm"]["failed_chunks"] == 1
    assert f"warning: chunk 1 of 1 failed: {problem}" in run.err
    assert "Traceback" not in run.err
    assert len(api.requests) == 1  # not retried: the same request would get the same answer
