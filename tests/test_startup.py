"""What the command imports: heavy libraries only on the paths that use them.

Start-up is paid by every pre-commit run and every agent call, so ``--version`` and a static
review must not import the Anthropic SDK, httpx, the GitHub client, pydantic or GitPython. The
test reads the modules a real process holds when it exits (``sys.modules``; ``-X importtime`` does
not see ``importlib.import_module``), not a timing: the figures are in the README
(``bench/speed.py``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
PATCH = (
    "diff --git a/app/h.py b/app/h.py\nnew file mode 100644\n--- /dev/null\n+++ b/app/h.py\n"
    "@@ -0,0 +1,5 @@\n" + "".join(f"+{line}\n" for line in SLEEPY.splitlines())
)

# Imported by none of the paths below; each costs tens of milliseconds.
HEAVY = (
    "anthropic",
    "httpx",
    "pydantic",
    "pydantic_core",
    "git",  # GitPython, which git is read without
    "asyncio",
    "reviewer.github",
    "reviewer.llm.review",
    "reviewer.llm.client",
    "click",  # the command line is argparse's: click's core alone imports inspect and uuid
)
MODULES = "\nmodules at exit:"
PROGRAM = (
    "import sys\nfrom reviewer.cli import main\ntry:\n    main()\nfinally:\n"
    f"    sys.stderr.write({MODULES!r} + ' '.join(sorted(sys.modules)))\n"
)


def imported(*args: str, cwd: Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a ``fastapi-review ARGS`` process imports, and the process."""
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},  # no API key: the LLM pass stays off
    )
    names = done.stderr.rpartition(MODULES)[2].split()
    assert names, done.stderr
    return set(names), done


def heavy(names: set[str]) -> list[str]:
    return sorted(
        name for name in names if any(name == h or name.startswith(f"{h}.") for h in HEAVY)
    )


@pytest.fixture
def change(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "h.py").write_text(SLEEPY)
    (tmp_path / "change.patch").write_text(PATCH)
    return tmp_path


def test_version_imports_only_the_command_line(tmp_path: Path) -> None:
    names, done = imported("--version", cwd=tmp_path)
    assert done.returncode == 0 and "fastapi-review, version" in done.stdout
    assert heavy(names) == []
    assert not {"inspect", "pathlib", "shutil"} & names  # options stay strings; help is not shown
    ours = sorted(name for name in names if name.startswith("reviewer"))
    assert ours == sorted(
        [
            "reviewer",
            "reviewer.cli",
            "reviewer.errors",
            "reviewer.report",
            "reviewer.report.registry",
        ]
    )
    assert "rich" not in names
    assert not {"dataclasses", "copy"} & names  # a millisecond: reports are not made here


def test_static_json_review_imports_no_heavy_module(change: Path) -> None:
    names, done = imported(
        "change.patch", "--repo", ".", "--no-llm", "--format", "json", cwd=change
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert [f["rule_id"] for f in json.loads(done.stdout)["findings"]] == ["FAPI402"]
    assert {"ast", "reviewer.diff", "reviewer.rules.concurrency", "reviewer.report.json"} <= names
    assert heavy(names) == []
    assert "rich" not in names  # only the text renderer uses it
    assert "reviewer.report.sarif" not in names  # renderers load when asked for
    assert "reviewer.llm.usage" not in names  # the LLM pass's usage and prices
    # A few milliseconds each: git's processes, the schema's resource files, the suggestions of
    # a misspelt key, a TOML parser for a repository with no configuration; finding the rule
    # modules by listing a folder; dedenting the hunks of a file that is not at hand; the enums
    # of HTTP statuses, for code that names one; paths as objects (pathlib, with urllib.parse
    # and ipaddress: 7 ms), where strings do; IP addresses, for a test calling a dotted host.
    assert not {"subprocess", "importlib.resources", "difflib", "tomllib"} & names
    assert not {"pkgutil", "importlib.util", "textwrap", "http"} & names
    assert not {"pathlib", "urllib.parse", "ipaddress"} & names
    # dataclasses (records are made without it) and the inspect it imports: 8 ms.
    assert not {"dataclasses", "inspect"} & names
    # OpenSSL, through hashlib (2 ms): the fingerprints take CPython's own SHA-256.
    assert not {"hashlib", "_hashlib"} & names


def test_a_review_without_findings_hashes_nothing(change: Path) -> None:
    (change / "app" / "h.py").write_text("async def handler():\n    pass\n")
    clean = PATCH.replace("@@ -0,0 +1,5 @@", "@@ -0,0 +1,2 @@").split("+import time")[0]
    (change / "change.patch").write_text(clean + "+async def handler():\n+    pass\n")
    names, done = imported(
        "change.patch", "--repo", ".", "--no-llm", "--format", "json", cwd=change
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["findings"] == []
    assert "hashlib" not in names  # fingerprints are computed for findings only


def test_text_review_adds_only_rich(change: Path) -> None:
    names, done = imported("change.patch", "--repo", ".", cwd=change)
    assert done.returncode == 1 and "FAPI402" in done.stdout, done.stderr[-2000:]
    assert "rich.console" in names
    assert heavy(names) == []


def test_the_command_ends_with_everything_written(change: Path) -> None:
    """``python -m reviewer`` (as the installed command) ends the process without tearing the
    review down: standard output, standard error and --output files are complete first."""
    outputs = ["--format", "json", "--format", "sarif", "--output", "out.sarif"]
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", "change.patch", "--repo", ".", "--no-llm", *outputs],
        cwd=change,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert [f["rule_id"] for f in json.loads(done.stdout)["findings"]] == ["FAPI402"]
    sarif = json.loads((change / "out.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["FAPI402"]
    assert done.stderr == ""
    refused = subprocess.run(
        [sys.executable, "-m", "reviewer", "missing.patch"],
        cwd=change,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == "fastapi-review: error: missing.patch: no such file\n"


MADE_AT_IMPORT = (
    "import dataclasses, re, sys\n"
    "made = []\n"
    "def counting(original):\n"
    "    def wrapper(*args, **kwargs):\n"
    "        made.append(sys._getframe(1).f_globals.get('__name__', ''))\n"
    "        return original(*args, **kwargs)\n"
    "    return wrapper\n"
    "re.compile = counting(re.compile)\n"
    "dataclasses.dataclass = counting(dataclasses.dataclass)\n"
    "import reviewer.cli, reviewer.engine, reviewer.report.json, reviewer.report.outputs\n"
    "print(' '.join(sorted({name for name in made if name.startswith('reviewer.')})))\n"
)
STILL_COMPILED = {"reviewer.extract.build"}
"""Modules whose patterns are compiled at import still (the model builder's: it uses them on every
review)."""


def test_imports_compile_no_pattern_and_make_no_dataclass() -> None:
    """What a static review imports compiles no regular expression (about a hundred in the rule
    modules and the patch parser: ``reviewer.patterns.regex`` compiles one when first used) and
    makes no dataclass (``reviewer.record`` makes a class for a fraction of the cost)."""
    done = subprocess.run(
        [sys.executable, "-c", MADE_AT_IMPORT], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) <= STILL_COMPILED


def test_a_deferred_pattern_is_the_compiled_one_once_used() -> None:
    from reviewer.patterns import regex

    pattern = regex(r"a+(b)", re.IGNORECASE)
    assert "search" not in vars(pattern)  # not compiled yet
    found = pattern.search("xAAB")
    assert found is not None and found.group(1) == "B"
    assert vars(pattern)["search"] == re.compile(r"a+(b)", re.IGNORECASE).search
    assert pattern.sub("-", "ab aab") == "- -"
