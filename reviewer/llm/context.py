"""From the engine's model of a change to what one request shows: the constructs the change touches
(units), the code around them that a reviewer needs (context), and chunks that fit a token budget.

A unit is a function (route handler, dependency, service) or an exception class that the change
touches and that at least one checklist entry applies to (:mod:`reviewer.llm.checklist`). Its
context, in order: the router a route is registered on and where that router is included, the
dependencies it reaches (two levels); for the N+1 entry, the models it takes or returns and the
ORM tables and repository functions it calls; for the authentication entry, the ORM tables it
returns. Code that no entry applies to (tests, schemas alone, configuration) is not sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from reviewer.diff import Diff
from reviewer.extract.model import ClassDef, Expr, Function, Module, Route
from reviewer.extract.project import Project
from reviewer.llm.checklist import Construct, applicable, depends_in
from reviewer.llm.tokens import estimate_tokens

CONTEXT_LINES = 60
"""A context snippet (a dependency, a model, a called function) shows at most this many lines."""
MAX_CALLED = 4
"""Repository functions shown for what a unit calls."""
LINE_OVERHEAD = 2
"""Estimated tokens of the line-number prefix of a shown line."""
FILE_OVERHEAD = 30
"""Estimated tokens of a file header (path and imports)."""
ORM_KINDS = frozenset({"orm", "sqlmodel_table"})


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


def block_end(lines: tuple[str, ...], start: int) -> int:
    """The last line of the indented block that opens at ``start`` (1-based)."""
    if not 0 < start <= len(lines):
        return start
    header = lines[start - 1]
    indent = len(header) - len(header.lstrip())
    end = start
    for number in range(start + 1, len(lines) + 1):
        text = lines[number - 1]
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(text) - len(stripped) <= indent and not stripped.startswith((")", "]", "}")):
            break
        end = number
    return end


def _function_range(function: Function) -> tuple[int, int]:
    return function.span.line, function.body_span.end_line


def _capped(path: str, start: int, end: int) -> Snippet:
    return Snippet(path, start, min(end, start + CONTEXT_LINES - 1))


class _Context:
    """Resolves what a unit reaches in the project, as snippets."""

    def __init__(self, project: Project, files: dict[str, Module]) -> None:
        self.project = project
        self.files = files

    def _remember(self, module: Module) -> None:
        self.files.setdefault(module.path, module)

    def function(self, qualname: str | None) -> tuple[Module, Function] | None:
        found = self.project.function(qualname)
        if found is not None:
            self._remember(found[0])
        return found

    def definition(self, expr: Expr) -> Snippet | None:
        """The definition of the function, class or module-level object ``expr`` names."""
        name = expr.qualname
        if not name:
            return None
        found = self.function(name)
        if found is not None:
            module, function = found
            return _capped(module.path, *_function_range(function))
        class_found = self.project.cls(name)
        if class_found is not None:
            module, class_def = class_found
            self._remember(module)
            return self.class_snippet(module, class_def)
        owner, _, local = name.rpartition(".")
        module_found = self.project.module(owner) if owner else None
        if module_found is None:
            return None
        for assign in module_found.assignments:
            if assign.function is None and any(t.text == local for t in assign.targets):
                self._remember(module_found)
                return Snippet(module_found.path, assign.span.line, assign.span.end_line)
        return None

    def routers(self, module: Module, route: Route) -> Iterator[Snippet]:
        """The router a route is registered on, and the ``include_router`` calls including it."""
        qualname = f"{module.name}.{route.owner}"
        for app in module.apps:
            if app.name == route.owner:
                yield Snippet(module.path, app.call.span.line, app.call.span.end_line)
        for other in self.project.all_modules():
            for include in other.includes:
                local = other is module and include.router.text == route.owner
                if local or include.router.qualname == qualname:
                    self._remember(other)
                    yield Snippet(other.path, include.span.line, include.span.end_line)

    def class_snippet(self, module: Module, class_def: ClassDef) -> Snippet:
        start = class_def.span.line
        return _capped(module.path, start, block_end(module.lines, start))

    def dependencies(self, function: Function, route: Route | None) -> Iterator[Expr]:
        for param in function.params:
            if param.marker is not None and param.marker_name in ("Depends", "Security"):
                dependency = param.marker.arg(0, "dependency")
                if dependency is not None:
                    yield dependency
        if route is not None:
            yield from depends_in(route.option("dependencies"))

    def models(self, exprs: Iterable[Expr], orm_only: bool) -> Iterator[Snippet]:
        """The classes the names in ``exprs`` refer to: ORM tables, and Pydantic models unless
        ``orm_only``."""
        for expr in exprs:
            for name in expr.walk():
                kind = self.project.model_kind(name.qualname) if name.qualname else None
                if kind is None or kind == "class" or (orm_only and kind not in ORM_KINDS):
                    continue
                found = self.project.cls(name.qualname)
                if found is not None:
                    self._remember(found[0])
                    yield self.class_snippet(*found)


def _unit_context(
    context: _Context,
    module: Module,
    function: Function,
    routes: tuple[Route, ...],
    rule_ids: tuple[str, ...],
) -> tuple[Snippet, ...]:
    snippets: list[Snippet] = []
    for route in routes:
        snippets.extend(context.routers(module, route))
        for app in module.apps:
            if app.name == route.owner:
                snippets.extend(
                    s
                    for s in map(context.definition, depends_in(app.call.kwarg("dependencies")))
                    if s
                )
    seen: set[str] = set()
    level: list[tuple[Function, Route | None]] = [(function, route) for route in routes]
    if not routes:
        level.append((function, None))
    for _ in range(2):
        following: list[tuple[Function, Route | None]] = []
        for current, via in level:
            for dependency in context.dependencies(current, via):
                name = dependency.qualname or dependency.text
                if name in seen:
                    continue
                seen.add(name)
                snippet = context.definition(dependency)
                if snippet is not None:
                    snippets.append(snippet)
                found = context.function(dependency.qualname)
                if found is not None:
                    following.append((found[1], None))
        level = following
    signature = [expr for route in routes if (expr := route.option("response_model")) is not None]
    if function.returns_annotation is not None:
        signature.append(function.returns_annotation)
    signature.extend(param.annotation for param in function.params if param.annotation is not None)
    if "FAPI903" in rule_ids:
        snippets.extend(context.models(signature, orm_only=False))
        snippets.extend(context.models((call.expr for call in module.calls_in(function)), True))
    elif "FAPI304" in rule_ids:
        snippets.extend(context.models(signature, orm_only=True))
    if "FAPI903" in rule_ids:
        called = 0
        for call in module.calls_in(function):
            found = context.function(call.qualname or None)
            if found is None or found[1] is function or called >= MAX_CALLED:
                continue
            snippets.append(_capped(found[0].path, *_function_range(found[1])))
            called += 1
    unique: list[Snippet] = []
    for snippet in snippets:
        if snippet not in unique:
            unique.append(snippet)
    return tuple(unique)


def _title(function: Function, routes: tuple[Route, ...]) -> str:
    return f"route {function.qualname}" if routes else f"function {function.qualname}"


def _module_units(
    module: Module, added: frozenset[int], context: _Context, enabled: Callable[[str, str], bool]
) -> Iterator[Unit]:
    def touched(start: int, end: int) -> bool:
        return any(line in added for line in range(start, end + 1))

    def here(rule_id: str) -> bool:
        return enabled(rule_id, module.path)

    functions = {function.qualname for function in module.functions}
    for function in module.functions:
        start, end = _function_range(function)
        if not touched(start, end) or function.qualname.rpartition(".")[0] in functions:
            continue
        routes = tuple(
            route for route in module.routes if route.handler.qualname == function.qualname
        )
        rule_ids = applicable(Construct(module, context.project, function, routes), here)
        if rule_ids:
            snippets = _unit_context(context, module, function, routes, rule_ids)
            yield Unit(module.path, _title(function, routes), start, end, rule_ids, snippets)
    for class_def in module.classes:
        start = class_def.span.line
        end = block_end(module.lines, start)
        if touched(start, end):
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
        total = estimate_tokens(unit.title) + 16
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
        yield Unit(unit.path, f"{unit.title} (part {part})", start, end, unit.rule_ids)
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
            bare = Unit(unit.path, unit.title, unit.start, unit.end, unit.rule_ids)
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
