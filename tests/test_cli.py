"""The command line end to end: inputs as real tools write them, exit statuses, stdout vs stderr."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
from cli_run import Result

from reviewer.config import Config
from reviewer.engine import analyze, run_rules
from reviewer.errors import ReviewError
from reviewer.extract import Skipped
from reviewer.extract.model import Module
from reviewer.extract.project import Project
from reviewer.report.json import schema
from reviewer.rules.base import Finding, Rule, Severity
from reviewer.rules.concurrency import BlockingSleepInAsync
from reviewer.source import NoSources, git_diff

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
JOBS = (
    "import time\n\n\ndef job():\n    time.sleep(1)\n\n\n"
    "def other():\n    total = 0\n    for i in range(10):\n        total += i\n    return total\n"
)


@pytest.fixture
def outside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that is not a git work tree (no default context)."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "app" / "jobs.py").write_text(JOBS)
    (root / "app" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "app" / "old.py").write_text("x = 1\n")
    (root / "app" / "cli.py").write_text("import time\n\n\nasync def main():\n    time.sleep(1)\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def new_file_patch(path: str, code: str) -> str:
    lines = code.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def ids(result: Result) -> list[tuple[str, str, int]]:
    findings = result.json["findings"]
    assert isinstance(findings, list)
    return [(f["rule_id"], f["path"], f["line"]) for f in findings]


# -- input forms ------------------------------------------------------------------------------


def test_patch_file_json(run: Callable[..., Result], outside: Path) -> None:
    patch = write(outside / "c.patch", new_file_patch("app/h.py", SLEEPY))
    result = run(str(patch), "--format", "json", "--no-llm")
    assert result.code == 1
    assert ids(result) == [("FAPI402", "app/h.py", 5)]
    assert result.err == ""


def test_stdin(run: Callable[..., Result], outside: Path) -> None:
    result = run("-", "--format", "json", stdin=new_file_patch("app/h.py", SLEEPY).encode())
    assert ids(result) == [("FAPI402", "app/h.py", 5)]


def test_empty_patch_is_a_clean_review(run: Callable[..., Result], outside: Path) -> None:
    result = run("-", "--format", "json", stdin=b"")
    assert result.code == 0
    assert result.json["findings"] == []


def test_crlf_patch_matches_lf(run: Callable[..., Result], outside: Path) -> None:
    patch = new_file_patch("app/h.py", SLEEPY).replace("\n", "\r\n")
    result = run("-", "--format", "json", stdin=patch.encode())
    assert ids(result) == [("FAPI402", "app/h.py", 5)]


def test_non_utf8_bytes(run: Callable[..., Result], outside: Path) -> None:
    patch = new_file_patch("app/h.py", "# caf\xe9\n" + SLEEPY).encode("latin-1")
    result = run("-", "--format", "json", stdin=patch)
    assert ids(result) == [("FAPI402", "app/h.py", 6)]


def test_plain_diff_u(run: Callable[..., Result], outside: Path) -> None:
    old = write(outside / "h_old.py", "import time\n")
    new = write(outside / "h.py", SLEEPY)
    text = subprocess.run(
        ["diff", "-u", old.name, new.name], cwd=outside, capture_output=True, text=True
    ).stdout
    result = run("-", "--format", "json", stdin=text.encode())
    assert ids(result) == [("FAPI402", "h.py", 5)]
    assert result.json["partial"] == ["h.py"]


def test_git_shapes_renames_deletions_modes_binary(
    run: Callable[..., Result], repo: Path, outside: Path
) -> None:
    git(repo, "mv", "app/jobs.py", "app/tasks.py")
    write(repo / "app" / "tasks.py", JOBS.replace("def job", "async def job").rstrip("\n"))
    git(repo, "rm", "-q", "app/old.py")
    (repo / "app" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x01\x02")
    write(repo / "app" / "run.py", "print('hi')\n")
    (repo / "app" / "run.py").chmod(0o755)
    (repo / "app" / "cli.py").chmod(0o755)  # a mode change alone: nothing added, nothing reported
    git(repo, "add", "-A")
    text = git(repo, "diff", "--cached", "-M", "--binary")
    assert "old mode 100644\nnew mode 100755" in text
    assert "rename from" in text and "No newline at end of file" in text
    assert "deleted file mode" in text and "GIT binary patch" in text
    result = run("-", "--format", "json", "--repo", str(repo), stdin=text.encode())
    # The sleep line itself is unchanged, but the change made its function async: that is the
    # change's bug, so it is reported.
    assert ids(result) == [("FAPI402", "app/tasks.py", 5)]
    assert result.json["stats"] == {
        "files": 5,
        "python_files": 3,
        "findings": 1,
        "error": 1,
        "warning": 0,
        "info": 0,
        "preexisting": 0,
        "fixed": 0,
        "skipped": 0,
        "needs_newer_python": 0,
    }


def test_git_copy_is_reviewed_as_a_new_path(run: Callable[..., Result], repo: Path) -> None:
    write(repo / "app" / "jobs2.py", JOBS.replace("def job", "async def job"))
    git(repo, "add", "-A")
    text = git(repo, "diff", "--cached", "-C", "--find-copies-harder")
    result = run("-", "--format", "json", "--repo", str(repo), stdin=text.encode())
    assert ids(result) == [("FAPI402", "app/jobs2.py", 5)]


def test_git_range_and_worktree(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    write(repo / "app" / "jobs.py", JOBS.replace("def job", "async def job"))
    result = run("--git", "--format", "json")
    assert ids(result) == [("FAPI402", "app/jobs.py", 5)]
    assert result.json["partial"] == []
    git(repo, "commit", "-qam", "make it async")
    write(repo / "app" / "jobs.py", "x = 2\n")  # the range reads the commit, not the tree
    result = run("--git", "HEAD~1..HEAD", "--format", "json")
    assert ids(result) == [("FAPI402", "app/jobs.py", 5)]
    result = run("--git", "main~1...main", "--format", "json")
    assert ids(result) == [("FAPI402", "app/jobs.py", 5)]
    # One revision: the working tree against it, with the working tree as context.
    write(repo / "app" / "jobs.py", JOBS.replace("def job", "async def job") + "x = 2\n")
    result = run("--git", "HEAD~1", "--format", "json")
    assert ids(result) == [("FAPI402", "app/jobs.py", 5)]
    assert result.json["partial"] == []


def test_work_tree_is_the_default_context(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "app" / "jobs.py", JOBS.replace("def job", "async def job"))
    text = git(repo, "diff", "-U0")
    monkeypatch.chdir(repo / "app")
    result = run("-", "--format", "json", stdin=text.encode())
    assert result.json["partial"] == []
    assert ids(result) == [("FAPI402", "app/jobs.py", 5)]


def test_unparsable_file_is_skipped_and_the_rest_reviewed(
    run: Callable[..., Result], outside: Path
) -> None:
    text = new_file_patch("app/broken.py", "def broken(:\n    pass\n") + new_file_patch(
        "app/h.py", SLEEPY
    )
    result = run("-", "--format", "json", "--fail-on", "never", stdin=text.encode())
    assert ids(result) == [("FAPI402", "app/h.py", 5)]
    assert result.json["skipped"] == [
        {
            "path": "app/broken.py",
            "reason": "does not parse: invalid syntax (line 1)",
            "needs_python": None,
        }
    ]
    # An incomplete review is not a pass (4), unless the caller accepts it.
    assert result.code == 4
    assert "the review is incomplete: 1 Python file could not be reviewed" in result.err
    assert run("-", "--format", "json", stdin=text.encode()).code == 1  # findings come first
    accepted = run("-", "--format", "json", "--allow-skipped", "--no-llm", stdin=text.encode())
    assert accepted.code == 1 and accepted.err == ""
    accepted = run("-", "--fail-on", "never", "--allow-skipped", stdin=text.encode())
    assert accepted.code == 0


# -- bad input: one line on stderr, exit 2 ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("missing.patch",), b"", "missing.patch: no such file"),
        (("-",), b"hello, this is not a diff\n", "not a unified diff"),
        (("-",), b"--- a/x.py\n+++ b/x.py\n@@ -1,5 +1,2 @@\n a\n", "cannot parse the diff"),
        (("-", "--frobnicate"), b"", "unrecognized arguments: --frobnicate"),
        (("-", "--fail"), b"", "unrecognized arguments: --fail"),  # no abbreviations
        (("-", "more.patch"), b"", "unrecognized arguments: more.patch"),
        ((), b"", "give one of PATCH"),
        (("-", "--format", "yaml"), b"", "argument --format: invalid choice: 'yaml'"),
        (("-", "--min-confidence", "1.5"), b"", "1.5 is not in the range 0 to 1"),
        (("-", "--min-confidence", "high"), b"", "'high' is not a number"),
        (("-", "--output", "."), b"", "argument --output: .: is a directory, expected a file"),
        (("-", "--select"), b"", "argument --select: expected one argument"),
        (("-", "--select", "FAPI999"), b"", "unknown rule id 'FAPI999'"),
        (("-", "--repo", "/nonexistent/dir"), b"", "is not a directory"),
        (("-", "--config", "/nonexistent.toml"), b"", "no such file"),
        (("explain", "FAPI000"), b"", "unknown rule id 'FAPI000'"),
        (("explain",), b"", "the following arguments are required: RULE_ID"),
        (("rules", "FAPI402"), b"", "unrecognized arguments: FAPI402"),
    ],
)
def test_bad_input(
    run: Callable[..., Result], outside: Path, args: tuple[str, ...], stdin: bytes, message: str
) -> None:
    result = run(*args, stdin=stdin)
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert result.err.count("\n") == 1
    assert result.err.startswith("fastapi-review: error: ")


def test_patch_is_a_directory(run: Callable[..., Result], outside: Path) -> None:
    result = run(str(outside))
    assert (result.code, result.err.count("\n")) == (2, 1)
    assert "is a directory" in result.err


def test_unresolvable_git_range(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    result = run("--git", "nope...HEAD")
    assert (result.code, result.err.count("\n")) == (2, 1)
    assert "git cannot resolve 'nope...HEAD'" in result.err


def test_git_range_that_looks_like_an_option_is_refused(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "written-by-git"
    with pytest.raises(ReviewError, match="is not a revision range"):
        git_diff(repo, f"--output={target}")
    assert not target.exists()


def test_git_outside_a_repository(run: Callable[..., Result], outside: Path) -> None:
    result = run("--git")
    assert (result.code, result.err.count("\n")) == (2, 1)
    assert "not a git repository" in result.err


def test_an_interrupt_exits_130_quietly(
    run: Callable[..., Result], outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(patch: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("reviewer.cli._read_patch", interrupted)
    assert run("-") == Result(130, "", "")


def test_no_traceback_from_the_installed_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("fastapi-review")
    completed = subprocess.run(
        [str(script), "missing.patch"], cwd=tmp_path, capture_output=True, text=True
    )
    assert completed.returncode == 2
    assert completed.stderr == "fastapi-review: error: missing.patch: no such file\n"


# -- exit statuses, text output, subcommands ----------------------------------------------------


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on(run: Callable[..., Result], outside: Path, fail_on: str, code: int) -> None:
    result = run("-", "--fail-on", fail_on, stdin=new_file_patch("app/h.py", SLEEPY).encode())
    assert result.code == code


def test_fail_on_threshold_above_the_findings(run: Callable[..., Result], outside: Path) -> None:
    code = "async def handler():\n    with open('x') as f:\n        return f.read()\n"
    result = run("-", stdin=new_file_patch("app/h.py", code).encode())
    assert result.code == 0  # FAPI404 is a warning; the default threshold is error
    result = run("-", "--fail-on", "warning", stdin=new_file_patch("app/h.py", code).encode())
    assert result.code == 1


def test_plain_text_output(run: Callable[..., Result], outside: Path) -> None:
    result = run("-", stdin=new_file_patch("app/h.py", SLEEPY).encode())
    assert result.out == (
        "app/h.py:5:5 FAPI402 error `time.sleep()` blocks the event loop (blocking-sleep-in-async)\n"
        "      5 | time.sleep(1)\n"
        "  fix: Use `await asyncio.sleep(...)`.\n"
        "  fixable with --fix: Await `asyncio.sleep()`\n"
        "1 finding (1 error) in 1 Python file, on the changed lines\n"
    )


def test_rules_and_explain(run: Callable[..., Result]) -> None:
    listing = run("rules")
    assert listing.code == 0
    assert "FAPI402  blocking-sleep-in-async" in listing.out
    explained = run("explain", "fapi402")
    assert explained.code == 0
    assert explained.out.startswith("# FAPI402 blocking-sleep-in-async\n")
    assert "Weakness:" not in explained.out  # not a security rule
    assert "\nWeakness: CWE-1004, CWE-614.\n" in run("explain", "FAPI809").out
    assert "## Use instead" in explained.out


def test_suppression_comment(run: Callable[..., Result], outside: Path) -> None:
    code = (
        "import time\n\n\nasync def a():\n"
        "    time.sleep(1)  # fastapi-review: ignore[FAPI402]\n"
        "    time.sleep(2)  # fastapi-review: ignore\n"
        "    time.sleep(3)  # fastapi-review: ignore[FAPI401]\n"
    )
    result = run("-", "--format", "json", stdin=new_file_patch("app/h.py", code).encode())
    assert ids(result) == [("FAPI402", "app/h.py", 7)]


def test_noqa_with_our_ids_suppresses_and_bare_noqa_does_not(
    run: Callable[..., Result], outside: Path
) -> None:
    code = (
        "import time\n\n\nasync def a():\n"
        "    time.sleep(1)  # noqa: FAPI402\n"
        "    time.sleep(2)  # noqa: E501, fapi402\n"
        "    time.sleep(3)  # noqa\n"
        "    time.sleep(4)  # noqa: E501\n"
    )
    result = run("-", "--format", "json", stdin=new_file_patch("app/h.py", code).encode())
    assert ids(result) == [("FAPI402", "app/h.py", 7), ("FAPI402", "app/h.py", 8)]


def test_a_suppression_on_any_line_of_a_multi_line_finding_counts(
    run: Callable[..., Result], outside: Path
) -> None:
    code = (
        "import requests\n\n\nasync def a():\n"
        "    return requests.get(\n"
        "        'https://example.com',  # fastapi-review: ignore[FAPI401]\n"
        "    )\n\n\nasync def b():\n"
        "    return requests.get(\n"
        "        'https://example.com',\n"
        "    )\n"
    )
    result = run("-", "--format", "json", stdin=new_file_patch("app/h.py", code).encode())
    assert ids(result) == [("FAPI401", "app/h.py", 11)]


def test_report_unused_ignores(run: Callable[..., Result], outside: Path) -> None:
    code = (
        "import time\n\n\nasync def a():\n"
        "    time.sleep(1)  # fastapi-review: ignore[FAPI402]\n"
        "    time.sleep(2)  # fastapi-review: ignore[FAPI402, FAPI401]\n"
        "    x = 1  # fastapi-review: ignore\n"
        "    y = 2  # noqa: FAPI999\n"
        "    z = 3  # fastapi-review: ignore[FAPI807]\n"
    )
    patch = new_file_patch("app/h.py", code).encode()
    quiet = run("-", "--format", "json", stdin=patch)
    assert (quiet.code, "unused_suppressions" in quiet.json) == (0, False)
    result = run("-", "--format", "json", "--report-unused-ignores", stdin=patch)
    assert result.code == 1
    assert result.json["unused_suppressions"] == [
        {"path": "app/h.py", "line": 6, "rule_ids": ["FAPI401"]},
        {"path": "app/h.py", "line": 7, "rule_ids": []},
        {"path": "app/h.py", "line": 8, "rule_ids": ["FAPI999"]},
    ]  # FAPI807 is the Claude pass's: not known to be unused
    jsonschema.validate(result.json, schema())
    text = run("-", "--report-unused-ignores", "--exit-zero", "--no-llm", stdin=patch)
    assert text.code == 0
    assert "unused suppression app/h.py:7: every rule silenced nothing" in text.out


class _Broken(Rule):
    """A rule with a bug, to show that it costs one rule on one file, not the review."""

    id = "FAPI999"
    name = "broken"
    severity = Severity.ERROR

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        raise KeyError("boom")


def test_a_failing_rule_is_reported_and_the_review_goes_on() -> None:
    patch = new_file_patch("app/h.py", SLEEPY)
    change = analyze(patch, NoSources(), Config())
    failures: list[Skipped] = []
    found = run_rules(change.modules, change.project, [BlockingSleepInAsync, _Broken], failures)
    assert [(f.rule_id, f.line) for f in found] == [("FAPI402", 5)]
    assert [(s.path, s.reason.split(" (")[0]) for s in failures] == [
        ("app/h.py", "FAPI999 failed on this file")
    ]
    with pytest.raises(KeyError):
        run_rules(change.modules, change.project, [_Broken])


# -- check: whole files, no diff ----------------------------------------------------------------


def test_check_reviews_whole_files_of_a_folder(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "app")
    result = run("check", ".", "--format", "json", "--preview")
    assert result.code == 1, result.err
    assert ids(result) == [("FAPI402", "app/cli.py", 5)]  # paths from the repository root
    assert result.json["mode"] == "files"
    assert result.json["stats"]["python_files"] == 3


def test_check_takes_files_and_defaults_to_the_current_folder(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    assert ids(run("check", "app/jobs.py", "--format", "json")) == []
    assert ids(run("check", "--format", "json")) == [("FAPI402", "app/cli.py", 5)]
    text = run("check")
    assert "in whole files, with no diff" in text.out


def test_check_paths_and_options_mix_in_any_order(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    result = run("check", "app/jobs.py", "--format", "json", "app/cli.py")
    assert ids(result) == [("FAPI402", "app/cli.py", 5)]
    assert result.json["stats"]["python_files"] == 2


def test_check_outside_a_git_work_tree(run: Callable[..., Result], outside: Path) -> None:
    write(outside / "main.py", SLEEPY)
    result = run("check", "main.py", "--format", "json")
    assert ids(result) == [("FAPI402", "main.py", 5)]


def test_check_bad_paths_are_usage_errors(
    run: Callable[..., Result], repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    missing = run("check", "nowhere")
    assert (missing.code, missing.err) == (
        2,
        "fastapi-review: error: nowhere: no such file or directory\n",
    )
    elsewhere = run("check", "app", str(tmp_path))
    assert elsewhere.code == 2
    assert "outside the repository" in elsewhere.err


def test_exit_zero_keeps_the_report_and_drops_the_failure(
    run: Callable[..., Result], repo: Path, outside: Path
) -> None:
    patch = write(outside / "change.patch", new_file_patch("app/handler.py", SLEEPY))
    failing = run(str(patch), "--format", "json")
    passing = run(str(patch), "--format", "json", "--exit-zero")
    assert (failing.code, passing.code) == (1, 0)
    assert ids(failing) == ids(passing) == [("FAPI402", "app/handler.py", 5)]
    checked = run("check", str(repo / "app" / "cli.py"), "--exit-zero")
    assert checked.code == 0
    assert "FAPI402" in checked.out


def test_help_shows_the_review_options(run: Callable[..., Result]) -> None:
    result = run("--help")
    assert (result.code, result.err) == (0, "")
    options = ("--git [RANGE]", "--github-pr [OWNER/REPO#N]", "--format", "--exit-zero", "check")
    for option in (*options, "--version"):
        assert option in result.out
    assert run("-h") == result


@pytest.mark.parametrize(
    ("args", "usage", "shown", "not_shown"),
    [
        (("review", "-h"), "[review] [OPTIONS] [PATCH]", "--git [RANGE]", "--version"),
        (("change.patch", "--help"), "[review] [OPTIONS] [PATCH]", "--dry-run-llm", "--version"),
        (("check", "--help"), "check [OPTIONS] [PATH]...", "--exit-zero", "--git"),
        (("explain", "-h"), "explain RULE_ID", "RULE_ID", "--format"),
    ],
)
def test_each_command_has_its_help(
    run: Callable[..., Result], args: tuple[str, ...], usage: str, shown: str, not_shown: str
) -> None:
    result = run(*args)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"usage: fastapi-review {usage}\n")
    assert shown in result.out
    assert not_shown not in result.out


def test_review_is_the_command_when_none_is_named(
    run: Callable[..., Result], outside: Path
) -> None:
    patch = write(outside / "change.patch", new_file_patch("app/h.py", SLEEPY))
    named = run("review", str(patch), "--format", "json")
    assert named.code == 1 and ids(named) == [("FAPI402", "app/h.py", 5)]
    assert run(str(patch), "--format", "json") == named
    assert run("--format", "json", str(patch)) == named


def test_check_is_not_capped_like_a_change(
    run: Callable[..., Result], repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change anyone can write is reviewed up to ``MAX_FILES`` files; the files of one's own
    disk that ``check`` reads are not capped."""
    from reviewer import limits

    monkeypatch.setattr(limits, "MAX_FILES", 1)
    monkeypatch.chdir(repo)
    checked = run("check", "app", "--format", "json")
    assert (checked.json["stats"]["python_files"], checked.json["skipped"]) == (3, [])
    patch = new_file_patch("app/a.py", "x = 1\n") + new_file_patch("app/b.py", "y = 2\n")
    capped = run("-", "--format", "json", "--no-llm", stdin=patch.encode())
    assert capped.json["stats"]["python_files"] == 1
    assert [s["path"] for s in capped.json["skipped"]] == ["app/b.py"]
