"""FAPI6xx: OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.extract.model import Assign, Expr, Function, Module
from reviewer.extract.project import Project
from reviewer.rules.base import Finding, Invalid, Rule, Severity
from reviewer.rules.helpers import assignments_in, enclosing_scopes, writes

# A bare name is one whose import the model did not see: the hunks of a partial module, or `*`.
GET_OPENAPI = frozenset({"fastapi.openapi.utils.get_openapi", "get_openapi"})
SCHEMA_CALLS = GET_OPENAPI | {"fastapi.FastAPI.openapi"}
"""Calls that return a schema dict."""
FUNCTION_WRAPPERS = frozenset({"functools.partial", "types.MethodType"})
CACHE_DECORATORS = frozenset({"cache", "lru_cache", "cached", "alru_cache"})


def _is_app(expr: Expr, module: Module) -> bool:
    """``expr`` names a FastAPI application: by type, by a ``FastAPI()`` binding in the module, or
    by its name (``app``, ``application``, ``*_app``, as when it is imported)."""
    if expr.type == "fastapi.FastAPI":
        return True
    if expr.kind == "name" and any(
        app.name == expr.op and app.kind == "app" for app in module.apps
    ):
        return True
    name = expr.last_name
    return name in ("app", "application") or name.endswith("_app")


def _openapi_assignments(module: Module) -> list[tuple[Assign, Expr]]:
    """The assignments ``<app>.openapi = <value>`` of ``module``, in order, with the app: found
    once per module for the two rules that ask."""
    return module.memo("FAPI60x.openapi_assignments", lambda: _find_openapi_assignments(module))


def _find_openapi_assignments(module: Module) -> list[tuple[Assign, Expr]]:
    found: list[tuple[Assign, Expr]] = []
    if not writes(module, ("openapi",)):
        return found  # each of these assignments writes the name: most modules never do
    for assign in module.assignments:
        for target in assign.targets:
            if (
                target.op == "openapi"
                and target.kind == "attribute"
                and assign.value is not None
                and _is_app(target.items[0], module)
            ):
                found.append((assign, target.items[0]))
                break
    return found


def _function(
    ref: Expr, scope: str | None, module: Module, project: Project
) -> tuple[Module, Function] | None:
    """The function ``ref`` names: nested in an enclosing function of ``scope``, or anywhere the
    project can resolve it."""
    if ref.kind == "name":
        for enclosing in enclosing_scopes(scope):
            if enclosing is not None:
                nested = module.function(f"{enclosing}.{ref.op}")
                if nested is not None:
                    return module, nested
    return project.function(ref.qualname)


def _is_get_openapi(call: Expr) -> bool:
    """A call of FastAPI's ``get_openapi``, which takes keyword arguments only: ``get_openapi(app)``
    is a function of the project's own."""
    return call.qualname in GET_OPENAPI and not call.args


def _schema_call(call: Expr) -> bool:
    return _is_get_openapi(call) or call.qualname == "fastapi.FastAPI.openapi"


def _schema_expr(expr: Expr) -> bool:
    return (
        expr.kind == "dict"
        or (expr.kind == "attribute" and expr.op == "openapi_schema")
        or (expr.kind == "call" and _schema_call(expr))
    )


def _returns_schema(function: Function, module: Module) -> bool:
    """Every ``return`` of ``function`` gives a schema dict (not, say, a nested function)."""
    values = [ret.value for ret in function.returns if ret.value is not None]
    if not values:
        return False
    for value in values:
        if value.kind == "name" and function.param(value.op) is None:
            bound = [
                assign.value
                for assign in assignments_in(module, function.qualname)
                if any(target.kind == "name" and target.op == value.op for target in assign.targets)
            ]
            if not bound or not all(item is not None and _schema_expr(item) for item in bound):
                return False
        elif not _schema_expr(value):
            return False
    return True


class OpenapiCalledNotAssigned(Rule):
    """
    ## What it does
    Flags `app.openapi = custom_openapi()`: the schema a call returns assigned where FastAPI
    expects the function that builds it.

    The call is FastAPI's `get_openapi(...)` (which takes keyword arguments only, so
    `get_openapi(app)` is a project's own factory), `app.openapi()`, or a function whose every
    `return` gives a dict, `*.openapi_schema` or one of those calls. When the called function
    cannot be seen (it lives outside the reviewed code), only a call of `custom_openapi()` with
    no arguments, the name FastAPI's documentation uses, is reported.

    Factories that return the function (`app.openapi = make_openapi(app)`), `functools.partial(...)`
    and `types.MethodType(...)` are fine and not reported.

    ## Why is this bad?
    FastAPI calls `app.openapi()` to serve `/openapi.json` (and the `/docs` page that reads it).
    With a dict in its place that call raises `TypeError: 'dict' object is not callable`: the
    documentation endpoints answer 500, and the schema is frozen at assignment time, before the
    routers included later are known.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.openapi.utils import get_openapi

    app = FastAPI()


    def custom_openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        app.openapi_schema = get_openapi(title="Shop", version="1.0.0", routes=app.routes)
        return app.openapi_schema


    app.openapi = custom_openapi()
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.openapi.utils import get_openapi

    app = FastAPI()


    def custom_openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        app.openapi_schema = get_openapi(title="Shop", version="1.0.0", routes=app.routes)
        return app.openapi_schema


    app.openapi = custom_openapi
    ```
    """

    id = "FAPI601"
    name = "openapi-called-not-assigned"
    severity = Severity.ERROR
    fix = "Assign the function itself: `app.openapi = custom_openapi` (no call)."
    VALID = (
        "from fastapi import FastAPI\napp = FastAPI()\ndef custom_openapi():\n"
        "    return {}\napp.openapi = custom_openapi",
        # A factory that returns the function.
        "from fastapi import FastAPI\napp = FastAPI()\ndef make_openapi(app):\n"
        "    def openapi():\n        return {}\n    return openapi\napp.openapi = make_openapi(app)",
        "import functools\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "def custom_openapi(app):\n    return {}\n"
        "app.openapi = functools.partial(custom_openapi, app)",
        # Not an app: some object that stores a parsed specification.
        "from fastapi.openapi.utils import get_openapi\n"
        "spec.openapi = get_openapi(title='x', version='1', routes=[])",
        # An unknown callee that takes arguments may well be a factory.
        "from app.docs import custom_openapi\napp.openapi = custom_openapi(app)",
        # FastAPI's get_openapi takes keywords only: this one is the project's own factory.
        "from fastapi import FastAPI\napp = FastAPI()\napp.openapi = get_openapi(app)",
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
            "app = FastAPI()\ndef custom_openapi():\n"
            "    schema = get_openapi(title='x', version='1', routes=app.routes)\n"
            "    return schema\napp.openapi = custom_openapi()",
            line=7,
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
            "def install(app: FastAPI) -> None:\n"
            "    app.openapi = get_openapi(title='x', version='1', routes=app.routes)",
            line=4,
        ),
        Invalid(
            "from app.main import app\nfrom app.docs import custom_openapi\n"
            "app.openapi = custom_openapi()",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for assign, _ in _openapi_assignments(module):
            value = assign.value
            if value is None or value.kind != "call":
                continue
            if self._builds_schema(value, assign.function, module, project):
                callee = value.func.text if value.func is not None else value.text
                yield self.finding(
                    module,
                    assign.span,
                    f"`{callee}()` is called here: its result, a dict, replaces the `openapi` "
                    "method",
                )

    @staticmethod
    def _builds_schema(call: Expr, scope: str | None, module: Module, project: Project) -> bool:
        if call.qualname in SCHEMA_CALLS:
            return _schema_call(call)
        func = call.func
        if func is None:
            return False
        found = _function(func, scope, module, project)
        if found is not None:
            return _returns_schema(found[1], found[0])
        return func.last_name == "custom_openapi" and not call.args and not call.kwargs


def _caches(function: Function, module: Module) -> bool:
    """``function`` returns ``*.openapi_schema``, stores into it, is memoised by a decorator, or
    returns a module-level name or an item of one (a cache of its own)."""
    if any(decorator.last_name in CACHE_DECORATORS for decorator in function.decorators):
        return True
    for ret in function.returns:
        value = ret.value
        if value is None:
            continue
        if value.kind == "attribute" and value.op == "openapi_schema":
            return True
        cache = value.items[0] if value.kind == "subscript" else value
        if cache.kind == "name" and (cache.qualname or "").startswith(module.name + "."):
            return True
    return any(
        any(
            target.kind == "attribute" and target.op == "openapi_schema"
            for target in assign.targets
        )
        for assign in assignments_in(module, function.qualname)
    )


def _function_ref(value: Expr) -> Expr | None:
    """The function an ``openapi = ...`` value names: ``f``, ``mod.f``, ``partial(f, app)``."""
    if value.kind == "call" and value.qualname in FUNCTION_WRAPPERS:
        wrapped = value.arg(0, "func")
        return None if wrapped is None else _function_ref(wrapped)
    return value if value.kind in ("name", "attribute") else None


class OpenapiSchemaNotCached(Rule):
    """
    ## What it does
    Flags a custom `app.openapi` function that generates the schema with `get_openapi(...)` but
    neither returns a cached `app.openapi_schema` nor stores its result there.

    The function is the one assigned to an app's `openapi` attribute, directly or through
    `functools.partial`/`types.MethodType`. A function memoised with `functools.cache`/
    `lru_cache`, or that returns a module-level name or an item of one (its own cache, such as
    `_cache["schema"]`), is not reported; nor is one that only adjusts the schema of the original
    `app.openapi` (which caches it).

    ## Why is this bad?
    FastAPI calls `app.openapi()` on every request to `/openapi.json`, which `/docs` and `/redoc`
    load on every visit. An uncached function walks every route and every model each time, which
    is slow on a large app, and returns a fresh dict each time, so changes made to
    `app.openapi_schema` elsewhere are ignored.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.openapi.utils import get_openapi

    app = FastAPI()


    def custom_openapi() -> dict:
        schema = get_openapi(title="Shop", version="1.0.0", routes=app.routes)
        schema["info"]["x-logo"] = {"url": "https://example.com/logo.png"}
        return schema


    app.openapi = custom_openapi
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.openapi.utils import get_openapi

    app = FastAPI()


    def custom_openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title="Shop", version="1.0.0", routes=app.routes)
        schema["info"]["x-logo"] = {"url": "https://example.com/logo.png"}
        app.openapi_schema = schema
        return app.openapi_schema


    app.openapi = custom_openapi
    ```

    ## Known problems
    Only reported when the function's whole module is available (not from diff hunks alone). The
    finding sits on the function's `def` line when it is defined in the same module as the
    assignment, else on the assignment.
    """

    id = "FAPI602"
    name = "openapi-schema-not-cached"
    severity = Severity.WARNING
    fix = "Return `app.openapi_schema` when it is set, and store the generated schema there."
    VALID = (
        "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
        "app = FastAPI()\ndef custom_openapi():\n    if app.openapi_schema:\n"
        "        return app.openapi_schema\n"
        "    app.openapi_schema = get_openapi(title='x', version='1', routes=app.routes)\n"
        "    return app.openapi_schema\napp.openapi = custom_openapi",
        "import functools\nfrom fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
        "app = FastAPI()\n@functools.lru_cache\ndef custom_openapi():\n"
        "    return get_openapi(title='x', version='1', routes=app.routes)\n"
        "app.openapi = custom_openapi",
        # Decorates the original method, which caches its schema itself.
        "from fastapi import FastAPI\napp = FastAPI()\noriginal = app.openapi\n"
        "def custom_openapi():\n    schema = original()\n    schema['info']['x-logo'] = {}\n"
        "    return schema\napp.openapi = custom_openapi",
        # A cache of its own: an item of a module-level dict.
        "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
        "app = FastAPI()\n_cache = {}\ndef custom_openapi():\n    if 'schema' not in _cache:\n"
        "        _cache['schema'] = get_openapi(title='x', version='1', routes=app.routes)\n"
        "    return _cache['schema']\napp.openapi = custom_openapi",
        # Not assigned to `openapi`: a helper, e.g. for exporting the schema to a file.
        "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
        "app = FastAPI()\ndef export():\n"
        "    return get_openapi(title='x', version='1', routes=app.routes)",
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
            "app = FastAPI()\n\ndef custom_openapi():\n"
            "    return get_openapi(title='x', version='1', routes=app.routes)\n\n"
            "app.openapi = custom_openapi",
            line=5,
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.openapi.utils import get_openapi\n"
            "def install(app: FastAPI) -> None:\n    def openapi():\n"
            "        schema = get_openapi(title='x', version='1', routes=app.routes)\n"
            "        return schema\n    app.openapi = openapi",
            line=4,
        ),
        Invalid(
            "import functools\nfrom fastapi import FastAPI\n"
            "from fastapi.openapi.utils import get_openapi\napp = FastAPI()\n"
            "def build(app):\n    return get_openapi(title='x', version='1', routes=app.routes)\n"
            "app.openapi = functools.partial(build, app)",
            line=5,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        reported: set[tuple[str, str]] = set()
        for assign, receiver in _openapi_assignments(module):
            ref = _function_ref(assign.value) if assign.value is not None else None
            if ref is None:
                continue
            found = _function(ref, assign.function, module, project)
            if found is None:
                continue
            owner, function = found
            key = (owner.path, function.qualname)
            if owner.partial or key in reported or _caches(function, owner):
                continue
            if not any(_is_get_openapi(call.expr) for call in owner.calls_in(function)):
                continue
            reported.add(key)
            message = (
                f"`{function.name}` regenerates the OpenAPI schema on every call: "
                f"cache it in `{receiver.text}.openapi_schema`"
            )
            where = function.span if owner.path == module.path else assign.span
            yield self.finding(module, where, message)
