"""What an LLM pass used and what it cost, for the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewer.rules.registry import RULES

PRICES: dict[str, tuple[float, float]] = {
    "opus": (5.0, 25.0),
    "sonnet": (3.0, 15.0),
    "haiku": (1.0, 5.0),
}
"""Model family -> (input, output) list price in US dollars per million tokens. Writing the prompt
cache costs 1.25 times the input price, reading it 0.1 times. Estimates: the provider's bill is
authoritative, and a model of no known family gets no estimate."""
JUDGEMENT_RULES = tuple(rule.id for rule in RULES if rule.engine == "llm")
"""The judgement checks: the rules only the LLM pass decides."""
CACHE_WRITE = 1.25
CACHE_READ = 0.1


@dataclass(frozen=True)
class Usage:
    """Token counts as the Messages API reports them, added up over the answered requests."""

    requests: int = 0
    input_tokens: int = 0
    """Input tokens billed at the full price (neither written to nor read from the cache)."""
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.requests + other.requests,
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
        )

    def cost(self, model: str) -> float | None:
        """Estimated cost in US dollars, or None for a model of no known family."""
        family = next((name for name in PRICES if name in model.lower()), None)
        if family is None:
            return None
        input_price, output_price = PRICES[family]
        total = (
            self.input_tokens * input_price
            + self.cache_creation_input_tokens * input_price * CACHE_WRITE
            + self.cache_read_input_tokens * input_price * CACHE_READ
            + self.output_tokens * output_price
        )
        return round(total / 1_000_000, 4)


@dataclass(frozen=True)
class PassSummary:
    """The LLM pass of one review: what it sent, what came back, what went wrong."""

    model: str
    provider: str
    chunks: int
    """Requests planned (one per chunk of the change)."""
    failed_chunks: int
    usage: Usage
    retries: int = 0
    """Requests sent again after a rate limit, an overload or a server error."""
    repairs: int = 0
    """Answers that did not match the schema and were asked for again."""
    redactions: int = 0
    """Secrets replaced by ``<redacted>`` before sending."""
    dropped: int = 0
    """Findings below ``min-confidence``."""
    rejected: int = 0
    """Findings with an unknown rule id, or a path or line outside the change."""
    warnings: tuple[str, ...] = ()
    kept: int = 0
    """Findings at or above ``min-confidence`` (one per rule and construct)."""
    merged: int = 0
    """Findings that repeated one already given for the same rule and construct."""
    min_confidence: float = 0.0
    skipped: str = ""
    """Why the pass did not run at all (no API key); empty when it ran."""

    @classmethod
    def not_run(cls, model: str, reason: str) -> PassSummary:
        """The summary of a pass that did not run, so that the report says so."""
        return cls(model, "anthropic", chunks=0, failed_chunks=0, usage=Usage(), skipped=reason)

    def as_dict(self) -> dict[str, Any]:
        if self.skipped:
            return {"ran": False, "reason": self.skipped, "rules_not_run": list(JUDGEMENT_RULES)}
        return {
            "ran": True,
            "model": self.model,
            "provider": self.provider,
            "chunks": self.chunks,
            "failed_chunks": self.failed_chunks,
            "requests": self.usage.requests,
            "retries": self.retries,
            "repairs": self.repairs,
            "input_tokens": self.usage.input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cache_creation_input_tokens": self.usage.cache_creation_input_tokens,
            "cache_read_input_tokens": self.usage.cache_read_input_tokens,
            "estimated_cost_usd": self.usage.cost(self.model),
            "redactions": self.redactions,
            "min_confidence": self.min_confidence,
            "kept": self.kept,
            "dropped_low_confidence": self.dropped,
            "merged_duplicates": self.merged,
            "rejected": self.rejected,
            "warnings": list(self.warnings),
        }

    def describe(self) -> str:
        """One line for people: ``LLM pass (model): 3 requests, ... estimated cost $0.04``."""
        if self.skipped:
            return (
                f"the judgement checks ({', '.join(JUDGEMENT_RULES)}) did not run: {self.skipped}"
            )
        usage = self.usage
        cost = usage.cost(self.model)
        parts = [
            f"{usage.requests} request{'' if usage.requests == 1 else 's'}",
            f"{usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens:,}"
            f" input tokens ({usage.cache_read_input_tokens:,} cached)",
            f"{usage.output_tokens:,} output tokens",
            "estimated cost " + ("unknown" if cost is None else f"${cost:.4f}"),
            f"{self.kept} finding{'' if self.kept == 1 else 's'} kept, {self.dropped} dropped "
            f"below confidence {self.min_confidence:g}",
        ]
        if self.failed_chunks:
            parts.append(f"{self.failed_chunks} of {self.chunks} chunks failed")
        return f"LLM pass ({self.model}): {', '.join(parts)}"
