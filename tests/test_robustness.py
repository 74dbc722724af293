"""Garbled, hostile and unlucky input: never anything but ReviewError, nothing lost, bounded work.

The adversarial inputs are files under ``tests/hostile/``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import threading
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer import limits
from reviewer.cli import main
from reviewer.config import Config
from reviewer.engine import review
from reviewer.errors import ReviewError
from reviewer.source import MemorySources, NoSources

HOSTILE = Path(__file__).parent / "hostile"

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


def run_cli(
    capsys: pytest.CaptureFixture[str], *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        with pytest.raises(SystemExit) as exited:
            main([*args, "--no-llm"])
    finally:
        sys.stdin = sys.__stdin__
    captured = capsys.readouterr()
    assert isinstance(exited.value.code, int)
    return exited.value.code, captured.out, captured.err


def skipped(out: str) -> list[tuple[str, str]]:
    report: dict[str, Any] = json.loads(out)
    return [(s["path"], s["reason"]) for s in report["skipped"]]


def findings(out: str) -> list[tuple[str, str, int]]:
    report: dict[str, Any] = json.loads(out)
    return [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]]


@pytest.mark.parametrize(
    "patch",
    [
        "chains.patch",  # 500 chained calls in the change, a 500-term sum in its context
        "context_only.patch",  # the sum in an unchanged module the change reaches
    ],
)
def test_long_expression_chains_lose_nothing(
    capsys: pytest.CaptureFixture[str], patch: str
) -> None:
    repo = HOSTILE / "chains"
    code, out, err = run_cli(
        capsys, str(repo / patch), "--repo", str(repo), "--format", "json", "--preview"
    )
    path = "app/main.py" if patch == "chains.patch" else "app/views.py"
    first = 11 if patch == "chains.patch" else 10
    assert (code, err) == (1, "")
    # FAPI901 needs the unchanged app/crud.py, whose 500-term constant is not analysed.
    assert findings(out) == [("FAPI901", path, first), ("FAPI402", path, first + 7)]
    assert json.loads(out)["skipped"] == []


def test_deeply_nested_pyproject_is_one_line_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = HOSTILE / "nested"
    monkeypatch.chdir(repo)
    code, out, err = run_cli(capsys, "-", "--repo", str(repo), stdin=SEED)
    assert (code, out) == (2, "")
    assert err == (
        f"fastapi-review: error: {repo}/pyproject.toml: invalid TOML: arrays or tables nested "
        "too deeply\n"
    )


def test_exclude_globs_are_compiled_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    globs = [f"generated/pkg{index}/*.py" for index in range(20_000)]
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.fastapi-review]\nexclude = {json.dumps([*globs, 'app/vendor'])}\n"
    )
    monkeypatch.chdir(tmp_path)
    compiled: list[str] = []
    original = re.compile

    def counting(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
        compiled.append(pattern)
        return original(pattern, flags)

    patch = SEED + SEED.replace("app/h.py", "app/vendor/x.py")
    monkeypatch.setattr(re, "compile", counting)
    code, out, _ = run_cli(capsys, "-", "--format", "json", stdin=patch)
    monkeypatch.undo()
    assert code == 1
    assert findings(out) == [("FAPI402", "app/h.py", 6)]  # app/vendor/x.py is excluded
    assert len(compiled) < 20_100  # each glob once, not once per glob variant and file


def test_config_from_dev_null(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "-", "--config", os.devnull, "--format", "json", stdin=SEED)
    assert (code, err, findings(out)) == (1, "", [("FAPI402", "app/h.py", 6)])


def test_config_from_a_pipe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """As ``--config <(generate-config)`` gives it."""
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as stream:  # blocks until the review opens it
            stream.write('[tool.fastapi-review]\nignore = ["FAPI402"]\n')

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    code, out, err = run_cli(capsys, "-", "--config", str(fifo), "--format", "json", stdin=SEED)
    writer.join(5)
    assert (code, err, findings(out)) == (0, "", [])


def test_config_that_is_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "-", "--config", str(tmp_path), stdin=SEED)
    assert code == 2
    assert "is a directory" in err


def test_a_hunk_with_more_lines_than_declared_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, str(HOSTILE / "overlong_hunk.patch"))
    assert (code, out) == (2, "")
    assert err == (
        "fastapi-review: error: cannot parse the diff: corrupt patch at line 10: a hunk holds "
        "more lines than its header declares\n"
    )


def test_a_signature_after_the_last_hunk_is_no_extra_line() -> None:
    patch = SEED + "-- \n2.43.0\n"
    assert [f.path for f in review(patch, NoSources(), Config()).findings] == ["app/h.py"]


def test_a_new_side_from_line_zero_does_not_crash() -> None:
    """A hand-written header (``+0,1``: git starts a new side at line 1) once compared the file's
    last line with the hunk's first, and an empty file raised IndexError."""
    patch = "--- a/app/h.py\n+++ b/app/h.py\n@@ -0,0 +0,1 @@\n+import time\n"
    for text in ("", "import time\n"):
        report = review(patch, MemorySources({"app/h.py": text}), Config())
        assert (report.python_files, report.skipped) == (1, ())


def test_line_numbers_cost_no_memory(capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "-", stdin=SEED)  # the modules a review imports are not the point
    tracemalloc.start()
    try:
        code, out, _ = run_cli(capsys, str(HOSTILE / "far_hunk.patch"), "--format", "json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20  # the hunk header says line 100,000,000
    assert code == 4  # incomplete: a file was not reviewed
    assert skipped(out) == [
        (
            "app/far.py",
            "its hunks reach line 100,000,002, past the 100,000 lines reviewed without the file",
        )
    ]


def test_a_huge_file_in_the_repository_is_not_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A 2 GB file (sparse: no disk used) that the change modifies: reviewed from its hunks."""
    big = tmp_path / "app" / "h.py"
    big.parent.mkdir()
    with big.open("wb") as stream:
        stream.truncate(2 << 30)
    run_cli(capsys, "-", stdin=SEED)  # the modules a review imports are not the point
    tracemalloc.start()
    try:
        code, out, _ = run_cli(capsys, "-", "--repo", str(tmp_path), "--format", "json", stdin=SEED)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 << 20
    assert code == 1
    assert json.loads(out)["partial"] == ["app/h.py"]
    assert findings(out) == [("FAPI402", "app/h.py", 6)]


def _files(count: int, lines: int = 3) -> str:
    body = ["import time", "", "async def handler():", *["    time.sleep(1)"] * (lines - 3)]
    return "".join(
        f"diff --git a/app/f{index}.py b/app/f{index}.py\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/app/f{index}.py\n@@ -0,0 +1,{len(body)} @@\n" + "".join(f"+{b}\n" for b in body)
        for index in range(count)
    )


def test_files_past_the_limits_of_one_review_are_skipped_with_a_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(limits, "MAX_FILES", 2)
    code, out, _ = run_cli(capsys, "-", "--format", "json", stdin=_files(3, lines=4))
    report = json.loads(out)
    assert (code, report["stats"]["python_files"]) == (1, 2)
    assert skipped(out) == [
        ("app/f2.py", "not reviewed: past the 2 Python files reviewed in one change")
    ]
    monkeypatch.setattr(limits, "MAX_FILES", 1_000)
    monkeypatch.setattr(limits, "MAX_REVIEW_BYTES", 100)
    code, out, _ = run_cli(capsys, "-", "--format", "json", stdin=_files(3, lines=8))
    assert [reason for _, reason in skipped(out)] == [
        "not reviewed: past the 0 KiB of Python reviewed in one change"
    ] * 2


def test_a_file_past_the_size_limit_is_skipped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 << 10)
    monkeypatch.setattr(limits, "MAX_FILE_PATCH_BYTES", 4 << 10)
    patch = _files(1, lines=80) + _files(1, lines=400).replace("f0.py", "g0.py")
    _, out, _ = run_cli(capsys, "-", "--format", "json", stdin=patch)
    assert skipped(out) == [
        ("app/f0.py", "larger than 1 KiB: not reviewed (generated code?)"),
        ("app/g0.py", "its patch is larger than 4 KiB: not reviewed"),
    ]


def test_a_patch_past_the_size_limit_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(limits, "MAX_PATCH_BYTES", 1 << 10)
    code, _, err = run_cli(capsys, "-", stdin=_files(10))
    assert (code, err) == (
        2,
        "fastapi-review: error: standard input: larger than 1 KiB: not reviewed\n",
    )
    with pytest.raises(ReviewError, match="the patch is larger than 1 KiB"):
        review(_files(10), NoSources(), Config())


def test_file_names_git_quotes_a_bom_and_changes_without_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``git diff -M -C`` of names git quotes (non-ASCII, ``"``, a tab), one with an apostrophe,
    a file starting with a UTF-8 BOM, a rename, a copy and a mode change."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, str(HOSTILE / "shapes.patch"), "--format", "json")
    assert (code, err) == (1, "")
    assert findings(out) == [
        ("FAPI402", path, 5)
        for path in ("app/bom.py", "app/café.py", "app/it's.py", "app/plain.py", 'app/say"hi.py')
    ] + [("FAPI402", "app/tab\tbed.py", 5)]
    assert json.loads(out)["skipped"] == []  # the rename, copy and mode change hold no text


def test_control_sequences_in_the_code_do_not_reach_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, str(HOSTILE / "escapes.patch"))
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    assert "    5 | time.sleep(1)  # ]0;pwned[2J[31mred" not in out
    assert "    5 | time.sleep(1)  # red" in out


def test_an_output_named_like_a_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "-", "--format", "json", "--output", "newdir/", stdin=SEED)
    assert (code, out) == (2, "")
    assert err == "fastapi-review: error: --output newdir/: names a folder, expected a file\n"
    assert list(tmp_path.iterdir()) == []


def test_a_blob_past_the_size_limit_is_not_read_and_the_stream_stays_in_step(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``--git`` reads a revision through one ``git cat-file --batch`` stream: a blob larger
    than a repository file may be is passed over unread (its change reviewed from the hunks, as
    from a work tree), and the blobs after it are still read whole."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path, check=True, capture_output=True,
        )  # fmt: skip

    (tmp_path / "app").mkdir()
    big = "import time\n\n\ndef handler():\n    time.sleep(1)\n" + "# padding\n" * 400
    small = "import time\n\n\ndef job():\n    time.sleep(1)\n"
    (tmp_path / "app" / "a_big.py").write_text(big)
    (tmp_path / "app" / "b_small.py").write_text(small)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "one")
    for name, text in (("a_big.py", big), ("b_small.py", small)):
        (tmp_path / "app" / name).write_text(text.replace("def ", "async def "))
    git("commit", "-qam", "two")
    git("checkout", "-q", "HEAD~1")  # the end revision is read from git, not the work tree
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 << 10)
    code, out, err = run_cli(capsys, "--git", "main~1..main", "--format", "json", "--no-llm")
    assert code == 1, err
    report = json.loads(out)
    assert report["partial"] == ["app/a_big.py"]
    assert report["skipped"] == []
    assert findings(out) == [("FAPI402", "app/a_big.py", 5), ("FAPI402", "app/b_small.py", 5)]
