"""Each rule's precision on real applications, as the real-code ledger measured it.

``precision.json`` beside this module is written by ``bench/precision/ledger.py summary`` from the
judged findings in ``bench/precision/ledger/``; the engine never reads the ledger itself. The
figures are shown by ``fastapi-review rules``, ``explain`` and the generated docs, and they
decide each rule's tier (a test holds every rule's ``tier`` to that decision).
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reviewer.rules.base import Rule, Tier

SUMMARY = Path(__file__).with_name("precision.json")
STABLE_PRECISION = 0.90
"""A rule stays in the default set at or above this precision (tp / (tp + fp))..."""
ENOUGH_JUDGED = 15
"""...over at least this many judged findings, or all of its findings when it has fewer."""


class Measure(BaseModel):
    """One rule's findings on the pinned applications, and the verdicts on them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    findings: int = Field(ge=0)
    judged: int = Field(ge=0)
    tp: int = Field(ge=0)
    fp: int = Field(ge=0)
    debatable: int = Field(ge=0)

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None while no finding is judged tp or fp."""
        decided = self.tp + self.fp
        return self.tp / decided if decided else None

    @property
    def complete(self) -> bool:
        """Enough is judged to decide the tier."""
        return self.findings > 0 and (self.judged >= ENOUGH_JUDGED or self.judged >= self.findings)

    def decided_tier(self) -> Tier | None:
        """The tier the ledger decides, or None while it cannot (too little judged, or every
        judged finding debatable): the rule then keeps its tier."""
        precision = self.precision
        if not self.complete or precision is None:
            return None
        return Tier.STABLE if precision >= STABLE_PRECISION else Tier.PREVIEW

    def describe(self) -> str:
        """One phrase: ``0.93 (tp 40, fp 3, debatable 2 of 45 judged)``."""
        if self.findings == 0:
            return "no findings"
        if self.judged == 0:
            return f"not judged yet ({self.findings} findings)"
        precision = self.precision
        shown = "n/a" if precision is None else f"{precision:.2f}"
        return (
            f"{shown} (tp {self.tp}, fp {self.fp}, debatable {self.debatable} "
            f"of {self.judged} judged, {self.findings} findings)"
        )


class Summary(BaseModel):
    """What ``precision.json`` holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    apps: int = Field(ge=0)
    """Applications reviewed."""
    rules: dict[str, Measure]


@functools.cache
def summary() -> Summary:
    if not SUMMARY.is_file():
        return Summary(apps=0, rules={})
    return Summary.model_validate_json(SUMMARY.read_text(encoding="utf-8"))


def measure(rule_id: str) -> Measure | None:
    """The ledger's figures for ``rule_id``; None when the ledger never ran the rule."""
    return summary().rules.get(rule_id)


def precision_text(rule_id: str) -> str:
    """Short, for tables: ``0.93 (45 judged)``, ``not judged (12)``, ``no findings``, ``-``."""
    found = measure(rule_id)
    if found is None:
        return "-"
    if found.findings == 0:
        return "no findings"
    if found.judged == 0:
        return f"not judged ({found.findings})"
    precision = found.precision
    shown = "n/a" if precision is None else f"{precision:.2f}"
    return f"{shown} ({found.judged} judged)"


def precision_sentence(rule: type[Rule]) -> str:
    """One sentence for a rule's page: what the real-code ledger measured."""
    found = measure(rule.id)
    if found is None and rule.engine != "static":
        return "Real-code precision: not measured (the ledger runs the static engine only)."
    if found is None:
        return "Real-code precision: not measured yet."
    apps = summary().apps
    return f"Real-code precision on {apps} applications (bench/precision): {found.describe()}."
