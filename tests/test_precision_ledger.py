"""bench/precision/ledger.py: verdicts survive reruns, the files stay readable, figures add up.

An app here is a small local git repository (no download): the script brings it into a cache
from a bare clone laid out as the search tool's fetch lays its snapshots out, reviews it with the
real CLI, and keeps its ledger in a temporary folder.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ledger", ROOT / "bench/precision/ledger.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ledger"] = module
    spec.loader.exec_module(module)
    return module


ledger = _load()
Entry = ledger.Entry

APP = (
    "import time\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    "@app.get('/slow')\nasync def slow() -> dict[str, str]:\n    time.sleep(1)\n"
    "    return {'ok': 'yes'}\n"
)
MORE = "\n\n@app.get('/slower')\nasync def slower() -> dict[str, str]:\n    time.sleep(2)\n    return {}\n"


def entry(key: str, **changes: object) -> Entry:
    values: dict[str, object] = {
        "key": key,
        "app": "shop",
        "path": "app/main.py",
        "construct": "slow",
        "line": 10,
        "code": "time.sleep(1)",
        "message": "`time.sleep()` blocks the event loop",
    }
    values.update(changes)
    return Entry(**values)


def test_merge_keeps_verdicts_lists_new_findings_and_remembers_judged_ones() -> None:
    old = [
        entry("shop:a", verdict="tp", why="blocks the loop"),
        entry("shop:b", construct="other", verdict="fp", why="startup only"),
        entry("shop:c", construct="gone"),
        entry("cafe:d", app="cafe", verdict="debatable", why="a script"),
        entry("cafe:e", app="cafe"),
    ]
    found = [entry("shop:a", line=12), entry("shop:f", construct="new")]
    merged = {e.key: e for e in ledger.merge(old, found, {"shop"})}
    assert set(merged) == {"shop:a", "shop:b", "shop:f", "cafe:d", "cafe:e"}
    assert (merged["shop:a"].verdict, merged["shop:a"].line) == ("tp", 12), "moved, still judged"
    assert merged["shop:f"].verdict == "" and merged["shop:f"].reported
    assert not merged["shop:b"].reported and merged["shop:b"].verdict == "fp"
    assert merged["cafe:d"].reported and merged["cafe:e"].reported, "apps not reviewed stay"


def test_a_new_key_on_the_same_construct_and_code_takes_the_old_verdict() -> None:
    """When the fingerprint scheme changes, the verdicts follow the findings."""
    old = [entry("shop:v1", verdict="fp", why="test double"), entry("shop:x", construct="x")]
    found = [entry("shop:v2", code="time.sleep(1)  "), entry("shop:y", construct="x")]
    merged = {e.key: e for e in ledger.merge(old, found, {"shop"})}
    assert set(merged) == {"shop:v2", "shop:y"}
    assert (merged["shop:v2"].verdict, merged["shop:v2"].why) == ("fp", "test double")
    assert merged["shop:y"].verdict == "", "an unjudged finding carries nothing over"


@pytest.mark.parametrize(
    "code",
    [
        "time.sleep(1)",
        "raise HTTPException(400, f\"bad {x!r}\")\nreturn '\\\\d+'",
        "query = '''\nSELECT 1'''\ncursor.execute(query)",
        "text = 'it''s'\nname = \"quote\" + '",
        "tab\there\nand a form feed \x0c",
    ],
)
def test_ledger_files_round_trip(tmp_path: Path, code: str) -> None:
    entries = [entry("shop:a", code=code, verdict="tp", why='says "why"'), entry("shop:b")]
    entries[1].reported = False
    ledger.write_ledger("FAPI402", entries, tmp_path)
    text = (tmp_path / "FAPI402.toml").read_text()
    assert text.startswith("# FAPI402 blocking-sleep-in-async")
    assert ledger.read_ledger("FAPI402", tmp_path) == entries


def test_a_bad_verdict_in_a_file_is_a_clear_error(tmp_path: Path) -> None:
    ledger.write_ledger("FAPI402", [entry("shop:a", verdict="tp", why="x")], tmp_path)
    path = tmp_path / "FAPI402.toml"
    path.write_text(path.read_text().replace('verdict = "tp"', 'verdict = "yes"'))
    with pytest.raises(ledger.LedgerError, match="verdict must be one of tp, fp, debatable"):
        ledger.read_ledger("FAPI402", tmp_path)


def test_figures_count_only_reported_findings() -> None:
    entries = [
        entry("a", verdict="tp", why="."),
        entry("b", verdict="tp", why="."),
        entry("c", verdict="fp", why="."),
        entry("d", verdict="debatable", why="."),
        entry("e"),
        entry("f", verdict="fp", why=".", reported=False),
    ]
    measure = ledger.measure_of(entries)
    assert (measure.findings, measure.judged, measure.tp, measure.fp, measure.debatable) == (
        5,
        4,
        2,
        1,
        1,
    )
    assert measure.precision == pytest.approx(2 / 3)


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., tuple[int, str, str]]:
    """A pinned app ``shop`` (a local repository at a commit), its mirror, cache and ledger."""
    source = tmp_path / "source"
    (source / "app").mkdir(parents=True)
    (source / "app" / "main.py").write_text(APP)
    (source / "README.md").write_text("a shop\n")
    _git("init", "-q", cwd=source)
    _git("add", ".", cwd=source)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "shop", cwd=source)
    commit = _git("rev-parse", "HEAD", cwd=source)
    mirrors = tmp_path / "mirrors"
    _git("clone", "-q", "--bare", str(source), str(mirrors / "acme+shop" / "repo"), cwd=tmp_path)
    apps = tmp_path / "apps.toml"
    apps.write_text(
        f'[[app]]\nname = "shop"\ngithub = "acme/shop"\ncommit = "{commit}"\n'
        'review = ["app"]\nstack = "a test app"\n'
    )
    options = ["--cache", str(tmp_path / "cache"), "--mirrors", str(mirrors)]
    options += ["--apps", str(apps), "--ledger", str(tmp_path / "ledger")]

    def run(command: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench/precision/ledger.py"), command, *options, *args],
            capture_output=True,
            text=True,
            input=stdin,
            timeout=120,
        )
        return done.returncode, done.stdout, done.stderr

    return run


def test_run_judge_and_rerun(
    workspace: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    code, out, err = workspace("run")
    assert code == 0, err
    assert "shop" in out and "FAPI402" in out
    (found,) = ledger.read_ledger("FAPI402", tmp_path / "ledger")
    assert (found.path, found.construct, found.line, found.code) == (
        "app/main.py",
        "slow",
        10,
        "time.sleep(1)",
    )
    assert found.key.startswith("shop:") and found.verdict == ""
    assert (tmp_path / "cache" / "apps" / "shop" / "app" / "main.py").read_text() == APP

    code, out, _ = workspace("show", "FAPI402")
    assert code == 0
    assert f"== {found.key}  app/main.py:10  (slow)  [unjudged]" in out
    assert " >   10 |     time.sleep(1)" in out

    code, _, err = workspace("judge", "FAPI402", found.key[:10], "maybe", "why")
    assert code == 2 and "verdict must be one of" in err
    code, _, err = workspace("judge", "FAPI402", "shop:", "tp")
    assert code == 2 and "say in one line why" in err
    code, _, err = workspace(
        "judge", "FAPI402", "-", stdin=f"{found.key[:10]} tp blocks the loop\n"
    )
    assert code == 0, err
    code, out, _ = workspace("show", "FAPI402")
    assert "0 finding(s) of FAPI402 listed" in out

    # The code moves down two lines and a second finding appears: the verdict stays.
    main = tmp_path / "cache" / "apps" / "shop" / "app" / "main.py"
    main.write_text("# moved\n# down\n" + APP + MORE)
    code, out, err = workspace("run")
    assert code == 0, err
    judged, new = ledger.read_ledger("FAPI402", tmp_path / "ledger")
    assert (judged.key, judged.line, judged.verdict, judged.why) == (
        found.key,
        12,
        "tp",
        "blocks the loop",
    )
    assert new.construct == "slower" and new.verdict == ""
    row = next(line for line in out.splitlines() if line.startswith("FAPI402"))
    assert row.split()[:7] == ["FAPI402", "2", "1", "1", "0", "0", "1.00"]
    assert "bench/precision/ledger.py show FAPI402" in row
    summary = (tmp_path / "ledger" / "precision.json").read_text()
    assert '"FAPI402": {\n      "findings": 2,\n      "judged": 1,\n      "tp": 1,' in summary


def test_a_missing_mirror_says_how_to_bring_it(
    workspace: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    apps = tmp_path / "apps.toml"
    apps.write_text(apps.read_text().replace("acme/shop", "acme/elsewhere"))
    code, _, err = workspace("fetch")
    assert code == 1
    assert (
        "no git directory at" in err and "git clone --bare https://github.com/acme/elsewhere" in err
    )
