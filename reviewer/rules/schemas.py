"""FAPI2xx: request and response schemas."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from reviewer.extract.model import (
    Call,
    ClassDef,
    Expr,
    Field,
    Function,
    Module,
    Param,
    Route,
    Span,
)
from reviewer.extract.project import MayDeclare, Project
from reviewer.patterns import regex
from reviewer.record import record
from reviewer.rules.base import Autofix, Edit, Finding, Invalid, Rule, Severity, Tier
from reviewer.rules.helpers import (
    assignments_in,
    calls_named,
    method_calls,
    path_params,
    response_type,
    snake_case,
)

SCHEMA_KINDS = frozenset({"pydantic", "sqlmodel", "sqlmodel_table"})
ORM_KINDS = frozenset({"orm", "sqlmodel_table"})

# Generic containers whose arguments are what a response or a body carries.
SEQUENCES = frozenset(
    {
        "list",
        "List",
        "Sequence",
        "Iterable",
        "Collection",
        "set",
        "Set",
        "frozenset",
        "FrozenSet",
        "tuple",
        "Tuple",
        "Optional",
        "Union",
    }
)
MAPPINGS = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
UNTYPED_VALUES = frozenset({"typing.Any", "typing_extensions.Any", "Any", "object"})

# -- type expressions -> classes of the repository ---------------------------------------------


def type_refs(expr: Expr | None) -> Iterator[Expr]:
    """The class references a type expression carries: ``list[UserOut] | None`` -> ``UserOut``.

    Standard containers are unwrapped (a mapping by its value type); any other generic
    (``Page[User]``) stands for its base only.
    """
    if expr is None:
        return
    if expr.kind in ("name", "attribute", "str"):
        yield expr
    elif expr.kind == "binop" and expr.op == "|":
        for item in expr.items:
            yield from type_refs(item)
    elif expr.kind == "subscript":
        base, index = expr.items
        args = index.items if index.kind == "tuple" else (index,)
        name = base.last_name
        if name == "Annotated" and args:
            yield from type_refs(args[0])
        elif name in SEQUENCES:
            for arg in args:
                yield from type_refs(arg)
        elif name in MAPPINGS and args:
            yield from type_refs(args[-1])
        else:
            yield base


def _ref_qualname(module: Module, ref: Expr) -> str | None:
    """The qualified name of a reference; a quoted forward reference resolves through the
    imports of ``module``."""
    if ref.kind != "str":
        return ref.qualname
    head, _, rest = (ref.string or "").partition(".")
    if not head.isidentifier() or not all(part.isidentifier() for part in rest.split(".") if rest):
        return None
    base = module.import_map.get(head)
    if base is None:
        return None
    return f"{base}.{rest}" if rest else base


@record
class Model:
    """A class of the repository, with the module it is defined in and its resolved kind."""

    module: Module
    cls: ClassDef
    kind: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.module.path, self.cls.qualname)


def resolve_model(project: Project, module: Module, ref: Expr) -> Model | None:
    return named_model(project, _ref_qualname(module, ref))


def named_model(project: Project, qualname: str | None) -> Model | None:
    """The class of the repository ``qualname`` names, with its kind. Only the kinds are
    remembered (:meth:`Project.model_kind`): a model holds its module, which the project's store
    must be free to let go."""
    kind = project.model_kind(qualname) if qualname else None
    found = project.cls(qualname) if kind is not None else None
    if kind is None or found is None:
        return None
    owner, cls = found
    return Model(owner, cls, kind)


def models_of(project: Project, module: Module, expr: Expr | None) -> list[Model]:
    """The repository classes a type expression of ``module`` names, without repeats."""
    found: dict[tuple[str, str], Model] = {}
    for ref in type_refs(expr):
        model = resolve_model(project, module, ref)
        if model is not None:
            found.setdefault(model.key, model)
    return list(found.values())


def model_fields(project: Project, model: Model) -> Iterator[tuple[Model, Field]]:
    """The fields of ``model``, own first, then inherited ones (a redefinition hides the base's)."""
    names: set[str] = set()
    seen: set[tuple[str, str]] = set()
    pending = [model]
    while pending:
        current = pending.pop(0)
        if current.key in seen:
            continue
        seen.add(current.key)
        for field in current.cls.fields:
            if field.name not in names:
                names.add(field.name)
                yield current, field
        for base in current.cls.bases:
            parent = resolve_model(project, current.module, base)
            if parent is not None:
                pending.append(parent)


def is_required(field: Field) -> bool:
    """A model field with no default (``= Field(...)`` and ``= Field(min_length=1)`` included)."""
    default = field.default
    if default is None:
        return True
    if default.kind != "call" or default.last_name != "Field":
        return False
    first = default.arg(0, "default")
    if first is not None:
        return first.text == "..."
    return default.kwarg("default_factory") is None


# -- routes ----------------------------------------------------------------------------------


def response_models(project: Project, module: Module, route: Route) -> list[Model]:
    return models_of(project, module, response_type(route))


def body_params(route: Route) -> Iterator[Param]:
    """Parameters FastAPI may read from the body: no marker (or ``Body()``), not in the path."""
    placeholders = path_params(route.path)
    for param in route.handler.params:
        if param.kind in ("varargs", "varkw") or param.name in placeholders:
            continue
        if param.marker is not None and param.marker_name != "Body":
            continue
        yield param


def app_routes(module: Module) -> tuple[Route, ...]:
    """The routes of an application module; a test module's throwaway apps are not reviewed."""
    return () if module.is_test else module.routes


def route_label(module: Module, route: Route) -> str:
    """``GET /users/{user_id}`` (with the router's prefix), or the handler name."""
    path = module.route_path(route)
    if path is None:
        return route.handler.name
    method = "route" if route.method == "API_ROUTE" else route.method
    return f"{method} {path}"


_VERBS = frozenset(
    {
        "get",
        "list",
        "read",
        "fetch",
        "create",
        "add",
        "update",
        "edit",
        "delete",
        "remove",
        "search",
        "find",
        "all",
        "new",
        "by",
        "id",
        "api",
        "v1",
        "v2",
    }
)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def resource_name(module: Module, route: Route) -> str:
    """The resource a route serves, as a class name: ``Order`` for ``GET /orders/{order_id}``
    or for ``list_orders`` when the path says nothing; ``Item`` when nothing does."""
    path = module.route_path(route) or ""
    segments = [part for part in path.split("/") if part and not part.startswith("{")]
    words = [word for word in re.split(r"[-_.]", segments[-1]) if word] if segments else []
    if not words or all(word.lower() in _VERBS for word in words):
        words = [w for w in route.handler.name.split("_") if w and w.lower() not in _VERBS]
    words = [word for word in words if word.isidentifier() and word.lower() not in _VERBS]
    if not words:
        return "Item"
    returns = {ret.value.kind for ret in route.handler.returns if ret.value is not None}
    named_last = not path.rstrip("/").rpartition("/")[2].startswith("{")
    if not (route.method == "GET" and named_last and returns == {"dict"}):  # `GET /stats`: a dict
        words[-1] = _singular(words[-1].lower())
    return "".join(word[:1].upper() + word[1:] for word in words)


def _lists(module: Module, route: Route) -> bool:
    """The route returns a collection: a list literal, or (when its returns do not say, and no
    dict literal is returned) a ``GET`` whose path ends in a plural name (``/orders``), not in a
    ``{parameter}`` or a singular one (``/status``)."""
    kinds = {ret.value.kind for ret in route.handler.returns if ret.value is not None}
    if kinds & {"list", "dict"}:
        return "list" in kinds
    last = (module.route_path(route) or "").rstrip("/").rpartition("/")[2]
    word = re.split(r"[-_.]", last)[-1].lower()
    return route.method == "GET" and word.isalpha() and _singular(word) != word


def _route_words(module: Module, route: Route) -> str:
    """The path, handler name and router prefix of a route, lower-cased, for keyword tests."""
    return " ".join((module.route_path(route) or "", route.handler.name)).lower()


# -- FAPI201 ---------------------------------------------------------------------------------


Scope = tuple[Module, str]
"""A module and the qualified name of a function in it: where a bare name is looked up."""


def _is_response(project: Project, expr: Expr, scope: Scope, depth: int = 0) -> bool:
    """``expr`` evidently evaluates to a ``Response`` (so FastAPI sends it as it is): a
    response class or a call named like one (``templates.TemplateResponse``, ``redirect``,
    ``sso.get_login_redirect``), a name typed or named so, or a call of (or a name assigned from)
    a repository function that returns one; ``scope`` is the function ``expr`` is in."""
    if expr.kind == "await" and expr.items:
        return _is_response(project, expr.items[0], scope, depth)
    if expr.kind == "call":
        name = expr.qualname or ""
        callee = expr.last_name.lower()
        if "response" in callee or callee.endswith("redirect"):
            return True
        return _returns_response(project, _function(project, name, scope), depth)
    if expr.kind in ("name", "attribute"):
        kind = expr.type or ""
        return (
            kind.endswith("Response")
            or "response" in expr.last_name.lower()
            or _returns_response(project, _function(project, kind, scope), depth)
        )
    return False


def _function(project: Project, qualname: str, scope: Scope) -> tuple[Module, Function] | None:
    """The repository function ``qualname`` names, a method of the class another repository
    function is annotated to return (``get_handler(...).handle``), or, for a bare name, a function
    nested in the one in ``scope`` or next to it (a helper defined inside the handler, or inside
    ``create_app()`` beside its routes)."""
    found = project.function(qualname) if qualname else None
    if found is None and "." in qualname:
        found = _method_of_result(project, qualname)
    if found is not None or not qualname or "." in qualname:
        return found
    module, enclosing = scope
    while enclosing:
        function = module.function(f"{enclosing}.{qualname}")
        if function is not None:
            return module, function
        enclosing = enclosing.rpartition(".")[0]
    return None


def _method_of_result(project: Project, qualname: str) -> tuple[Module, Function] | None:
    """``pkg.get_handler.handle``: the ``handle`` method of the class ``get_handler`` is
    annotated to return (a name assigned from a call is typed with the called function)."""
    head, _, method = qualname.rpartition(".")
    factory = project.function(head)
    if factory is None or factory[1].returns_annotation is None:
        return None
    refs = list(type_refs(factory[1].returns_annotation))
    if len(refs) != 1 or not refs[0].qualname:
        return None
    return project.function(f"{refs[0].qualname}.{method}")


def _guarded_response(module: Module, handler: Function, value: Expr) -> bool:
    """``value`` is a name returned inside ``if isinstance(value, JSONResponse):`` (a helper
    that answers either a result or the error response to send)."""
    if value.kind != "name":
        return False
    lines = module.lines
    for call in module.calls_in(handler):
        first = call.expr.arg(0)
        kinds = call.expr.arg(1)
        if (
            call.qualname != "isinstance"
            or first is None
            or kinds is None
            or first.text != value.text
            or "Response" not in kinds.text
        ):
            continue
        line = lines[call.span.line - 1]
        indent = len(line) - len(line.lstrip())
        if not line.lstrip().startswith(("if ", "elif ")) or value.span.line <= call.span.line:
            continue
        inside = lines[call.span.line : value.span.line]
        if all(not text.strip() or len(text) - len(text.lstrip()) > indent for text in inside):
            return True
    return False


def _returns_response(project: Project, found: tuple[Module, Function] | None, depth: int) -> bool:
    """The repository function ``found`` returns a ``Response``: it is annotated so, or,
    unannotated, every value it returns is one."""
    if found is None or depth >= 3:
        return False
    module, function = found
    if function.returns_annotation is not None:
        refs = list(type_refs(function.returns_annotation))
        return bool(refs) and all(ref.last_name.endswith("Response") for ref in refs)
    values = [ret.value for ret in function.returns if ret.value is not None]
    scope = (module, function.qualname)
    return bool(values) and all(_is_response(project, value, scope, depth + 1) for value in values)


def _returns_none(project: Project, expr: Expr) -> bool:
    """``expr`` is ``None``, or a call of a repository function annotated ``-> None``."""
    if expr.kind == "await" and expr.items:
        expr = expr.items[0]
    if expr.kind == "none":
        return True
    found = project.function(expr.qualname) if expr.kind == "call" else None
    annotation = found[1].returns_annotation if found is not None else None
    return annotation is not None and annotation.kind == "none"


def _default_response_classes(module: Module, route: Route) -> Iterator[Expr]:
    """The ``default_response_class=`` given, in this module, to the app or router the route is
    registered on, or to the ``include_router(...)`` call that includes that router."""
    calls = {call.span: call.expr for call in module.calls}
    wiring = [app.call for app in module.apps if app.name == route.owner]
    wiring.extend(
        calls[include.span]
        for include in module.includes
        if include.router.text == route.owner and include.span in calls
    )
    for call in wiring:
        default = call.kwarg("default_response_class")
        if default is not None:
            yield default


class MissingResponseModel(Rule):
    """
    ## What it does
    Flags a route that returns data but declares neither `response_model=` nor a return
    annotation. Routes with `response_model=None`, `response_class=`, `status_code=204` or
    `include_in_schema=False` are left alone, and so are routes whose decorator spreads
    `**options` (which may hold any of these), and routes of an app or router given a non-JSON
    `default_response_class=` in the same module (`FastAPI(default_response_class=HTMLResponse)`,
    `app.include_router(pages, default_response_class=HTMLResponse)`).

    Returns that evidently build a `Response` are not data: `JSONResponse(...)`,
    `templates.TemplateResponse(...)`, `RedirectResponse(...)`, a call named like a redirect
    (`redirect(...)`, `sso.get_login_redirect()`), a `response` variable, and a call of a
    repository function (or method, or a helper nested beside the handler in an app factory)
    annotated to return a `Response`, or whose every return builds one; a helper nested in the
    handler counts, and so does a method of the class a repository function is annotated to
    return (`handler = get_handler(request)` then `return handler.handle(request)`). A name
    returned inside `if isinstance(name, JSONResponse):` is a response too. Returning the result of a repository function annotated `-> None` returns no
    data, and handlers that stream with `yield` have no `return` of data: neither is reported.

    ## Why is this bad?
    Without a declared type FastAPI neither validates nor filters the output: whatever the handler
    returns (every ORM column, internal keys) goes to the client, and the OpenAPI schema shows an
    empty response, so generated clients get `any`.

    ## Example
    ```python
    @router.get("/users/{user_id}")
    async def read_user(user_id: int, db: AsyncSession = Depends(get_db)):
        return await db.get(User, user_id)
    ```

    ## Use instead
    ```python
    @router.get("/users/{user_id}", response_model=UserOut)
    async def read_user(user_id: int, db: AsyncSession = Depends(get_db)) -> User:
        return await db.get(User, user_id)
    ```

    ## Known problems
    A route that returns a `Response` on one path and plain data on another is still reported:
    the data path has no declared shape.
    """

    id = "FAPI201"
    name = "missing-response-model"
    severity = Severity.WARNING
    fix = "Declare the response shape: `response_model=UserOut` or a return annotation."
    VALID = (
        "@app.get('/items')\nasync def items() -> list[Item]:\n    return []",
        "@app.get('/items', response_model=list[Item])\nasync def items():\n    return []",
        "from fastapi.responses import PlainTextResponse\n"
        "@app.get('/ping', response_class=PlainTextResponse)\ndef ping():\n    return 'pong'",
        "@app.delete('/items/{i}', status_code=204)\ndef delete(i: int):\n    return None",
        "from fastapi import status\n"
        "@app.delete('/items/{i}', status_code=status.HTTP_204_NO_CONTENT)\n"
        "def delete(i: int):\n    return store.pop(i)",
        "@app.get('/debug', include_in_schema=False)\ndef debug():\n    return {'ok': True}",
        "from fastapi.responses import JSONResponse\n@app.get('/x')\ndef x():\n"
        "    return JSONResponse({'a': 1})",
        "@app.get('/')\ndef home(request: Request):\n"
        "    return templates.TemplateResponse(request, 'home.html')",
        "from fastapi.responses import StreamingResponse\n@app.get('/csv')\ndef csv():\n"
        "    response = StreamingResponse(rows())\n    return response",
        "@app.post('/jobs', status_code=202)\nasync def enqueue(job: Job):\n    queue.put(job)",
        "def helper():\n    return {'a': 1}",
        # The app's default response class is HTML: the route answers a page, not data.
        "from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse\n"
        "app = FastAPI(default_response_class=HTMLResponse)\n@app.get('/')\ndef home():\n"
        "    return '<h1>Home</h1>'",
        # Helpers that build a redirect: by name, or by what a repository function returns.
        "@app.get('/auth/{provider}')\nasync def login(provider: str):\n"
        "    return await sso.get_login_redirect(state=provider)",
        "from fastapi.responses import RedirectResponse\ndef to_list(request):\n"
        "    return RedirectResponse(request.url_for('list_view'), status_code=303)\n"
        "@app.post('/items/{i}/update')\nasync def update(i: int, request: Request):\n"
        "    return to_list(request)",
        "from fastapi import Response\nclass Backend:\n"
        "    async def logout(self, token: str) -> Response:\n        return Response(status_code=204)\n"
        "@app.post('/logout')\nasync def logout(token: str, backend: Backend = Depends(get_backend)):\n"
        "    return await backend.logout(token)",
        "from fastapi.responses import HTMLResponse\npages = APIRouter()\n@pages.get('/')\n"
        "def home():\n    return '<h1>Home</h1>'\n"
        "app.include_router(pages, default_response_class=HTMLResponse)",
        "async def remove(item_id: int) -> None:\n    await db.delete(item_id)\n"
        "@app.delete('/items/{item_id}')\nasync def delete_item(item_id: int):\n"
        "    return await remove(item_id)",
        # A helper nested beside the routes (inside the app factory) streams the answer.
        "from fastapi.responses import StreamingResponse\ndef create_app():\n"
        "    router = APIRouter()\n    async def stream_events(request):\n"
        "        return StreamingResponse(events(request))\n    @router.get('/events')\n"
        "    async def events_route(request: Request):\n"
        "        return await stream_events(request)\n    return router",
        # Options spread from a dict may declare the response model.
        "@router.get('/names', **LIST_OPTIONS)\ndef names():\n    return ['a']",
        # A generator handler streams its items; it returns no data.
        "@app.get('/items/stream')\nasync def stream():\n    for item in items:\n        yield item",
        # A helper nested in the handler itself builds the response.
        "from fastapi.responses import JSONResponse\n@app.get('/logs/{name}')\n"
        "async def logs(name: str):\n    def download(path):\n"
        "        return JSONResponse(read(path))\n    return download(name)",
        # A factory returns a handler object whose method answers the response.
        "from fastapi import Response\nclass SlackHandler:\n"
        "    def handle(self, request) -> Response:\n        return Response(status_code=200)\n"
        "def get_handler(request) -> SlackHandler:\n    return SlackHandler()\n"
        "@app.post('/slack/actions')\nasync def actions(request: Request):\n"
        "    handler = get_handler(request)\n    return handler.handle(request)",
        # The helper's error response is returned under an isinstance guard.
        "from fastapi.responses import JSONResponse\n@app.put('/users/{name}/role')\n"
        "async def set_role(request: Request, name: str):\n"
        "    current = await get_current_user(request)\n"
        "    if isinstance(current, JSONResponse):\n        return current\n"
        "    save_role(name)\n    return JSONResponse({'success': True})",
    )
    INVALID = (
        Invalid("@app.get('/items')\nasync def items():\n    return await load()", line=1),
        Invalid(
            "router = APIRouter()\n\n@router.post('/users', status_code=201)\n"
            "def create(user: UserCreate):\n    return {'id': 1}",
            line=3,
        ),
        Invalid(
            "from fastapi.responses import JSONResponse\n@app.get('/items/{i}')\n"
            "def item(i: int):\n    if i < 0:\n        return JSONResponse({'detail': 'no'}, 404)\n"
            "    return db[i]",
            line=2,
        ),
        # Past the isinstance guard, the same name is data.
        Invalid(
            "from fastapi.responses import JSONResponse\n@app.get('/me')\n"
            "async def me(request: Request):\n    current = await get_current_user(request)\n"
            "    if isinstance(current, JSONResponse):\n        return current\n"
            "    return current",
            line=2,
        ),
        # ORJSONResponse still sends the handler's data undeclared.
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.responses import ORJSONResponse\n"
            "app = FastAPI(default_response_class=ORJSONResponse)\n@app.get('/items')\n"
            "def items():\n    return load_items()",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for route in app_routes(module):
            if self._declared(module, route):
                continue
            data = [
                ret
                for ret in route.handler.returns
                if ret.value is not None
                and not _returns_none(project, ret.value)
                and not _is_response(project, ret.value, (module, route.handler.qualname))
                and not _guarded_response(module, route.handler, ret.value)
            ]
            if data:
                model = f"{resource_name(module, route)}Out"
                shape = f"list[{model}]" if _lists(module, route) else model
                yield self.finding(
                    module,
                    route.span,
                    f"`{route_label(module, route)}` returns data with no `response_model=` "
                    "or return annotation",
                    fix=f"Declare the response shape: `response_model={shape}` (a model of the "
                    "fields clients may see) or a return annotation.",
                )

    @staticmethod
    def _declared(module: Module, route: Route) -> bool:
        if route.handler.returns_annotation is not None:
            return True
        options = {key for key, _ in route.decorator.kwargs}
        if options & {"response_model", "response_class", "**"}:
            return True
        if any(
            "JSON" not in default.last_name for default in _default_response_classes(module, route)
        ):
            return True
        include = route.option("include_in_schema")
        if include is not None and include.kind == "bool" and include.value is False:
            return True
        status = route.option("status_code")
        return status is not None and (
            status.value == 204 or "204" in status.text or "NO_CONTENT" in status.text
        )


# -- FAPI202 ---------------------------------------------------------------------------------

ALWAYS_SENSITIVE = frozenset({"password", "hashed_password", "password_hash"})
"""Secrets no response has a reason to carry."""
ISSUED_CREDENTIALS = frozenset(
    {
        "access_token",
        "refresh_token",
        "session_token",
        "api_key",
        "secret",
        "client_secret",
        "private_key",
    }
)
"""Secrets a credential-issuing endpoint exists to return (once)."""
RESPONSE_NAME = regex(r"(Response|Out|Read|Public)$")
ROUTES_OR_RESPONSE_NAMES = regex(
    r"(?im)^[ \t]*@[^\n]*\.(get|post|put|patch|delete|head|options|trace|api_route)[ \t]*\("
    r"|class \w+(Response|Out|Read|Public)\b"
)
"""Text of a module that may declare a route (a decorator: ``dict.get(`` calls, everywhere in real
code, are no reason to parse a module) or a response-named class (a cheap pre-filter)."""
CREDENTIAL_ROUTE = regex(
    r"log-?in|log_in|sign-?in|sign_in|token|refresh|oauth|api[-_]?keys?|secret|credential"
    r"|otp|mfa|2fa|exchange"
)
CREDENTIAL_MODEL = regex(r"token|login|signin|auth|credential|session|key|secret|otp|mfa")
CLIENT_OWNERS = frozenset(
    {"client", "app", "application", "integration", "oauth", "oauth2", "credential", "provider"}
)
"""Words of a model name that make its ``client_secret`` an OAuth client's credential."""


def _hidden(field: Field) -> bool:
    """The field never reaches the client: ``Field(exclude=True)``, a ``SecretStr``, or a
    ``ClassVar`` (not a field at all)."""
    markers = [field.default] if field.default is not None else []
    if field.annotation is not None:
        if (
            field.annotation.kind == "subscript"
            and field.annotation.items[0].last_name == "ClassVar"
        ):
            return True
        markers.extend(e for e in field.annotation.walk() if e.kind == "call")
    for marker in markers:
        if marker.kind == "call" and marker.last_name == "Field":
            exclude = marker.kwarg("exclude")
            if exclude is not None and exclude.is_true:
                return True
    return any(ref.last_name in ("SecretStr", "SecretBytes") for ref in type_refs(field.annotation))


def _maybe_secret(reached: Reached) -> bool:
    """Named like a secret for some route (:func:`_secret_name` whether or not the route issues
    credentials)."""
    return snake_case(reached.field.name) in ALWAYS_SENSITIVE | ISSUED_CREDENTIALS


def _secret_name(field: Field, issues_credentials: bool) -> bool:
    name = snake_case(field.name)
    return name in ALWAYS_SENSITIVE or (name in ISSUED_CREDENTIALS and not issues_credentials)


def _sensitive(project: Project, reached: Reached, issues_credentials: bool) -> bool:
    """A secret the response sends: named like one, not hidden, not a nested model (a
    ``api_key: ApiKeyRead`` holds a preview and dates; its own fields are checked), and not the
    ``client_secret`` of a payment or checkout session (Stripe-style client secrets exist to be
    handed to the browser): that of an OAuth client has a ``client_id`` beside it or a model
    named for a client, an app or an integration."""
    field = reached.field
    if not _secret_name(field, issues_credentials) or _hidden(field):
        return False
    refs = list(type_refs(field.annotation))
    models = models_of(project, reached.model.module, field.annotation)
    if refs and len(models) == len(refs) and all(m.kind in SCHEMA_KINDS for m in models):
        return False
    if snake_case(field.name) == "client_secret":
        names = {snake_case(other.name) for _, other in model_fields(project, reached.model)}
        words = {word.lower() for word in CAMEL_WORD.findall(reached.model.cls.name)}
        return "client_id" in names or bool(words & CLIENT_OWNERS)
    return True


def _reported_at_field(reached: Reached) -> bool:
    """The change adds this field: the finding on the field itself covers the route."""
    return reached.field.span.line in reached.model.module.added_lines


@record
class Reached:
    """A field serialized into a response: the model that declares it, and the field."""

    model: Model
    field: Field


def response_fields(project: Project, root: Model) -> Iterator[Reached]:
    """Every field a response of ``root`` carries: own, inherited, and those of nested models."""
    seen: set[tuple[str, str]] = set()
    pending = [root]
    while pending:
        current = pending.pop(0)
        if current.key in seen or current.kind == "orm":
            continue
        seen.add(current.key)
        for owner, field in model_fields(project, current):
            yield Reached(owner, field)
            pending.extend(models_of(project, owner.module, field.annotation))


@record
class Root:
    """A model the application sends to clients."""

    model: Model
    issues_credentials: bool
    """Token fields are expected: every route returning it issues credentials, or (no route seen)
    its name or its ``token_type`` field says so (``Token``, ``LoginResponse``, ``ApiKeyOut``)."""
    named_only: bool = False
    """No route returns it: it is a root for its name alone (``*Response``, ``*Out``...)."""


def _redacts(project: Project, module: Module, function: Function, depth: int = 0) -> bool:
    """The handler masks what it returns: it calls a ``*redact*``/``*mask*`` function
    (``_redact_credentials(server)``, ``get_masked_values(params)``), itself or in a repository
    function it calls (a helper that builds the response)."""
    for call in module.calls_in(function):
        name = call.expr.last_name.lower()
        if "redact" in name or "mask" in name:
            return True
        found = project.function(call.qualname) if depth == 0 else None
        if found is not None and _redacts(project, found[0], found[1], depth + 1):
            return True
    return False


def _is_credential_route(module: Module, route: Route) -> bool:
    return CREDENTIAL_ROUTE.search(_route_words(module, route)) is not None


def _token_response(project: Project, model: Model) -> bool:
    """The shape of an OAuth2 token response (RFC 6749): the model declares ``token_type``."""
    return any(field.name == "token_type" for _, field in model_fields(project, model))


def _credential_name(model: Model) -> bool:
    """Named for a credential: ``Token``, ``LoginResponse``, ``WebhookSecret``."""
    return CREDENTIAL_MODEL.search(model.cls.name.lower()) is not None


def _credential_model(project: Project, model: Model) -> bool:
    return _credential_name(model) or _token_response(project, model)


MINTS_CREDENTIAL = regex(
    r"(create|generate|issue|mint|rotate|regenerate)\w*(key|secret|token|credential)"
)
"""A call that makes a new credential: ``create_client_and_secret``, ``get_or_create_api_key``."""


def _mints_credentials(module: Module, function: Function) -> bool:
    return any(
        MINTS_CREDENTIAL.search(call.expr.last_name.lower()) for call in module.calls_in(function)
    )


def _issues_credentials(project: Project, module: Module, route: Route, model: Model) -> bool:
    """``route`` hands out the credentials ``model`` carries: a login, token, refresh or API-key
    route, any route answering a token response, a handler that makes the credential it answers
    (``create_client_and_secret(...)``, ``get_or_create_api_key(...)``), or a ``POST`` creating
    a model named for a credential (a webhook's secret is shown once, when it is created)."""
    if _is_credential_route(module, route) or _token_response(project, model):
        return True
    if _mints_credentials(module, route.handler):
        return True
    return route.method == "POST" and _credential_name(model)


def response_roots(project: Project) -> list[Root]:
    """Models returned by some route, and schema classes named like responses, sorted by name."""
    return project.memo("FAPI202.response_roots", lambda: _response_roots(project))


def _sent_models(project: Project, module: Module, route: Route) -> list[Model]:
    """The models a route's response declares, and those a generic response names as its
    arguments (``LLMProviderResponse[VisionProviderResponse]`` sends the latter too)."""
    found = {model.key: model for model in response_models(project, module, route)}
    expr = response_type(route)
    for node in expr.walk() if expr is not None else ():
        if node.kind == "subscript" and node.items[0].last_name not in SEQUENCES | MAPPINGS:
            for model in models_of(project, module, node.items[1]):
                found.setdefault(model.key, model)
    return list(found.values())


def _response_roots(project: Project) -> list[Root]:
    usages: dict[tuple[str, str], tuple[Model, list[bool]]] = {}
    named: dict[tuple[str, str], Model] = {}
    masked: set[tuple[str, str]] = set()
    may_hold = MayDeclare(RESPONSE_NAME)  # sure, for the changed modules
    for module in project.modules_mentioning(may_hold, ROUTES_OR_RESPONSE_NAMES):
        if module.is_test:
            continue
        for route in module.routes:
            if _redacts(project, module, route.handler):
                masked.update(model.key for model in _sent_models(project, module, route))
                continue
            for model in _sent_models(project, module, route):
                credential = _issues_credentials(project, module, route, model)
                usages.setdefault(model.key, (model, []))[1].append(credential)
        for cls in module.classes:
            if RESPONSE_NAME.search(cls.name):
                kind = project.class_kind(cls, module)
                if kind in SCHEMA_KINDS:
                    model = Model(module, cls, kind)
                    named[model.key] = model
    roots = [Root(model, all(flags)) for model, flags in usages.values()]
    roots.extend(
        Root(model, _credential_model(project, model), named_only=True)
        for key, model in named.items()
        if key not in usages and key not in masked
    )
    return sorted(roots, key=lambda root: (root.model.cls.name, root.model.key))


VALIDATE_METHODS = frozenset(
    {"model_validate", "model_validate_json", "parse_obj", "parse_raw", "validate_python"}
)


class _Validating:
    """Text holding one of ``names`` and one of :data:`VALIDATE_METHODS`: every module that can
    hold a call :func:`_parsed_from_remote` looks for (so the others are not built to look)."""

    def __init__(self, names: Collection[str]) -> None:
        self.names = names

    def search(self, text: str) -> bool:
        return any(name in text for name in self.names) and any(
            method in text for method in VALIDATE_METHODS
        )


def _parsed_from_remote(project: Project, names: Collection[str]) -> frozenset[str]:
    """Those of ``names`` (model class names) the repository fills from another service's answer
    (``DCRResponse.model_validate(response.json())``): ``*Response`` classes it reads, not ones
    it sends. One pass over the repository for them all: each pass reads every file's text."""
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    mentioning = re.compile(rf"\b(?:{alternatives})\.(model_validate|parse_obj|parse_raw)")
    found: set[str] = set()
    for module in project.modules_mentioning(_Validating(names), mentioning):
        found.update(_validated_from_remote(module, names))
        if found.issuperset(names):
            break
    return frozenset(found)


def _validated_from_remote(module: Module, names: Collection[str]) -> set[str]:
    """Those of ``names`` whose ``Name.model_validate(...)`` (or another validating method) is
    called in ``module`` on a response's ``.json()``, ``.text`` or ``.content``."""
    called: set[str] = set()
    for call in method_calls(module, VALIDATE_METHODS):
        receiver = call.expr.items[0].items[0]
        if receiver.last_name not in names:
            continue
        argument = call.expr.arg(0)
        if argument is not None and any(
            (inner.kind == "call" and inner.last_name == "json")
            or (inner.kind == "attribute" and inner.op in ("text", "content"))
            for inner in argument.walk()
        ):
            called.add(receiver.last_name)
    return called


def _carrying_secrets(project: Project, roots: list[Root]) -> set[str]:
    """The names of the roots for their name alone that carry a sensitive field: those whose
    findings :func:`_parsed_from_remote` may take back."""
    return {
        root.model.cls.name
        for root in roots
        if root.named_only
        and any(
            _sensitive(project, reached, root.issues_credentials)
            for reached in response_fields(project, root.model)
        )
    }


class SensitiveFieldInResponse(Rule):
    """
    ## What it does
    Flags a field named like a secret (`password`, `hashed_password`, `password_hash`, `secret`,
    `client_secret`, `api_key`, `access_token`, `refresh_token`, `session_token`, `private_key`)
    in a model sent to clients: a route's `response_model`, its return annotation (also inside
    `list[...]`/`Optional[...]`), a schema class named `*Response`/`*Out`/`*Read`/`*Public`, and
    the models these inherit from or nest.

    Only secrets are reported. Authorization state (`is_superuser`, `is_admin`, `role`,
    `permissions`) is not: clients need it to show what a user may do, and the server decides
    on it anyway. Accepting it from a client is the mistake (FAPI207).

    Models returned only by credential-issuing routes (login, `/token`, refresh, a code
    exchange, API-key or secret creation, a handler that makes the credential it answers, as
    `create_client_and_secret(...)` or `get_or_create_api_key(...)`, or a `POST` creating a model
    named for a credential, such as `WebhookSecret`) may carry the credential they issue, and so
    may a model shaped like an OAuth2 token response (it declares `token_type`); a `SecretStr`
    field or one with `Field(exclude=True)` never reaches the client and is not reported, nor is
    a model returned by a handler that calls a `*redact*`/`*mask*` function (it masks the
    secrets before sending them; a model a generic response names, as in
    `ProviderResponse[VisionProviderResponse]`, counts as returned).

    A field named like a secret whose type is a model (`api_key: ApiKeyPreview`) is not itself
    the secret (the nested model's fields are checked). A `client_secret` with no `client_id`
    beside it, on a model not named for a client, an app or an integration, is a payment or
    checkout session's client secret (Stripe's design), made to be handed to the browser, not
    an OAuth client's credential. A class named like a response that
    no route returns and that the repository fills from another service's answer
    (`RegistrationResponse.model_validate(answer.json())`) is read, not sent.

    Where it is reported: on the field when the field is defined in the module under review
    (adding the field is the change to look at), else on the route's `response_model=`/return
    annotation (returning a model defined elsewhere is the change).

    ## Why is this bad?
    Everything in the response model is serialized: password hashes can be cracked offline, and
    a leaked token or key is a session anyone who reads a log, a cache or a browser's history
    can use.

    ## Example
    ```python
    from pydantic import BaseModel


    class UserOut(BaseModel):
        id: int
        email: str
        hashed_password: str


    @router.get("/users/me", response_model=UserOut)
    async def me(user: User = Depends(get_current_user)) -> User:
        return user
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel


    class UserOut(BaseModel):
        id: int
        email: str


    @router.get("/users/me", response_model=UserOut)
    async def me(user: User = Depends(get_current_user)) -> User:
        return user
    ```

    ## Known problems
    A class named like a response that no code uses (or returns through a router the engine
    does not recognise, such as a project's own `APIRouter` subclass) is still reported for its
    name. A secret that another field of the same response already reveals (a webhook secret
    that is also the last segment of the webhook's `url`) is reported. A change that adds both
    the field and, in another module, a route returning its model is
    reported at both places. A route added next to an unchanged model that already leaks is not
    reported: the finding belongs to the field's line, which the change does not touch.
    """

    id = "FAPI202"
    tier = Tier.PREVIEW
    cwe = (200,)
    name = "sensitive-field-in-response"
    severity = Severity.WARNING
    fix = "Remove the field from the response model (keep it on an internal/DB model only)."
    VALID = (
        "from pydantic import BaseModel\nclass UserCreate(BaseModel):\n    password: str",
        "from pydantic import BaseModel\nclass Token(BaseModel):\n    access_token: str\n"
        "    token_type: str\n@app.post('/token', response_model=Token)\n"
        "def login(form: Form) -> dict:\n    return issue(form)",
        "from pydantic import BaseModel\nclass LoginResponse(BaseModel):\n"
        "    access_token: str\n    refresh_token: str",
        "from typing import ClassVar\nfrom pydantic import BaseModel, Field, SecretStr\n"
        "class UserOut(BaseModel):\n    api_key: SecretStr\n"
        "    password: str = Field(exclude=True)\n    role: ClassVar[str] = 'member'",
        "from pydantic import BaseModel\nclass UserInDB(BaseModel):\n    hashed_password: str\n"
        "@app.get('/me', response_model=None)\ndef me() -> UserInDB:\n    return load()",
        "from pydantic import BaseModel\nclass PasswordChange(BaseModel):\n"
        "    old_password: str\n    new_password: str\n"
        "@app.post('/me/password', status_code=204)\ndef change(body: PasswordChange) -> None:\n"
        "    save(body)",
        "from pydantic import BaseModel\nclass UserOut(BaseModel):\n    token_type: str\n"
        "    has_password: bool",
        # The OAuth2 token response shape, whatever its name.
        "from pydantic import BaseModel\nclass BearerResponse(BaseModel):\n"
        "    access_token: str\n    token_type: str",
        # The secret is shown once, by the POST that creates it; reads return `Webhook`.
        "from pydantic import BaseModel\nclass Webhook(BaseModel):\n    url: str\n"
        "class WebhookSecret(Webhook):\n    secret: str\n"
        "@app.post('/webhooks', response_model=WebhookSecret, status_code=201)\n"
        "def create(body: WebhookCreate):\n    return save(body)\n"
        "@app.get('/webhooks/{i}', response_model=Webhook)\ndef read(i: int):\n    return load(i)",
        # Authorization state is not a secret: clients need it (changed 2026-12-07).
        "from pydantic import BaseModel\nclass UserOut(BaseModel):\n    id: int\n"
        "    role: str\n    is_superuser: bool\n    is_admin: bool = False\n"
        "@app.get('/users/me', response_model=UserOut)\ndef me():\n    return load()",
        "from pydantic import BaseModel\nclass ChatMessage(BaseModel):\n    role: str\n"
        "    content: str\nclass ChatResponse(BaseModel):\n    messages: list[ChatMessage]",
        # A key pair is created once, and its private half shown only then.
        "from pydantic import BaseModel\nclass DeployKey(BaseModel):\n    public_key: str\n"
        "    private_key: str\n@app.post('/deploy-keys', response_model=DeployKey)\n"
        "def create_key():\n    return generate()",
        # The handler masks the credentials it returns.
        "from pydantic import BaseModel\nclass ServerConfig(BaseModel):\n    url: str\n"
        "    client_secret: str | None = None\n"
        "@app.get('/servers/{i}', response_model=ServerConfig)\nasync def server(i: int):\n"
        "    return redact_credentials(await load(i))",
        "from pydantic import BaseModel\nclass Plugin(BaseModel):\n    name: str\n"
        "    api_key: str | None = None\ndef listing(rows):\n"
        "    return [Plugin(**mask_values(row)) for row in rows]\n"
        "@app.get('/plugins', response_model=list[Plugin])\nasync def plugins():\n"
        "    return listing(await load())",
        # A code exchange issues the API key it answers.
        "from pydantic import BaseModel\nclass ConnectResult(BaseModel):\n    api_key: str\n"
        "@app.post('/connect/exchange', response_model=ConnectResult)\n"
        "def connect_exchange(body: ExchangeIn):\n    return issue_key(body.code)",
        # The handler makes the credential it answers, whatever the route is called.
        "from pydantic import BaseModel\nclass ClientCreated(BaseModel):\n    client_id: str\n"
        "    client_secret: str\n@app.post('/clients', response_model=ClientCreated)\n"
        "def add_client(body: ClientIn):\n"
        "    client, secret = Client.create_client_and_secret(db, scopes=body.scopes)\n"
        "    return ClientCreated(client_id=client.id, client_secret=secret)",
        "from pydantic import BaseModel\nclass HookSettings(BaseModel):\n    url: str\n"
        "    apiKey: str\n@app.get('/settings/hook')\ndef hook_settings(me: Me) -> HookSettings:\n"
        "    key = get_or_create_api_key(me.tenant_id, name='hook')\n"
        "    return HookSettings(url=HOOK_URL, apiKey=key)",
        # A payment session's client secret is made for the browser (no `client_id` beside it).
        "from pydantic import BaseModel\nclass CheckoutSession(BaseModel):\n    id: str\n"
        "    status: str\n    client_secret: str\n"
        "@app.get('/checkouts/{i}', response_model=CheckoutSession)\ndef checkout(i: str):\n"
        "    return load(i)",
        # `api_key` holds a nested model (a preview and dates), not the key.
        "from pydantic import BaseModel\nclass KeyPreview(BaseModel):\n    preview: str\n"
        "    revoked: bool\nclass HookRead(BaseModel):\n    url: str\n"
        "    api_key: KeyPreview | None = None\n"
        "@app.get('/hooks/{i}', response_model=HookRead)\ndef hook(i: int):\n    return load(i)",
        # A generic response names the model; the handler masks what it sends.
        "from pydantic import BaseModel\nclass ProviderView(BaseModel):\n    name: str\n"
        "    api_key: str | None = None\nclass ProviderResponse(BaseModel):\n"
        "    items: list\nclass VisionProviderResponse(ProviderView):\n"
        "    models: list[str]\n@app.get('/vision-providers')\n"
        "def vision() -> ProviderResponse[VisionProviderResponse]:\n"
        "    views = [mask_credentials(view) for view in load()]\n"
        "    return ProviderResponse(items=views)",
        # Another service's answer, read by the application: named `*Response`, never sent.
        "from pydantic import BaseModel\nclass RegistrationResponse(BaseModel):\n"
        "    client_id: str\n    client_secret: str | None = None\n"
        "async def register(http, url):\n    answer = await http.post(url, json={})\n"
        "    return RegistrationResponse.model_validate(answer.json())",
    )
    INVALID = (
        Invalid(
            "from pydantic import BaseModel\nclass UserOut(BaseModel):\n    id: int\n"
            "    hashed_password: str",
            line=4,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass UserInDB(BaseModel):\n    email: str\n"
            "    password_hash: str\n@app.get('/users', response_model=list[UserInDB])\n"
            "def users():\n    return []",
            line=4,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass Base(BaseModel):\n    apiKey: str\n"
            "class Profile(Base):\n    bio: str\nclass Account(BaseModel):\n"
            "    profile: Profile | None = None\n@app.get('/account')\n"
            "def account() -> Account:\n    return load()",
            line=3,
        ),
        # A read sends the private half of a key pair on every call.
        Invalid(
            "from pydantic import BaseModel\nclass DeployKey(BaseModel):\n    public_key: str\n"
            "    private_key: str\n@app.get('/deploy-keys/{i}', response_model=DeployKey)\n"
            "def read_key(i: int):\n    return load(i)",
            line=4,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass Session(BaseModel):\n    session_token: str\n"
            "@app.get('/sessions/current', response_model=Session)\ndef current():\n"
            "    return load()",
            line=3,
        ),
        # An OAuth client's secret, beside its id, on every read of the list.
        Invalid(
            "from pydantic import BaseModel\nclass OAuthClient(BaseModel):\n    client_id: str\n"
            "    client_secret: str\n@app.get('/clients', response_model=list[OAuthClient])\n"
            "def clients():\n    return load_all()",
            line=4,
        ),
        # A read returns the secret a POST created: it leaks on every GET.
        Invalid(
            "from pydantic import BaseModel\nclass WebhookSecret(BaseModel):\n    url: str\n"
            "    secret: str\n@app.post('/webhooks', response_model=WebhookSecret)\n"
            "def create(body: WebhookCreate):\n    return save(body)\n"
            "@app.get('/webhooks/{i}', response_model=WebhookSecret)\ndef read(i: int):\n"
            "    return load(i)",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        yield from self._field_findings(module, project)
        yield from self._route_findings(module, project)

    @staticmethod
    def _leaks(project: Project) -> dict[str, list[tuple[Reached, Root]]]:
        """Per module path: each sensitive field some response carries, with the first root
        (by name) that carries it. Computed once per review."""
        leaks: dict[str, list[tuple[Reached, Root]]] = {}
        reported: set[tuple[str, str, str]] = set()
        roots = response_roots(project)
        remote: frozenset[str] | None = None  # asked for the first time a root needs it
        for root in roots:
            for reached in response_fields(project, root.model):
                path = reached.model.module.path
                where = (path, reached.model.cls.qualname, reached.field.name)
                if where in reported or not _sensitive(project, reached, root.issues_credentials):
                    continue
                if root.named_only:
                    if remote is None:
                        remote = _parsed_from_remote(project, _carrying_secrets(project, roots))
                    if root.model.cls.name in remote:
                        break
                reported.add(where)
                leaks.setdefault(path, []).append((reached, root))
        return leaks

    def _field_findings(self, module: Module, project: Project) -> Iterator[Finding]:
        """Sensitive fields defined in ``module`` that some response carries."""
        if not any(_secret_name(f, False) for cls in module.classes for f in cls.fields):
            return  # nothing to look for: spare the scan of the repository's routes
        leaks = project.memo("FAPI202.leaks", lambda: self._leaks(project))
        for reached, root in leaks.get(module.path, ()):
            owner = reached.model.cls.name
            via = "" if owner == root.model.cls.name else f" via `{root.model.cls.name}`"
            yield self.finding(
                module,
                reached.field.span,
                f"`{owner}.{reached.field.name}` is sent to clients in responses{via}",
            )

    def _route_findings(self, module: Module, project: Project) -> Iterator[Finding]:
        """Routes of ``module`` returning a model whose sensitive field is defined elsewhere,
        unless the change adds that field too: it is reported once, where it is declared."""
        for route in app_routes(module):
            expr = response_type(route)
            if expr is None:
                continue
            sent = [
                (
                    model,
                    [
                        reached
                        for reached in response_fields(project, model)
                        if _maybe_secret(reached)
                    ],
                )
                for model in response_models(project, module, route)
            ]
            if not any(fields for _, fields in sent) or _redacts(project, module, route.handler):
                continue
            leaked: list[str] = []
            for model, fields in sent:
                credential = _issues_credentials(project, module, route, model)
                for reached in fields:
                    if (
                        reached.model.module.path != module.path
                        and not _reported_at_field(reached)
                        and _sensitive(project, reached, credential)
                    ):
                        leaked.append(
                            f"`{reached.model.cls.name}.{reached.field.name}` "
                            f"({reached.model.module.path}:{reached.field.span.line})"
                        )
            if leaked:
                yield self.finding(
                    module,
                    expr,
                    f"`{route_label(module, route)}` sends "
                    f"{', '.join(sorted(set(leaked)))} to clients",
                )


# -- FAPI203 ---------------------------------------------------------------------------------

JSON_LOADERS = frozenset({"json.loads", "orjson.loads", "ujson.loads"})
BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
"""Methods whose request content has no defined meaning (RFC 9110): a handler reading one takes
optional extras, and declaring a body there is no better advice."""


def _untyped_body(param: Param) -> bool:
    """``dict``, ``Dict[str, Any]``, ``Mapping``, or ``Any`` behind ``Body()`` (a bare ``Any`` is a
    query parameter). A mapping with a typed value (``dict[str, int]``) is validated."""
    annotation = param.annotation
    while annotation is not None and annotation.kind in ("subscript", "binop"):
        if annotation.kind == "binop":
            if annotation.op != "|":
                return False
            kept = [item for item in annotation.items if item.kind != "none"]
            if len(kept) != 1:
                return False
            annotation = kept[0]
            continue
        base, index = annotation.items
        args = index.items if index.kind == "tuple" else (index,)
        if base.last_name in ("Annotated", "Optional") and args:
            annotation = args[0]
            continue
        return base.last_name in MAPPINGS and (args[-1].qualname or "") in UNTYPED_VALUES
    if annotation is None or annotation.kind not in ("name", "attribute"):
        return False
    if annotation.last_name in MAPPINGS:
        return True
    return (annotation.qualname or "") in UNTYPED_VALUES and param.marker_name == "Body"


def _embedded(route: Route, param: Param) -> bool:
    """``param`` is one named member of the body object (``Body(embed=True)``, or one of several
    ``Body()`` parameters): FastAPI validates and documents the object around it, as it does a
    model with a ``dict[str, Any]`` field."""
    if param.marker is None or param.marker_name != "Body":
        return False
    embed = param.marker.kwarg("embed")
    if embed is not None and embed.is_true:
        return True
    return sum(other.marker_name == "Body" for other in route.handler.params) > 1


def _verifies_signature(
    project: Project, module: Module, handler: Function, depth: int = 0
) -> bool:
    """A webhook-style handler that checks a signature over the raw body, itself or in a
    repository function it calls (``validate_channel_token(request=request)``)."""
    if any("signature" in param.name.lower() for param in handler.params):
        return True
    for call in module.calls_in(handler):
        name = call.qualname.lower()
        if name.startswith("hmac.") or "signature" in name or "webhook" in name:
            return True
        found = project.function(call.qualname) if depth == 0 and call.qualname else None
        if found is not None and _verifies_signature(project, found[0], found[1], depth + 1):
            return True
    return False


def _text_body(param: Param) -> bool:
    """``Body(media_type="text/plain")``: a document (YAML, CSV) that no JSON model declares."""
    media = param.marker.kwarg("media_type") if param.marker is not None else None
    return media is not None and media.string is not None and "json" not in media.string


def _bound_names(module: Module, handler: Function, reads: list[Expr]) -> dict[str, Expr]:
    """Local names bound (directly or through another name) to one of ``reads``."""
    names: dict[str, Expr] = {}
    for assign in assignments_in(module, handler.qualname):
        if assign.value is None:
            continue
        value = assign.value
        read = next((r for r in reads if any(inner.span == r.span for inner in value.walk())), None)
        if read is None and value.kind == "name" and value.text in names:
            read = names[value.text]
        if read is not None:
            for target in assign.targets:
                if target.kind == "name":
                    names[target.text] = read
    return names


def _handled_elsewhere(module: Module, handler: Function, reads: list[Expr]) -> set[Span]:
    """Reads of the body a model could not replace: the bytes forwarded upstream as a request's
    ``content=``/``data=`` (a proxy), or the parsed JSON handed to Pydantic
    (``adapter.validate_python(body)``, ``Model.model_validate(body)``)."""
    names = _bound_names(module, handler, reads)
    handled: set[Span] = set()
    for call in module.calls_in(handler):
        expr = call.expr
        passed: list[Expr] = [value for key, value in expr.kwargs if key in ("content", "data")]
        func = expr.func
        if func is not None and func.kind == "attribute" and func.op in VALIDATE_METHODS:
            passed.extend(expr.args[:1])
        for value in passed:
            if value.kind == "name" and value.text in names:
                handled.add(names[value.text].span)
            handled.update(r.span for r in reads if value.span == r.span)
    return handled


def _json_parsed_bodies(module: Module, handler: Function, bodies: list[Expr]) -> Iterator[Expr]:
    """The ``request.body()`` calls whose bytes the handler parses with ``json.loads``."""
    names: dict[str, Expr] = {}
    for assign in assignments_in(module, handler.qualname):
        if assign.value is None:
            continue
        for body in bodies:
            if any(inner.span == body.span for inner in assign.value.walk()):
                for target in assign.targets:
                    if target.kind == "name":
                        names[target.text] = body
    for call in module.calls_in(handler):
        if call.qualname not in JSON_LOADERS:
            continue
        argument = call.expr.arg(0, "s")
        if argument is None:
            continue
        for body in bodies:
            if any(inner.span == body.span for inner in argument.walk()):
                yield body
        if argument.kind == "name" and argument.text in names:
            yield names[argument.text]


class UntypedRequestBody(Rule):
    """
    ## What it does
    Flags a route handler that takes its request body as `dict`, `Dict[str, Any]`, `Mapping` or
    `Any` (with `Body()`), or reads it with `await request.json()`, or parses
    `await request.body()` with `json.loads`, instead of declaring a Pydantic model.

    A mapping whose values are typed (`dict[str, int]`) is validated and not reported, nor is a
    free-form member of a declared body object (`Body(embed=True)`, or one of several `Body()`
    parameters), like a `dict[str, Any]` field of a model. A `GET`, `HEAD`, `DELETE` or `OPTIONS`
    handler that reads the raw request is not reported: a body there has no defined meaning. Webhook
    routes (`webhook` in the path or handler name) and handlers that verify a signature over the
    raw body (`hmac`, a `*signature*` parameter or call, in the handler or in a repository
    function it calls) take third-party payloads as they come and are left alone; reading
    `request.body()` without parsing it as JSON is raw-bytes handling.

    Also left alone: a body declared with a non-JSON `Body(media_type=...)` (a YAML or CSV
    document), a handler that reads `request.form()` as well (it takes JSON or a form with
    files, which no one body model declares), a body forwarded upstream as a request's
    `content=`/`data=` (a proxy), and parsed JSON handed to Pydantic by the handler
    (`adapter.validate_python(body)`, `Model.model_validate(body)`).

    ## Why is this bad?
    FastAPI validates and documents only what is declared: an untyped body accepts any shape, so
    missing or mistyped keys surface later as `KeyError`/500s, unexpected keys flow into the
    database, and the OpenAPI schema tells clients nothing.

    ## Example
    ```python
    from typing import Any


    @router.post("/items", status_code=201)
    async def create_item(payload: dict[str, Any]) -> ItemOut:
        return await items.create(name=payload["name"], price=payload["price"])
    ```

    ## Use instead
    ```python
    from decimal import Decimal

    from pydantic import BaseModel


    class ItemCreate(BaseModel):
        name: str
        price: Decimal


    @router.post("/items", status_code=201)
    async def create_item(payload: ItemCreate) -> ItemOut:
        return await items.create(name=payload.name, price=payload.price)
    ```
    """

    id = "FAPI203"
    name = "untyped-request-body"
    severity = Severity.WARNING
    fix = "Declare the body as a Pydantic model parameter (`payload: ItemCreate`)."
    VALID = (
        "@app.post('/items')\nasync def create(item: ItemCreate) -> ItemOut:\n    return item",
        "@app.put('/stock')\nasync def stock(levels: dict[str, int]) -> None:\n    save(levels)",
        "from typing import Any\n@app.get('/search')\n"
        "async def search(q: Any = None) -> list[Item]:\n"
        "    return find(q)",
        "from fastapi import Depends\n@app.get('/me')\n"
        "async def me(claims: dict = Depends(get_claims)):\n"
        "    return claims",
        "from typing import Any\nfrom fastapi import Body\n@app.post('/webhooks/stripe')\n"
        "async def stripe_hook(event: dict[str, Any] = Body(...)) -> None:\n    handle(event)",
        "import hmac, json\nfrom fastapi import Request\n@app.post('/events')\n"
        "async def events(request: Request) -> None:\n    raw = await request.body()\n"
        "    check(hmac.new(KEY, raw, 'sha256'))\n    handle(json.loads(raw))",
        "from fastapi import Request\n@app.post('/upload')\n"
        "async def upload(request: Request) -> None:\n"
        "    store(await request.body())",
        "from fastapi import Request\nasync def log_body(request: Request):\n"
        "    return await request.json()",
        "from typing import Any\nfrom fastapi import Body\n@app.post('/runs/{i}/resume')\n"
        "async def resume(i: int, run_input: dict[str, Any] | None = Body(None, embed=True)):\n"
        "    return await runs.resume(i, run_input)",
        "from fastapi import Body\n@app.post('/check')\n"
        "async def check(params: dict = Body(None), info: dict = Body(None)) -> Report:\n"
        "    return run_check(params, info)",
        "from fastapi import Request\n@app.get('/jobs/{i}')\n"
        "async def job(i: str, request: Request) -> Job:\n"
        "    try:\n        extra = await request.json()\n    except ValueError:\n"
        "        extra = {}\n    return await fetch(i, **extra)",
        # A YAML document sent as text: no JSON model declares it.
        "from typing import Any\nfrom fastapi import Body\n@app.post('/config/save')\n"
        "def save(body: Any = Body(media_type='text/plain')) -> None:\n"
        "    Config.parse_yaml(body.decode())",
        # JSON or a multipart form with files: no one body model takes both.
        "from fastapi import Request\n@app.post('/providers/install')\n"
        "async def install(request: Request) -> None:\n    try:\n"
        "        info = await request.json()\n    except ValueError:\n"
        "        info = dict(await request.form())\n    providers.install(info)",
        # A proxy forwards the bytes upstream: a model would re-serialize them.
        "import json\nfrom fastapi import Request\n@app.post('/upstream/v1/messages')\n"
        "async def proxy(request: Request, http: Client) -> Response:\n"
        "    body = await request.body()\n    streaming = json.loads(body).get('stream')\n"
        "    forwarded = body\n"
        "    return await http.post(UPSTREAM, content=forwarded, stream=streaming)",
        # The parsed JSON goes to Pydantic after all (a TypeAdapter over a union).
        "from fastapi import Request\n@app.post('/workflows/from-prompt')\n"
        "async def from_prompt(request: Request) -> dict:\n"
        "    body = await request.json()\n    body.setdefault('version', 'v1')\n"
        "    data = prompt_adapter.validate_python(body)\n    return await create(data)",
        # A helper verifies the sender's signature over the raw body.
        "import hmac, json\nfrom fastapi import Request\n"
        "def check_sender(request: Request, body: bytes) -> None:\n"
        "    hmac.compare_digest(request.headers['x-sig'], sign(body))\n"
        "@app.post('/channels/{kind}/{token}')\n"
        "async def channel_event(kind: str, token: str, request: Request) -> dict:\n"
        "    raw = await request.body()\n    check_sender(request, raw)\n"
        "    return handle(json.loads(raw))",
    )
    INVALID = (
        Invalid(
            "from typing import Any\n@app.post('/items')\n"
            "async def create(payload: dict[str, Any]) -> ItemOut:\n    return save(payload)",
            line=3,
        ),
        Invalid(
            "from typing import Dict\n@app.patch('/items/{item_id}')\n"
            "def patch(item_id: int,\n          changes: Dict) -> ItemOut:\n"
            "    return update(item_id, changes)",
            line=4,
        ),
        Invalid(
            "from fastapi import Request\n@app.post('/orders')\n"
            "async def order(request: Request) -> OrderOut:\n    data = await request.json()\n"
            "    return place(data['sku'])",
            line=4,
        ),
        Invalid(
            "import json\nfrom fastapi import Request\n@app.post('/orders')\n"
            "async def order(request: Request) -> OrderOut:\n    raw = await request.body()\n"
            "    return place(json.loads(raw))",
            line=5,
        ),
        Invalid(
            "from typing import Annotated, Any\nfrom fastapi import Body\n@app.post('/notes')\n"
            "def note(data: Annotated[Any, Body()]) -> None:\n    save(data)",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for route in app_routes(module):
            handler = route.handler
            untyped = [
                param
                for param in body_params(route)
                if _untyped_body(param) and not _embedded(route, param) and not _text_body(param)
            ]
            reads = [
                call.expr
                for call in (() if route.method in BODYLESS_METHODS else module.calls_in(handler))
                if call.expr.qualname in ("fastapi.Request.json", "fastapi.Request.body")
            ]
            if not untyped and not reads:
                continue
            if "webhook" in _route_words(module, route) or _verifies_signature(
                project, module, handler
            ):
                continue
            for param in untyped:
                yield self.finding(
                    module,
                    param.span,
                    f"`{route_label(module, route)}` takes its body `{param.name}` without a model",
                )
            if not reads or any(
                call.qualname == "fastapi.Request.form" for call in module.calls_in(handler)
            ):
                continue  # JSON or a form (with files): no one body model takes both
            handled = _handled_elsewhere(module, handler, reads)
            reads = [read for read in reads if read.span not in handled]
            for read in reads:
                if read.qualname == "fastapi.Request.json":
                    yield self.finding(
                        module,
                        read,
                        f"`{route_label(module, route)}` parses the body with `.json()`",
                    )
            bodies = [read for read in reads if read.qualname == "fastapi.Request.body"]
            for body in dict.fromkeys(_json_parsed_bodies(module, handler, bodies)):
                yield self.finding(
                    module,
                    body,
                    f"`{route_label(module, route)}` parses the raw body as JSON without a model",
                )


# -- FAPI204 ---------------------------------------------------------------------------------

INPUT_NAME = regex(r"Create|Update|Patch|Input|Payload|Request$")
NOT_INPUT_IN = ("CheckIn", "SignIn", "LogIn", "OptIn", "PlugIn", "BuiltIn", "WalkIn")
ECHO_ROUTE = regex(r"validat|preview|echo|dry[-_]?run")
UPDATE_WORDS = regex(r"Update|Patch")


OUTPUT_WORDS = frozenset({"Out", "Output", "Response", "Read", "Public", "Result", "Reply"})
CAMEL_WORD = regex(r"[A-Z][a-z0-9]*|[a-z0-9]+")


def _is_input_name(name: str) -> bool:
    """Named for a request body only: ``UserCreate``, ``ItemIn``, but not a model named for both
    directions (``DataInputOutput``, ``UserCreateResponse``)."""
    if OUTPUT_WORDS.intersection(CAMEL_WORD.findall(name)):
        return False
    if INPUT_NAME.search(name):
        return True
    return name.endswith("In") and not name.endswith(NOT_INPUT_IN)


def _body_models(project: Project, module: Module, route: Route) -> Iterator[tuple[Param, Model]]:
    for param in body_params(route):
        for model in models_of(project, module, param.annotation):
            if model.kind in SCHEMA_KINDS:
                yield param, model


def _field_names(project: Project, model: Model) -> dict[str, Field]:
    return {field.name: field for _, field in model_fields(project, model)}


def _resends_everything(project: Project, model: Model) -> list[str]:
    """The fields of an update model, when all are required and they repeat (or extend) the
    fields of a sibling create/base schema of the same resource; else empty."""
    if not UPDATE_WORDS.search(model.cls.name):
        return []
    fields = _field_names(project, model)
    if len(fields) < 2 or not all(is_required(field) for field in fields.values()):
        return []
    stem = re.sub(r"Update|Patch|In$|Request$|Schema$|Payload$", "", model.cls.name)
    if not stem:
        return []
    for sibling in model.module.classes:
        if (
            sibling.name == model.cls.name
            or not sibling.name.startswith(stem)
            or UPDATE_WORDS.search(sibling.name)
        ):
            continue
        other = Model(model.module, sibling, project.class_kind(sibling, model.module))
        if other.kind not in SCHEMA_KINDS:
            continue
        names = set(_field_names(project, other))
        shared = names & set(fields)
        if len(shared) >= 2 and (names <= set(fields) or set(fields) <= names):
            return sorted(fields)
    return []


class SharedCreateResponseModel(Rule):
    """
    ## What it does
    Flags a route whose request body and response model are the same input schema (a class named
    like `*Create`, `*Update`, `*Patch`, `*Input`, `*Payload`, `*Request` or `*In`, and not also
    for output, as `DataInputOutput` or `UserCreateResponse` are), and a
    `PATCH` route whose body is an update schema (`*Update`/`*Patch`) in which every field is
    required although a sibling create/base schema of the same resource has the same fields.

    Echo endpoints (`validate`, `preview`, `echo`, `dry-run` in the path or handler name) return
    their input by design and are left alone; `PUT` bodies replace the whole resource, so their
    fields may all be required. The finding is on the response model for the first case and on
    the body parameter for the second.

    ## Why is this bad?
    An input schema returned as output echoes write-only fields (passwords) and lacks the
    server-side ones (`id`, timestamps), so clients cannot use the answer. An update schema with
    required fields turns `PATCH` into a full replacement: clients must resend every field, and a
    forgotten one is a 422 or an overwritten value.

    ## Example
    ```python
    from pydantic import BaseModel


    class UserCreate(BaseModel):
        email: str
        password: str


    @router.post("/users", status_code=201)
    async def create_user(user: UserCreate) -> UserCreate:
        return await users.create(user)
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel


    class UserCreate(BaseModel):
        email: str
        password: str


    class UserOut(BaseModel):
        id: int
        email: str


    @router.post("/users", status_code=201)
    async def create_user(user: UserCreate) -> UserOut:
        return await users.create(user)
    ```

    ## Known problems
    A `PATCH` that performs one action and names its target in the body (recolor the tag whose
    `value` rides in the body, so that values containing `/` stay addressable) needs every field
    it declares, and is still reported when a create schema has the same fields.
    """

    id = "FAPI204"
    tier = Tier.PREVIEW
    name = "shared-create-response-model"
    severity = Severity.WARNING
    fix = "Use separate schemas: `XCreate` in, `XOut` out, and `XUpdate` with optional fields."
    VALID = (
        "from pydantic import BaseModel\nclass Item(BaseModel):\n    name: str\n"
        "@app.put('/items/{i}')\ndef put(i: int, item: Item) -> Item:\n    return item",
        "from pydantic import BaseModel\nclass OrderCreate(BaseModel):\n    sku: str\n"
        "@app.post('/orders/validate')\ndef validate(order: OrderCreate) -> OrderCreate:\n"
        "    return order",
        "from pydantic import BaseModel\nclass UserBase(BaseModel):\n    email: str\n"
        "    name: str\nclass UserUpdate(BaseModel):\n    email: str | None = None\n"
        "    name: str | None = None\n@app.patch('/users/{i}')\n"
        "def patch(i: int, user: UserUpdate) -> UserOut:\n    return save(i, user)",
        "from pydantic import BaseModel\nclass UserBase(BaseModel):\n    email: str\n"
        "    name: str\nclass UserUpdate(UserBase):\n    pass\n@app.put('/users/{i}')\n"
        "def put(i: int, user: UserUpdate) -> UserOut:\n    return save(i, user)",
        "from pydantic import BaseModel\nclass PriceUpdate(BaseModel):\n    amount: int\n"
        "    currency: str\n@app.patch('/items/{i}/price')\n"
        "def price(i: int, p: PriceUpdate) -> ItemOut:\n    return save(i, p)",
        # Named for both directions: the shared shape is the design.
        "from pydantic import BaseModel\nclass DataInputOutput(BaseModel):\n    data: bytes\n"
        "@app.post('/data')\ndef data(body: DataInputOutput) -> DataInputOutput:\n"
        "    return body",
    )
    INVALID = (
        Invalid(
            "from pydantic import BaseModel\nclass UserCreate(BaseModel):\n    email: str\n"
            "@app.post('/users', response_model=UserCreate)\ndef create(user: UserCreate):\n"
            "    return save(user)",
            line=4,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass UserIn(BaseModel):\n    email: str\n"
            "@app.post('/users')\ndef create(user: UserIn) -> UserIn:\n    return save(user)",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, Field\nclass UserBase(BaseModel):\n    email: str\n"
            "    name: str = Field(min_length=1)\nclass UserUpdate(UserBase):\n    pass\n"
            "@app.patch('/users/{i}')\ndef patch(i: int, user: UserUpdate) -> UserOut:\n"
            "    return save(i, user)",
            line=8,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for route in app_routes(module):
            bodies = list(_body_models(project, module, route))
            if not bodies:
                continue
            expr = response_type(route)
            returned = {model.key for model in models_of(project, module, expr)}
            echo = ECHO_ROUTE.search(_route_words(module, route)) is not None
            for param, model in bodies:
                if (
                    expr is not None
                    and model.key in returned
                    and not echo
                    and _is_input_name(model.cls.name)
                ):
                    yield self.finding(
                        module,
                        expr,
                        f"`{model.cls.name}` is both the request body and the response model",
                    )
                if route.method == "PATCH":
                    required = _resends_everything(project, model)
                    if required:
                        yield self.finding(
                            module,
                            param.span,
                            f"PATCH body `{model.cls.name}` requires every field "
                            f"({', '.join(f'`{name}`' for name in required)})",
                        )


# -- FAPI205 ---------------------------------------------------------------------------------


class OrmModelAsResponse(Rule):
    """
    ## What it does
    Flags a SQLAlchemy declarative class or a SQLModel `table=True` class (also inside
    `list[...]`, `Sequence[...]` or `Optional[...]`) used as a route's `response_model`, or as
    the return annotation of a route that has no `response_model=` (nor `**options` spread into
    its decorator, which may hold one). Classes defined in other modules are resolved when the
    repository is available.

    Returning ORM objects is fine when a schema is declared: `response_model=UserOut` with
    `-> User` is the recommended pattern.

    ## Why is this bad?
    The response then mirrors the table: every column (password hashes, internal flags, foreign
    keys) is serialized, any migration changes the public API, and relationships are loaded lazily
    during serialization (extra queries, or errors outside the session).

    ## Example
    ```python
    from app.db import Base  # class Base(DeclarativeBase)


    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        hashed_password: Mapped[str]


    @router.get("/users", response_model=list[User])
    async def list_users(db: AsyncSession = Depends(get_db)):
        return (await db.scalars(select(User))).all()
    ```

    ## Use instead
    ```python
    class UserOut(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        id: int


    @router.get("/users", response_model=list[UserOut])
    async def list_users(db: AsyncSession = Depends(get_db)) -> Sequence[User]:
        return (await db.scalars(select(User))).all()
    ```
    """

    id = "FAPI205"
    name = "orm-model-as-response"
    severity = Severity.WARNING
    fix = "Declare a Pydantic schema of the public fields (`response_model=ItemOut`, `from_attributes=True`)."
    VALID = (
        "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "@app.get('/u', response_model=UserOut)\ndef u() -> User:\n    return load()",
        "from sqlmodel import SQLModel\nclass HeroPublic(SQLModel):\n    name: str\n"
        "@app.get('/heroes')\ndef heroes() -> list[HeroPublic]:\n    return load()",
        "from sqlmodel import SQLModel\nclass Hero(SQLModel, table=True):\n    name: str\n"
        "@app.get('/heroes', response_model=None)\ndef heroes() -> list[Hero]:\n    return load()",
        "from sqlmodel import SQLModel\nclass Hero(SQLModel, table=True):\n    name: str\n"
        "def load() -> list[Hero]:\n    return []",
        # The spread options may hold `response_model=HeroPublic`.
        "from sqlmodel import SQLModel\nclass Hero(SQLModel, table=True):\n    name: str\n"
        "@app.get('/heroes', **PUBLIC_OPTIONS)\ndef heroes() -> list[Hero]:\n    return load()",
    )
    INVALID = (
        Invalid(
            "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"
            "class User(Base):\n    __tablename__ = 'users'\n"
            "@app.get('/users', response_model=list[User])\ndef users():\n    return load()",
            line=6,
        ),
        Invalid(
            "from sqlmodel import SQLModel\nclass Hero(SQLModel, table=True):\n    name: str\n"
            "@app.get('/heroes/{i}')\ndef hero(i: int) -> Hero | None:\n    return load(i)",
            line=5,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for route in app_routes(module):
            expr = response_type(route)
            if not any(  # the kinds are remembered: most routes need no model built
                project.model_kind(_ref_qualname(module, ref)) in ORM_KINDS
                for ref in type_refs(expr)
            ):
                continue
            orm = [model for model in models_of(project, module, expr) if model.kind in ORM_KINDS]
            if expr is not None and orm:
                names = ", ".join(f"`{model.cls.name}`" for model in orm)
                via = (
                    "response model"
                    if route.option("response_model") is not None
                    else "return annotation"
                )
                yield self.finding(
                    module,
                    expr,
                    f"`{route_label(module, route)}` uses the ORM class {names} as its {via}",
                )


# -- FAPI206 ---------------------------------------------------------------------------------

V1_METHODS = {
    "dict": "model_dump()",
    "json": "model_dump_json()",
    "parse_obj": "model_validate()",
    "from_orm": "model_validate(..., from_attributes=True)",
    "parse_raw": "model_validate_json()",
    "parse_file": "model_validate_json()",
    "schema": "model_json_schema()",
    "schema_json": "model_json_schema()",
    "copy": "model_copy()",
    "update_forward_refs": "model_rebuild()",
    "construct": "model_construct()",
}
V2_METHODS = frozenset(
    {
        "model_dump",
        "model_dump_json",
        "model_validate",
        "model_validate_json",
        "model_json_schema",
        "model_copy",
        "model_rebuild",
        "model_construct",
    }
)
"""A scope that calls these as well as a v1 method is code supporting both major versions."""
V1_VALIDATORS = {"validator": "field_validator", "root_validator": "model_validator"}
V1_VALIDATOR_MODULES = frozenset(
    {"pydantic", "pydantic.class_validators", "pydantic.deprecated.class_validators"}
)


V1_RENAMES = {
    "dict": ("model_dump", None),
    "json": (
        "model_dump_json",
        frozenset(
            {
                "include",
                "exclude",
                "by_alias",
                "exclude_unset",
                "exclude_defaults",
                "exclude_none",
                "indent",
            }
        ),
    ),
    "parse_obj": ("model_validate", None),
    "parse_raw": ("model_validate_json", frozenset()),
    "schema": ("model_json_schema", frozenset({"by_alias", "ref_template"})),
    "copy": ("model_copy", frozenset({"update", "deep"})),
    "update_forward_refs": ("model_rebuild", frozenset()),
    "construct": ("model_construct", None),
    "from_orm": ("model_validate", None),
}
"""v1 method -> (v2 method, the keyword arguments both take; None: all of them). A call with
another keyword argument, or with positional ones where only keywords carry over, gets no fix."""


def _method_fix(call: Expr, method: str) -> Autofix | None:
    """Rename a v1 method call to its v2 name (``from_orm(x)`` also passes
    ``from_attributes=True``): the same behaviour, so a safe fix."""
    func = call.func
    if func is None or method not in V1_RENAMES:
        return None
    renamed, keywords = V1_RENAMES[method]
    if keywords is not None and (
        any(name not in keywords for name, _ in call.kwargs)
        or (call.args and method in ("copy", "schema", "json", "update_forward_refs"))
    ):
        return None
    end = func.span
    edits = [
        Edit(
            Span(end.end_line, end.end_line, end.end_column - len(method), end.end_column), renamed
        )
    ]
    if method == "from_orm":
        close = call.span
        edits.append(
            Edit(
                Span(close.end_line, close.end_line, close.end_column - 1, close.end_column - 1),
                ", from_attributes=True",
            )
        )
    return Autofix(f"Use `.{renamed}()`", tuple(edits), safe=True)


def _orm_mode_fix(module: Module, value: Expr) -> Autofix | None:
    """``from_attributes = True`` for ``orm_mode = True`` in a ``class Config``."""
    line = module.lines[value.span.line - 1].encode()
    start = line.rfind(b"orm_mode", 0, value.span.column)
    if start < 0:
        return None
    span = Span(value.span.line, value.span.line, start, start + len(b"orm_mode"))
    return Autofix("Rename to `from_attributes`", (Edit(span, "from_attributes"),), safe=True)


def _v1_validator(decorator: Expr) -> str | None:
    module, _, name = (decorator.qualname or "").rpartition(".")
    return V1_VALIDATORS.get(name) if module in V1_VALIDATOR_MODULES else None


def _own_method(project: Project, qualname: str | None, name: str) -> bool:
    """The model class (or a repository base of it) defines ``name`` itself: tiled's
    ``DataSource.from_orm(orm, include_assets=False)`` is the application's method, not
    Pydantic's."""
    found = project.cls(qualname)
    if found is None:
        return False
    pending = [Model(found[0], found[1], "")]
    seen: set[tuple[str, str]] = set()
    while pending:
        current = pending.pop()
        if current.key in seen:
            continue
        seen.add(current.key)
        if current.module.function(f"{current.cls.qualname}.{name}") is not None:
            return True
        for base in current.cls.bases:
            parent = resolve_model(project, current.module, base)
            if parent is not None:
                pending.append(parent)
    return False


def _rebound(module: Module, call: Call, receiver: Expr) -> bool:
    """The receiver is a local name bound to something else too: ``response =
    client.get(...)`` then ``response = StatusMessage(**response.json())`` calls the HTTP
    response's ``.json()``, whatever type the name ends up with."""
    if receiver.kind != "name" or receiver.type is None:
        return False
    values = [
        assign.value
        for assign in assignments_in(module, call.function)
        if any(target.kind == "name" and target.text == receiver.text for target in assign.targets)
    ]
    return len(values) > 1 and any(
        value is None
        or value.kind != "call"
        or (
            value.qualname != receiver.type
            and not (value.qualname or "").startswith(f"{receiver.type}.")
        )
        for value in values
    )


class PydanticV1Api(Rule):
    """
    ## What it does
    In a repository that shows Pydantic v2, flags the v1 idioms: `orm_mode` in a model's
    `class Config`, `@validator`/`@root_validator` imported from `pydantic`, and the v1 methods
    called on a model class of the repository or on a value annotated with (or built from) one:
    `.dict()`, `.json()`, `.parse_obj()`, `.parse_raw()`, `.parse_file()`, `.from_orm()`,
    `.schema()`, `.schema_json()`, `.copy()`, `.update_forward_refs()` and `.construct()`.

    Which major version a repository is on: the version its `poetry.lock`, `uv.lock` or
    `pdm.lock` installs decides; without a lock file, a `pydantic>=2` requirement says v2 and a
    requirement that keeps v1 (`pydantic==1.10.13`, `pydantic = "^1.10"`, `pydantic<2`) says
    v1, whatever names the code uses; with neither, v2-only code does (`model_config =
    ConfigDict(...)`, `field_validator`, `model_validator`, `model_dump()`). `ConfigDict` alone
    is not a sign (Pydantic 1.10 has it for dataclasses), nor is a field that happens to be
    named `model_config` (only v1 allows one).

    A method the model class (or one of its repository bases) defines itself is the
    application's, not Pydantic's (a `from_orm` classmethod with its own arguments), and a local
    name bound to something else as well is not trusted to be the model when it is called
    (`response = client.get(...)` then `response = Status(**response.json())`).

    Code written against the `pydantic.v1` compatibility namespace is left alone, and so is a
    v1 method called in a function that also calls the v2 ones (`model_dump()`,
    `model_validate()`...): that is a fallback for code supporting both major versions.

    ## Why is this bad?
    The v1 names still work in v2 but emit deprecation warnings on every call, are slower, and
    will be removed; mixing both styles makes models behave differently (`orm_mode` is silently
    ignored next to `model_config`).

    ## Example
    ```python
    from pydantic import BaseModel, ConfigDict, validator


    class UserOut(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True)
        email: str

        @validator("email")
        def lower(cls, value: str) -> str:
            return value.lower()


    def export(user: UserOut) -> dict:
        return user.dict()
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel, ConfigDict, field_validator


    class UserOut(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True)
        email: str

        @field_validator("email")
        @classmethod
        def lower(cls, value: str) -> str:
            return value.lower()


    def export(user: UserOut) -> dict:
        return user.model_dump()
    ```
    """

    id = "FAPI206"
    name = "pydantic-v1-api"
    severity = Severity.INFO
    fix = (
        "Use the v2 API: `model_dump()`, `model_validate()`, `field_validator`, `from_attributes`."
    )
    VALID = (
        "from pydantic import BaseModel\nclass User(BaseModel):\n    name: str\n"
        "def f(u: User):\n    return u.dict()",
        "from pydantic import BaseModel, ConfigDict\nclass User(BaseModel):\n"
        "    model_config = ConfigDict(from_attributes=True)\ndef f(u: User):\n"
        "    return u.model_dump()",
        "from pydantic import ConfigDict\nfrom pydantic.v1 import BaseModel, validator\n"
        "class Legacy(BaseModel):\n    x: int\n    @validator('x')\n    def v(cls, x):\n"
        "        return x\ndef f(m: Legacy):\n    return m.dict()",
        "from pydantic import ConfigDict\nimport httpx\ndef f(r: httpx.Response):\n"
        "    return r.json()",
        "from pydantic import BaseModel, ConfigDict\nclass Payload(BaseModel):\n"
        "    model_config = ConfigDict(extra='forbid')\ndef f(data: dict):\n"
        "    return data.copy()",
        # A fallback for Pydantic v1, beside the v2 call.
        "from pydantic import BaseModel, ConfigDict\nclass User(BaseModel):\n    name: str\n"
        "def dump(u: User):\n    if hasattr(u, 'model_dump'):\n        return u.model_dump()\n"
        "    return u.dict()",
        # Pydantic 1.10: `ConfigDict` for a dataclass, and a field named `model_config`.
        "from pydantic import BaseModel, ConfigDict, validator\n"
        "from pydantic.dataclasses import dataclass\n@dataclass(config=ConfigDict(extra='allow'))\n"
        "class Entity:\n    tenant_id: str\nclass WorkRequest(BaseModel):\n"
        "    model_config: ModelConfig\n    @validator('model_config')\n"
        "    def known(cls, v):\n        return v\ndef f(w: WorkRequest):\n    return w.dict()",
        # The application's own `from_orm`, with its own arguments.
        "from pydantic import BaseModel, ConfigDict\nclass Asset(BaseModel):\n"
        "    model_config = ConfigDict(from_attributes=True)\n    id: int\n"
        "    @classmethod\n    def from_orm(cls, orm, include_data=True):\n"
        "        return cls(id=orm.id)\ndef assets(rows):\n"
        "    return [Asset.from_orm(row, include_data=False) for row in rows]",
        # The name holds the HTTP response when `.json()` is called; the model comes after.
        "from pydantic import BaseModel, ConfigDict\nclass Status(BaseModel):\n"
        "    model_config = ConfigDict(extra='forbid')\n    detail: str\n"
        "def test_status(client):\n    response = client.get('/status')\n"
        "    response = Status(**response.json())\n    assert response.detail",
    )
    INVALID = (
        Invalid(
            "from pydantic import BaseModel, ConfigDict\nclass User(BaseModel):\n"
            "    model_config = ConfigDict(from_attributes=True)\ndef f(u: User):\n"
            "    return u.dict()",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, field_validator\nclass User(BaseModel):\n"
            "    name: str\n    class Config:\n        orm_mode = True",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, ConfigDict, validator\nclass User(BaseModel):\n"
            "    model_config = ConfigDict(str_strip_whitespace=True)\n    name: str\n"
            "    @validator('name')\n    def strip(cls, v):\n        return v",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, ConfigDict\nclass User(BaseModel):\n"
            "    model_config = ConfigDict(from_attributes=True)\ndef f(row):\n"
            "    return User.from_orm(row)",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, ConfigDict\nclass User(BaseModel):\n"
            "    model_config = ConfigDict(frozen=True)\ndef f(raw: bytes):\n"
            "    return User.parse_raw(raw)",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, ConfigDict\nclass User(BaseModel):\n"
            "    model_config = ConfigDict(frozen=True)\ndef f(u: User):\n"
            "    return u.copy(update={'name': 'x'})",
            line=5,
        ),
        Invalid(
            "from pydantic import BaseModel, ConfigDict\nclass Node(BaseModel):\n"
            "    model_config = ConfigDict(frozen=True)\n    children: list['Node'] = []\n"
            "Node.update_forward_refs()",
            line=5,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if not project.uses_pydantic_v2:
            return
        for cls in module.classes:
            if not cls.config or project.class_kind(cls, module) not in SCHEMA_KINDS:
                continue
            for key, value in cls.config:
                if key == "orm_mode":
                    yield self.finding(
                        module,
                        value,
                        "`orm_mode` is Pydantic v1: use `from_attributes=True`",
                        autofix=_orm_mode_fix(module, value),
                    )
        for function in module.functions:
            for decorator in function.decorators:
                replacement = _v1_validator(decorator)
                if replacement is not None:
                    yield self.finding(
                        module,
                        decorator,
                        f"`@{decorator.last_name}` is Pydantic v1: use `@{replacement}`",
                    )
        yield from self._method_calls(module, project)

    def _method_calls(self, module: Module, project: Project) -> Iterator[Finding]:
        v2_scopes = {call.function for call in calls_named(module, V2_METHODS)}
        for call in method_calls(module, V1_METHODS):
            func = call.expr.func
            assert func is not None
            if call.function in v2_scopes:
                continue
            receiver = func.items[0]
            qualname = receiver.type or receiver.qualname
            if (
                project.model_kind(qualname) in SCHEMA_KINDS
                and not _own_method(project, qualname, func.op)
                and not _rebound(module, call, receiver)
            ):
                yield self.finding(
                    module,
                    call,
                    f"`.{func.op}()` is Pydantic v1: use `.{V1_METHODS[func.op]}`",
                    autofix=_method_fix(call.expr, func.op),
                )
