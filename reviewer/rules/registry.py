"""Every rule, found once in the family modules of this package and sorted by id."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from reviewer.errors import ReviewError
from reviewer.rules.base import Rule

FAMILIES: tuple[ModuleType, ...] = tuple(
    import_module(f"reviewer.rules.{name}")
    for name in (
        "app",
        "concurrency",
        "dependencies",
        "error_handling",
        "mass_assignment",
        "openapi",
        "performance",
        "schemas",
        "security",
        "testing",
    )
)
"""The modules that define rules, one per family (named, not found by listing the package's
folder: ``pkgutil`` and ``importlib.util`` cost a millisecond of every start)."""


def _discover() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for module in FAMILIES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and "id" in vars(value):
                if value.id in found and found[value.id] is not value:
                    raise RuntimeError(f"rule id {value.id} is defined twice")
                found[value.id] = value
    return tuple(found[rule_id] for rule_id in sorted(found))


RULES: tuple[type[Rule], ...] = _discover()
STATIC_RULES: tuple[type[Rule], ...] = tuple(rule for rule in RULES if rule.engine == "static")
BY_ID: dict[str, type[Rule]] = {rule.id: rule for rule in RULES}


def get_rule(rule_id: str) -> type[Rule]:
    try:
        return BY_ID[rule_id.upper()]
    except KeyError:
        raise ReviewError(f"unknown rule id {rule_id!r} (see `fastapi-review rules`)") from None


def expand(selectors: list[str], option: str) -> set[str]:
    """Rule ids matched by ``selectors`` (exact ids, or prefixes such as ``FAPI4``)."""
    ids: set[str] = set()
    for selector in selectors:
        key = selector.strip().upper()
        matched = {rule_id for rule_id in BY_ID if rule_id.startswith(key)} if key else set()
        if not matched:
            raise ReviewError(
                f"{option}: unknown rule id {selector!r} (see `fastapi-review rules`)"
            )
        ids |= matched
    return ids
