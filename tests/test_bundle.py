"""The Claude Code bundle: manifests, frontmatter, cited rule ids, the CLI invocations the agent
and the command make, and Claude Code's own validator run offline on the plugin."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from claude_bundle import (
    AGENT,
    COMMAND,
    MARKETPLACE,
    PLUGIN,
    ROOT,
    SKILL,
    SKILL_DIR,
    SKILL_FILES,
    cited_ids,
    frontmatter,
    invocations,
)
from cli_run import Result

from reviewer.rules.registry import BY_ID, STATIC_RULES

CATALOGUE = ROOT.parent / "shared" / "rules.md"
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TOOLS = frozenset({"Agent", "Bash", "Glob", "Grep", "Read", "WebFetch", "WebSearch"})
WRITING_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
CLAUDE_CODE = "2.1.331"
"""The Claude Code release whose `claude plugin validate` checks the bundle (pinned: unpinned
installs have resolved to older releases)."""


def _catalogue() -> dict[str, str]:
    """Rule id -> engine (``static`` or ``llm``) from the shared catalogue, when it is there."""
    if not CATALOGUE.exists():
        return {}
    rows = re.findall(
        r"^\| (FAPI\d{3}) \| [a-z0-9-]+ \| (static|llm) \|", CATALOGUE.read_text(), re.M
    )
    return dict(rows)


# -- manifests ------------------------------------------------------------------------------------


def _plugin_name(name: object) -> str:
    assert isinstance(name, str) and KEBAB.fullmatch(name), name
    assert not name.startswith(("claude-", "anthropic-")), f"{name}: reserved prefix"
    return name


def test_plugin_manifest() -> None:
    plugin = json.loads(PLUGIN.read_text())
    assert _plugin_name(plugin["name"]) == "fastapi-review"
    assert isinstance(plugin["version"], str) and plugin["version"]
    assert isinstance(plugin["description"], str) and plugin["description"]
    assert isinstance(plugin["author"], dict) and isinstance(plugin["author"]["name"], str)
    assert isinstance(plugin.get("license", ""), str)
    assert all(isinstance(word, str) for word in plugin.get("keywords", []))
    # Components are found in their default folders; declaring them replaces or breaks that.
    assert not {"skills", "agents", "commands", "hooks", "mcpServers"} & set(plugin)


def test_marketplace_manifest() -> None:
    marketplace = json.loads(MARKETPLACE.read_text())
    plugin = json.loads(PLUGIN.read_text())
    _plugin_name(marketplace["name"])
    assert isinstance(marketplace["description"], str) and marketplace["description"]
    assert isinstance(marketplace["owner"]["name"], str)
    [entry] = marketplace["plugins"]
    assert entry["name"] == plugin["name"]
    assert entry["source"] == "./", "the plugin root is the repository root"
    assert isinstance(entry["description"], str) and entry["description"]
    assert "version" not in entry, "plugin.json's version is the one that counts"


def test_repository_root_has_no_claude_md_and_no_bin() -> None:
    # A root CLAUDE.md is not loaded for a plugin and fails `validate --strict`; a root bin/ would
    # be put on the Bash tool's PATH of every user of the plugin.
    assert not (ROOT / "CLAUDE.md").exists()
    assert not (ROOT / "bin").exists()


# -- frontmatter ----------------------------------------------------------------------------------


def test_skill_frontmatter() -> None:
    meta, _ = frontmatter(SKILL)
    assert set(meta) <= {"name", "description", "license", "metadata", "compatibility"}
    assert meta["name"] == SKILL_DIR.name
    assert len(meta["name"]) <= 64 and KEBAB.fullmatch(meta["name"])
    description = meta["description"]
    assert isinstance(description, str) and 0 < len(description) <= 1024
    assert "<" not in description and ">" not in description
    assert "Use when" in description
    assert meta["license"] == "MIT"
    assert all(isinstance(v, str) for v in meta["metadata"].values())
    assert len(SKILL.read_text().splitlines()) < 500


def test_skill_follows_the_agent_skills_spec() -> None:
    skills_ref = pytest.importorskip("skills_ref", reason="skills-ref needs Python 3.11+")
    assert skills_ref.validate(SKILL_DIR) == []


def test_skill_links_resolve() -> None:
    for file in SKILL_FILES:
        for target in re.findall(r"\]\(([^)#]+\.md)\)", file.read_text()):
            assert (file.parent / target).is_file(), f"{file.name}: {target}"


def _tool_list(value: object) -> list[str]:
    """A tools value as Claude Code reads it: a YAML list, or a comma-separated string whose
    commas inside ``Bash(...)`` do not split."""
    if isinstance(value, list):
        return [str(item).strip() for item in value]
    assert isinstance(value, str), value
    return [item.strip() for item in re.split(r",\s*(?![^()]*\))", value) if item.strip()]


def test_agent_frontmatter() -> None:
    meta, body = frontmatter(AGENT)
    assert meta["name"] == "fastapi-reviewer" and re.fullmatch(r"[a-z]+(-[a-z]+)*", meta["name"])
    assert isinstance(meta["description"], str) and "FastAPI" in meta["description"]
    tools = _tool_list(meta["tools"])
    assert set(tools) <= TOOLS, tools
    assert not WRITING_TOOLS & set(tools), "the reviewer reads, it does not edit"
    assert meta["model"] in ("haiku", "sonnet", "opus", "inherit")
    assert meta["color"] in ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")
    assert "${CLAUDE_PLUGIN_ROOT}/skills/fastapi-patterns/SKILL.md" in body
    assert (ROOT / "skills" / "fastapi-patterns" / "SKILL.md").is_file()


def _bash_patterns(tools: list[str]) -> list[str]:
    patterns: list[str] = []
    for tool in tools:
        match = re.fullmatch(r"Bash\((.+)\)", tool)
        if match:
            patterns.append(match.group(1))
        else:
            assert tool in TOOLS, tool
    return patterns


def _allowed(command: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        assert pattern.endswith(" *"), f"{pattern}: use the `prefix *` form"
        prefix = pattern[:-2]
        if command == prefix or command.startswith(prefix + " "):
            return True
    return False


def test_command_frontmatter_and_allowed_tools() -> None:
    meta, body = frontmatter(COMMAND)
    assert isinstance(meta["description"], str) and meta["description"]
    hint = meta["argument-hint"]
    assert isinstance(hint, str) and hint.startswith("[") and "PR number" in hint
    tools = _tool_list(meta["allowed-tools"])
    assert "Bash" not in tools, "restrict Bash to the commands the review runs"
    assert not WRITING_TOOLS & set(tools)
    assert "Agent" in tools, "the command hands over to the fastapi-reviewer agent"
    patterns = _bash_patterns(tools)
    assert "$ARGUMENTS" in body
    assert "!`" not in body, "no command runs before the model can handle a missing CLI"
    run = [
        segment.strip()
        for span in re.findall(r"`([^`\n]+)`", body)
        for segment in span.split("|")
        if re.match(r"(git|gh|fastapi-review) ", segment.strip())
    ]
    assert any(command.startswith("git diff --merge-base") for command in run)
    for command in run:
        assert _allowed(command, patterns), f"allowed-tools does not cover `{command}`"


def test_command_hands_over_to_the_agent() -> None:
    _, body = frontmatter(COMMAND)
    agent, _ = frontmatter(AGENT)
    plugin = json.loads(PLUGIN.read_text())
    assert f"`{plugin['name']}:{agent['name']}`" in body
    assert "${CLAUDE_PLUGIN_ROOT}" in body, "the install hint points at the plugin's own copy"


# -- rule ids -------------------------------------------------------------------------------------


def test_cited_rule_ids_exist() -> None:
    catalogue = _catalogue()
    pending: list[str] = []
    for rule_id in sorted(cited_ids(*SKILL_FILES, AGENT, COMMAND)):
        if rule_id in BY_ID:
            continue
        assert rule_id in catalogue, f"{rule_id} is cited but is no rule"
        pending.append(rule_id)
    if pending:
        pytest.skip(f"cited, in the catalogue, not registered yet: {', '.join(pending)}")


def test_every_static_rule_is_cited_in_the_skill() -> None:
    static = {rule.id for rule in STATIC_RULES}
    static |= {rule_id for rule_id, engine in _catalogue().items() if engine == "static"}
    assert sorted(static - cited_ids(SKILL)) == []


def test_agent_names_every_judgement_rule() -> None:
    judgement = {rule_id for rule_id, rule in BY_ID.items() if rule.engine == "llm"}
    judgement |= {rule_id for rule_id, engine in _catalogue().items() if engine == "llm"}
    assert sorted(judgement - cited_ids(AGENT)) == []


# -- the CLI invocations --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A git repository on a branch that adds a blocking call, and that change as a patch file
    (written as the command writes it). Returns (repository, patch)."""
    repo = tmp_path_factory.mktemp("repo")
    module = repo / "app" / "jobs.py"
    module.parent.mkdir()
    before = "import time\n\n\ndef enqueue() -> None:\n    time.sleep(0.5)\n"
    module.write_text(before)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-qm",
        "base",
        "--allow-empty",
    )
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "jobs")
    git("checkout", "-q", "-b", "feature")
    module.write_text(before.replace("def enqueue", "async def enqueue"))
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "async")
    module.write_text(module.read_text() + "\n\nasync def later() -> None:\n    time.sleep(1)\n")
    patch = repo.parent / "fastapi-review.patch"
    git("diff", "--merge-base", "main", f"--output={patch}")
    return repo, patch


PLACEHOLDERS = {"RANGE": "main...HEAD", "ID": "FAPI402", "BRANCH": "main"}


def _arguments(command: str, patch: Path) -> list[str]:
    words = shlex.split(command)[1:]
    return [
        str(patch)
        if word in ("PATCH", "/tmp/fastapi-review.patch")
        else PLACEHOLDERS.get(word, word)
        for word in words
    ]


DOCS = ROOT / "docs" / "claude-code.md"
INVOKED = sorted(
    {command for file in (*SKILL_FILES, AGENT, COMMAND, DOCS) for command in invocations(file)}
)


def test_the_agent_and_the_command_run_the_cli() -> None:
    agent, command = set(invocations(AGENT)), set(invocations(COMMAND))
    for commands in (agent, command):
        assert "fastapi-review --version" in commands
        assert any("--format agent" in c and "--git RANGE" in c for c in commands)
        assert any("--format agent" in c and " PATCH " in c for c in commands)
    assert any(c.startswith("fastapi-review - ") for c in command), "the pull-request pipe"


@pytest.mark.parametrize("command", INVOKED)
def test_invocation_is_a_real_cli_call(
    command: str,
    change: tuple[Path, Path],
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, patch = change
    monkeypatch.chdir(repo)
    result = run(*_arguments(command, patch), stdin=patch.read_bytes())
    assert result.code == (0 if "--fail-on never" in command else result.code), result.err
    assert result.code in (0, 1), result.err
    if "--format agent" in command:
        assert result.out.startswith("# fastapi-review ")
        # main...HEAD holds the committed change; the patch also the uncommitted one.
        assert "FAPI402 error `app/jobs.py:5`" in result.out, result.out
        if "--git" not in command:
            assert "FAPI402 error `app/jobs.py:9`" in result.out, result.out


# -- Claude Code's validator ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def claude() -> list[str]:
    """``claude`` of the pinned release, installed once into .cache/ (git-ignored) and reused."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("npm is not installed: Claude Code's `claude plugin validate` was not run")
    cache = ROOT / ".cache" / f"claude-code-{CLAUDE_CODE}"
    wrapper = cache / "node_modules" / "@anthropic-ai" / "claude-code" / "cli-wrapper.cjs"
    if not wrapper.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="claude-code-", dir=cache.parent))
        installed = subprocess.run(
            [npm, "install", "--prefix", str(staging), "--ignore-scripts", "--no-audit",
             "--no-fund", "--loglevel=error", f"@anthropic-ai/claude-code@{CLAUDE_CODE}"],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert installed.returncode == 0, installed.stderr
        try:
            staging.rename(cache)
        except OSError:  # another run installed it first
            shutil.rmtree(staging)
    # The postinstall step (skipped) would copy the native binary over bin/claude.exe; the
    # wrapper runs it from the platform package instead.
    return [node, str(wrapper)]


def _claude(claude: list[str], home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``claude`` offline, its configuration in ``home``."""
    env = {
        **os.environ,
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(home / ".claude"),
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return subprocess.run(
        [*claude, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _validate(
    claude: list[str], target: Path, home: Path, *flags: str
) -> subprocess.CompletedProcess[str]:
    return _claude(claude, home, "plugin", "validate", "--strict", *flags, str(target))


@pytest.mark.parametrize("target", [PLUGIN, ROOT], ids=["plugin.json", "repository root"])
def test_claude_validates_the_plugin(claude: list[str], target: Path, tmp_path: Path) -> None:
    result = _validate(claude, target, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(_validate(claude, target, tmp_path, "--json").stdout)
    assert report["success"] is True
    # The plugin directory's listing checks (an icon, https documentation links) find nothing.
    assert report["directory"]["findings"] == [], report["directory"]
    provides = report["provides"]
    assert provides["skills"] == ["fastapi-review:fastapi-patterns"]
    assert provides["agents"] == ["fastapi-review:fastapi-reviewer"]
    assert provides["commands"] == ["fastapi-review:fastapi-review"]


def _bundle_copy(target: Path) -> Path:
    for part in (".claude-plugin", "skills", "agents", "commands"):
        shutil.copytree(ROOT / part, target / part)
    return target


def test_claude_installs_the_plugin_from_the_marketplace(claude: list[str], tmp_path: Path) -> None:
    marketplace = _bundle_copy(tmp_path / "marketplace")
    home = tmp_path / "home"
    for args in (
        ("plugin", "marketplace", "add", str(marketplace)),
        ("plugin", "install", "fastapi-review@fastapi-review"),
    ):
        done = _claude(claude, home, *args)
        assert done.returncode == 0, done.stdout + done.stderr
    details = _claude(claude, home, "plugin", "details", "fastapi-review@fastapi-review")
    assert re.search(r"Skills \(2\)\s+fastapi-patterns, fastapi-review", details.stdout), (
        details.stdout
    )
    assert re.search(r"Agents \(1\)\s+fastapi-reviewer", details.stdout), details.stdout


def test_claude_rejects_a_broken_copy(claude: list[str], tmp_path: Path) -> None:
    """A frontmatter value with an unterminated quote must fail: proof the validator really ran."""
    copy = _bundle_copy(tmp_path / "plugin")
    agent = copy / "agents" / AGENT.name
    text = agent.read_text()
    agent.write_text(text.replace("\ndescription: ", '\ndescription: "', 1))
    home = tmp_path / "home"
    for target in (copy / ".claude-plugin" / "plugin.json", copy):
        result = _validate(claude, target, home)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "frontmatter" in result.stdout, result.stdout
