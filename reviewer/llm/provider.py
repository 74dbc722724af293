"""Which provider the LLM pass uses, and whether it is configured at all (no SDK import here)."""

from __future__ import annotations

from collections.abc import Mapping

from reviewer.config import Config

TRUE = frozenset({"1", "true", "yes", "on"})
NOT_CONFIGURED = (
    "no ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is set (nor Bedrock or Vertex chosen); "
    "--no-llm turns this notice off"
)
"""Why the pass did not run, as the report says it."""


def provider(config: Config, environ: Mapping[str, str]) -> str:
    """``provider`` from the configuration; else ``bedrock`` or ``vertex`` when Claude Code's
    ``CLAUDE_CODE_USE_BEDROCK``/``CLAUDE_CODE_USE_VERTEX`` is set; else ``anthropic``."""
    if config.provider is not None:
        return config.provider
    if environ.get("CLAUDE_CODE_USE_BEDROCK", "").lower() in TRUE:
        return "bedrock"
    if environ.get("CLAUDE_CODE_USE_VERTEX", "").lower() in TRUE:
        return "vertex"
    return "anthropic"


def configured(config: Config, environ: Mapping[str, str]) -> bool:
    """The pass runs: an Anthropic key or token is set, or Bedrock or Vertex was chosen (their
    credentials come from the AWS or Google Cloud environment)."""
    if provider(config, environ) != "anthropic":
        return True
    return bool(environ.get("ANTHROPIC_API_KEY") or environ.get("ANTHROPIC_AUTH_TOKEN"))
