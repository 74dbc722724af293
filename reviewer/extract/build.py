"""``ast`` -> :class:`Module`: one pass over a parsed file that records the constructs rules read."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    for number, line in enumerate(lines, start=1):
        if "#" not in line:
            continue
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
    return Span(
        line, line if end is None else lines[end], node.col_offset, node.end_col_offset or 0
    )


_NESTED = (ast.stmt, ast.excepthandler, ast.match_case)
_LEAVES = frozenset({ast.Name, ast.Constant})
"""Expressions with no call inside (most of those visited): not worth a visit."""


def _statements(node: ast.stmt) -> Iterator[ast.stmt]:
    """``node`` and every statement nested in it (in blocks, handlers, cases and nested
    definitions), without walking into expressions, where no statement can be."""
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.stmt):
            yield current
        stack.extend(child for child in ast.iter_child_nodes(current) if isinstance(child, _NESTED))


def _body_span(body: list[ast.stmt]) -> Span | None:
    if not body:
        return None
    return Span(body[0].lineno, body[-1].end_lineno or body[-1].lineno, body[0].col_offset)


def _unwrap_type(node: ast.expr | None) -> ast.expr | None:
    """``Annotated[X, ...]``, ``Optional[X]``, ``X | None`` -> ``X``."""
    while node is not None:
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


@dataclass
class _Scope:
    qualname: str | None
    is_async: bool
    types: dict[str, str] = field(default_factory=dict)
    awaited: set[str] = field(default_factory=set)
    returns: list[Return] = field(default_factory=list)
    yields: list[Span] = field(default_factory=list)
    yield_values: list[Expr] = field(default_factory=list)
    withs: list[Expr] = field(default_factory=list)
    has_cleanup: bool = False


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
        self.middleware: list[Middleware] = []
        self.includes: list[Include] = []
        self.excepts: list[ExceptHandler] = []
        self.deletes: list[Delete] = []
        self.loops: list[Loop] = []
        self.scopes: list[_Scope] = [_Scope(None, False)]
        self.class_stack: list[str] = []
        self.attribute_types: list[dict[str, str]] = []
        """Per enclosing class: the types of its instance attributes (``self.session``)."""
        self.class_kinds: dict[str, str] = {}
        self.exprs: dict[int, Expr] = {}
        self.in_main_guard = False
        self.expr_depth = 0
        self.visit_depth = 0
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
            elif isinstance(stmt, (ast.If, ast.With, ast.Try)) or type(stmt).__name__ == "TryStar":
                for field_name in ("body", "orelse", "finalbody"):
                    self._module_imports(getattr(stmt, field_name, []))
                for handler in getattr(stmt, "handlers", []):
                    self._module_imports(handler.body)

    def _collect_definitions(self) -> None:
        """Imports and module-level names, so that uses before definition resolve too."""
        self._module_imports(self.tree.body)
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
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
        if isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if node.id in scope.types:
                    return scope.types[node.id]
            return self.module_types.get(node.id)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            found = self.scopes[-1].types.get(f"self.{node.attr}")
            if found is None and self.attribute_types and self.scope.qualname is not None:
                found = self.attribute_types[-1].get(node.attr)
            return found
        return None

    def _attribute_types(self, node: ast.ClassDef) -> dict[str, str]:
        """The types of a class's instance attributes, seen from every method: class-level
        annotations (``session: Session``), and ``self.x: T = ...``, ``self.x = param`` (an
        annotated parameter) or ``self.x = Call()`` in its methods. An attribute given two
        different types is left out."""
        found: dict[str, set[str]] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                declared = self.type_name(stmt.annotation)
                if declared:
                    found.setdefault(stmt.target.id, set()).add(declared)
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            arguments = [*stmt.args.posonlyargs, *stmt.args.args, *stmt.args.kwonlyargs]
            params = {arg.arg: self.type_name(arg.annotation) for arg in arguments}
            for sub in _statements(stmt):
                target: ast.expr | None = None
                kind: str | None = None
                if isinstance(sub, ast.AnnAssign):
                    target, kind = sub.target, self.type_name(sub.annotation)
                elif isinstance(sub, ast.Assign) and len(sub.targets) == 1:
                    target, value = sub.targets[0], sub.value
                    if isinstance(value, ast.Name):
                        kind = params.get(value.id)
                    elif isinstance(value, ast.Call):
                        kind = self.resolve(value.func)
                if (
                    kind
                    and isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    found.setdefault(target.attr, set()).add(kind)
        return {name: next(iter(kinds)) for name, kinds in found.items() if len(kinds) == 1}

    def type_name(self, annotation: ast.expr | None) -> str | None:
        inner = _unwrap_type(annotation)
        if inner is None:
            return None
        if isinstance(inner, ast.Subscript):
            return self.resolve(inner.value)
        return self.resolve(inner)

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Expr:
        """The :class:`Expr` of ``node``, converted once however often it is asked for."""
        key = id(node)
        cached = self.exprs.get(key)
        if cached is not None:
            return cached
        if self.expr_depth >= MAX_EXPR_DEPTH:
            at = _span(node)  # not analysed, and not cached
            return Expr("other", at.line, at.end_line, at.column, at.end_column, self.source)
        self.expr_depth += 1
        try:
            cached = self.exprs[key] = self._convert(node)
        finally:
            self.expr_depth -= 1
        return cached

    def _convert(self, node: ast.expr) -> Expr:
        lines = _LINES
        line = lines[node.lineno]
        end = node.end_lineno
        span = (
            line,
            line if end is None else lines[end],
            node.col_offset,
            node.end_col_offset or 0,
        )
        source = self.source
        if isinstance(node, ast.Name):
            name = node.id
            return Expr(
                "name", *span, source, self.imports.get(name, name), self.type_of(node), op=name
            )
        if isinstance(node, ast.Attribute):
            receiver = self.expr(node.value)
            # The same name ``resolve`` gives, from the receiver already converted.
            base = receiver.items[0].qualname if receiver.kind == "call" else receiver.qualname
            if receiver.kind not in ("name", "attribute", "call"):
                base = None
            return Expr(
                "attribute",
                *span,
                source,
                None if base is None else canonical(f"{base}.{node.attr}"),
                self.type_of(node),
                op=node.attr,
                items=(receiver,),
            )
        if isinstance(node, ast.Call):
            func = self.expr(node.func)
            qualname = func.qualname
            if func.kind == "attribute" and func.items[0].type:
                qualname = f"{func.items[0].type}.{func.op}"
            kwargs = tuple(
                (keyword.arg or "**", self.expr(keyword.value)) for keyword in node.keywords
            )
            return Expr(
                "call",
                *span,
                source,
                qualname,
                items=(func,),
                args=tuple(self.expr(arg) for arg in node.args),
                kwargs=kwargs,
            )
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                return Expr("bool", *span, source, value=value)
            if value is None:
                return Expr("none", *span, source)
            if isinstance(value, str):
                return Expr("str", *span, source, value=value)
            if isinstance(value, bytes):
                return Expr("bytes", *span, source, value=value.decode("latin-1"))
            if isinstance(value, (int, float)):
                return Expr("number", *span, source, value=value)
            return Expr("other", *span, source)
        if isinstance(node, ast.JoinedStr):
            values = tuple(
                self.expr(part.value)
                for part in node.values
                if isinstance(part, ast.FormattedValue)
            )
            literal = "".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            return Expr("fstring", *span, source, value=literal, items=values)
        if isinstance(node, ast.BinOp):
            op = {ast.Add: "+", ast.Mod: "%", ast.BitOr: "|"}.get(type(node.op), "?")
            return Expr(
                "binop", *span, source, op=op, items=(self.expr(node.left), self.expr(node.right))
            )
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            kind = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}[type(node)]
            return Expr(kind, *span, source, items=tuple(self.expr(elt) for elt in node.elts))
        if isinstance(node, ast.Dict):
            return Expr(
                "dict",
                *span,
                source,
                keys=tuple(None if key is None else self.expr(key) for key in node.keys),
                items=tuple(self.expr(value) for value in node.values),
            )
        if isinstance(node, ast.Subscript):
            return Expr(
                "subscript",
                *span,
                source,
                self.resolve(node.value),
                items=(self.expr(node.value), self.expr(node.slice)),
            )
        if isinstance(node, ast.Await):
            return Expr("await", *span, source, items=(self.expr(node.value),))
        if isinstance(node, ast.Starred):
            return self.expr(node.value)
        return Expr("other", *span, source)

    # -- traversal ---------------------------------------------------------------------------

    def build(self) -> Module:
        self._collect_definitions()
        for stmt in self.tree.body:
            self.stmt(stmt)
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
            middleware=tuple(self.middleware),
            includes=tuple(self.includes),
            excepts=tuple(self.excepts),
            deletes=tuple(self.deletes),
            loops=tuple(self.loops),
            partial=self.partial,
            suppressions=suppressions(self.lines),
        )

    @property
    def scope(self) -> _Scope:
        return self.scopes[-1]

    def stmt(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.function(node)
        elif isinstance(node, ast.ClassDef):
            self.class_def(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self.assign(node)
        elif isinstance(node, ast.Return):
            value = None
            if node.value is not None:
                value = self.expr(node.value)
                self.visit(node.value, "return")
            self.scope.returns.append(Return(_span(node), value))
        elif isinstance(node, ast.Expr):
            self.visit(node.value, "expr")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if self.scope.qualname is not None:
                self._import(node)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                target = item.optional_vars
                name = target.id if isinstance(target, ast.Name) else None
                if name and isinstance(item.context_expr, ast.Call):
                    callee = self.resolve(item.context_expr.func)
                    if callee:
                        self.scope.types[name] = callee
                self.scope.withs.append(self.expr(item.context_expr))
                self.visit(item.context_expr, "with", name)
            self.body(node.body)
        elif isinstance(node, ast.Delete):
            targets = tuple(self.expr(target) for target in node.targets)
            self.deletes.append(Delete(targets, _span(node), self.scope.qualname))
            for target in node.targets:
                self.visit(target, "other")
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.loops.append(
                Loop(
                    targets=tuple(
                        name.id for name in ast.walk(node.target) if isinstance(name, ast.Name)
                    ),
                    iterable=self.expr(node.iter),
                    span=_span(node),
                    function=self.scope.qualname,
                )
            )
            self.visit(node.target, "other")
            self.visit(node.iter, "other")
            self.body(node.body)
            self.body(node.orelse)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.try_stmt(node)
        elif isinstance(node, ast.If) and self.scope.qualname is None and _is_main_guard(node.test):
            self.visit(node.test, "other")
            self.in_main_guard = True
            self.body(node.body)
            self.in_main_guard = False
            self.body(node.orelse)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self.stmt(child)
                elif isinstance(child, ast.expr):
                    self.visit(child, "other")
                elif isinstance(child, ast.match_case):
                    self.body(child.body)

    def body(self, stmts: list[ast.stmt]) -> None:
        for stmt in stmts:
            self.stmt(stmt)

    def try_stmt(self, node: ast.stmt) -> None:
        body: list[ast.stmt] = getattr(node, "body", [])
        handlers: list[ast.ExceptHandler] = getattr(node, "handlers", [])
        finalbody: list[ast.stmt] = getattr(node, "finalbody", [])
        if finalbody:
            self.scope.has_cleanup = True
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
                self.scope.has_cleanup = True
            before = len(self.scope.returns)
            self.body(handler.body)
            self.excepts.append(
                ExceptHandler(
                    span=_span(handler),
                    types=types,
                    name=handler.name,
                    reraises=reraises,
                    returns=tuple(self.scope.returns[before:]),
                    function=self.scope.qualname,
                    try_span=_body_span(body),
                )
            )
        self.body(getattr(node, "orelse", []))
        self.body(finalbody)

    def assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node.value
        annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
        types = self.scope.types if self.scope.qualname is not None else self.module_types
        for target in targets:
            key = None
            if isinstance(target, ast.Name):
                key = target.id
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                key = f"self.{target.attr}"
            if key is None:
                continue
            callee = self.resolve(value.func) if isinstance(value, ast.Call) else None
            declared = self.type_name(annotation) if annotation is not None else None
            if declared:
                types[key] = declared
            elif isinstance(value, ast.Call) and callee:
                types[key] = self.type_of(value.func) or callee
            if (
                isinstance(value, ast.Call)
                and callee in ("fastapi.FastAPI", "fastapi.APIRouter")
                and isinstance(target, ast.Name)
            ):
                self.apps.append(
                    App(
                        name=target.id,
                        call=self.expr(value),
                        kind="app" if callee == "fastapi.FastAPI" else "router",
                        function=self.scope.qualname,
                    )
                )
        self.assignments.append(
            Assign(
                targets=tuple(self.expr(target) for target in targets),
                value=None if value is None else self.expr(value),
                span=_span(node),
                function=self.scope.qualname,
                annotation=None if annotation is None else self.expr(annotation),
                class_name=self.class_stack[-1] if self.class_stack else None,
            )
        )
        if value is not None:
            name = targets[0].id if isinstance(targets[0], ast.Name) else None
            self.visit(value, "assign", name)

    def visit(self, node: ast.expr, usage: str, target: str | None = None) -> None:
        """Record every call in ``node`` (down to :data:`MAX_EXPR_DEPTH` levels); ``usage`` says
        how the value of ``node`` is used."""
        if self.visit_depth >= MAX_EXPR_DEPTH or type(node) in _LEAVES:
            return
        self.visit_depth += 1
        try:
            self._visit(node, usage, target)
        finally:
            self.visit_depth -= 1

    def _visit(self, node: ast.expr, usage: str, target: str | None) -> None:
        if isinstance(node, (ast.Name, ast.Constant)):
            return
        if isinstance(node, ast.Attribute):
            self.visit(node.value, "other")
            return
        if isinstance(node, ast.Call):
            self.call(node, usage, target)
            return
        if isinstance(node, ast.Await):
            inner = node.value
            if isinstance(inner, ast.Name):
                self.scope.awaited.add(inner.id)
            self.visit(inner, "await")
            return
        if isinstance(node, ast.Lambda):
            self.scopes.append(_Scope(self.scope.qualname, False))
            self.visit(node.body, "return")
            self.scopes.pop()
            return
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            self.scope.yields.append(_span(node))
            if isinstance(node, ast.Yield) and node.value is not None:
                self.scope.yield_values.append(self.expr(node.value))
            if node.value is not None:
                self.visit(node.value, "yield")
            return
        if isinstance(node, ast.NamedExpr):
            self.visit(node.value, "assign", node.target.id)
            return
        if isinstance(node, ast.Compare):
            self.compares.append(
                Compare(
                    left=self.expr(node.left),
                    ops=tuple(COMPARE_OPS.get(type(op), "?") for op in node.ops),
                    comparators=tuple(self.expr(item) for item in node.comparators),
                    span=_span(node),
                    function=self.scope.qualname,
                )
            )
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.visit(child, "other")
            elif isinstance(child, ast.comprehension):
                self.visit(child.iter, "other")
                for condition in child.ifs:
                    self.visit(condition, "other")

    def call(self, node: ast.Call, usage: str, target: str | None) -> None:
        expr = self.expr(node)
        scope = self.scope
        self.calls.append(
            Call(
                expr=expr,
                function=scope.qualname,
                in_async_def=scope.is_async,
                usage=usage,
                target=target,
                in_main_guard=self.in_main_guard,
            )
        )
        func = expr.func
        if func is not None and func.kind == "attribute":
            self.registration(expr, func)
        elif expr.qualname == "fastapi.middleware.Middleware" and expr.args:
            self.middleware.append(Middleware(owner="", cls=expr.args[0], call=expr))
        callee = expr.qualname or ""
        spawns = callee.rsplit(".", 1)[-1] in TASK_SPAWNERS or callee.endswith(".start_soon")
        for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
            if spawns and isinstance(arg, ast.Name):
                scope.awaited.add(arg.id)
            self.visit(arg, "arg")
        self.visit(node.func, "other")

    def registration(self, expr: Expr, func: Expr) -> None:
        owner = func.items[0].text
        if func.op == "add_middleware" and expr.args:
            self.middleware.append(Middleware(owner=owner, cls=expr.args[0], call=expr))
        elif func.op == "include_router" and expr.args:
            prefix = expr.kwarg("prefix")
            self.includes.append(
                Include(
                    owner=owner,
                    router=expr.args[0],
                    prefix=prefix.string if prefix is not None else None,
                    span=expr.span,
                )
            )

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator, "other")
        parent = self.scope.qualname
        class_name = self.class_stack[-1] if self.class_stack else None
        if parent is not None:
            qualname = f"{parent}.{node.name}"
        elif class_name is not None:
            qualname = f"{'.'.join(self.class_stack)}.{node.name}"
        else:
            qualname = node.name
        is_async = isinstance(node, ast.AsyncFunctionDef)
        scope = _Scope(qualname=qualname, is_async=is_async)
        params = self.params(node, scope)
        # Defaults are evaluated in the enclosing scope.
        for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
            self.visit(default, "other")
        self.scopes.append(scope)
        self.body(node.body)
        self.scopes.pop()
        first = node.decorator_list[0] if node.decorator_list else node
        body_first = node.body[0].lineno if node.body else node.lineno
        signature_end = max(node.lineno, body_first - 1)
        function = Function(
            name=node.name,
            qualname=qualname,
            span=Span(first.lineno, signature_end, first.col_offset, 0),
            body_span=_span(node),
            is_async=is_async,
            decorators=tuple(self.expr(d) for d in node.decorator_list),
            params=params,
            returns_annotation=None if node.returns is None else self.expr(node.returns),
            returns=tuple(scope.returns),
            yields=tuple(scope.yields),
            has_try_finally=scope.has_cleanup,
            with_items=tuple(scope.withs),
            awaited_names=frozenset(scope.awaited),
            is_method=class_name is not None and parent is None,
            class_name=class_name,
            yield_values=tuple(scope.yield_values),
        )
        self.functions.append(function)
        for decorator_expr in function.decorators:
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
            type_name = self.type_name(arg.annotation)
            if type_name:
                scope.types[arg.arg] = type_name
            marker = self._marker(default) or self._annotated_marker(arg.annotation)
            params.append(
                Param(
                    name=arg.arg,
                    span=_span(arg),
                    annotation=None if arg.annotation is None else self.expr(arg.annotation),
                    default=None if default is None else self.expr(default),
                    type=type_name,
                    marker=marker,
                    kind=kind,
                )
            )
        return tuple(params)

    def _marker(self, node: ast.expr | None) -> Expr | None:
        if isinstance(node, ast.Call):
            name = self.resolve(node.func) or ""
            if name.rsplit(".", 1)[-1] in FASTAPI_MARKERS:
                return self.expr(node)
        return None

    def _annotated_marker(self, annotation: ast.expr | None) -> Expr | None:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            return None
        if (
            isinstance(annotation, ast.Subscript)
            and (self.resolve(annotation.value) or "").endswith("Annotated")
            and isinstance(annotation.slice, ast.Tuple)
        ):
            for meta in annotation.slice.elts[1:]:
                marker = self._marker(meta)
                if marker is not None:
                    return marker
        return None

    def route(self, decorator: Expr, function: Function) -> None:
        func = decorator.func
        if func is None or func.kind != "attribute":
            return
        method = func.op.lower()
        if method not in HTTP_METHODS and method != "api_route":
            return
        owner = func.items[0]
        path_arg = decorator.arg(0, "path")
        path = path_arg.string if path_arg is not None else None
        known = any(app.name == owner.text for app in self.apps) or (
            owner.type in ("fastapi.FastAPI", "fastapi.APIRouter")
        )
        if not known and not (path is not None and (path == "" or path.startswith("/"))):
            return
        self.routes.append(
            Route(
                method="API_ROUTE" if method == "api_route" else method.upper(),
                path=path,
                owner=owner.text,
                decorator=decorator,
                handler=function,
            )
        )

    def class_def(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator, "other")
        bases = tuple(self.expr(base) for base in node.bases)
        keywords = tuple((kw.arg or "**", self.expr(kw.value)) for kw in node.keywords)
        self.attribute_types.append(self._attribute_types(node))
        self.class_stack.append(node.name)
        fields: list[Field] = []
        config: list[tuple[str, Expr]] = []
        has_model_config = False
        has_tablename = False
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                if stmt.target.id == "model_config":
                    has_model_config = True
                elif not stmt.target.id.startswith("__"):
                    fields.append(
                        Field(
                            name=stmt.target.id,
                            span=_span(stmt),
                            annotation=self.expr(stmt.annotation),
                            default=None if stmt.value is None else self.expr(stmt.value),
                        )
                    )
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if not isinstance(target, ast.Name):
                        continue
                    if target.id == "model_config":
                        has_model_config = True
                    elif target.id == "__tablename__":
                        has_tablename = True
                    elif isinstance(stmt.value, ast.Call) and (
                        self.resolve(stmt.value.func) or ""
                    ).rsplit(".", 1)[-1] in ("Column", "mapped_column", "relationship"):
                        fields.append(Field(target.id, _span(stmt), None, self.expr(stmt.value)))
            elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
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
            ClassDef(
                name=node.name,
                qualname=".".join([*self.class_stack, node.name]),
                span=Span(node.lineno, node.lineno, node.col_offset, 0),
                bases=bases,
                keywords=keywords,
                fields=tuple(fields),
                config=tuple(config),
                has_model_config=has_model_config,
                kind=kind,
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


def build_module(path: str, tree: ast.Module, lines: tuple[str, ...], partial: bool) -> Module:
    return _Builder(path, tree, lines, partial).build()
