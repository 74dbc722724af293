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

from reviewer.errors import ReviewError
from reviewer.github.workflow import workflow_range

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
    assert len(WORKFLOWS) == 4
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
    plain, sarif, pushes, forks = (yaml.safe_load(block) for block in WORKFLOWS)
    assert plain["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert sarif["permissions"] == {**plain["permissions"], "security-events": "write"}
    assert forks["permissions"] == sarif["permissions"]
    assert pushes["permissions"] == {"contents": "read", "security-events": "write"}
    assert set(pushes[True]) == {"push", "merge_group"}  # YAML reads the key `on` as True
    (checkout, _) = pushes["jobs"]["review"]["steps"]
    assert checkout["with"]["fetch-depth"] == 0
    for workflow in (plain, sarif, pushes, forks):
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
    github: FakeGitHub,
    tmp_path: Path,
    event: str = "pull_request",
    event_file: Path = FIXTURES / "event_pull_request.json",
    **inputs: str,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the action's review step as the runner does: inputs into its env, bash -eo pipefail.
    The workspace is ``tmp_path/workspace`` (a test may have made it a checkout already)."""
    (step,) = [step for step in steps() if step.get("id") == "review"]
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({"github-token": TOKEN, **{k.replace("_", "-"): v for k, v in inputs.items()}})
    runner_temp = tmp_path / "runner-temp"
    tool = runner_temp / "fastapi-review" / "bin" / "fastapi-review"
    tool.parent.mkdir(parents=True)
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reviewer "$@"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    workspace = tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
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
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_file),
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


# -- push and merge_group: the pushed commits, as annotations ------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def pushed(tmp_path: Path) -> tuple[str, str]:
    """A checkout whose last push made a job async around an old ``time.sleep`` and added a new
    one; the ``(before, after)`` commits of that push."""
    workspace = tmp_path / "workspace"
    (workspace / "app").mkdir(parents=True)
    jobs = workspace / "app" / "jobs.py"
    jobs.write_text("import time\n\n\ndef run() -> None:\n    time.sleep(1)\n")
    _git(workspace, "init", "-q", "-b", "main")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-qm", "start")
    before = _git(workspace, "rev-parse", "HEAD")
    jobs.write_text("import time\n\n\nasync def run() -> None:\n    time.sleep(1)\n")
    _git(workspace, "commit", "-qam", "async")
    return before, _git(workspace, "rev-parse", "HEAD")


def _event(tmp_path: Path, payload: dict[str, Any]) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.parametrize("event", ["push", "merge_group"])
def test_push_and_merge_group_review_the_commits_as_annotations(
    github: FakeGitHub, tmp_path: Path, pushed: tuple[str, str], event: str
) -> None:
    before, after = pushed
    payload: dict[str, Any] = (
        {"before": before, "after": after}
        if event == "push"
        else {"merge_group": {"base_sha": before, "head_sha": after}}
    )
    result, outputs = run_review_step(
        github, tmp_path, event=event, event_file=_event(tmp_path, payload), sarif="out.sarif"
    )
    assert outputs == {"exit-code": "1"}, result.stderr
    assert "::error file=app/jobs.py,line=5" in result.stdout
    assert "app/jobs.py:5:5 FAPI402 error" in result.stdout  # the step log's report
    sarif = json.loads((tmp_path / "workspace" / "out.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["FAPI402"]
    assert github.reviews == []  # nothing to post a review on


def test_a_push_whose_before_is_not_in_the_clone_reviews_the_last_commit(
    github: FakeGitHub, tmp_path: Path, pushed: tuple[str, str]
) -> None:
    _, after = pushed
    payload = {"before": "1" * 40, "after": after}  # a force-push: the old head is gone
    result, outputs = run_review_step(
        github, tmp_path, event="push", event_file=_event(tmp_path, payload)
    )
    assert outputs == {"exit-code": "1"}, result.stderr
    assert "reviewing the last commit" in result.stderr
    assert "::error file=app/jobs.py,line=5" in result.stdout


def test_other_events_are_refused_in_one_line(github: FakeGitHub, tmp_path: Path) -> None:
    event_file = _event(tmp_path, {})
    result, outputs = run_review_step(
        github, tmp_path, event="workflow_dispatch", event_file=event_file
    )
    assert outputs == {"exit-code": "2"}
    assert result.stdout.strip() == (
        "::error::fastapi-review reviews pull_request, push and merge_group events, "
        "not workflow_dispatch"
    )


def test_sarif_upload_is_skipped_with_a_notice_for_forks_and_missing_permission() -> None:
    by_name = {step["name"]: step for step in steps()}
    upload = by_name["Upload SARIF to code scanning"]
    assert upload["continue-on-error"] is True
    assert "github.event.pull_request.head.repo.fork != true" in upload["if"]
    notice = by_name["Say why SARIF was not uploaded"]
    assert "github.event.pull_request.head.repo.fork == true" in notice["if"]
    assert "steps.upload.outcome == 'failure'" in notice["if"]
    assert notice["run"].startswith('echo "::notice ')
    names = list(by_name)
    assert names.index("Upload SARIF to code scanning") < names.index(
        "Say why SARIF was not uploaded"
    )
    assert names[-1] == "Exit with the review's status"


def test_workflow_range_of_a_new_branch_is_its_last_commit(tmp_path: Path) -> None:
    after = "a" * 40
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_EVENT_PATH": str(_event(tmp_path, {"before": "0" * 40, "after": after})),
    }
    assert workflow_range(env) == (f"{after}~1..{after}", f"{after}~1..{after}")
    assert workflow_range({**env, "GITHUB_EVENT_NAME": "pull_request"}) is None
    assert workflow_range({**env, "GITHUB_ACTIONS": ""}) is None
    bad = {**env, "GITHUB_EVENT_PATH": str(_event(tmp_path, {"before": "x", "after": after}))}
    with pytest.raises(ReviewError, match="names no pushed commits"):
        workflow_range(bad)
