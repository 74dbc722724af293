"""Recorded diffs in, exact findings out.

Each case is ``tests/cases/<group>/<name>.patch`` with its expected JSON report beside it
(``<name>.json``). A folder ``<name>.repo/`` next to them is the repository after the change (passed
as ``--repo``; its ``pyproject.toml`` configures the review); without it the diff is reviewed alone.
A ``<name>.args`` file holds extra command-line arguments, one per line.
``pytest --update-golden`` rewrites the expected files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from cli_run import Result

from reviewer.report.json import schema

CASES = Path(__file__).parent / "cases"
PATCHES = sorted(CASES.rglob("*.patch"))


def run_case(run: Callable[..., Result], patch: Path) -> tuple[int, dict[str, object]]:
    args = [str(patch), "--format", "json", "--no-llm"]
    repo = patch.with_suffix(".repo")
    if repo.is_dir():
        args += ["--repo", str(repo)]
    extra = patch.with_suffix(".args")
    if extra.exists():
        args += [line for line in extra.read_text().splitlines() if line.strip()]
    result = run(*args)
    assert result.code in (0, 1), result.err
    report = result.json
    jsonschema.validate(report, schema())  # every golden report is a valid report
    return result.code, report


def test_cases_exist() -> None:
    assert PATCHES, "no golden cases found"


@pytest.mark.parametrize("patch", PATCHES, ids=lambda p: str(p.relative_to(CASES).with_suffix("")))
def test_golden(
    patch: Path,
    run: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    update_golden: bool,
) -> None:
    monkeypatch.chdir(tmp_path)  # not a git work tree: no default context
    code, report = run_case(run, patch)
    expected_file = patch.with_suffix(".json")
    actual = {"exit_code": code, **report}
    actual.pop("version")
    actual.pop("tool")  # the release, which changes without the findings changing
    if update_golden or not expected_file.exists():
        expected_file.write_text(json.dumps(actual, indent=2) + "\n")
        if not update_golden:
            pytest.fail(f"wrote {expected_file.name}: review it and commit it")
    assert actual == json.loads(expected_file.read_text())
