"""Files whose syntax is newer than the running Python: said so, counted, and failing the run.

Each case is a shape seen in real FastAPI code bases (generic services and repositories, type
aliases, PEP 701 f-strings, ``except A, B:``, t-strings, lazy imports). Three judges agree on
them: ``newer_syntax``, Ruff's parser (which knows at which version each construct appeared)
and, where installed, the real interpreters of those versions.
"""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_run import Result

from reviewer.extract.newer import NEWEST_KNOWN, newer_syntax

OLDEST = (3, 10)
"""The oldest Python we run on: every case is judged as if running there (the rewrite that proves
a verdict yields syntax of that version, so the verdict does not depend on the interpreter)."""

NEWER = [
    (
        "generic_service",
        "class CRUDService[ModelT: Base, CreateT: BaseModel]:\n"
        "    def __init__(self, model: type[ModelT]) -> None:\n        self.model = model\n",
        (3, 12),
        "a type parameter list",
    ),
    (
        "generic_multiline",
        "class Repository[\n    ModelT: Base,\n    IdT = int,\n]:\n    pass\n",
        (3, 13),
        "a type parameter default",
    ),
    (
        "generic_function",
        "async def first[T](items: list[T]) -> T | None:\n    return items[0] if items else None\n",
        (3, 12),
        "a type parameter list",
    ),
    (
        "type_alias",
        "from typing import Annotated\nfrom fastapi import Depends\n\n"
        "type SessionDep = Annotated[AsyncSession, Depends(get_session)]\n"
        "type Page[T] = tuple[list[T], int]\n",
        (3, 12),
        "a `type` alias statement",
    ),
    (
        "fstring_same_quotes",
        'def label(user):\n    return f"{user["first"]} {user["last"]}"\n',
        (3, 12),
        "the enclosing string's quote inside an f-string",
    ),
    (
        "fstring_backslash",
        "def lines(rows):\n    return f\"rows:\\n{'\\n'.join(rows)}\"\n",
        (3, 12),
        "a backslash inside an f-string's expression",
    ),
    (
        "fstring_multiline",
        'message = f"total: {\n    sum(item.price for item in items)\n}"\n',
        (3, 12),
        "a line break inside a single-quoted f-string",
    ),
    (
        "fstring_comment",
        'message = f"""total: {\n    sum(item.price for item in items)  # in cents\n}"""\n',
        (3, 12),
        "a comment inside an f-string",
    ),
    (
        "except_without_parentheses",
        "def load(raw):\n    try:\n        return parse(raw)\n"
        "    except ValueError, KeyError:\n        return None\n",
        (3, 14),
        "exception types without parentheses",
    ),
    (
        "template_string",
        "from string.templatelib import Template\n\n"
        'def query(user_id: int) -> Template:\n    return t"SELECT * FROM users WHERE id = {user_id}"\n',
        (3, 14),
        "a template string (t-string)",
    ),
    (
        "lazy_import",
        "lazy import httpx\nlazy from sqlalchemy import select\n\nX = 1\n",
        (3, 15),
        "a `lazy` import",
    ),
    (
        "comprehension_unpacking",
        "def merged(groups):\n    return [*group.members for group in groups]\n",
        (3, 15),
        "unpacking in a comprehension",
    ),
    (
        "except_star",
        "async def run(group):\n    try:\n        await group()\n"
        "    except* TimeoutError:\n        pass\n",
        (3, 11),
        "`except*`",
    ),
    (
        "several_versions",
        "type Id = int\n\ndef get[T](x: T) -> T:\n    try:\n        return x\n"
        "    except ValueError, TypeError:\n        raise\n",
        (3, 14),
        "exception types without parentheses",
    ),
]

GENUINE = [
    ("plain_error", "def broken(:\n    pass\n"),
    ("error_beside_new_syntax", "type Id = int\n\ndef broken(:\n    pass\n"),
    ("error_inside_new_fstring", 'x = f"{user["a"] + }"\n'),
    ("empty_field_in_new_fstring", 'x = f"{}{user["a"]}"\n'),
    ("unterminated_string", 'type Id = int\nx = "abc\n'),
    ("except_as_with_two_types", "try:\n    pass\nexcept ValueError, TypeError as e:\n    pass\n"),
]


@pytest.mark.parametrize(("name", "code", "version", "construct"), NEWER, ids=[c[0] for c in NEWER])
def test_newer_syntax_names_the_version(
    name: str, code: str, version: tuple[int, int], construct: str
) -> None:
    newer = newer_syntax(code, OLDEST)
    assert newer is not None
    assert (newer.version, newer.construct) == (version, construct)
    first = f"needs Python {version[0]}.{version[1]} to parse ({construct}, line "
    assert newer.describe((3, 11)).startswith(first)
    assert newer.describe((3, 11)).endswith("); this runs on 3.11")


@pytest.mark.parametrize(("name", "code"), GENUINE, ids=[c[0] for c in GENUINE])
def test_genuine_syntax_errors_stay_errors(name: str, code: str) -> None:
    assert newer_syntax(code, OLDEST) is None


def test_nothing_is_newer_than_the_newest_known_python() -> None:
    assert newer_syntax(NEWER[0][1], NEWEST_KNOWN) is None


def _ruff_version(path: Path) -> tuple[int, int] | None:
    """The newest version Ruff says the file needs, None for a genuine error."""
    options = ["--no-cache", "--isolated", "--select", "F401", "--target-version", "py310"]
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *options, "--output-format", "concise", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in done.stdout.splitlines() if "invalid-syntax" in line]
    if not lines or any("syntax was added in Python" not in line for line in lines):
        return None
    found = re.findall(r"syntax was added in Python (\d+)\.(\d+)", "\n".join(lines))
    return max((int(major), int(minor)) for major, minor in found)


def test_ruff_agrees_on_every_case(tmp_path: Path) -> None:
    for name, code, version, _ in NEWER:
        (tmp_path / f"{name}.py").write_text(code)
        assert _ruff_version(tmp_path / f"{name}.py") == version, name
    for name, code in GENUINE:
        (tmp_path / f"{name}.py").write_text(code)
        assert _ruff_version(tmp_path / f"{name}.py") is None, name


def _interpreters() -> dict[tuple[int, int], str]:
    """Other CPython interpreters on this machine (PATH, pyenv), by version."""
    candidates = [f"python3.{minor}" for minor in range(10, 20)]
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(f"{root}/versions/3.*/bin/python3"))
    found: dict[tuple[int, int], str] = {}
    for candidate in candidates:
        try:
            done = subprocess.run(
                [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except OSError:
            continue
        if done.returncode == 0:
            major, minor = map(int, done.stdout.split())
            found.setdefault((major, minor), candidate)
    return found


def test_the_named_version_parses_and_the_one_before_does_not(tmp_path: Path) -> None:
    interpreters = {v: exe for v, exe in _interpreters().items() if v >= OLDEST}
    if len(interpreters) < 2:
        pytest.skip("needs at least two Python interpreters of 3.10 or later")
    checked = 0
    for name, code, version, _ in NEWER:
        path = tmp_path / f"{name}.py"
        path.write_text(code)
        for running, exe in interpreters.items():
            done = subprocess.run(
                [exe, "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", str(path)],
                capture_output=True,
                timeout=30,
            )
            assert (done.returncode == 0) == (running >= version), (name, running)
            checked += 1
    assert checked >= 2 * len(NEWER)


# -- the command line ---------------------------------------------------------------------------

SERVICE = (
    "import time\n\ntype UserId = int\n\n\nasync def handler(user: UserId):\n    time.sleep(1)\n"
)


def _added(path: str, code: str) -> str:
    lines = code.splitlines()
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
    )


def _review(run: Callable[..., Result], tmp_path: Path, *args: str) -> tuple[int, str, str]:
    patch = tmp_path / "change.patch"
    patch.write_text(_added("app/service.py", SERVICE) + _added("app/ok.py", "X = 1\n"))
    result = run(str(patch), *args)
    return result.code, result.out, result.err


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python parses `type` statements")
def test_older_python_says_so_counts_it_and_fails(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    code, out, err = _review(run, tmp_path, "--format", "json")
    report = json.loads(out)
    assert code == 4
    assert report["skipped"] == [
        {
            "path": "app/service.py",
            "reason": "needs Python 3.12 to parse (a `type` alias statement, line 3); "
            f"this runs on {running}",
            "needs_python": "3.12",
        }
    ]
    assert (report["stats"]["skipped"], report["stats"]["needs_newer_python"]) == (1, 1)
    assert "the review is incomplete" in err
    code, out, _ = _review(run, tmp_path, "--format", "text")
    assert code == 4
    assert out.splitlines()[-1] == (
        "0 findings in 1 Python file, on the changed lines; 1 skipped (1 needs Python 3.12 to parse)"
    )
    assert _review(run, tmp_path, "--allow-skipped")[0] == 0


@pytest.mark.skipif(sys.version_info < (3, 12), reason="this Python cannot parse `type` statements")
def test_newer_python_reviews_the_file(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _review(run, tmp_path, "--format", "json")
    report = json.loads(out)
    assert report["skipped"] == []
    assert [f["rule_id"] for f in report["findings"]] == ["FAPI402"]
    assert code == 1


# -- hostile input: a file that does not parse is read in linear time, and never raises -------

HOSTILE = [
    ("unclosed_brackets", "x = " + "[*" * 200_000 + "\n"),
    ("nested_comprehensions", "x = " + "[*a for a in " * 20_000 + "b" + "]" * 20_000 + "\n("),
    ("fstrings_nested_deep", "x = " + "f'{" * 3_000 + "1" + "}'" * 3_000 + "\n"),
    ("except_clauses", "try:\n    pass\n" + "except A, (B" * 50_000 + "\n"),
    ("type_parameter_lists", "def f[" * 100_000 + "\n"),
]


@pytest.mark.parametrize(("name", "code"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_files_stay_genuine_errors(name: str, code: str) -> None:
    # Each would take hours if a scan were quadratic in the size of the file.
    assert newer_syntax(code, OLDEST) is None


def test_many_new_fstrings_are_checked_together() -> None:
    code = "type Id = int\n" + 'label = f"{user["name"]}"\n' * 20_000
    newer = newer_syntax(code, OLDEST)
    assert newer is not None and newer.version == (3, 12)
    assert newer_syntax(code + "broken(\n", OLDEST) is None
