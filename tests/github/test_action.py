"""``action.yml`` and the example workflows of ``docs/github.md``: valid against GitHub's schemas
(check-jsonschema's bundled copies), consistent with each other, and the action's review script
run as the runner would, against the local GitHub."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakegithub import FIXTURES, REPO, TOKEN, FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
ACTION_FILE = ROOT / "action.yml"
ACTION: dict[str, Any] = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
DOCS = (ROOT / "docs" / "github.md").read_text(encoding="utf-8")
WORKFLOWS = [
    block for block in re.findall(r"```yaml\n(.*?)```", DOCS, re.DOTALL) if "jobs:" in block
]
EXPRESSION = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def check_jsonschema(schema: str, *files: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def steps() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ACTION["runs"]["steps"]
    return found


def test_action_matches_the_actions_schema() -> None:
    check_jsonschema("vendor.github-actions", ACTION_FILE)


def test_example_workflows_match_the_workflow_schema(tmp_path: Path) -> None:
    assert len(WORKFLOWS) == 2
    files = []
    for number, block in enumerate(WORKFLOWS):
        files.append(tmp_path / f"workflow{number}.yml")
        files[-1].write_text(block, encoding="utf-8")
    check_jsonschema("vendor.github-workflows", *files)


def test_readme_workflow_is_valid_and_minimal(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if "jobs:" in b]
    workflow = tmp_path / "readme.yml"
    workflow.write_text(block, encoding="utf-8")
    check_jsonschema("vendor.github-workflows", workflow)
    parsed = yaml.safe_load(block)
    assert parsed["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert set(parsed["jobs"]["review"]["steps"][1]["with"]) <= set(ACTION["inputs"])


def test_example_workflows_ask_for_minimal_permissions_and_known_inputs() -> None:
    plain, sarif = (yaml.safe_load(block) for block in WORKFLOWS)
    assert plain["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert sarif["permissions"] == {**plain["permissions"], "security-events": "write"}
    for workflow in (plain, sarif):
        (job,) = workflow["jobs"].values()
        ours = [step for step in job["steps"] if "fastapi-review" in step.get("uses", "")]
        assert len(ours) == 1
        assert set(ours[0].get("with", {})) <= set(ACTION["inputs"])
    assert (yaml.safe_load(WORKFLOWS[1])["jobs"]["review"]["steps"][1]["with"]) == {
        "sarif": "fastapi-review.sarif"
    }


def test_the_issue_inputs_exist_and_every_input_is_used() -> None:
    required = {"fail-on", "format", "config", "anthropic-api-key", "post-review", "sarif"}
    assert required <= set(ACTION["inputs"])
    used = set(EXPRESSION.findall(ACTION_FILE.read_text(encoding="utf-8")))
    assert used == set(ACTION["inputs"])
    assert all(not spec.get("required", False) for spec in ACTION["inputs"].values())


def test_scripts_take_inputs_from_the_environment_only() -> None:
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert step["shell"] == "bash"
            subprocess.run(["bash", "-n"], input=step["run"], text=True, check=True)


def run_review_step(
    github: FakeGitHub, tmp_path: Path, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the action's review step as the runner does: inputs into its env, bash -eo pipefail."""
    (step,) = [step for step in steps() if step.get("id") == "review"]
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({"github-token": TOKEN, **{k.replace("_", "-"): v for k, v in inputs.items()}})
    runner_temp = tmp_path / "runner-temp"
    tool = runner_temp / "fastapi-review" / "bin" / "fastapi-review"
    tool.parent.mkdir(parents=True)
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reviewer "$@"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    output = tmp_path / "github_output"
    output.touch()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_API_URL": github.url,
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(FIXTURES / "event_pull_request.json"),
        "GITHUB_REPOSITORY": REPO,
    }
    env.update(
        {key: EXPRESSION.sub(lambda m: values[m[1]], value) for key, value in step["env"].items()}
    )
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return result, outputs


def test_review_step_posts_and_writes_sarif(github: FakeGitHub, tmp_path: Path) -> None:
    result, outputs = run_review_step(github, tmp_path, sarif="fastapi-review.sarif", format="json")
    assert result.returncode == 0, (
        result.stderr
    )  # the status goes to the output, the last step fails
    assert outputs == {"exit-code": "1"}
    assert [f["line"] for f in json.loads(result.stdout)["findings"]] == [24, 25, 32]
    sarif = json.loads((tmp_path / "workspace" / "fastapi-review.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 3
    assert len(github.reviews) == 1 and github.reviews[0]["state"] == "COMMENTED"
    assert "posted a review (COMMENT) with 3 inline comments" in result.stderr


@pytest.mark.parametrize(
    ("inputs", "state", "exit_code"),
    [
        ({"request_changes": "true"}, "CHANGES_REQUESTED", "1"),
        ({"fail_on": "never", "request_changes": "true"}, "COMMENTED", "0"),
        ({"post_review": "false", "request_changes": "true"}, None, "1"),
    ],
)
def test_review_step_inputs(
    github: FakeGitHub, tmp_path: Path, inputs: dict[str, str], state: str | None, exit_code: str
) -> None:
    result, outputs = run_review_step(github, tmp_path, **inputs)
    assert outputs == {"exit-code": exit_code}, result.stderr
    assert [review["state"] for review in github.reviews] == ([state] if state else [])
    assert "app/orders.py:24:5 FAPI402 error" in result.stdout


def test_the_review_runs_on_the_newest_python_with_cached_downloads() -> None:
    """A file with syntax newer than the runner's Python would be skipped (exit 4): the action
    sets up the newest stable CPython by default, and caches pip's downloads between runs."""
    assert ACTION["inputs"]["python-version"]["default"] == "3.x"
    by_name = {step["name"]: step for step in steps()}
    setup = by_name["Set up Python"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert setup["with"]["update-environment"] is False
    key = by_name["Key pip's cache on fastapi-review's dependencies"]
    assert 'sha256sum "$GITHUB_ACTION_PATH/pyproject.toml"' in key["run"]
    cache = by_name["Cache pip's downloads"]
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["path"] == "${{ steps.pip-cache.outputs.dir }}"
    assert "${{ steps.pip-cache.outputs.key }}" in cache["with"]["key"]
    assert "${{ steps.python.outputs.python-version }}" in cache["with"]["key"]
    python = "${{ steps.python.outputs.python-path }}"
    install = by_name["Install fastapi-review"]
    assert install["env"]["PYTHON"] == python and '"$PYTHON" -m venv' in install["run"]
    assert "python3" not in install["run"]
    names = list(by_name)
    assert names.index("Set up Python") < names.index("Cache pip's downloads")
    assert names.index("Cache pip's downloads") < names.index("Install fastapi-review")
