"""A bounded store of built modules: what keeps a whole-code-base review's memory flat.

A module's model takes several times its source text in memory; a review of a million lines
cannot hold every one at once. The store keeps the modules used most recently while their source
text stays within a budget, and builds a module again, the same deterministic way, when one it let
go is asked for again. The budget is far above any ordinary change (``limits.MAX_REVIEW_BYTES``
caps a diff's Python text), so a normal review builds each module once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from reviewer.extract.model import Module

BUDGET = 18 << 20
"""Characters of source text whose modules are kept at once: 18 MiB, about 450,000 lines, whose
models take about 280 MB: what keeps a review of a whole code base under 400 MB. A diff reviews
at most ``limits.MAX_REVIEW_BYTES`` (4 MiB), so a change's modules and the few its lookups reach
are built once. Past the budget, the rules' lookups into other modules (a call's callee, a model's
base class), spread over a whole code base checked, build some modules again: litellm (42 MiB of
text, 1.07 million lines) peaks at 354 MB and builds 1.28 times its text, in about 1.3 times the
CPU of holding everything (729 MB with 48 MiB; 395 MB and 1.22 times with 20 MiB, 339 MB and 1.39
times with 16 MiB). Of the ledger's applications reviewed whole with ``--preview``, only skyvern
builds more (1.06 times its text, 1.09 times the CPU)."""


def size(module: Module) -> int:
    """The characters of ``module``'s source text (with line endings)."""
    lines = module.lines
    return sum(map(len, lines)) + len(lines)  # counted in C: a generator took 3 ms per 20k lines


class ModuleStore:
    """Modules by key, built on demand by the caller's ``build`` and kept up to ``budget``
    characters of source text. What did not build (None) is remembered for good: it costs
    nothing to keep.

    Past the budget, the modules released go first (done with: the rules reviewed them, a pass
    over them all used them), oldest release first; then those asked for once, least recently
    used first; then those asked for again, which are kept in up to two thirds of the budget. So
    neither a pass over every module nor modules asked for once push out those that lookups from
    every module keep asking for (the package's ``__init__``, its shared types and helpers).
    """

    def __init__(self, budget: int | None = None) -> None:
        self.budget = BUDGET if budget is None else budget
        self._released: OrderedDict[Hashable, tuple[Module, int]] = OrderedDict()
        self._once: OrderedDict[Hashable, tuple[Module, int]] = OrderedDict()
        self._again: OrderedDict[Hashable, tuple[Module, int]] = OrderedDict()
        self._again_size = 0
        self._failed: set[Hashable] = set()
        self._size = 0
        self.builds = 0
        """How many modules were built (more than the keys asked for when some were let go)."""

    def get(self, key: Hashable, build: Callable[[], Module | None]) -> Module | None:
        """The module at ``key``, built by ``build`` unless held (None: it does not build)."""
        held = self._again.get(key)
        if held is not None:
            self._again.move_to_end(key)
            return held[0]
        held = self._once.pop(key, None) or self._released.pop(key, None)
        if held is not None:
            self._again[key] = held
            self._again_size += held[1]
            while self._again_size > self.budget * 2 // 3 and len(self._again) > 1:
                demoted, entry = self._again.popitem(last=False)
                self._again_size -= entry[1]
                self._once[demoted] = entry
            return held[0]
        if key in self._failed:
            return None
        module = build()
        self.builds += 1
        if module is None:
            self._failed.add(key)
        else:
            self.put(key, module)
        return module

    def held(self, key: Hashable) -> Module | None:
        """The module at ``key`` if it is held now (never builds)."""
        held = self._again.get(key) or self._once.get(key) or self._released.get(key)
        return None if held is None else held[0]

    def put(self, key: Hashable, module: Module) -> None:
        """Hold ``module`` at ``key``, letting others go past the budget (never this one)."""
        self._forget(key)
        chars = size(module)
        self._once[key] = (module, chars)
        self._size += chars
        while self._size > self.budget:
            first = self._released or self._once or self._again
            if first is self._once and len(self._once) == 1 and self._again:
                first = self._again  # not the one just put
            elif first is self._once and len(self._once) == 1:
                break
            _, (_, chars) = first.popitem(last=False)
            self._size -= chars
            if first is self._again:
                self._again_size -= chars

    def release(self, key: Hashable) -> None:
        """Done with the module at ``key`` for now: let it go before those in use."""
        entry = self._again.pop(key, None)
        if entry is not None:
            self._again_size -= entry[1]
        entry = entry or self._once.pop(key, None)
        if entry is not None:
            self._released[key] = entry

    def _forget(self, key: Hashable) -> None:
        entry = self._again.pop(key, None)
        if entry is not None:
            self._again_size -= entry[1]
        entry = entry or self._once.pop(key, None) or self._released.pop(key, None)
        if entry is not None:
            self._size -= entry[1]
