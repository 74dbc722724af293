"""``[tool.fastapi-review]`` in the reviewed repository, and flags that override it."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from reviewer.cli import main
from reviewer.config import load_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CODE = (
    "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
    "    with open('x') as f:\n        return f.read()\n"
)


def patch_for(path: str) -> str:
    lines = CODE.splitlines()
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
    )


def review(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
    *args: str,
    paths: tuple[str, ...] = ("app/h.py",),
) -> tuple[int, list[tuple[str, str, str]], str]:
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    (repo / "pyproject.toml").write_text(config)
    for path in paths:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(CODE)
    patch = "".join(patch_for(path) for path in paths)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(patch.encode())))
    with pytest.raises(SystemExit) as exited:
        main(["-", "--repo", str(repo), "--format", "json", *args])
    captured = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    if code == 2:
        return code, [], captured.err
    findings = json.loads(captured.out)["findings"]
    return code, [(f["rule_id"], f["path"], f["severity"]) for f in findings], captured.err


Fixture = tuple[Path, pytest.MonkeyPatch, pytest.CaptureFixture[str]]


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Fixture:
    return tmp_path, monkeypatch, capsys


def test_no_configuration(env: Fixture) -> None:
    code, found, _ = review(*env, "")
    assert code == 1
    assert found == [("FAPI402", "app/h.py", "error"), ("FAPI404", "app/h.py", "warning")]


def test_select_and_prefixes(env: Fixture) -> None:
    _, found, _ = review(*env, '[tool.fastapi-review]\nselect = ["FAPI404"]\n')
    assert found == [("FAPI404", "app/h.py", "warning")]
    _, found, _ = review(*env, '[tool.fastapi-review]\nselect = ["FAPI4"]\n')
    assert [f[0] for f in found] == ["FAPI402", "FAPI404"]


def test_ignore_and_flag_overrides(env: Fixture) -> None:
    _, found, _ = review(*env, '[tool.fastapi-review]\nignore = ["FAPI402"]\n')
    assert found == [("FAPI404", "app/h.py", "warning")]
    _, found, _ = review(
        *env, '[tool.fastapi-review]\nignore = ["FAPI402"]\n', "--ignore", "FAPI404"
    )
    assert found == [("FAPI402", "app/h.py", "error")]


def test_per_path_ignores(env: Fixture) -> None:
    config = '[tool.fastapi-review]\nper-path-ignores = { "legacy/*" = ["FAPI402"] }\n'
    _, found, _ = review(*env, config, paths=("app/h.py", "legacy/old.py"))
    assert found == [
        ("FAPI402", "app/h.py", "error"),
        ("FAPI404", "app/h.py", "warning"),
        ("FAPI404", "legacy/old.py", "warning"),
    ]


def test_exclude(env: Fixture) -> None:
    config = '[tool.fastapi-review]\nexclude = ["legacy"]\n'
    _, found, _ = review(*env, config, paths=("app/h.py", "legacy/old.py"))
    assert {f[1] for f in found} == {"app/h.py"}


def test_severity_override_and_fail_on(env: Fixture) -> None:
    config = '[tool.fastapi-review]\nseverity = { FAPI402 = "info" }\nfail-on = "warning"\n'
    code, found, _ = review(*env, config)
    assert found == [("FAPI402", "app/h.py", "info"), ("FAPI404", "app/h.py", "warning")]
    assert code == 1
    code, _, _ = review(*env, config, "--fail-on", "error")
    assert code == 0


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[tool.fastapi-review]\nselct = []\n", "unknown key 'selct' (did you mean 'select'?)"),
        ("[tool.fastapi-review]\nfail-onn = 'error'\n", "(did you mean 'fail-on'?)"),
        ("[tool.fastapi-review]\nbanana = 1\n", "unknown key 'banana'\n"),
        (
            "[tool.fastapi-review]\nper-file-ignores = {}\nper-path-ignores = {}\n",
            "'per-file-ignores' and 'per-path-ignores' are the same key: give one",
        ),
        ('[tool.fastapi-review]\nignore = ["FAPI999"]\n', "unknown rule id 'FAPI999'"),
        ('[tool.fastapi-review]\nseverity = { FAPI402 = "fatal" }\n', "severity.FAPI402"),
        ('[tool.fastapi-review]\nfail-on = "sometimes"\n', "fail-on"),
        ("[tool.fastapi-review\n", "invalid TOML"),
    ],
)
def test_bad_configuration(env: Fixture, config: str, message: str) -> None:
    code, _, err = review(*env, config)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_readme_configuration_example_is_valid() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (block,) = re.findall(r"```toml\n(.*?)```", readme, re.S)
    config = load_config(None, tomllib.loads(block)["tool"]["fastapi-review"])
    assert config.fail_on == "warning"
    assert config.enabled("FAPI402", "app/main.py") and not config.enabled("FAPI103", "app/x.py")
    assert not config.enabled("FAPI201", "app/legacy/old.py")


def test_per_file_ignores_is_ruffs_spelling_of_per_path_ignores(env: Fixture) -> None:
    config = '[tool.fastapi-review]\nper-file-ignores = { "legacy/*" = ["FAPI402"] }\n'
    _, found, _ = review(*env, config, paths=("app/h.py", "legacy/old.py"))
    assert ("FAPI402", "legacy/old.py", "error") not in found
    assert ("FAPI402", "app/h.py", "error") in found


def test_the_nearest_configuration_governs_each_file(env: Fixture) -> None:
    """A monorepo: the root configures the review; backend/ has its own file, whose globs are
    relative to backend/, and a fastapi-review.toml (top-level keys) wins over pyproject.toml."""
    tmp_path = env[0]
    backend = tmp_path / "repo" / "backend"
    backend.mkdir(parents=True)
    (backend / "pyproject.toml").write_text(
        '[tool.fastapi-review]\nignore = ["FAPI404"]\n'
        'per-file-ignores = { "app/legacy.py" = ["FAPI402"] }\n'
        'severity = { FAPI402 = "warning" }\n'
    )
    (backend / "worker").mkdir()
    (backend / "worker" / "fastapi-review.toml").write_text('select = ["FAPI404"]\n')
    (backend / "worker" / "pyproject.toml").write_text(
        '[tool.fastapi-review]\nselect = ["FAPI402"]\n'
    )
    (tmp_path / "repo" / "tools").mkdir()
    (tmp_path / "repo" / "tools" / "pyproject.toml").write_text("[project]\nname = 'tools'\n")
    paths = (
        "app/h.py",
        "backend/app/h.py",
        "backend/app/legacy.py",
        "backend/worker/h.py",
        "tools/h.py",
    )
    code, found, _ = review(*env, '[tool.fastapi-review]\nfail-on = "warning"\n', paths=paths)
    assert found == [
        ("FAPI402", "app/h.py", "error"),
        ("FAPI404", "app/h.py", "warning"),
        ("FAPI402", "backend/app/h.py", "warning"),
        ("FAPI404", "backend/worker/h.py", "warning"),
        ("FAPI402", "tools/h.py", "error"),  # a pyproject.toml without our table configures nothing
        ("FAPI404", "tools/h.py", "warning"),
    ]
    assert code == 1  # fail-on comes from the root
    _, explicit, _ = review(*env, "", "--config", str(backend / "pyproject.toml"), paths=paths)
    assert {path for _, path, _ in explicit} == {
        "app/h.py",
        "backend/app/h.py",
        "backend/worker/h.py",
        "tools/h.py",
    }
    assert {rule for rule, _, _ in explicit} == {"FAPI402"}  # --config applies to every file


def test_a_bad_nested_configuration_names_its_file(env: Fixture) -> None:
    tmp_path = env[0]
    (tmp_path / "repo" / "backend").mkdir(parents=True)
    (tmp_path / "repo" / "backend" / "pyproject.toml").write_text(
        "[tool.fastapi-review]\nselct = []\n"
    )
    code, _, err = review(*env, "", paths=("backend/h.py",))
    assert code == 2
    assert (
        "backend/pyproject.toml: configuration: unknown key 'selct' (did you mean 'select'?)" in err
    )


def test_a_fastapi_review_toml_at_the_root_wins_over_pyproject(env: Fixture) -> None:
    tmp_path = env[0]
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "fastapi-review.toml").write_text('select = ["FAPI404"]\n')
    _, found, _ = review(*env, '[tool.fastapi-review]\nselect = ["FAPI402"]\n')
    assert found == [("FAPI404", "app/h.py", "warning")]
