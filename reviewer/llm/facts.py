"""What the engine can decide about a construct under review, for the request: short fact lines,
and the few lines of code around it that judgement needs.

A model shown a route alone guesses where authentication and rate limits live. These facts settle
it from the construct model and the repository: the route's full path and its effective
dependencies (its own parameters, including ``Annotated`` aliases such as ``CurrentUser``; the
route decorator's; its router's, custom router classes included; every ``include_router`` call up
to the app; the app's), the app's middleware, the rate limiting the repository has or that it has
none, the decisive lines of each dependency one hop away, the models a token is parsed into and a
dependency returns, the loops over fetched rows and what runs inside them, and the error responses
across a router. Facts name things and line numbers; they quote no strings of the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reviewer.extract.model import App, ClassDef, Expr, Field, Function, Include, Module, Route
from reviewer.extract.project import Project

DEPENDS = ("Depends", "Security")
DECISIVE = re.compile(
    r"\braise\b|\breturn\b|\byield\b|\bif\b|\bexcept\b|decode|verify|\.get\(|scalar|query|execute"
    r"|fetch|is_active|disabled|locked|\bsub\b|limit",
)
"""Lines of a dependency that decide what it lets through."""
MAX_DECISIVE = 12
LIMIT_WORDS = re.compile(r"slowapi|fastapi_limiter|ratelimit|rate_limit|RateLimit|throttl|Limiter")
LIMITER_CLASS = re.compile(r"rate.?limit|throttl|limiter", re.IGNORECASE)
STATUS_FIELD = re.compile(
    r"^(is_)?(active|enabled|disabled|locked|banned|blocked|suspended|deleted|verified)$"
    r"|^(is_locked|locked_at|deleted_at|disabled_at|login_attempts?|login_attemps)$"
)
DB_METHODS = frozenset(
    {
        "execute",
        "scalars",
        "scalar",
        "scalar_one",
        "scalar_one_or_none",
        "query",
        "get",
        "exec",
        "refresh",
        "stream",
        "stream_scalars",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetch_all",
        "fetch_one",
        "get_one",
        "delete",
        "find",
        "find_one",
        "mget",
    }
)
DB_RECEIVERS = re.compile(r"(^|_)(db|session|conn|connection|database|cursor|repo|repos|redis)")
DB_TYPES = ("Session", "Connection", "sqlalchemy", "sqlmodel", "databases", "asyncpg", "Redis")
ERROR_CALLS = ("HTTPException", "JSONResponse", "ORJSONResponse", "PlainTextResponse")
ERROR_KEYS = frozenset({"error", "errors", "message", "detail", "msg"})
EAGER = frozenset({"selectinload", "joinedload", "subqueryload", "immediateload", "contains_eager"})
"""Loader options that load a relationship with the rows: reading it per item runs no query."""
COMPREHENSION = re.compile(r"\bfor\s+\(?(\w+)[\w\s,()]*?\s+in\s+([\w.()\[\]]+)")


@dataclass(frozen=True)
class Dependency:
    """A dependency a route runs, and where it is declared."""

    expr: Expr
    via: str


@dataclass(frozen=True)
class Loop:
    """A loop (or comprehension) of a function, and what runs for each item."""

    line: int
    end: int
    target: str
    source: str
    per_item: tuple[str, ...]
    """Descriptions of the awaited calls, queries and lazy relationship reads inside."""
    proof: tuple[int, ...]
    """The lines of those calls and reads."""


def short(text: str, limit: int = 48) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def call_name(expr: Expr) -> str:
    """``ApiError(404)``, ``HTTPException(404)``, ``db.get()``: a call named with its first
    numeric argument or ``status_code``, never its strings."""
    func = expr.func
    name = short(func.text if func is not None else expr.text, 40)
    status = expr.kwarg("status_code")
    if status is None and expr.args and expr.args[0].kind == "number":
        status = expr.args[0]
    return f"{name}({status.text if status is not None else ''})"


class Facts:
    """The facts of one review, computed lazily and remembered per router and per repository."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._limiting: list[str] | None = None
        self._handlers: list[str] | None = None

    # -- dependencies ----------------------------------------------------------------------

    def _alias_dependencies(self, type_name: str | None) -> Iterator[Expr]:
        """``Depends(X)`` inside the ``Annotated[...]`` alias a parameter is annotated with."""
        found = self.project.assignment(type_name) if type_name else None
        if found is None or found[1].value is None:
            return
        for item in found[1].value.walk():
            if item.kind == "call" and item.last_name in DEPENDS:
                dependency = item.arg(0, "dependency")
                if dependency is not None:
                    yield dependency

    def parameters(self, function: Function) -> Iterator[Dependency]:
        for param in function.params:
            if param.marker is not None and param.marker_name in DEPENDS:
                dependency = param.marker.arg(0, "dependency")
                if dependency is None and param.annotation is not None:  # Depends(): the type
                    dependency = next(
                        (e for e in param.annotation.walk() if e.qualname == param.type),
                        param.annotation,
                    )
                if dependency is not None:
                    yield Dependency(dependency, f"parameter `{param.name}`")
                continue
            alias = param.type.rsplit(".", 1)[-1] if param.type else ""
            for dependency in self._alias_dependencies(param.type):
                yield Dependency(dependency, f"parameter `{param.name}` ({alias})")

    def _router_class_dependencies(self, module: Module, name: str) -> Iterator[Expr]:
        """``dependencies=`` that a custom router class passes to ``APIRouter.__init__``."""
        for assign in module.assignments:
            if assign.value is None or assign.value.kind != "call":
                continue
            if not any(target.text == name for target in assign.targets):
                continue
            found = self.project.cls(assign.value.qualname)
            if found is None:
                continue
            owner, class_def = found
            init = owner.function(f"{class_def.qualname}.__init__")
            if init is None:
                continue
            for call in owner.calls_in(init):
                yield from depends_in(call.expr.kwarg("dependencies"))

    def _owner(self, module: Module, name: str, scope: str | None) -> App | None:
        for app in module.apps:
            if app.name == name and (scope is None or app.function in (None, scope)):
                return app
        return None

    def _includes_of(
        self, module: Module, name: str, app: App | None
    ) -> Iterator[tuple[Module, Include, Expr | None]]:
        """The ``include_router`` calls (anywhere) that include router ``name`` of ``module``."""
        qualname = f"{module.name}.{name}"
        factory = f"{module.name}.{app.function}" if app is not None and app.function else None
        for other in self.project.all_modules():
            for include in other.includes:
                router = include.router
                local = other is module and router.text == name
                made = factory is not None and router.kind == "call" and router.qualname == factory
                if local or router.qualname == qualname or made:
                    yield other, include, _include_call(other, include)

    def chain(
        self, module: Module, route: Route, function: Function
    ) -> tuple[list[Dependency], list[str], list[tuple[Module, App]]]:
        """The dependencies a route gets from its decorator, router, includes and app; the lines
        describing where it is mounted; and the apps that serve it."""
        found: list[Dependency] = [
            Dependency(d, "route `dependencies=`") for d in depends_in(route.option("dependencies"))
        ]
        mounts: list[str] = []
        apps: list[tuple[Module, App]] = []
        scope = function.qualname.rpartition(".")[0] or None
        pending: list[tuple[Module, str, str | None, int]] = [(module, route.owner, scope, 0)]
        seen: set[tuple[str, str]] = set()
        while pending:
            current, name, where, depth = pending.pop(0)
            if (current.path, name) in seen or depth > 4:
                continue
            seen.add((current.path, name))
            owner = self._owner(current, name, where)
            place = f"{current.path}:{owner.call.span.line}" if owner is not None else current.path
            if owner is not None:
                kind = "app" if owner.kind == "app" else "router"
                for dependency in depends_in(owner.call.kwarg("dependencies")):
                    found.append(Dependency(dependency, f"{kind} `{name}` ({place})"))
                if owner.kind == "app":
                    apps.append((current, owner))
            for dependency in self._router_class_dependencies(current, name):
                found.append(Dependency(dependency, f"router class of `{name}` ({current.path})"))
            for other, include, call in self._includes_of(current, name, owner):
                added = list(depends_in(call.kwarg("dependencies"))) if call else []
                prefix = f", prefix {include.prefix}" if include.prefix else ""
                names = ", ".join(d.last_name for d in added) or "no dependencies"
                mounts.append(
                    f"`{name}` is included into `{include.owner}` at "
                    f"{other.path}:{include.span.line}{prefix}, adding {names}"
                )
                for dependency in added:
                    found.append(
                        Dependency(
                            dependency, f"include_router at {other.path}:{include.span.line}"
                        )
                    )
                pending.append((other, include.owner, None, depth + 1))
        if not mounts and not apps:
            mounts.append(f"`{route.owner}` is included nowhere in the repository shown")
        return found, mounts, apps

    def dependents(self, module: Module, function: Function) -> str | None:
        """``used by 2 routes (read_order GET /orders/{order_id}, ...) and 1 dependency
        (require_admin), through CurrentUser; none of them takes it as optional``: who relies on a
        dependency, directly or through an ``Annotated`` alias, and whether they accept ``None``."""
        target = (module.path, function.qualname)
        aliases: dict[str, bool] = {}  # alias qualname -> it admits None
        names = re.compile(rf"\b{re.escape(function.name)}\b")
        for other in self.project.all_modules(mentioning=names):
            for assign in other.assignments:
                if assign.function is not None or assign.class_name is not None:
                    continue
                if assign.value is None or not any(
                    self._is(d, target) for d in depends_in(assign.value)
                ):
                    continue
                for name in assign.targets:
                    if name.kind == "name":
                        aliases[f"{other.name}.{name.text}"] = _optional(assign.value)
        if aliases:
            words = "|".join(re.escape(a.rsplit(".", 1)[-1]) for a in aliases)
            names = re.compile(rf"\b({re.escape(function.name)}|{words})\b")
        routes: list[str] = []
        dependencies: list[str] = []
        optional = 0
        for other in self.project.all_modules(mentioning=names):
            handlers = {r.handler.qualname: r for r in other.routes}
            for user in other.functions:
                if user is function:
                    continue
                admits = self._relies(user, target, aliases)
                route = handlers.get(user.qualname)
                if admits is None and route is not None:
                    declared = depends_in(route.option("dependencies"))
                    admits = False if any(self._is(d, target) for d in declared) else None
                if admits is None:
                    continue
                optional += admits
                if route is not None:
                    path = other.route_path(route) or "?"
                    routes.append(f"{user.name} {route.method} {path}")
                else:
                    dependencies.append(user.name)
        if not routes and not dependencies:
            return None if not self.project.complete else "used by no route or dependency"
        parts = [
            f"{len(found)} {one if len(found) == 1 else many} ({_listed(found)})"
            for found, one, many in (
                (routes, "route", "routes"),
                (dependencies, "dependency", "dependencies"),
            )
            if found
        ]
        through = [a.rsplit(".", 1)[-1] for a in aliases]
        via = f", through {', '.join(through)}" if through else ""
        accepts = (
            f"{optional} of them take{'s' if optional == 1 else ''} it as optional"
            if optional
            else "none of them takes it as optional"
        )
        return f"used by {' and '.join(parts)}{via}; {accepts}"

    def _is(self, expr: Expr, target: tuple[str, str]) -> bool:
        found = self.definition(expr)
        return found is not None and (found[0].path, found[1].qualname) == target

    def _relies(
        self, function: Function, target: tuple[str, str], aliases: dict[str, bool]
    ) -> bool | None:
        """Whether ``function`` has a parameter on the dependency ``target`` (None: it has not),
        and if so whether that parameter admits ``None``."""
        for param in function.params:
            if param.type in aliases:
                return aliases[param.type] or _optional(param.annotation)
            if param.marker is not None and param.marker_name in DEPENDS:
                dependency = param.marker.arg(0, "dependency")
                if dependency is not None and self._is(dependency, target):
                    return _optional(param.annotation)
        return None

    # -- one hop away -------------------------------------------------------------------------

    def definition(self, expr: Expr) -> tuple[Module, Function] | None:
        """The function a dependency names, or the ``__call__``/``__init__`` of the class it
        names or instantiates."""
        target = expr.func if expr.kind == "call" and expr.func is not None else expr
        found = self.project.function(target.qualname)
        if found is not None:
            return found
        class_found = self.project.cls(target.qualname)
        if class_found is None:
            return None
        module, class_def = class_found
        for method in ("__call__", "dispatch", "__init__"):
            function = module.function(f"{class_def.qualname}.{method}")
            if function is not None:
                return module, function
        return None

    @staticmethod
    def decisive(module: Module, function: Function) -> list[int]:
        """The signature and the lines that decide: raises, returns, checks, decoding, lookups."""
        signature = function.span.end_line
        for number in range(function.span.line, function.span.end_line + 1):
            code = module.lines[number - 1].split("#", 1)[0].rstrip()
            if code.endswith(":") and not code.lstrip().startswith("@"):
                signature = number
                break
        lines = list(range(function.span.line, signature + 1))
        for number in range(signature + 1, function.body_span.end_line + 1):
            text = module.lines[number - 1] if number <= len(module.lines) else ""
            if DECISIVE.search(text) and not text.lstrip().startswith("#"):
                lines.append(number)
            if len(lines) >= MAX_DECISIVE + signature - function.span.line:
                break
        return lines

    # -- models -------------------------------------------------------------------------------

    def model_line(self, role: str, expr: Expr | None, status: bool = True) -> str | None:
        """``returns User (app/models.py:12, orm): status fields is_active`` for the first class of
        the repository named in ``expr``."""
        if expr is None:
            return None
        for name in expr.walk():
            found = self.project.cls(name.qualname) if name.qualname else None
            if found is None:
                continue
            module, class_def = found
            kind = self.project.class_kind(class_def, module)
            where = f"{module.path}:{class_def.span.line}"
            if not status:
                return f"{role} {class_def.name} ({where}, {kind})"
            fields = [f.name for f in self._fields(class_def, module) if STATUS_FIELD.match(f.name)]
            known = f"status fields: {', '.join(fields)}" if fields else "no active/disabled field"
            return f"{role} {class_def.name} ({where}, {kind}; {known})"
        return None

    def _fields(self, class_def: ClassDef, module: Module, depth: int = 0) -> Iterator[Field]:
        yield from class_def.fields
        if depth > 3:
            return
        for base in class_def.bases:
            found = self.project.cls(base.qualname)
            if found is not None:
                yield from self._fields(found[1], found[0], depth + 1)

    def parsed_models(self, module: Module, function: Function) -> Iterator[str]:
        """The repository models a function parses data into (``TokenPayload(**payload)``,
        ``TokenData.model_validate(claims)``)."""
        seen: set[str] = set()
        for call in module.calls_in(function):
            target = call.expr.func
            name = target.qualname if target is not None else None
            if target is not None and target.op in ("model_validate", "parse_obj"):
                name = target.items[0].qualname if target.items else None
            elif call.expr.kwarg("**") is None:
                continue  # built field by field, not parsed from a payload
            found = self.project.cls(name) if name else None
            if found is None or found[1].name in seen:
                continue
            owner, class_def = found
            if self.project.class_kind(class_def, owner) not in ("pydantic", "sqlmodel"):
                continue
            seen.add(class_def.name)
            fields = ", ".join(
                f"{f.name}: {short(f.annotation.text, 24) if f.annotation else '?'}"
                for f in class_def.fields
            )
            yield f"line {call.span.line} parses into {class_def.name} ({fields})"

    # -- repository-wide ----------------------------------------------------------------------

    def limiting(self) -> list[str]:
        """Where the repository limits request rates, or that it does not."""
        if self._limiting is not None:
            return self._limiting
        found: list[str] = []
        limited: list[str] = []
        for module in self.project.all_modules(mentioning=LIMIT_WORDS):
            for assign in module.assignments:
                value = assign.value
                if value is not None and value.kind == "call" and value.last_name == "Limiter":
                    defaults = " with default limits" if value.kwarg("default_limits") else ""
                    found.append(
                        f"{value.qualname or 'Limiter'} `{assign.targets[0].text}` at "
                        f"{module.path}:{assign.span.line}{defaults}"
                    )
            for middleware in module.middleware:
                if LIMITER_CLASS.search(middleware.cls.last_name):
                    found.append(
                        f"middleware {middleware.cls.last_name} added to `{middleware.owner}` at "
                        f"{module.path}:{middleware.call.span.line}"
                    )
            for function in module.functions:
                decorated = any(
                    LIMITER_CLASS.search(d.text) and ".limit" in d.text for d in function.decorators
                )
                if decorated or any(
                    LIMITER_CLASS.search(d.expr.last_name) for d in self.parameters(function)
                ):
                    limited.append(f"{function.name} ({module.path}:{function.span.line})")
            for call in module.calls:
                if call.expr.last_name in DEPENDS:
                    dependency = call.expr.arg(0, "dependency")
                    if dependency is not None and LIMITER_CLASS.search(dependency.last_name):
                        routes = [r for r in module.routes if _within(call.span.line, r)]
                        limited.extend(
                            f"{r.handler.name} ({module.path}:{r.span.line})" for r in routes
                        )
        lines: list[str] = []
        if found:
            lines.append("rate limiting in the repository: " + "; ".join(dict.fromkeys(found)))
            unique = list(dict.fromkeys(limited))
            applied = ", ".join(unique[:5]) + (" ..." if len(unique) > 5 else "")
            lines.append(f"routes it is applied to: {applied or 'none found'}")
        elif self.project.complete:
            lines.append(
                "rate limiting in the repository: none (no slowapi, fastapi-limiter, limiter "
                "middleware or dependency)"
            )
        else:
            lines.append("rate limiting in the repository: unknown (only the change is available)")
        self._limiting = lines
        return lines

    def middleware(self, apps: Iterable[tuple[Module, App]]) -> list[str]:
        """The middleware stack of each app that serves the route."""
        lines: list[str] = []
        for module, app in apps:
            names = [
                f"{m.cls.last_name} ({module.path}:{m.call.span.line})"
                for m in module.middleware
                if m.owner == app.name
            ]
            names.extend(
                f"@{app.name}.middleware function {f.name} ({module.path}:{f.span.line})"
                for f in module.functions
                if any(
                    d.func is not None
                    and d.func.op == "middleware"
                    and d.func.items
                    and d.func.items[0].text == app.name
                    for d in f.decorators
                )
            )
            for dependency in depends_in(app.call.kwarg("dependencies")):
                names.append(f"app dependency {dependency.last_name}")
            lines.append(
                f"app `{app.name}` ({module.path}:{app.call.span.line}) middleware: "
                + (", ".join(names) if names else "none")
            )
        return lines

    def middleware_classes(self, apps: Iterable[tuple[Module, App]]) -> Iterator[Expr]:
        """The middleware classes of the apps that serve a route."""
        for module, app in apps:
            for middleware in module.middleware:
                if middleware.owner == app.name:
                    yield middleware.cls

    def exception_handlers(self) -> list[str]:
        """The exception handlers registered anywhere in the repository."""
        if self._handlers is not None:
            return self._handlers
        found: list[str] = []
        for module in self.project.all_modules(mentioning=re.compile("exception_handler")):
            for function in module.functions:
                for decorator in function.decorators:
                    func = decorator.func
                    if func is not None and func.op == "exception_handler" and decorator.args:
                        found.append(
                            f"{decorator.args[0].last_name} -> {function.name} "
                            f"({module.path}:{function.span.line})"
                        )
            for call in module.calls:
                func = call.expr.func
                if func is not None and func.op == "add_exception_handler" and call.expr.args:
                    handler = call.expr.arg(1, "handler")
                    found.append(
                        f"{call.expr.args[0].last_name} -> "
                        f"{handler.last_name if handler else '?'} ({module.path}:{call.span.line})"
                    )
        self._handlers = found
        return found

    # -- errors -------------------------------------------------------------------------------

    def _shape(self, expr: Expr) -> str | None:
        """The kind of error body a call builds, or None when it builds none."""
        name = (expr.qualname or "").rsplit(".", 1)[-1]
        if name == "HTTPException":
            detail = expr.arg(1, "detail")
            kind = detail.kind if detail is not None else "str"
            kind = "str" if kind in ("fstring", "call", "name", "attribute", "binop") else kind
            return f"HTTPException detail {kind}"
        if name in ERROR_CALLS[1:] and _error_response(expr):
            content = expr.kwarg("content") or (expr.args[0] if expr.args else None)
            keys = (
                sorted(k.string for k in content.keys if k is not None and k.string)
                if content is not None and content.kind == "dict"
                else []
            )
            return f"{name} {{{', '.join(keys)}}}"
        if self._exception_class(expr.qualname or ""):
            return name
        return None

    def errors(self, module: Module, function: Function) -> list[tuple[str, int]]:
        """The error bodies a handler answers with, and their lines."""
        found: list[tuple[str, int]] = []
        for call in module.calls_in(function):
            shape = self._shape(call.expr)
            if shape is not None:
                found.append((shape, call.span.line))
        for ret in function.returns:
            value = ret.value
            if value is not None and value.kind == "dict":
                named = {key.string for key in value.keys if key is not None and key.string}
                if named & ERROR_KEYS:
                    shape = f"dict {{{', '.join(sorted(named & ERROR_KEYS))}}} with status 200"
                    found.append((shape, ret.span.line))
        return found

    def shapes(self, module: Module, function: Function) -> set[str]:
        return {shape for shape, _ in self.errors(module, function)}

    def mixes_error_shapes(self, module: Module, function: Function) -> bool:
        """The handler answers errors, and its module's routes answer them in more than one
        shape."""
        own = self.shapes(module, function)
        if len(own) > 1:
            return True
        others: set[str] = set()
        for route in module.routes:
            if route.handler.qualname != function.qualname:
                others |= self.shapes(module, route.handler)
        return bool(own and len(own | others) > 1)

    def _exception_class(self, qualname: str) -> bool:
        found = self.project.cls(qualname) if qualname else None
        if found is None:
            return False
        return any(base.last_name.endswith(("Exception", "Error")) for base in found[1].bases)

    def module_errors(self, module: Module) -> list[str]:
        """Error responses across the routes of a module: ``handler (router): shape at line``."""
        parts: list[str] = []
        for route in module.routes:
            errors = self.errors(module, route.handler)
            if errors:
                listed = ", ".join(f"{shape} at {line}" for shape, line in errors)
                parts.append(f"{route.handler.name} ({route.owner}): {listed}")
        return list(dict.fromkeys(parts))

    # -- loops --------------------------------------------------------------------------------

    def loops(self, module: Module, function: Function) -> list[Loop]:
        """Loops and comprehensions of ``function`` (not of functions nested in it) with a query,
        an awaited call or a lazy relationship read per item."""
        nested = [
            f
            for f in module.functions
            if f.qualname.startswith(function.qualname + ".")
            and f.qualname.count(".") == function.qualname.count(".") + 1
        ]

        def own(number: int) -> bool:
            return not any(f.span.line <= number <= f.body_span.end_line for f in nested)

        calls = list(module.calls_in(function))
        relations = self.relationships()
        eager = {
            arg.text.rsplit(".", 1)[-1]
            for call in calls
            if (call.expr.func.op if call.expr.func else "") in EAGER
            or call.expr.last_name in EAGER
            for arg in call.expr.args[:1]
        }
        statements = {  # the function's own for statements, as extract/ records them
            loop.span.line: loop for loop in module.loops if loop.function == function.qualname
        }
        found: list[Loop] = []
        for number in range(function.body_span.line, function.body_span.end_line + 1):
            if not own(number):
                continue
            text = module.lines[number - 1]
            statement = statements.get(number)
            source_at = (number, 0)  # calls in the iterable run once, not per item
            if statement is not None:
                iterable = statement.iterable.span
                end = block_end(module.lines, number)
                target, source = ", ".join(statement.targets), statement.iterable.text
                source_at = (iterable.line, iterable.column)
            else:
                match = COMPREHENSION.search(text)
                if match is None or text.lstrip().startswith("#"):
                    continue
                target, source = match.group(1), match.group(2)
                source_at = (number, match.start(2))
                number, end = _statement(module.lines, number, function)
            per_item: list[str] = []
            proof: list[int] = []
            for call in calls:
                if not number <= call.span.line <= end or (
                    call.span.line == source_at[0] and call.span.column >= source_at[1]
                ):
                    continue
                described = self._per_item_call(call.expr, call.usage)
                if described:
                    per_item.append(f"{described} at {call.span.line}")
                    proof.append(call.span.line)
            names = {n.strip("() ") for n in target.split(",")}
            for line in range(number, end + 1):
                for name, attribute in re.findall(r"\b(\w+)\.(\w+)\b", module.lines[line - 1]):
                    if name in names and attribute in relations and attribute not in eager:
                        per_item.append(f"reads {name}.{attribute} ({relations[attribute]})")
                        proof.append(line)
            if per_item and not any(loop.line == number for loop in found):
                found.append(
                    Loop(
                        number,
                        end,
                        short(target, 30),
                        short(source, 40),
                        tuple(per_item),
                        tuple(proof),
                    )
                )
        return found

    def _per_item_call(self, expr: Expr, usage: str) -> str:
        """A query, an awaited call or a repository function that queries, described."""
        func = expr.func
        name = call_name(expr).split("(")[0] + "()"
        if func is not None and func.kind == "attribute" and func.op in DB_METHODS:
            receiver = func.items[0] if func.items else None
            if receiver is not None and (
                DB_RECEIVERS.search(receiver.text.rsplit(".", 1)[-1])
                or any(word in (receiver.type or "") for word in DB_TYPES)
            ):
                return f"{'awaits ' if usage == 'await' else ''}query {name}"
        found = self.project.function(expr.qualname) if expr.qualname else None
        if found is not None:
            queries = self.queries_in(*found)
            if queries:
                where = f"{found[0].path}:{found[1].span.line}"
                return f"{'awaits ' if usage == 'await' else 'calls '}{name} ({where}: {queries})"
        if usage == "await":
            return f"awaits {name}"
        return ""

    def queries_in(self, module: Module, function: Function) -> str:
        """``3 queries: db.execute x3`` for the queries a repository function runs."""
        names: list[str] = []
        for call in module.calls_in(function):
            func = call.expr.func
            if func is None or func.kind != "attribute" or func.op not in DB_METHODS:
                continue
            receiver = func.items[0] if func.items else None
            if receiver is not None and (
                DB_RECEIVERS.search(receiver.text.rsplit(".", 1)[-1])
                or any(word in (receiver.type or "") for word in DB_TYPES)
            ):
                names.append(short(func.text, 30))
        if not names:
            return ""
        counted = ", ".join(
            f"{name} x{names.count(name)}" if names.count(name) > 1 else name
            for name in dict.fromkeys(names)
        )
        return f"{len(names)} quer{'y' if len(names) == 1 else 'ies'}: {counted}"

    def relationships(self) -> dict[str, str]:
        """Attribute name -> ``Order.items relationship, lazy`` for the ORM relationships of the
        repository (a name shared by several classes keeps the first)."""
        memo: dict[str, str] = self.project.memo("llm-relationships", self._relationships)
        return memo

    def _relationships(self) -> dict[str, str]:
        found: dict[str, str] = {}
        pattern = re.compile(r"relationship|Relationship")
        for module in self.project.all_modules(mentioning=pattern):
            for class_def in module.classes:
                for field in class_def.fields:
                    default = field.default
                    if default is None or default.kind != "call":
                        continue
                    if default.last_name not in ("relationship", "Relationship"):
                        continue
                    lazy = default.kwarg("lazy")
                    mode = f"lazy={lazy.text}" if lazy is not None else "lazy by default"
                    found.setdefault(
                        field.name, f"{class_def.name}.{field.name} relationship, {mode}"
                    )
        return found


def facts_of(project: Project) -> Facts:
    """The facts of ``project``, shared by the checklist triggers and the context."""
    return project.memo("llm-facts", lambda: Facts(project))


def depends_in(expr: Expr | None) -> Iterator[Expr]:
    """The dependencies of ``Depends(...)``/``Security(...)`` calls inside ``expr``."""
    if expr is None:
        return
    for item in expr.walk():
        if item.kind == "call" and item.last_name in DEPENDS:
            dependency = item.arg(0, "dependency")
            if dependency is not None:
                yield dependency


def _optional(annotation: Expr | None) -> bool:
    """The type admits ``None`` (``User | None``, ``Optional[User]``, inside ``Annotated``)."""
    if annotation is None:
        return False
    if annotation.kind == "subscript" and annotation.items[0].text.endswith("Annotated"):
        inner = annotation.items[1]
        annotation = inner.items[0] if inner.kind == "tuple" and inner.items else inner
    return bool(re.search(r"\bNone\b|\bOptional\b", annotation.text))


def _listed(names: list[str], limit: int = 5) -> str:
    unique = list(dict.fromkeys(names))
    return ", ".join(unique[:limit]) + (" ..." if len(unique) > limit else "")


def _include_call(module: Module, include: Include) -> Expr | None:
    for call in module.calls:
        if call.span == include.span:
            return call.expr
    return None


def _within(line: int, route: Route) -> bool:
    return route.span.line <= line <= route.handler.body_span.end_line


def _error_response(expr: Expr) -> bool:
    """A response built with an error status (400 or more) or an error-shaped content."""
    status = expr.kwarg("status_code")
    if status is not None and status.kind == "number" and isinstance(status.value, int):
        return status.value >= 400
    content = expr.kwarg("content") or (expr.args[0] if expr.args else None)
    if content is not None and content.kind == "dict":
        return any(key is not None and key.string in ERROR_KEYS for key in content.keys)
    return status is not None


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


def _statement(lines: tuple[str, ...], line: int, function: Function) -> tuple[int, int]:
    """The lines of the statement holding a comprehension at ``line``: bracket depth counted
    from the start of the body (strings are not parsed, which the short lines of a statement
    rarely need)."""
    depth = 0
    start = end = line
    for number in range(function.body_span.line, function.body_span.end_line + 1):
        text = lines[number - 1]
        if depth == 0 and number <= line:
            start = number
        depth += sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")
        depth = max(depth, 0)
        if number >= line:
            end = number
            if depth == 0:
                break
    return start, end
