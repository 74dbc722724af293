"""Shared helpers of the Claude Code bundle tests: the files, their frontmatter, the skill's code
examples and the `fastapi-review` invocations written in the agent and the command."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SKILL_DIR = ROOT / "skills" / "fastapi-patterns"
SKILL = SKILL_DIR / "SKILL.md"
SKILL_FILES = (SKILL, *sorted((SKILL_DIR / "references").glob("*.md")))
AGENT = ROOT / "agents" / "fastapi-reviewer.md"
COMMAND = ROOT / "commands" / "fastapi-review.md"
PLUGIN = ROOT / ".claude-plugin" / "plugin.json"
MARKETPLACE = ROOT / ".claude-plugin" / "marketplace.json"

RULE_ID = re.compile(r"\bFAPI\d{3}\b")
_FRONTMATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_EXAMPLE = re.compile(
    r"<!-- example: (?P<kind>good|bad)(?P<ids>(?: FAPI\d{3})*) (?P<path>\S+\.py) -->\n"
    r"```python\n(?P<code>.*?)```",
    re.S,
)


def frontmatter(path: Path) -> tuple[dict[str, Any], str]:
    """The YAML frontmatter of a Markdown file, and its body."""
    text = path.read_text(encoding="utf-8")
    match = _FRONTMATTER.match(text)
    assert match, f"{path.name}: no frontmatter"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict), f"{path.name}: the frontmatter is not a mapping"
    return data, text[match.end() :]


@dataclass(frozen=True)
class Example:
    """A marked code block of the skill: ``good`` (no finding) or ``bad`` (exactly ``rule_ids``)."""

    where: str
    """``SKILL.md:120``: the file and line of the marker."""
    kind: str
    rule_ids: frozenset[str]
    path: str
    """Where the module sits in the example application."""
    code: str


def examples() -> list[Example]:
    found: list[Example] = []
    for file in SKILL_FILES:
        text = file.read_text(encoding="utf-8")
        for match in _EXAMPLE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(
                Example(
                    where=f"{file.relative_to(SKILL_DIR)}:{line}",
                    kind=match.group("kind"),
                    rule_ids=frozenset(match.group("ids").split()),
                    path=match.group("path"),
                    code=match.group("code"),
                )
            )
    return found


def unmarked_python_blocks() -> list[str]:
    """Python code blocks with no example marker right before them."""
    missing: list[str] = []
    for file in SKILL_FILES:
        lines = file.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if line.strip() == "```python" and not (
                number and lines[number - 1].startswith("<!-- example: ")
            ):
                missing.append(f"{file.relative_to(SKILL_DIR)}:{number + 1}")
    return missing


def application() -> dict[str, str]:
    """The example application: every good example by its path."""
    files: dict[str, str] = {}
    for example in examples():
        if example.kind == "good":
            assert example.path not in files, f"{example.where}: {example.path} shown twice"
            files[example.path] = example.code
    return files


def added_files_patch(files: dict[str, str]) -> str:
    """A git patch that adds ``files``."""
    parts: list[str] = []
    for path, code in sorted(files.items()):
        lines = code.splitlines()
        parts.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
        )
    return "".join(parts)


def cited_ids(*files: Path) -> set[str]:
    return {rule_id for file in files for rule_id in RULE_ID.findall(file.read_text())}


def invocations(path: Path) -> list[str]:
    """Every ``fastapi-review ARGS...`` command written as code in ``path`` (the part after a
    pipe, for ``... | fastapi-review -``), in order, once each."""
    text = path.read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\n]+)`", text)
    spans += [
        line
        for block in re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.S)
        for line in block.splitlines()
    ]
    commands: list[str] = []
    for span in spans:
        for segment in span.split("|"):
            command = segment.strip()
            if re.match(r"fastapi-review\s+\S", command) and command not in commands:
                commands.append(command)
    return commands
