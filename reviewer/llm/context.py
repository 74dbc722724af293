"""From the engine's model of a change to what one request shows: the constructs the change touches
(units), what the engine decided about them (facts), the few lines of code around them that
judgement needs (context), and chunks that fit a token budget.

A unit is a function (route handler, dependency, service; a route handler nested in a router
factory too) or an exception class that the change touches and that at least one checklist entry
applies to (:mod:`reviewer.llm.checklist`). Its facts come from :mod:`reviewer.llm.facts`: where a
route is mounted and its effective dependencies, the app's middleware, the repository's rate
limiting, error responses across the router, the loops over fetched rows, the models a token is
parsed into. Its context is the decisive lines of each dependency one hop away, not whole
definitions. Code that no entry applies to (tests, schemas alone, configuration) is not sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field

from reviewer.diff import Diff
from reviewer.extract.model import Expr, Function, Module, Route
from reviewer.extract.project import Project
from reviewer.llm.checklist import Construct, applicable
from reviewer.llm.facts import Dependency, Facts, block_end, facts_of, short
from reviewer.llm.tokens import estimate_tokens

LINE_OVERHEAD = 2
"""Estimated tokens of the line-number prefix of a shown line."""
FILE_OVERHEAD = 30
"""Estimated tokens of a file header (path and imports)."""


@dataclass(frozen=True)
class Snippet:
    path: str
    start: int
    end: int

    def lines(self) -> range:
        return range(self.start, self.end + 1)


@dataclass(frozen=True)
class Unit:
    """A construct under review, with the checklist entries that apply to it."""

    path: str
    title: str
    start: int
    end: int
    rule_ids: tuple[str, ...]
    context: tuple[Snippet, ...] = ()
    facts: tuple[str, ...] = ()
    """What the engine decided about the construct, one short line each."""
    anchor: int = 0
    """The first line of the whole construct, for a part of one too large for a request."""

    @property
    def head(self) -> int:
        """The line findings on this construct are anchored on: its first decorator or def."""
        return self.anchor or self.start

    @property
    def snippet(self) -> Snippet:
        return Snippet(self.path, self.start, self.end)

    def snippets(self) -> tuple[Snippet, ...]:
        return (self.snippet, *self.context)


@dataclass
class Chunk:
    """The units of one request and the lines it shows, by file."""

    units: list[Unit] = field(default_factory=list)
    shown: dict[str, set[int]] = field(default_factory=dict)

    def add(self, unit: Unit) -> None:
        self.units.append(unit)
        for snippet in unit.snippets():
            self.shown.setdefault(snippet.path, set()).update(snippet.lines())

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(sorted({rule_id for unit in self.units for rule_id in unit.rule_ids}))


def _function_range(function: Function) -> tuple[int, int]:
    return function.span.line, function.body_span.end_line


ONE_HOP_RULES = frozenset({"FAPI304", "FAPI807", "FAPI808"})
"""Checklist entries whose judgement needs the dependencies of a construct, one hop away."""


class _Context:
    """Resolves what a unit reaches in the project: decisive lines as snippets, facts as lines."""

    def __init__(self, project: Project, files: dict[str, Module]) -> None:
        self.project = project
        self.files = files
        self.facts = facts_of(project)

    def _remember(self, module: Module) -> None:
        self.files.setdefault(module.path, module)

    def one_hop(self, expr: Expr) -> list[Snippet]:
        """The decisive lines of the function (or class) a dependency names, or the line of the
        module-level object it names (``oauth2_scheme = OAuth2PasswordBearer(...)``)."""
        found = self.facts.definition(expr)
        if found is not None:
            module, function = found
            if function.yields:
                return []  # a resource (a session, a client) handed out, not a check
            self._remember(module)
            return [Snippet(module.path, n, n) for n in Facts.decisive(module, function)]
        assigned = self.project.assignment(expr.qualname) if expr.qualname else None
        if assigned is None:
            return []
        module, assign = assigned
        self._remember(module)
        return [Snippet(module.path, assign.span.line, assign.span.end_line)]

    def unit(
        self,
        module: Module,
        function: Function,
        routes: tuple[Route, ...],
        rule_ids: tuple[str, ...],
    ) -> tuple[tuple[Snippet, ...], tuple[str, ...]]:
        """The context snippets and the fact lines of a construct."""
        facts = self.facts
        lines: list[str] = []
        dependencies: list[Dependency] = list(facts.parameters(function))
        middleware: list[Expr] = []
        needs_hop = bool(ONE_HOP_RULES & set(rule_ids))
        for route in routes:
            chained, mounts, apps = facts.chain(module, route, function)
            dependencies.extend(chained)
            lines.append(f"{route.method} {route.path or '/'} on `{route.owner}`")
            if needs_hop:
                lines.extend(mounts)
            if {"FAPI807", "FAPI808"} & set(rule_ids):
                lines.extend(facts.middleware(apps))
                middleware.extend(facts.middleware_classes(apps))
            if "FAPI504" in rule_ids:
                errors = facts.module_errors(module)
                if errors:
                    lines.append(
                        f"error responses of the routes of {module.path}: " + " | ".join(errors)
                    )
                handlers = facts.exception_handlers()
                lines.append(
                    "exception handlers registered: "
                    + ("; ".join(handlers) if handlers else "none")
                )
        if needs_hop:
            listed = "; ".join(
                f"{short(d.expr.text, 40)} ({d.via})" for d in dict.fromkeys(dependencies)
            )
            lines.append(f"effective dependencies: {listed or 'none'}")
        if "FAPI808" in rule_ids:
            lines.extend(facts.limiting())
        snippets: list[Snippet] = []
        if needs_hop:
            for dependency in dependencies:
                snippets.extend(self.one_hop(dependency.expr))
            for cls in dict.fromkeys(middleware):
                snippets.extend(self.one_hop(cls))
        if "FAPI304" in rule_ids:
            for call in module.calls_in(function):
                found = self.project.function(call.qualname or None)
                if found is not None and found[1] is not function:
                    self._remember(found[0])
                    snippets.extend(Snippet(found[0].path, n, n) for n in Facts.decisive(*found))
            lines.extend(facts.parsed_models(module, function))
            returned = facts.model_line("returns", function.returns_annotation)
            if returned and not routes:
                lines.append(returned)
            used = facts.dependents(module, function) if not routes else None
            if used:
                lines.append(used)
        if "FAPI903" in rule_ids:
            for loop in facts.loops(module, function):
                lines.append(
                    f"loop at {loop.line}-{loop.end} over `{loop.source}`, per item: "
                    + "; ".join(loop.per_item)
                )
            for route in routes:
                returned = facts.model_line(
                    "response model", route.option("response_model"), status=False
                )
                if returned:
                    lines.append(returned)
        unique = tuple(
            dict.fromkeys(
                s
                for s in snippets
                if s.path != module.path
                or not (function.span.line <= s.start <= function.body_span.end_line)
            )
        )
        return unique, tuple(dict.fromkeys(lines))


def _title(function: Function, routes: tuple[Route, ...]) -> str:
    return f"route {function.qualname}" if routes else f"function {function.qualname}"


def _module_units(
    module: Module, added: Set[int], context: _Context, enabled: Callable[[str, str], bool]
) -> Iterator[Unit]:
    def here(rule_id: str) -> bool:
        return enabled(rule_id, module.path)

    handlers = {route.handler.qualname for route in module.routes}
    for function in module.functions:
        start, end = _function_range(function)
        nested = [
            other
            for other in module.functions
            if other.qualname.startswith(function.qualname + ".")
        ]
        inner = {
            line
            for other in nested
            for line in range(other.span.line, other.body_span.end_line + 1)
        }
        if not any(line in added and line not in inner for line in range(start, end + 1)):
            continue
        parent = function.qualname.rpartition(".")[0]
        if parent and module.function(parent) is not None and function.qualname not in handlers:
            continue
        routes = tuple(
            route for route in module.routes if route.handler.qualname == function.qualname
        )
        rule_ids = applicable(Construct(module, context.project, function, routes), here)
        if rule_ids:
            snippets, facts = context.unit(module, function, routes, rule_ids)
            yield Unit(module.path, _title(function, routes), start, end, rule_ids, snippets, facts)
    for class_def in module.classes:
        start = class_def.span.line
        end = block_end(module.lines, start)
        if any(line in added for line in range(start, end + 1)):
            rule_ids = applicable(Construct(module, context.project, class_def=class_def), here)
            if rule_ids:
                yield Unit(module.path, f"class {class_def.qualname}", start, end, rule_ids)


def units(
    diff: Diff,
    modules: Iterable[Module],
    project: Project,
    enabled: Callable[[str, str], bool],
    files: dict[str, Module],
) -> list[Unit]:
    """The units of the change, by path and line; ``files`` collects the module of every file
    shown (changed or context)."""
    context = _Context(project, files)
    found: list[Unit] = []
    for module in modules:
        change = diff.file(module.path)
        if change is None or module.is_test:
            continue
        files[module.path] = module
        found.extend(_module_units(module, change.added, context, enabled))
    return sorted(found, key=lambda unit: (unit.path, unit.start))


class Estimator:
    """Estimated tokens of the lines a chunk shows (cached per line)."""

    def __init__(self, files: Mapping[str, Module]) -> None:
        self.files = files
        self._cache: dict[tuple[str, int], int] = {}

    def line(self, path: str, number: int) -> int:
        key = (path, number)
        if key not in self._cache:
            lines = self.files[path].lines if path in self.files else ()
            text = lines[number - 1] if 0 < number <= len(lines) else ""
            self._cache[key] = estimate_tokens(text) + LINE_OVERHEAD
        return self._cache[key]

    def extra(self, chunk: Chunk, unit: Unit) -> int:
        """Tokens that ``unit`` adds to ``chunk``: its lines not shown yet, its title, its files."""
        total = estimate_tokens(unit.title) + 16 + sum(estimate_tokens(f) + 2 for f in unit.facts)
        for snippet in unit.snippets():
            shown = chunk.shown.get(snippet.path)
            if shown is None:
                total += FILE_OVERHEAD
                shown = set()
            total += sum(self.line(snippet.path, n) for n in snippet.lines() if n not in shown)
        return total


def _split(unit: Unit, estimator: Estimator, budget: int) -> Iterator[Unit]:
    """A unit too large for one request: without its context, in windows of lines that fit."""
    start = unit.start
    part = 1
    while start <= unit.end:
        end = start
        used = FILE_OVERHEAD + estimator.line(unit.path, start)
        while end < unit.end and used + estimator.line(unit.path, end + 1) <= budget:
            end += 1
            used += estimator.line(unit.path, end)
        yield Unit(
            unit.path,
            f"{unit.title} (part {part})",
            start,
            end,
            unit.rule_ids,
            (),
            unit.facts,
            unit.head,
        )
        start = end + 1
        part += 1


def chunks(found: list[Unit], estimator: Estimator, budget: int) -> list[Chunk]:
    """Pack units, in order, into chunks whose code fits ``budget`` estimated tokens."""
    packed: list[Chunk] = []
    current = Chunk()
    used = 0
    for unit in found:
        pieces = [unit]
        if estimator.extra(Chunk(), unit) > budget:
            bare = Unit(unit.path, unit.title, unit.start, unit.end, unit.rule_ids, (), unit.facts)
            pieces = (
                [bare]
                if estimator.extra(Chunk(), bare) <= budget
                else list(_split(bare, estimator, budget))
            )
        for piece in pieces:
            cost = estimator.extra(current, piece)
            if current.units and used + cost > budget:
                packed.append(current)
                current, used = Chunk(), 0
                cost = estimator.extra(current, piece)
            current.add(piece)
            used += cost
    if current.units:
        packed.append(current)
    return packed
