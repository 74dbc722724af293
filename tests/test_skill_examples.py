"""The code examples of the fastapi-patterns skill: reviewed by the engine, then run.

Good examples together form one application: reviewed as one change, it has no finding at all.
Each bad example, put in that application at its path, reports exactly the rules it names. The
application imports, its test passes, and every bad example imports beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from claude_bundle import Example, added_files_patch, application, examples, unmarked_python_blocks

from reviewer.config import Config
from reviewer.engine import review
from reviewer.rules.registry import BY_ID
from reviewer.source import MemorySources

EXAMPLES = examples()
BAD = [example for example in EXAMPLES if example.kind == "bad"]


ALL_RULES = Config(preview=True)
"""The skill teaches every rule, preview ones included: its examples are checked against all."""


def test_every_python_block_is_a_marked_example() -> None:
    assert unmarked_python_blocks() == []
    assert {"app/main.py", "app/db.py", "tests/test_users.py"} <= set(application())
    assert BAD
    for example in EXAMPLES:
        assert (example.kind == "bad") == bool(example.rule_ids), example.where


def test_application_has_no_finding() -> None:
    files = application()
    report = review(added_files_patch(files), MemorySources(files), ALL_RULES)
    assert report.python_files == len(files)
    assert not report.partial and not report.skipped
    assert [f"{f.path}:{f.line} {f.rule_id} {f.message}" for f in report.findings] == []


@pytest.mark.parametrize("example", BAD, ids=lambda example: example.where)
def test_bad_example_reports_exactly_its_rules(example: Example) -> None:
    files = {**application(), example.path: example.code}
    patch = added_files_patch({example.path: example.code})
    found = {finding.rule_id for finding in review(patch, MemorySources(files), ALL_RULES).findings}
    registered = {rule_id for rule_id in example.rule_ids if rule_id in BY_ID}
    for rule_id in registered:
        assert BY_ID[rule_id].engine == "static", f"{rule_id} has no static check"
    assert found == registered, example.where
    unregistered = sorted(example.rule_ids - registered)
    if unregistered:
        pytest.skip(f"{', '.join(unregistered)} not registered yet: unverified")


_RUN_EXAMPLES = textwrap.dedent(
    """
    import importlib, json, sys
    sys.path.insert(0, sys.argv[1])
    failures = []
    for name in json.loads(sys.argv[2]):
        try:
            importlib.import_module(name)
        except Exception as exc:
            failures.append(f"{name}: {exc!r}")
    for where, code in json.loads(sys.argv[3]):
        try:
            exec(compile(code, where, "exec"), {"__name__": "example"})
        except Exception as exc:
            failures.append(f"{where}: {exc!r}")
    print(json.dumps(failures))
    """
)


def _write_application(root: Path) -> list[str]:
    """Write the application under ``root``; return its importable module names."""
    modules: list[str] = []
    for path, code in application().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code, encoding="utf-8")
        for package in Path(path).parents:
            if str(package) not in (".", "tests"):
                (root / package / "__init__.py").touch()
        if not path.startswith("tests/"):
            modules.append(path.removesuffix(".py").replace("/", "."))
    return modules


def test_examples_run(tmp_path: Path) -> None:
    modules = _write_application(tmp_path)
    bad = [(example.where, example.code) for example in BAD]
    done = subprocess.run(
        [sys.executable, "-c", _RUN_EXAMPLES, str(tmp_path), json.dumps(modules), json.dumps(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
