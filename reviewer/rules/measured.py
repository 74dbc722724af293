"""Each rule's precision on real applications, as the real-code ledger measured it.

``precision.json`` beside this module is written by ``bench/precision/ledger.py summary`` from the
judged findings in ``bench/precision/ledger/``; the engine never reads the ledger itself. The
figures are shown by ``fastapi-review rules``, ``explain`` and the generated docs, and they
decide each rule's tier (a test holds every rule's ``tier`` to that decision).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reviewer.rules.base import Rule, Tier

SUMMARY = Path(__file__).with_name("precision.json")
STABLE_PRECISION = 0.90
"""A rule stays in the default set at or above this precision (tp / (tp + fp))..."""
ENOUGH_JUDGED = 15
"""...over at least this many judged findings, or all of its findings when it has fewer."""


@dataclass(frozen=True)
class Measure:
    """One rule's findings on the pinned applications, and the verdicts on them."""

    findings: int
    judged: int
    tp: int
    fp: int
    debatable: int

    def __post_init__(self) -> None:
        if self.judged != self.tp + self.fp + self.debatable or self.judged > self.findings:
            raise ValueError(f"inconsistent figures: {self}")

    @classmethod
    def from_dict(cls, data: Any) -> Measure:
        names = [f.name for f in fields(cls)]
        if not isinstance(data, dict) or sorted(data) != sorted(names):
            raise ValueError(f"expected the keys {', '.join(names)}, got {data!r}")
        if not all(type(data[name]) is int and data[name] >= 0 for name in names):
            raise ValueError(f"expected counts, got {data!r}")
        return cls(**data)

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

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

    def describe(self, short: bool = False) -> str:
        """``0.93 (tp 40, fp 3, debatable 2 of 45 judged, 60 findings)``; ``short``, for
        tables: ``0.93 (45 judged)``, ``not judged (60)``."""
        if self.findings == 0:
            return "no findings"
        if self.judged == 0:
            return f"not judged ({self.findings})" if short else f"none of {self.findings} judged"
        shown = "n/a" if self.precision is None else f"{self.precision:.2f}"
        if short:
            return f"{shown} ({self.judged} judged)"
        return (
            f"{shown} (tp {self.tp}, fp {self.fp}, debatable {self.debatable} "
            f"of {self.judged} judged, {self.findings} findings)"
        )


@dataclass(frozen=True)
class Summary:
    """What ``precision.json`` holds."""

    apps: int
    """Applications reviewed."""
    rules: dict[str, Measure]

    @classmethod
    def parse(cls, text: str) -> Summary:
        data = json.loads(text)
        if not isinstance(data, dict) or sorted(data) != ["apps", "rules"]:
            raise ValueError('expected {"apps": N, "rules": {...}}')
        rules = data["rules"]
        if type(data["apps"]) is not int or not isinstance(rules, dict):
            raise ValueError('expected {"apps": N, "rules": {...}}')
        return cls(data["apps"], {key: Measure.from_dict(value) for key, value in rules.items()})

    def dumps(self) -> str:
        rules = {key: self.rules[key].as_dict() for key in sorted(self.rules)}
        return json.dumps({"apps": self.apps, "rules": rules}, indent=2) + "\n"


@functools.cache
def summary() -> Summary:
    if not SUMMARY.is_file():
        return Summary(apps=0, rules={})
    return Summary.parse(SUMMARY.read_text(encoding="utf-8"))


def measure(rule_id: str) -> Measure | None:
    """The ledger's figures for ``rule_id``; None when the ledger never ran the rule."""
    return summary().rules.get(rule_id)


def precision_text(rule_id: str) -> str:
    """Short, for tables: ``0.93 (45 judged)``, ``not judged (12)``, ``no findings``, ``-``."""
    found = measure(rule_id)
    return "-" if found is None else found.describe(short=True)


def precision_sentence(rule: type[Rule]) -> str:
    """One sentence for a rule's page: what the real-code ledger measured."""
    found = measure(rule.id)
    if found is None and rule.engine != "static":
        return "Real-code precision: not measured (the ledger runs the static engine only)."
    if found is None:
        return "Real-code precision: not measured yet."
    apps = summary().apps
    return f"Real-code precision on {apps} applications (bench/precision): {found.describe()}."
