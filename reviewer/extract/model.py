"""The typed model of the FastAPI constructs in one module, built once per file by ``extract``.

Rules read these frozen dataclasses and never touch ``ast``: everything a rule needs (resolved
qualified names, whether a call sits in an ``async def``, how its result is used, the inferred type
of a local name) is computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Set
from functools import cached_property
from typing import TypeVar

from reviewer.record import field, record

T = TypeVar("T")


@record
class Span:
    """A source range: 1-based lines, 0-based column."""

    line: int
    end_line: int
    column: int
    end_column: int = 0


@record
class Source:
    """The lines of a module, shared by its expressions so that their text is computed lazily."""

    lines: tuple[str, ...]

    def segment(self, span: Span) -> str:
        start, end = span.line - 1, span.end_line - 1
        if start < 0 or end >= len(self.lines):
            return ""
        if start == end:
            return _chars(self.lines[start], span.column, span.end_column)
        parts = [_chars(self.lines[start], span.column, None)]
        parts.extend(self.lines[start + 1 : end])
        parts.append(_chars(self.lines[end], 0, span.end_column))
        return "\n".join(parts)


def _chars(line: str, start: int, end: int | None) -> str:
    """Slice ``line`` by UTF-8 byte offsets, as ``ast`` reports columns."""
    if line.isascii():
        return line[start:end]
    return line.encode()[start:end].decode(errors="replace")


@record
class Expr:
    """An expression, reduced to what rules compare.

    ``kind`` is one of: ``name``, ``attribute``, ``call``, ``str``, ``bytes``, ``number``, ``bool``,
    ``none``, ``fstring``, ``binop``, ``list``, ``tuple``, ``set``, ``dict``, ``subscript``,
    ``await``, ``other``.
    """

    kind: str
    line: int
    """Where it is: the fields of :attr:`span`, held inline (a span object per expression took
    about 64 bytes each, a tenth of a whole-code-base review's memory)."""
    end_line: int
    column: int
    end_column: int
    source: Source = field(repr=False, compare=False)
    qualname: str | None = None
    """For a name or attribute: the dotted name it resolves to through the module's imports
    (``fastapi.FastAPI`` for ``API`` after ``from fastapi import FastAPI as API``); for a call: the
    qualified name of the callee."""
    type: str | None = None
    """For a name (or ``self.x``) whose type is known in its scope (a parameter annotation, or an
    assignment from a call), the qualified name of that type."""
    value: str | int | float | bool | None = None
    """For constants: the value (bytes are decoded as latin-1)."""
    op: str = ""
    """For a binop: ``+``, ``%``, ...; for an attribute: the attribute name."""
    items: tuple[Expr, ...] = ()
    """Elements of a list/tuple/set; values of a dict; operands of a binop; formatted values of an
    f-string; (value, slice) of a subscript; the receiver of an attribute; the operand of await."""
    keys: tuple[Expr | None, ...] = ()
    """For a dict: the keys (None for ``**spread``)."""
    args: tuple[Expr, ...] = ()
    """For a call: positional arguments; ``func`` is ``items[0]``."""
    kwargs: tuple[tuple[str, Expr], ...] = ()
    """For a call: keyword arguments (``**spread`` has the name ``**``)."""

    @property
    def span(self) -> Span:
        return Span(self.line, self.end_line, self.column, self.end_column)

    @property
    def text(self) -> str:
        """The source text of the expression."""
        return self.source.segment(self.span)

    @property
    def func(self) -> Expr | None:
        """The callee of a call."""
        return self.items[0] if self.kind == "call" and self.items else None

    @property
    def last_name(self) -> str:
        """The last dotted segment of the qualified name (or of the text)."""
        name = self.qualname or self.text
        return name.rsplit(".", 1)[-1]

    def kwarg(self, name: str) -> Expr | None:
        for key, value in self.kwargs:
            if key == name:
                return value
        return None

    def arg(self, index: int, name: str | None = None) -> Expr | None:
        """The argument at position ``index``, or passed by keyword ``name``."""
        if index < len(self.args):
            return self.args[index]
        return self.kwarg(name) if name else None

    def walk(self) -> Iterator[Expr]:
        """This expression and every expression inside it (each before its items, keys, args
        and keyword values, in that order); with a stack, not nested generators, whose cost
        grows with the depth of every expression yielded."""
        stack = [self]
        pop, extend = stack.pop, stack.extend
        while stack:
            expr = pop()
            yield expr
            if expr.kwargs:
                extend([value for _, value in reversed(expr.kwargs)])
            if expr.args:
                extend(reversed(expr.args))
            if expr.keys:
                extend([key for key in reversed(expr.keys) if key is not None])
            if expr.items:
                extend(reversed(expr.items))

    @property
    def is_true(self) -> bool:
        return self.kind == "bool" and self.value is True

    @property
    def string(self) -> str | None:
        return self.value if self.kind == "str" and isinstance(self.value, str) else None

    @property
    def is_built_string(self) -> bool:
        """An f-string, or a string built with ``+``, ``%`` or ``.format()``."""
        if self.kind == "fstring":
            return bool(self.items)
        if self.kind == "binop" and self.op in ("+", "%"):
            return any(item.kind in ("str", "fstring", "binop") for item in self.items)
        if self.kind == "call" and self.func is not None and self.func.kind == "attribute":
            return self.func.op == "format" and self.func.items[0].kind in ("str", "fstring")
        return False


@record
class Call:
    """A call expression with its context."""

    expr: Expr
    function: str | None
    """Qualified name (within the module) of the innermost enclosing function, if any."""
    in_async_def: bool
    """The innermost enclosing function is an ``async def`` (a nested sync def or lambda resets it)."""
    usage: str
    """How the result is used: ``await``, ``return``, ``assign``, ``with``, ``arg`` (passed to
    another call), ``expr`` (a bare statement), ``yield``, ``other``."""
    target: str | None = None
    """For ``usage == "assign"``/``with``: the name the result is bound to."""
    in_main_guard: bool = False
    """The call sits (at any depth) under a module-level ``if __name__ == "__main__":``."""

    @property
    def qualname(self) -> str:
        return self.expr.qualname or ""

    @property
    def span(self) -> Span:
        return self.expr.span


@record
class Param:
    """A parameter of a function."""

    name: str
    span: Span
    annotation: Expr | None
    default: Expr | None
    type: str | None
    """Qualified name of the annotated type, unwrapping ``Annotated``/``Optional``/``X | None``."""
    marker: Expr | None
    """The FastAPI marker call (``Depends(...)``, ``Query(...)``, ``Body(...)``...) from the default
    or from ``Annotated[...]`` metadata."""
    kind: str = "positional"
    """``positional``, ``keyword``, ``varargs`` or ``varkw``."""

    @property
    def marker_name(self) -> str | None:
        return self.marker.last_name if self.marker is not None else None


@record
class Return:
    """A ``return`` statement."""

    span: Span
    value: Expr | None


@record
class ExceptHandler:
    """An ``except`` clause."""

    span: Span
    types: tuple[str, ...]
    """Qualified names of the caught types; empty for a bare ``except:``."""
    name: str | None
    reraises: bool
    """The body contains a ``raise``."""
    returns: tuple[Return, ...]
    function: str | None
    try_span: Span | None = None
    """The body of the ``try`` this handler guards."""


@record
class Function:
    """A ``def`` or ``async def``, with what its body does that rules ask about."""

    name: str
    qualname: str
    """Module-relative qualified name (``Class.method``, ``outer.inner``)."""
    span: Span
    """From the first decorator (or ``def``) to the end of the signature."""
    body_span: Span
    is_async: bool
    decorators: tuple[Expr, ...]
    params: tuple[Param, ...]
    returns_annotation: Expr | None
    returns: tuple[Return, ...]
    yields: tuple[Span, ...]
    has_try_finally: bool
    """The body has a ``try`` with a ``finally`` or an ``except`` that rolls back/re-raises."""
    with_items: tuple[Expr, ...]
    """Context managers entered in the body (``with``/``async with``)."""
    awaited_names: frozenset[str] = frozenset()
    """Names awaited in the body, or handed to ``asyncio.gather``/``create_task``/a task group."""
    is_method: bool = False
    class_name: str | None = None
    yield_values: tuple[Expr, ...] = ()
    """The values of the ``yield`` expressions in the body (bare ``yield`` and ``yield from``
    left out)."""

    def param(self, name: str) -> Param | None:
        for param in self.params:
            if param.name == name:
                return param
        return None


@record
class Route:
    """A path operation: ``@router.get("/items")`` on a handler."""

    method: str
    """Upper-case HTTP method, or ``API_ROUTE`` for ``@app.api_route``/``add_api_route``."""
    path: str | None
    owner: str
    """The name of the app or router the route is registered on."""
    decorator: Expr
    handler: Function

    def option(self, name: str) -> Expr | None:
        return self.decorator.kwarg(name)

    @property
    def span(self) -> Span:
        return self.handler.span


@record
class Field:
    """A field of a class: an annotated name, or a column of an ORM model."""

    name: str
    span: Span
    annotation: Expr | None
    default: Expr | None


@record
class ClassDef:
    """A class definition."""

    name: str
    qualname: str
    span: Span
    bases: tuple[Expr, ...]
    keywords: tuple[tuple[str, Expr], ...]
    fields: tuple[Field, ...]
    config: tuple[tuple[str, Expr], ...]
    """``class Config`` attributes (Pydantic v1 style)."""
    has_model_config: bool
    kind: str
    """``pydantic``, ``sqlmodel_table``, ``sqlmodel``, ``orm`` (SQLAlchemy declarative), ``class``."""


@record
class Assign:
    """``target = value`` (also annotated and augmented assignments, and ``setattr``-free
    subscript/attribute targets)."""

    targets: tuple[Expr, ...]
    value: Expr | None
    span: Span
    function: str | None
    annotation: Expr | None = None
    class_name: str | None = None


@record
class Delete:
    """``del target, ...``."""

    targets: tuple[Expr, ...]
    span: Span
    function: str | None


@record
class Loop:
    """``for targets in iterable:`` (also ``async for``)."""

    targets: tuple[str, ...]
    """The names the loop binds, in order (``for key, value in ...`` -> ``key``, ``value``)."""
    iterable: Expr
    span: Span
    """The whole statement, body included."""
    function: str | None


@record
class Compare:
    """A comparison ``left op comparator [op comparator ...]`` anywhere in an expression."""

    left: Expr
    ops: tuple[str, ...]
    """``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``is``, ``is not``, ``in``, ``not in``."""
    comparators: tuple[Expr, ...]
    span: Span
    function: str | None

    @property
    def operands(self) -> tuple[Expr, ...]:
        return (self.left, *self.comparators)


@record
class Middleware:
    """A middleware added to an app (``add_middleware``) or listed in ``Middleware(...)``."""

    owner: str
    cls: Expr
    call: Expr


@record
class Include:
    """``owner.include_router(router, prefix=...)``."""

    owner: str
    router: Expr
    prefix: str | None
    span: Span


@record
class App:
    """``FastAPI(...)``/``APIRouter(...)`` bound to a name."""

    name: str
    call: Expr
    kind: str
    """``app`` or ``router``."""
    function: str | None
    """The function that builds it (a factory), or None at module level."""


@record
class Module:
    """The constructs of one file that rules read."""

    path: str
    """Repository-relative path."""
    name: str
    """Dotted module name derived from the path (``app/api/users.py`` -> ``app.api.users``)."""
    is_test: bool
    lines: tuple[str, ...]
    imports: tuple[tuple[str, str], ...]
    """Local name -> qualified name, for every import in the module."""
    calls: tuple[Call, ...] = ()
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassDef, ...] = ()
    assignments: tuple[Assign, ...] = ()
    compares: tuple[Compare, ...] = ()
    routes: tuple[Route, ...] = ()
    apps: tuple[App, ...] = ()
    middleware: tuple[Middleware, ...] = ()
    includes: tuple[Include, ...] = ()
    excepts: tuple[ExceptHandler, ...] = ()
    deletes: tuple[Delete, ...] = ()
    loops: tuple[Loop, ...] = ()
    partial: bool = False
    """Only the diff's hunks were available: constructs outside them are unknown."""
    added_lines: Set[int] = frozenset()
    """Lines the change added or modified (empty for modules read only as context)."""
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)
    """Line -> suppressed rule ids (empty set: every rule)."""

    @cached_property
    def _memo(self) -> dict[str, object]:
        return {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A fact derived from this module, computed once however many rules ask for it (``key``
        names the fact and its computation)."""
        memo = self._memo
        if key not in memo:
            memo[key] = compute()
        value: T = memo[key]  # type: ignore[assignment]
        return value

    @cached_property
    def import_map(self) -> dict[str, str]:
        """:attr:`imports` as a mapping: local name -> qualified name."""
        return dict(self.imports)

    @cached_property
    def _functions(self) -> dict[str, Function]:
        index: dict[str, Function] = {}
        for function in self.functions:
            index.setdefault(function.qualname, function)
        return index

    @cached_property
    def _classes(self) -> dict[str, ClassDef]:
        index: dict[str, ClassDef] = {}
        for class_def in self.classes:
            index.setdefault(class_def.name, class_def)
            index.setdefault(class_def.qualname, class_def)
        return index

    @cached_property
    def _calls(self) -> dict[str | None, list[Call]]:
        index: dict[str | None, list[Call]] = {}
        for call in self.calls:
            index.setdefault(call.function, []).append(call)
        return index

    def route_path(self, route: Route) -> str | None:
        """The route's path with the ``prefix=`` of the router it is registered on (when this
        module builds that router), ``/`` for an empty one; None for a path computed at run time."""
        if route.path is None:
            return None
        prefix = ""
        for app in self.apps:
            option = app.call.kwarg("prefix")
            if app.name == route.owner and option is not None and option.string:
                prefix = option.string
        return (prefix + route.path) or "/"

    def function(self, qualname: str | None) -> Function | None:
        """The function with this module-relative qualified name (the first, if redefined)."""
        return None if qualname is None else self._functions.get(qualname)

    def cls(self, name: str) -> ClassDef | None:
        """The class with this name or module-relative qualified name."""
        return self._classes.get(name)

    def calls_in(self, function: Function) -> Iterator[Call]:
        """The calls whose innermost enclosing function is ``function``."""
        yield from self._calls.get(function.qualname, ())

    def depends_targets(self) -> Iterator[str]:
        """Qualified names passed to ``Depends(...)``/``Security(...)``: in calls, and in the
        ``Annotated[...]`` metadata of parameters (which is not a recorded call)."""
        markers = [call.expr for call in self.calls]
        markers.extend(
            param.marker
            for function in self.functions
            for param in function.params
            if param.marker is not None
        )
        for marker in markers:
            if marker.last_name in ("Depends", "Security"):
                dependency = marker.arg(0, "dependency")
                if dependency is not None and dependency.qualname:
                    yield dependency.qualname
