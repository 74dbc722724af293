"""Configuration: ``[tool.fastapi-review]`` in the reviewed repository's ``pyproject.toml``,
overridden by command-line flags."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewer.errors import ReviewError
from reviewer.rules.base import Severity
from reviewer.rules.registry import expand

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

FailOn = Literal["error", "warning", "info", "never"]
Provider = Literal["anthropic", "bedrock", "vertex"]
DEFAULT_MODEL = "claude-sonnet-5-5"


class Config(BaseModel):
    """Everything that changes what a review reports."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    select: list[str] = Field(default_factory=list)
    """Rule ids or prefixes to run (empty: every rule)."""
    ignore: list[str] = Field(default_factory=list)
    """Rule ids or prefixes never to report."""
    per_path_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-path-ignores")
    """Glob -> rule ids or prefixes to ignore in matching files."""
    severity: dict[str, Severity] = Field(default_factory=dict)
    """Rule id -> severity override."""
    exclude: list[str] = Field(default_factory=list)
    """Globs of files never reviewed."""
    fail_on: FailOn = Field(default="error", alias="fail-on")
    """Exit with 1 when a finding is at or above this severity."""
    model: str = Field(default=DEFAULT_MODEL, min_length=1)
    """The Claude model of the LLM pass (on Bedrock or Vertex: that provider's model id)."""
    provider: Provider | None = None
    """Where the LLM pass sends requests (default: ``CLAUDE_CODE_USE_BEDROCK``/``_VERTEX``, else
    ``anthropic``)."""
    min_confidence: float = Field(default=0.8, ge=0.0, le=1.0, alias="min-confidence")
    """LLM findings less confident than this are dropped."""
    max_concurrency: int = Field(default=4, ge=1, le=32, alias="max-concurrency")
    """LLM requests in flight at once."""
    token_budget: int = Field(default=16_000, ge=4_000, le=150_000, alias="token-budget")
    """Estimated input tokens of one LLM request: larger changes are split into chunks."""
    max_retries: int = Field(default=3, ge=0, le=10, alias="max-retries")
    """Retries of one LLM request on rate limits (429), overloads (529) and server errors."""

    @field_validator("select", "ignore")
    @classmethod
    def _known_ids(cls, value: list[str]) -> list[str]:
        expand(value, "rule selection")
        return value

    @field_validator("per_path_ignores")
    @classmethod
    def _known_path_ids(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for ids in value.values():
            expand(ids, "per-path-ignores")
        return value

    @field_validator("severity")
    @classmethod
    def _known_severity_ids(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        expand(list(value), "severity")
        return {key.upper(): severity for key, severity in value.items()}

    def enabled(self, rule_id: str, path: str) -> bool:
        if self.select and rule_id not in expand(self.select, "select"):
            return False
        if rule_id in expand(self.ignore, "ignore"):
            return False
        for pattern, ids in self.per_path_ignores.items():
            if _matches(path, pattern) and rule_id in expand(ids, "per-path-ignores"):
                return False
        return True

    def excluded(self, path: str) -> bool:
        return any(_matches(path, pattern) for pattern in self.exclude)


def _matches(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return (
        fnmatch.fnmatchcase(path, pattern)
        or fnmatch.fnmatchcase(path, f"{pattern}/*")
        or fnmatch.fnmatchcase(path, f"*/{pattern}")
    )


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "[tool.fastapi-review]"
    if first["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def load_config(pyproject: Path | None, overrides: dict[str, object]) -> Config:
    """Read ``[tool.fastapi-review]`` from ``pyproject`` (if it exists) and apply ``overrides``."""
    table: dict[str, object] = {}
    if pyproject is not None and pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ReviewError(f"{pyproject}: invalid TOML: {exc}") from None
        tool = data.get("tool", {})
        section = tool.get("fastapi-review", {}) if isinstance(tool, dict) else {}
        if not isinstance(section, dict):
            raise ReviewError(f"{pyproject}: [tool.fastapi-review] must be a table")
        table.update(section)
    table.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return Config.model_validate(table)
    except ValidationError as exc:
        source = f"{pyproject}: " if pyproject is not None and pyproject.is_file() else ""
        raise ReviewError(f"{source}configuration: {_describe(exc)}") from None
    except ReviewError as exc:
        raise ReviewError(f"configuration: {exc}") from None
