"""Mechanical fixes: applied to every INVALID example whose finding carries one, the result parses
and the rule no longer flags it; the edits themselves apply as documented."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from reviewer.cli import main
from reviewer.engine import review_source
from reviewer.extract.model import Span
from reviewer.fix import apply
from reviewer.rules.base import Autofix, Edit, Rule
from reviewer.rules.registry import BY_ID, STATIC_RULES

FIXABLE = {"FAPI206", "FAPI402", "FAPI802", "FAPI809", "FAPI902"}
"""Rules that offer a fix: each must have at least one INVALID example that gets it."""


def _cases() -> Iterator[ParameterSet]:
    for rule in STATIC_RULES:
        for index, case in enumerate(rule.INVALID):
            yield pytest.param(rule, case.code, case.path, id=f"{rule.id}-invalid-{index}")


@pytest.mark.parametrize(("rule", "code", "path"), list(_cases()))
def test_a_fix_parses_and_silences_its_rule(rule: type[Rule], code: str, path: str) -> None:
    for finding in review_source(code, path, [rule]):
        if finding.autofix is None:
            continue
        fixed, applied = apply(code, [finding.autofix])
        assert applied == [finding.autofix]
        ast.parse(fixed)
        left = [f for f in review_source(fixed, path, [rule]) if f.rule_id == rule.id]
        assert left == [], fixed


@pytest.mark.parametrize("rule_id", sorted(FIXABLE))
def test_each_fixable_rule_fixes_an_example(rule_id: str) -> None:
    rule = BY_ID[rule_id]
    fixes = [
        finding.autofix
        for case in rule.INVALID
        for finding in review_source(case.code, case.path, [rule])
        if finding.autofix is not None
    ]
    assert fixes, f"{rule_id} has no INVALID example with a fix"


def test_no_other_rule_offers_a_fix() -> None:
    offering = {
        rule.id
        for rule in STATIC_RULES
        for case in rule.INVALID
        if any(f.autofix for f in review_source(case.code, case.path, [rule]))
    }
    assert offering == FIXABLE


def _fix(*edits: tuple[int, int, int, int, str], safe: bool = True) -> Autofix:
    return Autofix("t", tuple(Edit(Span(a, c, b, d), text) for a, b, c, d, text in edits), safe)


def test_apply_replaces_inserts_and_counts_columns_in_utf8_bytes() -> None:
    text = "x = 'é'; y = 1\nz = 2\n"
    fixed, applied = apply(text, [_fix((1, 10, 1, 15, "y = 3")), _fix((2, 0, 2, 0, "# z\n"))])
    assert fixed == "x = 'é'; y = 3\n# z\nz = 2\n"
    assert len(applied) == 2


def test_overlapping_fixes_wait_and_identical_edits_apply_once() -> None:
    imports = (1, 0, 1, 0, "import asyncio\n")
    first = _fix(imports, (2, 0, 2, 5, "AAAAA"))
    second = _fix(imports, (2, 2, 2, 4, "B"))  # overlaps the first: not applied this time
    third = _fix(imports, (3, 0, 3, 1, "C"))
    fixed, applied = apply("x\n12345\nz\n", [first, second, third])
    assert fixed == "import asyncio\nx\nAAAAA\nC\n"
    assert applied == [first, third]


# -- --fix on the command line ------------------------------------------------------------------

SLEEPY = "import time\n\n\nasync def job():\n    time.sleep(1)\n    waited = time.sleep(2)\n"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_fix_applies_safe_fixes_and_reports_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "jobs.py").write_text(SLEEPY)
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "check", "--fix", "--format", "json")
    assert code == 1
    assert (tmp_path / "jobs.py").read_text() == SLEEPY.replace(
        "import time\n", "import asyncio\nimport time\n"
    ).replace("    time.sleep(1)", "    await asyncio.sleep(1)")
    data = json.loads(out)
    assert [f["line"] for f in data["findings"]] == [6]  # the reviewed text's line
    assert data["stats"]["fixed"] == 1
    assert err == "fastapi-review: fixed 1 finding in 1 file\n"
    code, out, err = _run(capsys, "check", "--fix", "--unsafe-fixes")
    assert code == 0, out
    assert "waited = await asyncio.sleep(2)" in (tmp_path / "jobs.py").read_text()
    ast.parse((tmp_path / "jobs.py").read_text())


def test_fix_never_touches_a_file_that_is_not_the_reviewed_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = SLEEPY.splitlines()
    patch = (
        "diff --git a/jobs.py b/jobs.py\nnew file mode 100644\n--- /dev/null\n+++ b/jobs.py\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
    )
    (tmp_path / "change.patch").write_text(patch)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "jobs.py").write_text("# edited since\n" + SLEEPY)
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "change.patch", "--repo", "repo", "--no-llm", "--fix")
    assert code == 1
    assert "jobs.py was not fixed: the file differs from the reviewed version" in err
    assert (tmp_path / "repo" / "jobs.py").read_text() == "# edited since\n" + SLEEPY


def test_unsafe_fixes_go_with_fix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "check", str(tmp_path), "--unsafe-fixes")
    assert (code, err) == (2, "fastapi-review: error: --unsafe-fixes goes with --fix\n")


def test_rdjson_carries_the_edits_as_suggestions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "jobs.py").write_text(SLEEPY)
    monkeypatch.chdir(tmp_path)
    _, out, _ = _run(capsys, "check", "--format", "rdjson")
    first = json.loads(out)["diagnostics"][0]
    assert first["suggestions"] == [
        {
            "range": {"start": {"line": 1, "column": 1}, "end": {"line": 1, "column": 1}},
            "text": "import asyncio\n",
        },
        {
            "range": {"start": {"line": 5, "column": 5}, "end": {"line": 5, "column": 18}},
            "text": "await asyncio.sleep(1)",
        },
    ]
