"""``ast`` -> :class:`Module`: one pass over a parsed file that records the constructs rules read."""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections.abc import Callable, Iterator, Set
from typing import TYPE_CHECKING, Any, TypeVar

from reviewer.extract.model import (
    App,
    Assign,
    Call,
    ClassDef,
    Compare,
    Delete,
    ExceptHandler,
    Expr,
    Field,
    Function,
    Include,
    Loop,
    Middleware,
    Module,
    Param,
    Return,
    Route,
    Source,
    Span,
)
from reviewer.record import maker

if TYPE_CHECKING:  # the type checker checks the arguments as those of the class
    _expr, _span_of, _call_of = Expr, Span, Call
    _param, _assign, _field, _return_of = Param, Assign, Field, Return
    _function, _class_def, _compare, _route = Function, ClassDef, Compare, Route
else:
    _expr, _span_of, _call_of = map(maker, (Expr, Span, Call))
    _param, _assign, _field, _return_of = map(maker, (Param, Assign, Field, Return))
    _function, _class_def, _compare, _route = map(maker, (Function, ClassDef, Compare, Route))
# The makers are called with positional arguments: keywords cost about twice as much per call.

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})
FASTAPI_MARKERS = frozenset(
    {"Depends", "Security", "Query", "Body", "Path", "Header", "Cookie", "Form", "File"}
)
COMPARE_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_BINARY_OPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Mod: "%", ast.BitOr: "|"}
_SEQUENCES: dict[type[ast.expr], str] = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}
_CONSTANTS: dict[type, str] = {
    bool: "bool",
    type(None): "none",
    str: "str",
    int: "number",
    float: "number",
}
"""The kind of a constant by the type of its value (``ast`` makes no subclass of these); bytes
are converted (decoded), ``...`` and complex numbers are ``other``."""
TASK_SPAWNERS = frozenset({"gather", "create_task", "ensure_future", "wait", "wait_for", "shield"})
MAX_EXPR_DEPTH = 64
"""Expressions are analysed this many levels deep. Below, a long chain (``x = 1 + 1 + ...`` with
hundreds of terms, hundreds of chained calls: generated code has them) is left out, as ``other``
with no calls recorded, and the rest of the file is reviewed as usual. This bounds the recursion
of extraction, and of rules walking an expression, whatever the input."""

# Re-exports and Starlette equivalents, folded onto the name users usually import.
CANONICAL = {
    "fastapi.applications.FastAPI": "fastapi.FastAPI",
    "fastapi.routing.APIRouter": "fastapi.APIRouter",
    "fastapi.param_functions.Depends": "fastapi.Depends",
    "fastapi.param_functions.Security": "fastapi.Security",
    "fastapi.params.Depends": "fastapi.Depends",
    "fastapi.exceptions.HTTPException": "fastapi.HTTPException",
    "starlette.exceptions.HTTPException": "fastapi.HTTPException",
    "starlette.applications.Starlette": "fastapi.FastAPI",
    "starlette.requests.Request": "fastapi.Request",
    "fastapi.requests.Request": "fastapi.Request",
    "starlette.responses": "fastapi.responses",
    "starlette.middleware.cors": "fastapi.middleware.cors",
    "starlette.middleware.Middleware": "fastapi.middleware.Middleware",
    "starlette.testclient": "fastapi.testclient",
    "pydantic.main.BaseModel": "pydantic.BaseModel",
    "sqlmodel.main.SQLModel": "sqlmodel.SQLModel",
}

_CANONICAL_ROOTS = frozenset(name.split(".", 1)[0] for name in CANONICAL)

SUPPRESSION = re.compile(r"#\s*fastapi-review:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")
NOQA = re.compile(r"#\s*noqa:\s*([A-Za-z]+[0-9]+(?:\s*,?\s*[A-Za-z]+[0-9]+)*)", re.IGNORECASE)
"""``# noqa: FAPI202, E501`` as flake8 and ruff write it; only our ids count, and a bare ``# noqa``
(meant for other linters) silences nothing of ours."""


@functools.lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    if name.split(".", 1)[0] not in _CANONICAL_ROOTS:
        return name
    if name in CANONICAL:
        return CANONICAL[name]
    for prefix, replacement in CANONICAL.items():
        if name.startswith(prefix + "."):
            return replacement + name[len(prefix) :]
    return name


@functools.lru_cache(maxsize=4096)
def _spawns(callee: str) -> bool:
    """The callee runs the names passed to it as tasks (so they count as awaited)."""
    return callee.rsplit(".", 1)[-1] in TASK_SPAWNERS or callee.endswith(".start_soon")


def module_name(path: str) -> str:
    """``src/app/api/users.py`` -> ``app.api.users``; ``app/__init__.py`` -> ``app``."""
    name = path[:-3] if path.endswith(".py") else path[:-4] if path.endswith(".pyi") else path
    parts = [part for part in name.split("/") if part]
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] in ("src", "lib"):
        parts = parts[1:]
    return ".".join(parts)


def is_test_path(path: str) -> bool:
    parts = path.split("/")
    filename = parts[-1]
    return (
        filename.startswith("test_")
        or filename.endswith("_test.py")
        or filename == "conftest.py"
        or any(part in ("tests", "test", "testing") for part in parts[:-1])
    )


def suppressions(lines: tuple[str, ...]) -> dict[int, frozenset[str]]:
    """Line -> the rule ids a comment on it suppresses (empty: every rule)."""
    found: dict[int, frozenset[str]] = {}
    commented = [(number, line) for number, line in enumerate(lines, start=1) if "#" in line]
    for number, line in commented:
        if "fastapi-review" in line and (match := SUPPRESSION.search(line)) is not None:
            ids = match.group(1)
            found[number] = frozenset(
                part.strip().upper() for part in (ids or "").split(",") if part.strip()
            )
        elif "noqa" in line.lower() and (noqa := NOQA.search(line)) is not None:
            codes = {code.upper() for code in re.split(r"[\s,]+", noqa.group(1)) if code}
            ours = frozenset(code for code in codes if code.startswith("FAPI"))
            if ours:
                found[number] = ours
    return found


_LINES: list[int] = []
"""``_LINES[n] is n``: one int object per line number, shared by every span of every module.
``ast`` gives each node fresh ints (line numbers past 256 are not cached by CPython): on a
million-line code base, the spans' line numbers alone took about 100 MB."""


def _share_lines(last: int) -> None:
    """Make :data:`_LINES` reach line ``last``."""
    if len(_LINES) <= last:
        _LINES.extend(range(len(_LINES), last + 1))


def _span(node: ast.expr | ast.stmt | ast.arg | ast.excepthandler) -> Span:
    lines = _LINES
    line = lines[node.lineno]
    end = node.end_lineno
    return _span_of(
        line, line if end is None else lines[end], node.col_offset, node.end_col_offset or 0
    )


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORTING_BLOCKS: set[type[ast.stmt]] = {ast.If, ast.With, ast.Try}
"""The module-level statements whose blocks may import (``try``/``except*`` too)."""
if sys.version_info >= (3, 11):
    _IMPORTING_BLOCKS.add(ast.TryStar)
_BLOCKS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
"""The fields that hold statements, handlers or cases (and no expressions)."""


def _statements(node: ast.stmt) -> Iterator[ast.stmt]:
    """``node`` and every statement nested in it (in blocks, handlers, cases and nested
    definitions), without walking into expressions, where no statement can be."""
    stack: list[ast.AST] = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        current = pop()
        if isinstance(current, ast.stmt):
            yield current
        for name in current._fields:
            if name in _BLOCKS:
                extend(getattr(current, name))


def _body_span(body: list[ast.stmt]) -> Span | None:
    if not body:
        return None
    return _span_of(body[0].lineno, body[-1].end_lineno or body[-1].lineno, body[0].col_offset)


def _unwrap_type(node: ast.expr | None) -> ast.expr | None:
    """``Annotated[X, ...]``, ``Optional[X]``, ``X | None`` -> ``X``."""
    while node is not None:
        if type(node) is ast.Name:  # the most frequent annotation
            return node
        if isinstance(node, ast.Subscript):
            base = node.value
            base_name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if base_name in ("Annotated", "Optional"):
                inner = node.slice
                node = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
                continue
            return node
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            if isinstance(node.right, ast.Constant) and node.right.value is None:
                node = node.left
                continue
            if isinstance(node.left, ast.Constant) and node.left.value is None:
                node = node.right
                continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return None
            continue
        return node
    return None


def _is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and len(test.comparators) == 1
    ):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides) and any(
        isinstance(side, ast.Constant) and side.value == "__main__" for side in sides
    )


def _registrations(calls: list[Call]) -> tuple[list[Middleware], list[Include]]:
    """The middleware added (``add_middleware``, ``Middleware(...)``) and the routers included
    (``include_router``) by ``calls``, in their order."""
    middleware: list[Middleware] = []
    includes: list[Include] = []
    for call in calls:
        expr = call.expr
        if not expr.args:
            continue
        func = expr.items[0]
        if func.kind == "attribute":
            if func.op == "add_middleware":
                owner = func.items[0].text
                middleware.append(Middleware(owner=owner, cls=expr.args[0], call=expr))
            elif func.op == "include_router":
                prefix = expr.kwarg("prefix")
                includes.append(
                    Include(
                        owner=func.items[0].text,
                        router=expr.args[0],
                        prefix=prefix.string if prefix is not None else None,
                        span=expr.span,
                    )
                )
        elif expr.qualname == "fastapi.middleware.Middleware":
            middleware.append(Middleware(owner="", cls=expr.args[0], call=expr))
    return middleware, includes


class _Scope:
    """A function (or lambda) being built: what its body has shown so far."""

    __slots__ = (
        "awaited",
        "has_cleanup",
        "is_async",
        "qualname",
        "returns",
        "types",
        "withs",
        "yield_values",
        "yields",
    )

    def __init__(self, qualname: str | None, is_async: bool) -> None:
        self.qualname = qualname
        self.is_async = is_async
        self.types: dict[str, str] = {}
        self.awaited: set[str] = set()
        self.returns: list[Return] = []
        self.yields: list[Span] = []
        self.yield_values: list[Expr] = []
        self.withs: list[Expr] = []
        self.has_cleanup = False


class _Builder:
    def __init__(self, path: str, tree: ast.Module, lines: tuple[str, ...], partial: bool) -> None:
        self.path = path
        self.name = module_name(path)
        self.is_test = is_test_path(path)
        self.source = Source(lines)
        self.lines = lines
        self.partial = partial
        self.tree = tree
        self.imports: dict[str, str] = {}
        self.module_types: dict[str, str] = {}
        self.calls: list[Call] = []
        self.functions: list[Function] = []
        self.classes: list[ClassDef] = []
        self.assignments: list[Assign] = []
        self.compares: list[Compare] = []
        self.routes: list[Route] = []
        self.apps: list[App] = []
        self.excepts: list[ExceptHandler] = []
        self.deletes: list[Delete] = []
        self.loops: list[Loop] = []
        self.scopes: list[_Scope] = [_Scope(None, False)]
        self.class_stack: list[str] = []
        self.attribute_types: list[dict[str, str]] = []
        """Per enclosing class: the types of its instance attributes (``self.session``)."""
        self.class_kinds: dict[str, str] = {}
        self.exprs: dict[int, Expr] = {}
        self.typed: set[str] = set()
        """Every name given a type in any scope so far (most names never are)."""
        self.in_main_guard = False
        last = tree.body[-1].end_lineno if tree.body else None
        _share_lines(max(len(lines), last or 0) + 1)

    # -- names -------------------------------------------------------------------------------

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = canonical(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
            return
        base = node.module or ""
        if node.level:
            package = self.name.split(".")
            if not self.path.endswith("__init__.py"):
                package = package[:-1]
            keep = len(package) - (node.level - 1)
            prefix = package[: max(keep, 0)]
            base = ".".join([*prefix, base] if base else prefix)
        for alias in node.names:
            if alias.name != "*":
                full = f"{base}.{alias.name}" if base else alias.name
                self.imports[alias.asname or alias.name] = canonical(full)

    def _module_imports(self, stmts: list[ast.stmt]) -> None:
        """Imports at module level, also under ``if``/``try``/``with`` (functions import as the
        traversal meets them)."""
        for stmt in stmts:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self._import(stmt)
            elif type(stmt) in _IMPORTING_BLOCKS:
                for field_name in ("body", "orelse", "finalbody"):
                    self._module_imports(getattr(stmt, field_name, []))
                for handler in getattr(stmt, "handlers", []):
                    self._module_imports(handler.body)

    def _collect_definitions(self) -> None:
        """Imports and module-level names, so that uses before definition resolve too."""
        self._module_imports(self.tree.body)
        for stmt in self.tree.body:
            if isinstance(stmt, _DEFINITIONS):
                self.imports.setdefault(stmt.name, f"{self.name}.{stmt.name}")
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.imports.setdefault(target.id, f"{self.name}.{target.id}")

    def resolve(self, node: ast.expr) -> str | None:
        """The qualified name of a name, an attribute chain or the callee of a call."""
        attributes: list[str] = []
        while not isinstance(node, ast.Name):
            if isinstance(node, ast.Attribute):
                attributes.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            else:
                return None
        name = self.imports.get(node.id, node.id)
        for attribute in reversed(attributes):
            name = canonical(f"{name}.{attribute}")
        return name

    def type_of(self, node: ast.expr) -> str | None:
        if type(node) is ast.Name:
            return self._name_type(node.id)
        if type(node) is ast.Attribute:
            value = node.value
            if type(value) is ast.Name and value.id == "self":
                scope = self.scopes[-1]
                found = scope.types.get(f"self.{node.attr}")
                if found is None and self.attribute_types and scope.qualname is not None:
                    found = self.attribute_types[-1].get(node.attr)
                return found
        return None

    def _name_type(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            types = scope.types
            if name in types:
                return types[name]
        return self.module_types.get(name)

    def _attribute_types(self, node: ast.ClassDef) -> dict[str, str]:
        """The types of a class's instance attributes, seen from every method: class-level
        annotations (``session: Session``), and ``self.x: T = ...``, ``self.x = param`` (an
        annotated parameter) or ``self.x = Call()`` in its methods. An attribute given two
        different types is left out. None are looked for in a class outside any function and
        with no methods: only code in a function inside the class asks."""
        methods = [stmt for stmt in node.body if isinstance(stmt, _FUNCTIONS)]
        if not methods and self.scopes[-1].qualname is None:
            return {}
        found: dict[str, set[str]] = {}
        for stmt in node.body:
            if type(stmt) is ast.AnnAssign and type(stmt.target) is ast.Name:
                declared = self.type_name(stmt.annotation)
                if declared:
                    found.setdefault(stmt.target.id, set()).add(declared)
        for method in methods:
            arguments = [*method.args.posonlyargs, *method.args.args, *method.args.kwonlyargs]
            annotations = {arg.arg: arg.annotation for arg in arguments}
            for sub in _statements(method):
                target: ast.expr
                if type(sub) is ast.AnnAssign:
                    target = sub.target
                elif type(sub) is ast.Assign and len(sub.targets) == 1:
                    target = sub.targets[0]
                else:
                    continue
                if not (
                    type(target) is ast.Attribute
                    and type(target.value) is ast.Name
                    and target.value.id == "self"
                ):
                    continue  # the type is worked out only for ``self.x``
                kind: str | None = None
                if type(sub) is ast.AnnAssign:
                    kind = self.type_name(sub.annotation)
                elif type(sub.value) is ast.Name:
                    name = sub.value.id
                    kind = self.type_name(annotations[name]) if name in annotations else None
                elif type(sub.value) is ast.Call:
                    kind = self.resolve(sub.value.func)
                if kind:
                    found.setdefault(target.attr, set()).add(kind)
        return {name: next(iter(kinds)) for name, kinds in found.items() if len(kinds) == 1}

    def type_name(self, annotation: ast.expr | None) -> str | None:
        if type(annotation) is ast.Name:  # the most frequent annotation, as ``resolve`` does
            return self.imports.get(annotation.id, annotation.id)
        inner = _unwrap_type(annotation)
        if inner is None:
            return None
        if isinstance(inner, ast.Subscript):
            return self.resolve(inner.value)
        return self.resolve(inner)

    # -- expressions -------------------------------------------------------------------------
    #
    # One traversal converts an expression and records what it holds (calls with their usage,
    # comparisons, awaited names, yields): ``record``. ``expr`` only converts (annotations,
    # assignment targets, class bases), ``visit`` only records (a bare expression statement, an
    # ``if`` test, the inside of a comprehension or lambda, whose value is never converted). Each
    # carries how deep its node sits: an expression is converted down to MAX_EXPR_DEPTH levels
    # below the root ``expr`` or ``record`` was asked for, and its calls recorded down to
    # MAX_EXPR_DEPTH levels below the statement ("visit depth").

    def expr(self, node: ast.expr, depth: int = 0) -> Expr:
        """The :class:`Expr` of ``node``, converted once however often it is asked for;
        ``depth``: how deep ``node`` sits in the expression being converted."""
        key = id(node)
        cached = self.exprs.get(key)
        if cached is not None:
            return cached
        if depth >= MAX_EXPR_DEPTH:  # not analysed, and not cached
            return self._made("other", node)
        made = self.exprs[key] = _CONVERTERS[type(node)](
            self, node, "other", None, depth, MAX_EXPR_DEPTH
        )
        return made

    def record_root(
        self, node: ast.expr, usage: str, target: str | None = None, depth: int = 0
    ) -> Expr:
        """The :class:`Expr` of ``node`` (a new root of conversion, ``depth`` deep for visits),
        recording what it holds."""
        cached = self.exprs.get(id(node))
        if cached is not None:  # converted before (a class field): only record
            self.visit(node, usage, target, depth)
            return cached
        return (_CONVERTERS if depth < MAX_EXPR_DEPTH else _DEEP)[type(node)](
            self, node, usage, target, 0, depth
        )

    def record(self, node: ast.expr, usage: str, target: str | None, depth: int, seen: int) -> Expr:
        """Convert ``node`` (``depth`` deep in its conversion) and record what it holds, down to
        the visit depth limit (``seen``: its visit depth); below it, only convert.

        The converters of the frequent kinds do this for their operands themselves, with the
        table for the operands' visit depth (``_CONVERTERS``, or ``_DEEP`` past the limit): a
        call less per expression."""
        return (_CONVERTERS if seen < MAX_EXPR_DEPTH else _DEEP)[type(node)](
            self, node, usage, target, depth, seen
        )

    def _deep(self, node: ast.expr, usage: str, target: str | None, depth: int, seen: int) -> Expr:
        """Convert ``node``, past the visit depth limit: without recording."""
        kind = type(node)
        if kind is not ast.Call and 0 < depth < MAX_EXPR_DEPTH:
            # Not cached: inside an expression, only a call is asked for again (recorded when a
            # visit reaches it); anything else is no other conversion's root.
            return _CONVERTERS[kind](self, node, usage, target, depth, seen)
        return self.expr(node, depth)

    def _other(self, node: ast.expr, usage: str, target: str | None, depth: int, seen: int) -> Expr:
        self.visit(node, usage, target, seen)
        return self._made("other", node)

    def _name(self, node: ast.Name, usage: str, target: str | None, depth: int, seen: int) -> Expr:
        line = _LINES[node.lineno]  # a name never spans lines
        name = node.id
        return _expr(
            "name",
            line,
            line,
            node.col_offset,
            node.end_col_offset or 0,
            self.source,
            self.imports.get(name, name),
            self._name_type(name) if name in self.typed else None,
            None,
            name,
        )

    def _attribute(
        self, node: ast.Attribute, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        value = node.value
        below = seen + 1
        receiver = (_CONVERTERS if below < MAX_EXPR_DEPTH else _DEEP)[type(value)](
            self, value, "other", None, depth + 1, below
        )
        # The same name ``resolve`` gives, from the receiver already converted.
        kind = receiver.kind
        if kind == "call":
            base = receiver.items[0].qualname
        elif kind == "name" or kind == "attribute":
            base = receiver.qualname
        else:
            base = None
        lines = _LINES
        attribute = node.attr
        return _expr(
            "attribute",
            lines[node.lineno],
            lines[node.end_lineno or node.lineno],
            node.col_offset,
            node.end_col_offset or 0,
            self.source,
            None if base is None else canonical(f"{base}.{attribute}"),
            self.type_of(node) if type(value) is ast.Name and value.id == "self" else None,
            None,
            attribute,
            (receiver,),
        )

    def _call(self, node: ast.Call, usage: str, target: str | None, depth: int, seen: int) -> Expr:
        # Recorded in the order of a visit: this call, then those in its arguments, then those
        # in its callee; this one is placed before its arguments' once they are recorded.
        at = len(self.calls)
        key = id(node)
        made = self.exprs.get(key)
        if made is not None:  # converted before: record its calls from the tree
            if seen < MAX_EXPR_DEPTH:
                self._visit_arguments(node, seen + 1)
        else:
            below, seen_below = depth + 1, seen + 1
            convert = _CONVERTERS if seen_below < MAX_EXPR_DEPTH else _DEEP
            positional, keywords = node.args, node.keywords
            args = (
                tuple(
                    [
                        convert[type(arg)](self, arg, "arg", None, below, seen_below)
                        for arg in positional
                    ]
                )
                if positional
                else ()
            )
            kwargs: tuple[tuple[str, Expr], ...] = ()
            if keywords:
                pairs = []
                for keyword in keywords:
                    value = keyword.value
                    converted = convert[type(value)](self, value, "arg", None, below, seen_below)
                    pairs.append((keyword.arg or "**", converted))
                kwargs = tuple(pairs)
            callee = node.func
            func = convert[type(callee)](self, callee, "other", None, below, seen_below)
            qualname = func.qualname
            if func.kind == "attribute":
                receiver_type = func.items[0].type
                if receiver_type:
                    qualname = f"{receiver_type}.{func.op}"
            lines = _LINES
            made = self.exprs[key] = _expr(  # not through _made: 8M instructions per 20k lines
                "call",
                lines[node.lineno],
                lines[node.end_lineno or node.lineno],
                node.col_offset,
                node.end_col_offset or 0,
                self.source,
                qualname,
                None,
                None,
                "",
                (func,),
                (),
                args,
                kwargs,
            )
        if seen < MAX_EXPR_DEPTH:
            scope = self.scopes[-1]
            self.calls.insert(
                at,
                _call_of(made, scope.qualname, scope.is_async, usage, target, self.in_main_guard),
            )
            if _spawns(made.qualname or ""):
                for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
                    if type(arg) is ast.Name:
                        scope.awaited.add(arg.id)
        return made

    def _constant(
        self, node: ast.Constant, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        value = node.value
        kind = _CONSTANTS.get(type(value))
        if kind is None:
            kind, value = (
                ("bytes", value.decode("latin-1")) if type(value) is bytes else ("other", None)
            )
        lines = _LINES
        return _expr(  # not through _made: constants are the most frequent leaf (5% of a build)
            kind,
            lines[node.lineno],
            lines[node.end_lineno or node.lineno],
            node.col_offset,
            node.end_col_offset or 0,
            self.source,
            None,
            None,
            value,  # type: ignore[arg-type]  # bytes, ``...`` and complex numbers are gone
        )

    def _fstring(
        self, node: ast.JoinedStr, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        values: list[Expr] = []
        literal: list[str] = []
        for part in node.values:
            if type(part) is ast.FormattedValue:
                # A visit goes through the FormattedValue: one level more than a conversion.
                values.append(self.record(part.value, "other", None, depth + 1, seen + 2))
                if part.format_spec is not None:
                    self.visit(part.format_spec, "other", None, seen + 2)
            elif type(part) is ast.Constant and isinstance(part.value, str):
                literal.append(part.value)
        return self._made("fstring", node, None, "".join(literal), "", tuple(values))

    def _binop(
        self, node: ast.BinOp, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        below, seen_below = depth + 1, seen + 1
        convert = _CONVERTERS if seen_below < MAX_EXPR_DEPTH else _DEEP
        left, right = node.left, node.right
        items = (
            convert[type(left)](self, left, "other", None, below, seen_below),
            convert[type(right)](self, right, "other", None, below, seen_below),
        )
        return self._made("binop", node, None, None, _BINARY_OPS.get(type(node.op), "?"), items)

    def _sequence(
        self,
        node: ast.List | ast.Tuple | ast.Set,
        usage: str,
        target: str | None,
        depth: int,
        seen: int,
    ) -> Expr:
        below, seen_below = depth + 1, seen + 1
        convert = _CONVERTERS if seen_below < MAX_EXPR_DEPTH else _DEEP
        items = tuple(
            [
                convert[type(element)](self, element, "other", None, below, seen_below)
                for element in node.elts
            ]
        )
        return self._made(_SEQUENCES[type(node)], node, None, None, "", items)

    def _dict(self, node: ast.Dict, usage: str, target: str | None, depth: int, seen: int) -> Expr:
        below, seen_below = depth + 1, seen + 1
        convert = _CONVERTERS if seen_below < MAX_EXPR_DEPTH else _DEEP
        keys = tuple(
            [
                None
                if key is None
                else convert[type(key)](self, key, "other", None, below, seen_below)
                for key in node.keys
            ]
        )
        items = tuple(
            [
                convert[type(value)](self, value, "other", None, below, seen_below)
                for value in node.values
            ]
        )
        return self._made("dict", node, None, None, "", items, keys)

    def _subscript(
        self, node: ast.Subscript, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        below, seen_below = depth + 1, seen + 1
        convert = _CONVERTERS if seen_below < MAX_EXPR_DEPTH else _DEEP
        value, index = node.value, node.slice
        items = (
            convert[type(value)](self, value, "other", None, below, seen_below),
            convert[type(index)](self, index, "other", None, below, seen_below),
        )
        return self._made("subscript", node, self.resolve(value), None, "", items)

    def _await(
        self, node: ast.Await, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        inner = node.value
        if seen < MAX_EXPR_DEPTH and type(inner) is ast.Name:
            self.scopes[-1].awaited.add(inner.id)
        value = self.record(inner, "await", None, depth + 1, seen + 1)
        return self._made("await", node, None, None, "", (value,))

    def _starred(
        self, node: ast.Starred, usage: str, target: str | None, depth: int, seen: int
    ) -> Expr:
        return self.record(node.value, "other", None, depth + 1, seen + 1)

    def _made(
        self,
        kind: str,
        node: ast.expr,
        qualname: str | None = None,
        value: str | None = None,
        op: str = "",
        items: tuple[Expr, ...] = (),
        keys: tuple[Expr | None, ...] = (),
    ) -> Expr:
        """An expression of ``node``, but for names, attributes, constants and calls, the most
        frequent, which build theirs inline (a call here costs about 1,000 instructions more per
        expression); called with positional arguments, as the makers are."""
        lines = _LINES
        return _expr(
            kind,
            lines[node.lineno],
            lines[node.end_lineno or node.lineno],
            node.col_offset,
            node.end_col_offset or 0,
            self.source,
            qualname,
            None,
            value,
            op,
            items,
            keys,
        )

    # -- traversal ---------------------------------------------------------------------------

    def build(self, added_lines: Set[int]) -> Module:
        self._collect_definitions()
        self.body(self.tree.body)
        middleware, includes = _registrations(self.calls)
        return Module(
            path=self.path,
            name=self.name,
            is_test=self.is_test,
            lines=self.lines,
            imports=tuple(sorted(self.imports.items())),
            calls=tuple(self.calls),
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            assignments=tuple(self.assignments),
            compares=tuple(self.compares),
            routes=tuple(self.routes),
            apps=tuple(self.apps),
            middleware=tuple(middleware),
            includes=tuple(includes),
            excepts=tuple(self.excepts),
            deletes=tuple(self.deletes),
            loops=tuple(self.loops),
            partial=self.partial,
            added_lines=added_lines,
            suppressions=suppressions(self.lines),
        )

    def stmt(self, node: ast.stmt) -> None:
        _STATEMENTS[type(node)](self, node)

    def _statement_children(self, node: ast.stmt) -> None:
        for name in node._fields:
            child = getattr(node, name)
            if type(child) is list:
                for item in child:
                    if isinstance(item, ast.stmt):
                        self.stmt(item)
                    elif isinstance(item, ast.expr):
                        self.visit(item, "other")
                    elif type(item) is ast.match_case:
                        self.body(item.body)
            elif isinstance(child, ast.expr):
                self.visit(child, "other")

    def _return(self, node: ast.Return) -> None:
        value = None if node.value is None else self.record_root(node.value, "return")
        self.scopes[-1].returns.append(_return_of(_span(node), value))

    def _expression(self, node: ast.Expr) -> None:
        self.visit(node.value, "expr")

    def _local_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if self.scopes[-1].qualname is not None:
            self._import(node)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            target = item.optional_vars
            name = target.id if isinstance(target, ast.Name) else None
            if name and isinstance(item.context_expr, ast.Call):
                callee = self.resolve(item.context_expr.func)
                if callee:
                    self.scopes[-1].types[name] = callee
                    self.typed.add(name)
            self.scopes[-1].withs.append(self.record_root(item.context_expr, "with", name))
        self.body(node.body)

    def _delete(self, node: ast.Delete) -> None:
        targets = tuple([self.record_root(target, "other") for target in node.targets])
        self.deletes.append(Delete(targets, _span(node), self.scopes[-1].qualname))

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.target, "other")
        self.loops.append(
            Loop(
                targets=tuple(
                    name.id for name in ast.walk(node.target) if isinstance(name, ast.Name)
                ),
                iterable=self.record_root(node.iter, "other"),
                span=_span(node),
                function=self.scopes[-1].qualname,
            )
        )
        self.body(node.body)
        self.body(node.orelse)

    def _if(self, node: ast.If) -> None:
        self.visit(node.test, "other")
        if self.scopes[-1].qualname is not None or not _is_main_guard(node.test):
            self.body(node.body)
        else:
            self.in_main_guard = True
            self.body(node.body)
            self.in_main_guard = False
        self.body(node.orelse)

    def body(self, stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            _STATEMENTS[type(stmt)](self, stmt)

    def try_stmt(self, node: ast.stmt) -> None:
        body: list[ast.stmt] = getattr(node, "body", [])
        handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
        finalbody: list[ast.stmt] = getattr(node, "finalbody", [])
        if finalbody:
            self.scopes[-1].has_cleanup = True
        self.body(body)
        for handler in handlers:
            types: tuple[str, ...] = ()
            if handler.type is not None:
                elts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                types = tuple(self.resolve(elt) or "" for elt in elts)
            reraises = any(isinstance(sub, ast.Raise) for s in handler.body for sub in ast.walk(s))
            rolls_back = any(
                isinstance(sub, ast.Attribute) and sub.attr in ("rollback", "close")
                for s in handler.body
                for sub in ast.walk(s)
            )
            if reraises or rolls_back:
                self.scopes[-1].has_cleanup = True
            before = len(self.scopes[-1].returns)
            self.body(handler.body)
            self.excepts.append(
                ExceptHandler(
                    span=_span(handler),
                    types=types,
                    name=handler.name,
                    reraises=reraises,
                    returns=tuple(self.scopes[-1].returns[before:]),
                    function=self.scopes[-1].qualname,
                    try_span=_body_span(body),
                )
            )
        self.body(getattr(node, "orelse", []))
        self.body(finalbody)

    def assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        annotation = node.annotation if type(node) is ast.AnnAssign else None
        scope = self.scopes[-1]
        types = scope.types if scope.qualname is not None else self.module_types
        call = value if type(value) is ast.Call else None
        callee = None if call is None else self.resolve(call.func)
        declared = None if annotation is None else self.type_name(annotation)
        first = targets[0]
        name = first.id if type(first) is ast.Name else None
        converted = None
        for target in targets:
            if type(target) is ast.Name:
                key = target.id
            elif (
                type(target) is ast.Attribute
                and type(target.value) is ast.Name
                and target.value.id == "self"
            ):
                key = f"self.{target.attr}"
            else:
                continue
            if declared:
                types[key] = declared
                self.typed.add(key)
            elif call is not None and callee:
                types[key] = self.type_of(call.func) or callee
                self.typed.add(key)
            if (
                call is not None
                and callee in ("fastapi.FastAPI", "fastapi.APIRouter")
                and type(target) is ast.Name
            ):
                if converted is None:  # with the types known at this target
                    converted = self.record_root(call, "assign", name)
                self.apps.append(
                    App(
                        name=key,
                        call=converted,
                        kind="app" if callee == "fastapi.FastAPI" else "router",
                        function=scope.qualname,
                    )
                )
        if value is not None and converted is None:
            converted = self.record_root(value, "assign", name)
        self.assignments.append(
            _assign(
                (self.expr(first),)
                if len(targets) == 1
                else tuple([self.expr(target) for target in targets]),
                converted,  # value
                _span(node),
                scope.qualname,  # function
                None if annotation is None else self.expr(annotation),
                self.class_stack[-1] if self.class_stack else None,  # class_name
            )
        )

    def visit(self, node: ast.expr, usage: str, target: str | None = None, depth: int = 0) -> None:
        """Record what ``node`` holds (down to :data:`MAX_EXPR_DEPTH` levels); ``usage`` says
        how the value of ``node`` is used; ``depth``: how deep ``node`` sits in the expression
        being visited."""
        kind = type(node)
        if kind is ast.Name or kind is ast.Constant or depth >= MAX_EXPR_DEPTH:
            return  # no call inside a name or a constant, the most frequent expressions
        _VISITORS[kind](self, node, usage, target, depth)

    def _visit_children(self, node: ast.expr, usage: str, target: str | None, depth: int) -> None:
        visit, below = self.visit, depth + 1
        for name in node._fields:
            child = getattr(node, name)
            if isinstance(child, ast.expr):
                visit(child, "other", None, below)
            elif type(child) is list:
                for item in child:
                    if isinstance(item, ast.expr):
                        visit(item, "other", None, below)
                    elif type(item) is ast.comprehension:
                        visit(item.iter, "other", None, below)
                        for condition in item.ifs:
                            visit(condition, "other", None, below)

    def _visit_arguments(self, node: ast.Call, below: int) -> None:
        visit = self.visit
        for arg in node.args:
            visit(arg, "arg", None, below)
        for keyword in node.keywords:
            visit(keyword.value, "arg", None, below)
        visit(node.func, "other", None, below)

    def _visit_call(self, node: ast.Call, usage: str, target: str | None, depth: int) -> None:
        self._call(node, usage, target, 0, depth)

    def _visit_attribute(
        self, node: ast.Attribute, usage: str, target: str | None, depth: int
    ) -> None:
        self.visit(node.value, "other", None, depth + 1)

    def _visit_await(self, node: ast.Await, usage: str, target: str | None, depth: int) -> None:
        inner = node.value
        if type(inner) is ast.Name:
            self.scopes[-1].awaited.add(inner.id)
        self.visit(inner, "await", None, depth + 1)

    def _visit_lambda(self, node: ast.Lambda, usage: str, target: str | None, depth: int) -> None:
        self.scopes.append(_Scope(self.scopes[-1].qualname, False))
        self.visit(node.body, "return", None, depth + 1)
        self.scopes.pop()

    def _visit_yield(
        self, node: ast.Yield | ast.YieldFrom, usage: str, target: str | None, depth: int
    ) -> None:
        scope = self.scopes[-1]
        scope.yields.append(_span(node))
        value = node.value
        if value is None:
            return
        if type(node) is ast.Yield:
            at = len(scope.yield_values)  # before the yields inside its value
            scope.yield_values.insert(at, self.record_root(value, "yield", None, depth + 1))
        else:
            self.visit(value, "yield", None, depth + 1)

    def _visit_named(self, node: ast.NamedExpr, usage: str, target: str | None, depth: int) -> None:
        self.visit(node.value, "assign", node.target.id, depth + 1)

    def _visit_compare(self, node: ast.Compare, usage: str, target: str | None, depth: int) -> None:
        at = len(self.compares)  # before the comparisons inside its operands
        left = self.record_root(node.left, "other", None, depth + 1)
        comparators = tuple(
            [self.record_root(item, "other", None, depth + 1) for item in node.comparators]
        )
        ops = tuple([COMPARE_OPS.get(type(op), "?") for op in node.ops])
        self.compares.insert(
            at, _compare(left, ops, comparators, _span(node), self.scopes[-1].qualname)
        )

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorator_list = node.decorator_list
        for decorator in decorator_list:
            self.visit(decorator, "other")
        scopes = self.scopes
        parent = scopes[-1].qualname
        class_name = self.class_stack[-1] if self.class_stack else None
        name = node.name
        if parent is not None:
            qualname = f"{parent}.{name}"
        elif class_name is not None:
            qualname = f"{'.'.join(self.class_stack)}.{name}"
        else:
            qualname = name
        is_async = type(node) is ast.AsyncFunctionDef
        scope = _Scope(qualname, is_async)
        params = self.params(node, scope)
        scopes.append(scope)
        self.body(node.body)
        scopes.pop()
        first = decorator_list[0] if decorator_list else node
        body_first = node.body[0].lineno if node.body else node.lineno
        signature_end = max(node.lineno, body_first - 1)
        decorators = tuple([self.expr(d) for d in decorator_list]) if decorator_list else ()
        function = _function(
            name,
            qualname,
            _span_of(first.lineno, signature_end, first.col_offset, 0),  # span
            _span(node),  # body_span
            is_async,
            decorators,
            params,
            None if node.returns is None else self.expr(node.returns),  # returns_annotation
            tuple(scope.returns),
            tuple(scope.yields),
            scope.has_cleanup,  # has_try_finally
            tuple(scope.withs),  # with_items
            frozenset(scope.awaited),  # awaited_names
            class_name is not None and parent is None,  # is_method
            class_name,
            tuple(scope.yield_values),
        )
        self.functions.append(function)
        for decorator_expr in decorators:
            self.route(decorator_expr, function)

    def params(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: _Scope
    ) -> tuple[Param, ...]:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
        defaults.extend(args.defaults)
        pairs: list[tuple[ast.arg, ast.expr | None, str]] = [
            (arg, default, "positional") for arg, default in zip(positional, defaults, strict=True)
        ]
        if args.kwonlyargs:
            pairs.extend(
                (arg, default, "keyword")
                for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            )
        if args.vararg:
            pairs.append((args.vararg, None, "varargs"))
        if args.kwarg:
            pairs.append((args.kwarg, None, "varkw"))
        params: list[Param] = []
        for arg, default, kind in pairs:
            name, annotation = arg.arg, arg.annotation
            type_name = None if annotation is None else self.type_name(annotation)
            if type_name:
                scope.types[name] = type_name
                self.typed.add(name)
            # Defaults are evaluated in the enclosing scope (the function's is not entered yet).
            if default is None:
                value = None
                marker = None if annotation is None else self._annotated_marker(annotation)
            else:
                value = self.record_root(default, "other")
                marker = value if self._is_marker(default) else self._annotated_marker(annotation)
            converted = None if annotation is None else self.expr(annotation)
            params.append(_param(name, _span(arg), converted, value, type_name, marker, kind))
        return tuple(params)

    def _is_marker(self, node: ast.expr | None) -> bool:
        return (
            isinstance(node, ast.Call)
            and (self.resolve(node.func) or "").rsplit(".", 1)[-1] in FASTAPI_MARKERS
        )

    def _annotated_marker(self, annotation: ast.expr | None) -> Expr | None:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            return None
        if (
            isinstance(annotation, ast.Subscript)
            and (self.resolve(annotation.value) or "").endswith("Annotated")
            and isinstance(annotation.slice, ast.Tuple)
        ):
            for meta in annotation.slice.elts[1:]:
                if self._is_marker(meta):
                    return self.expr(meta)
        return None

    def route(self, decorator: Expr, function: Function) -> None:
        func = decorator.func
        if func is None or func.kind != "attribute":
            return
        method = func.op.lower()
        if method not in HTTP_METHODS and method != "api_route":
            return
        owner = func.items[0]
        owner_text = owner.text
        path_arg = decorator.arg(0, "path")
        path = path_arg.string if path_arg is not None else None
        known = any(app.name == owner_text for app in self.apps) or (
            owner.type in ("fastapi.FastAPI", "fastapi.APIRouter")
        )
        if not known and not (path is not None and (path == "" or path.startswith("/"))):
            return
        method = "API_ROUTE" if method == "api_route" else method.upper()
        self.routes.append(_route(method, path, owner_text, decorator, function))

    def class_def(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator, "other")
        bases = tuple([self.expr(base) for base in node.bases])
        keywords = tuple([(kw.arg or "**", self.expr(kw.value)) for kw in node.keywords])
        self.attribute_types.append(self._attribute_types(node))
        self.class_stack.append(node.name)
        fields: list[Field] = []
        config: list[tuple[str, Expr]] = []
        has_model_config = False
        has_tablename = False
        for stmt in node.body:
            if type(stmt) is ast.AnnAssign and type(stmt.target) is ast.Name:
                name = stmt.target.id
                if name == "model_config":
                    has_model_config = True
                elif not name.startswith("__"):
                    annotation = self.expr(stmt.annotation)
                    default = None if stmt.value is None else self.expr(stmt.value)
                    fields.append(_field(name, _span(stmt), annotation, default))
            elif type(stmt) is ast.Assign:
                for target in stmt.targets:
                    if type(target) is not ast.Name:
                        continue
                    if target.id == "model_config":
                        has_model_config = True
                    elif target.id == "__tablename__":
                        has_tablename = True
                    elif isinstance(stmt.value, ast.Call) and (
                        self.resolve(stmt.value.func) or ""
                    ).rsplit(".", 1)[-1] in ("Column", "mapped_column", "relationship"):
                        fields.append(_field(target.id, _span(stmt), None, self.expr(stmt.value)))
            elif type(stmt) is ast.ClassDef and stmt.name == "Config":
                for inner in stmt.body:
                    if isinstance(inner, ast.Assign):
                        for target in inner.targets:
                            if isinstance(target, ast.Name):
                                config.append((target.id, self.expr(inner.value)))
        self.body(node.body)
        self.class_stack.pop()
        self.attribute_types.pop()
        kind = self._class_kind(bases, keywords, has_tablename)
        self.class_kinds[node.name] = kind
        self.classes.append(
            _class_def(
                node.name,
                ".".join([*self.class_stack, node.name]),  # qualname
                _span_of(node.lineno, node.lineno, node.col_offset, 0),
                bases,
                keywords,
                tuple(fields),
                tuple(config),
                has_model_config,
                kind,
            )
        )

    def _class_kind(
        self, bases: tuple[Expr, ...], keywords: tuple[tuple[str, Expr], ...], tablename: bool
    ) -> str:
        table = any(key == "table" and value.is_true for key, value in keywords)
        kinds = set()
        for base in bases:
            name = base.qualname or ""
            local = self.class_kinds.get(base.text)
            if local:
                kinds.add(local)
            elif name == "sqlmodel.SQLModel":
                kinds.add("sqlmodel")
            elif name in (
                "pydantic.BaseModel",
                "pydantic_settings.BaseSettings",
                "pydantic.RootModel",
            ):
                kinds.add("pydantic")
            elif name.endswith(("DeclarativeBase", "DeclarativeBaseNoMeta")) or (
                self.module_types.get(base.text, "").endswith("declarative_base")
            ):
                kinds.add("orm")
        if "sqlmodel" in kinds or "sqlmodel_table" in kinds:
            return "sqlmodel_table" if table else "sqlmodel"
        if "orm" in kinds or tablename:
            return "orm"
        if "pydantic" in kinds:
            return "pydantic"
        return "class"


_F = TypeVar("_F", bound=Callable[..., Any])


def _table(
    base: type[ast.AST], default: _F, special: dict[type[ast.AST], _F]
) -> dict[type[ast.AST], _F]:
    """``special``, and ``default`` for every other kind of node under ``base``: looked up by
    subscript, which costs less than ``dict.get`` with a default (once per node converted)."""
    table: dict[type[ast.AST], _F] = {}
    kinds = [base]
    while kinds:
        kind = kinds.pop()
        table[kind] = default
        kinds.extend(kind.__subclasses__())
    table.update(special)
    return table


_CONVERTERS: dict[type[ast.AST], Callable[[_Builder, Any, str, str | None, int, int], Expr]]
_CONVERTERS = _table(
    ast.expr,
    _Builder._other,
    {
        ast.Name: _Builder._name,
        ast.Attribute: _Builder._attribute,
        ast.Call: _Builder._call,
        ast.Constant: _Builder._constant,
        ast.JoinedStr: _Builder._fstring,
        ast.BinOp: _Builder._binop,
        ast.List: _Builder._sequence,
        ast.Tuple: _Builder._sequence,
        ast.Set: _Builder._sequence,
        ast.Dict: _Builder._dict,
        ast.Subscript: _Builder._subscript,
        ast.Await: _Builder._await,
        ast.Starred: _Builder._starred,
    },
)
"""How each kind of expression converts (any other is ``other``)."""

_DEEP = dict.fromkeys(_CONVERTERS, _Builder._deep)
"""How each kind of expression converts past the visit depth limit."""

_VISITORS: dict[type[ast.AST], Callable[[_Builder, Any, str, str | None, int], None]]
_VISITORS = _table(
    ast.expr,
    _Builder._visit_children,
    {
        ast.Attribute: _Builder._visit_attribute,
        ast.Call: _Builder._visit_call,
        ast.Await: _Builder._visit_await,
        ast.Lambda: _Builder._visit_lambda,
        ast.Yield: _Builder._visit_yield,
        ast.YieldFrom: _Builder._visit_yield,
        ast.NamedExpr: _Builder._visit_named,
        ast.Compare: _Builder._visit_compare,
    },
)
"""The expressions visited in their own way (any other: its children)."""

_STATEMENTS: dict[type[ast.AST], Callable[[_Builder, Any], None]]
_STATEMENTS = _table(
    ast.stmt,
    _Builder._statement_children,
    {
        ast.FunctionDef: _Builder.function,
        ast.AsyncFunctionDef: _Builder.function,
        ast.ClassDef: _Builder.class_def,
        ast.Assign: _Builder.assign,
        ast.AnnAssign: _Builder.assign,
        ast.AugAssign: _Builder.assign,
        ast.Return: _Builder._return,
        ast.Expr: _Builder._expression,
        ast.Import: _Builder._local_import,
        ast.ImportFrom: _Builder._local_import,
        ast.With: _Builder._with,
        ast.AsyncWith: _Builder._with,
        ast.Delete: _Builder._delete,
        ast.For: _Builder._for,
        ast.AsyncFor: _Builder._for,
        ast.Try: _Builder.try_stmt,
        ast.If: _Builder._if,
    },
)
"""The statements handled in their own way (any other: its children)."""
if sys.version_info >= (3, 11):
    _STATEMENTS[ast.TryStar] = _Builder.try_stmt


def build_module(
    path: str,
    tree: ast.Module,
    lines: tuple[str, ...],
    partial: bool,
    added_lines: Set[int] = frozenset(),
) -> Module:
    """The :class:`Module` of the file ``path`` parsed as ``tree``; ``added_lines``: the lines a
    change added (none for a module read only as context)."""
    return _Builder(path, tree, lines, partial).build(added_lines)
