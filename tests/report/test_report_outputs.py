"""``--format``/``--output`` pairs on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.errors import ReviewError
from reviewer.report.outputs import Output, pair_outputs

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def new_file_patch(path: str, code: str) -> str:
    lines = code.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"


@pytest.fixture
def patch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    file = tmp_path / "change.patch"
    file.write_text(new_file_patch("app/jobs.py", SLEEPY))
    return file


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main([*args, "--no-llm"])
    captured = capsys.readouterr()
    assert isinstance(exited.value.code, int)
    return exited.value.code, captured.out, captured.err


def test_pairs_follow_the_command_line_order() -> None:
    given = [
        ("format", "text"),
        ("format", "sarif"),
        ("output", "a.sarif"),
        ("format", "json"),
        ("output", "b.json"),
    ]
    outputs = pair_outputs(given)
    assert outputs == [
        Output("text"),
        Output("sarif", "a.sarif"),
        Output("json", "b.json"),
    ]


def test_an_output_without_any_format_is_text() -> None:
    assert pair_outputs([("output", "r.txt")]) == [Output("text", "r.txt")]
    assert pair_outputs([]) == [Output("text")]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([("output", "r.json"), ("format", "json")], "give --format FORMAT before its --output"),
        ([("format", "json"), ("output", "a"), ("output", "b")], "one --output per --format"),
        ([("format", "json"), ("format", "text")], "several formats would go to standard output"),
        (
            [("format", "json"), ("output", "a"), ("format", "sarif"), ("output", "a")],
            "same file",
        ),
    ],
)
def test_ambiguous_pairs_are_refused(given: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ReviewError, match=message):
        pair_outputs(given)


def test_json_to_stdout_is_unchanged(patch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(patch), "--format", "json")
    assert code == 1, err
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["FAPI402"]


def test_several_pairs_in_one_run(patch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        str(patch),
        "--format",
        "sarif",
        "--output",
        "review.sarif",
        "--format=text",
        "--format",
        "markdown",
        "--output=review.md",
    )
    assert code == 1, err
    assert out.startswith("app/jobs.py:5:5 FAPI402 error")
    assert json.loads(Path("review.sarif").read_text())["version"] == "2.1.0"
    assert Path("review.md").read_text().startswith("## fastapi-review\n")


def test_output_alone_writes_text(patch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(patch), "--output", "review.txt")
    assert (code, out) == (1, "")
    assert "FAPI402" in Path("review.txt").read_text()


def test_an_unwritable_output_is_an_error_after_the_others(
    patch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, str(patch), "--format", "json", "--output", "missing/r.json", "--format", "text"
    )
    assert code == 2
    assert "FAPI402" in out
    assert err.startswith("fastapi-review: error: --output missing/r.json: ")


def test_two_formats_on_stdout_is_a_usage_error(
    patch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(patch), "--format", "json", "--format", "text")
    assert (code, out) == (2, "")
    assert "several formats would go to standard output" in err
