"""FAPI9xx: performance."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.extract.model import Call, Expr, Function, Module, Param, Route
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.rules.base import Autofix, Edit, Finding, Invalid, Rule, Severity, Tier, Valid
from reviewer.rules.helpers import (
    CLIENT_CONSTRUCTORS,
    argument_edit,
    assignments_in,
    calls_to,
    dependencies,
    depends_targets,
    depends_targets_of,
    enclosing_scopes,
    import_edit,
    path_params,
    replace_edit,
    response_type,
    split_words,
    string_prefix,
)

COLLECTIONS = frozenset(
    {"list", "typing.List", "typing.Sequence", "collections.abc.Sequence", "set", "typing.Set"}
)
QUERY_METHODS = frozenset({"all", "fetchall", "fetch_all", "query"})
QUERY_BUILDERS = frozenset({"sqlalchemy", "sqlmodel"})
BOUNDING_METHODS = frozenset({"limit", "offset", "slice", "fetchmany", "paginate"})
BOUNDING_KEYWORDS = frozenset({"limit", "offset", "skip", "page_size", "per_page", "max_results"})
PAGINATION_TOKENS = frozenset(
    {
        "limit",
        "offset",
        "skip",
        "page",
        "pages",
        "pagesize",
        "perpage",
        "per",
        "size",
        "cursor",
        "after",
        "before",
        "take",
        "top",
        "next",
        "pagination",
        "paginator",
        "paging",
        "params",
    }
)
NOT_PAGINATION_TOKENS = frozenset(
    {
        "db",
        "database",
        "session",
        "conn",
        "connection",
        "engine",
        "user",
        "settings",
        "config",
        "auth",
        "token",
        "principal",
        "account",
        "tenant",
        "client",
        "redis",
        "cache",
        "request",
        "permissions",
        "scopes",
        "admin",
    }
)
PAGE_SIZE_NAMES = frozenset({"limit", "page_size", "pagesize", "per_page", "perpage", "size"})
PAGE_POSITION_TOKENS = frozenset({"page", "offset", "skip", "cursor", "after", "before", "start"})
UNBOUNDED_INTS = frozenset(
    {
        "int",
        "float",
        "pydantic.PositiveInt",
        "pydantic.NonNegativeInt",
        "pydantic.types.PositiveInt",
        "pydantic.types.NonNegativeInt",
    }
)
UPPER_BOUNDS = frozenset({"le", "lt"})
UPPER_BOUND_MARKERS = frozenset({"Le", "Lt", "Interval"})


def _tokens(name: str) -> set[str]:
    """``pageSize`` / ``page_size`` -> ``{"page", "size", "pagesize"}``."""
    words = split_words(name)
    return {*words, "".join(words)}


def _is_collection(annotation: Expr | None) -> bool:
    return (
        annotation is not None
        and annotation.kind == "subscript"
        and annotation.qualname in COLLECTIONS
    )


def _returns_collection(route: Route) -> bool:
    """The route declares a ``list[...]``-like response."""
    return _is_collection(response_type(route))


def _is_query(call: Expr) -> bool:
    func = call.func
    if func is not None and func.kind == "attribute" and func.op in QUERY_METHODS:
        return True
    qualname = call.qualname or ""
    return call.last_name == "select" and qualname.split(".", 1)[0] in QUERY_BUILDERS


def _bounds(call: Expr) -> bool:
    func = call.func
    if func is not None and func.kind == "attribute" and func.op in BOUNDING_METHODS:
        return True
    if call.last_name == "paginate":
        return True
    return any(key in BOUNDING_KEYWORDS for key, _ in call.kwargs)


def _queries_unbounded(
    module: Module, project: Project, function: Function, follow: bool = True
) -> bool:
    """``function`` runs a query (``.all()``, ``select(...)``, ``.query(...)``) and nothing in it
    limits the rows; with ``follow``, a function of the repository it calls may run the query."""
    calls = [call.expr for call in module.calls_in(function)]
    if any(_bounds(call) for call in calls):
        return False
    if any(_is_query(call) for call in calls):
        return True
    if not follow:
        return False
    for call in calls:
        found = project.function(call.qualname)
        if (
            found is not None
            and found[1] is not function
            and _queries_unbounded(found[0], project, found[1], follow=False)
        ):
            return True
    return False


def _dependency(param: Param, project: Project) -> str | None:
    """The qualified name of the callable behind a ``Depends``/``Security`` parameter. For a
    factory called in the marker (``Depends(parse_filters(Model))``) that is the function the
    factory returns when the repository shows it, else the text of the call (which nothing
    resolves)."""
    marker = param.marker
    if marker is None or marker.last_name not in ("Depends", "Security"):
        return None
    target = marker.arg(0, "dependency")
    if target is None:
        return param.type
    if target.kind == "call":
        factory = project.function(target.qualname)
        products = _factory_products(*factory) if factory is not None else []
        return f"{factory[0].name}.{products[0].qualname}" if factory and products else target.text
    return target.qualname or target.text


def _factory_products(module: Module, function: Function) -> list[Function]:
    """The functions nested in ``function`` that it returns (a dependency factory's product)."""
    returned = {
        value.op
        for value in (r.value for r in function.returns)
        if value is not None and value.kind == "name"
    }
    return [
        nested
        for name in sorted(returned)
        if (nested := module.function(f"{function.qualname}.{name}")) is not None
    ]


def _paginated(project: Project, function: Function, depth: int = 0) -> bool:
    """``function`` takes a pagination parameter, directly or through a dependency; a dependency
    that cannot be followed counts as one unless it is plainly something else (a session, the
    current user, settings...)."""
    for param in function.params:
        if _tokens(param.name) & PAGINATION_TOKENS:
            return True
        if _query_model_paginates(project, param):
            return True
        dependency = _dependency(param, project)
        if dependency is None:
            continue
        if depth < 3 and _dependency_paginates(project, dependency, depth):
            return True
        if project.function(dependency) is None and project.cls(dependency) is None:
            names = _tokens(param.name) | _tokens(dependency.rsplit(".", 1)[-1])
            if param.type:
                names |= _tokens(param.type.rsplit(".", 1)[-1])
            if not names & NOT_PAGINATION_TOKENS:
                return True
    return False


def _query_model_paginates(project: Project, param: Param) -> bool:
    """A Pydantic model of query parameters (``Annotated[Filters, Query()]``) with a pagination
    field; a model that cannot be followed counts as one."""
    marker = param.marker
    if marker is None or marker.last_name != "Query" or not param.type:
        return False
    if not param.type.rsplit(".", 1)[-1][:1].isupper():
        return False  # str, int, list...
    found = project.cls(param.type)
    return found is None or any(
        _tokens(field.name) & PAGINATION_TOKENS for field in found[1].fields
    )


def _dependency_paginates(project: Project, dependency: str, depth: int) -> bool:
    found = project.function(dependency)
    if found is not None:
        return _paginated(project, found[1], depth + 1)
    found_class = project.cls(dependency)
    if found_class is None:
        return False
    module, class_def = found_class
    if any(_tokens(field.name) & PAGINATION_TOKENS for field in class_def.fields):
        return True
    init = module.function(f"{class_def.qualname}.__init__")
    return init is not None and _paginated(project, init, depth + 1)


def _unused_pagination(module: Module, project: Project, function: Function) -> list[str]:
    """The pagination parameters a handler declares itself (``page``, ``page_size``,
    ``limit``...) when it takes its pagination from nothing else and its body never reads them:
    the client's page is ignored. Empty when the body may read them some other way
    (``locals()``, ``request.query_params``)."""
    direct = [param for param in function.params if _tokens(param.name) & PAGINATION_TOKENS]
    if not direct or any(param.marker_name in ("Depends", "Security") for param in direct):
        return []
    others = [param for param in function.params if param not in direct]
    if any(_query_model_paginates(project, p) for p in others):
        return []
    if any(
        (dependency := _dependency(p, project)) is not None
        and _dependency_paginates(project, dependency, 0)
        for p in others
    ):
        return []
    first = function.span.end_line + 1
    body = "\n".join(module.lines[first - 1 : function.body_span.end_line])
    if "locals()" in body or "query_params" in body:
        return []
    return [p.name for p in direct if not re.search(rf"\b{re.escape(p.name)}\b", body)]


def _scoped_to_parent(route: Route) -> bool:
    """The collection belongs to one object named in the path (``/cases/{case_id}/comments``):
    it grows with that object, not with the table."""
    return bool(path_params(route.path)) or any(
        param.marker is not None and param.marker.last_name == "Path"
        for param in route.handler.params
    )


def _bounded_by_request(function: Function) -> bool:
    """A required list query parameter (``ids: list[str] = Query(...)``): the client names the
    rows it wants, so the answer is as long as its own list."""
    for param in function.params:
        marker, annotation = param.marker, param.annotation
        if (
            annotation is not None
            and annotation.kind == "subscript"
            and annotation.last_name == "Annotated"
        ):
            inner = annotation.items[1]
            annotation = inner.items[0] if inner.kind == "tuple" and inner.items else inner
        if marker is None or marker.last_name != "Query" or not _is_collection(annotation):
            continue
        default = marker.arg(0, "default")
        unset = param.default is None or param.default is marker or param.default.kind == "call"
        if unset and (default is None or default.text == "..."):
            return True
    return False


class ListWithoutPagination(Rule):
    """
    ## What it does
    Flags a `GET` route that returns a collection from a query with no limit/offset (or cursor)
    parameters.

    The route declares a `list[...]`/`Sequence[...]` response (`response_model=` or the return
    annotation); it runs a query (`.all()`, `select(...)`, `.query(...)`, in the handler or in a
    function of the repository it calls) that nothing limits (`.limit()`, `.offset()`,
    `paginate(...)`, a `limit=` argument); and no parameter, directly or through a dependency, is
    named like pagination (`limit`, `offset`, `skip`, `page`, `cursor`...). Not flagged: a
    collection of one object named in the path (`/cases/{case_id}/comments`: it grows with that
    case, not with the table), and a route whose client names the rows it wants with a required
    list parameter (`ids: list[str] = Query(...)`).

    A handler that declares such parameters itself and never reads them in its body
    (`page: int = 1, page_size: int = 50` next to `db.query(Order).all()`) is reported too: the
    client asks for a page and gets every row. A body that may read them another way
    (`locals()`, `request.query_params`) is left alone.

    ## Why is this bad?
    The response grows with the table. What returns ten rows in development returns a million in
    production: one request then loads every row into memory, serialises it, and holds a database
    connection and a worker for the whole time.

    ## Example
    ```python
    @router.get("/orders", response_model=list[OrderOut])
    def list_orders(db: Session = Depends(get_db)):
        return db.query(Order).all()
    ```

    ## Use instead
    ```python
    @router.get("/orders", response_model=list[OrderOut])
    def list_orders(
        limit: int = Query(50, ge=1, le=100),
        offset: int = Query(0, ge=0),
        db: Session = Depends(get_db),
    ):
        return db.query(Order).order_by(Order.id).offset(offset).limit(limit).all()
    ```

    ## Known problems
    A dependency that cannot be followed is assumed to paginate, unless its name says it is a
    session, the current user, settings or the like. On real applications most unpaginated lists
    are configuration (a workspace's presets, rules, dashboards, secrets: tens of rows) that no
    maintainer would page, which is why the rule is `info`; nothing in the code tells those from
    tables that grow. A tenant's collection under a path parameter (`/orgs/{org_id}/users`) is
    taken as scoped to its parent and not reported.
    """

    id = "FAPI901"
    tier = Tier.PREVIEW
    name = "list-without-pagination"
    severity = Severity.INFO
    fix = "Add bounded `limit`/`offset` (or cursor) query parameters and apply them to the query."
    VALID = (
        "from fastapi import FastAPI, Query\napp = FastAPI()\n"
        "@app.get('/items', response_model=list[Item])\n"
        "def items(limit: int = Query(50, le=100), db=Depends(get_db)):\n"
        "    return db.query(Item).limit(limit).all()",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(p: Pagination = Depends(), db=Depends(get_db)) -> list[Item]:\n"
        "    return db.query(Item).offset(p.offset).limit(p.limit).all()",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(db=Depends(get_db)) -> list[Item]:\n"
        "    return db.query(Item).limit(100).all()",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(db=Depends(get_db)) -> Page[Item]:\n"
        "    return paginate(db, select(Item))",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.post('/items/search')\ndef search(q: Query, db=Depends(get_db)) -> list[Item]:\n"
        "    return db.query(Item).all()",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/roles')\ndef roles() -> list[str]:\n    return [role.value for role in Role]",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(commons: dict = Depends(common_parameters)) -> list[Item]:\n"
        "    return fake_db.query(commons).all()",
        "from fastapi import Depends, FastAPI\napp = FastAPI()\n"
        "class Paging:\n    def __init__(self, skip: int = 0, limit: int = 10):\n"
        "        self.skip, self.limit = skip, limit\n"
        "@app.get('/items')\ndef items(p: Paging = Depends(), db=Depends(get_db)) -> list[Item]:\n"
        "    return list_items(db, p)",
        # The dependency is what the factory returns, and it takes `limit`/`offset`.
        "from fastapi import Depends, FastAPI\napp = FastAPI()\n"
        "def parse_filters(model: type):\n"
        "    def dependency(limit: int = Query(50, le=100), offset: int = 0):\n"
        "        return Filters(model=model, limit=limit, offset=offset)\n"
        "    return dependency\n"
        "@app.get('/items')\n"
        "def items(filters: Filters = Depends(parse_filters(Item)), db=Depends(get_db)) -> list[Item]:\n"
        "    return db.query(Item).all()",
        Valid(
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "@app.get('/items', response_model=list[ItemOut])\n"
            "def items(db=Depends(get_db)):\n    return db.query(Item).all()",
            path="tests/test_items.py",
        ),
        # The parameters reach the query through a helper.
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/orders', response_model=list[OrderOut])\n"
        "def orders(page: int = 1, size: int = Query(50, le=100), db=Depends(get_db)):\n"
        "    return order_page(db, page=page, size=size)",
        "from fastapi import FastAPI, Request\napp = FastAPI()\n"
        "@app.get('/orders', response_model=list[OrderOut])\n"
        "def orders(request: Request, limit: int = Query(50, le=100), db=Depends(get_db)):\n"
        "    return filtered(db.query(Order), request.query_params).all()",
        # The comments of one case: the collection grows with its parent.
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/cases/{case_id}/comments', response_model=list[CommentOut])\n"
        "def comments(case_id: int, db=Depends(get_db)):\n"
        "    return db.query(Comment).filter(Comment.case_id == case_id).all()",
        # The client lists the ids it wants.
        "from fastapi import FastAPI, Query\napp = FastAPI()\n"
        "@app.get('/services/by-ids', response_model=list[ServiceOut])\n"
        "def by_ids(ids: list[str] = Query(..., alias='ids[]'), db=Depends(get_db)):\n"
        "    return db.query(Service).filter(Service.external_id.in_(ids)).all()",
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "@app.get('/items', response_model=list[ItemOut])\n"
            "def items(db: Session = Depends(get_db)):\n    return db.query(Item).all()",
            line=3,
        ),
        Invalid(
            "from fastapi import APIRouter\nfrom sqlalchemy import select\nrouter = APIRouter()\n"
            "@router.get('/users')\nasync def users(db: AsyncSession = Depends(get_db), "
            "user=Depends(get_current_user)) -> list[UserOut]:\n"
            "    result = await db.execute(select(User))\n    return result.scalars().all()",
            line=4,
        ),
        # Pagination parameters declared, and the query ignores them.
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "@app.get('/orders', response_model=list[OrderOut])\n"
            "def orders(page: int = 1, page_size: int = Query(50, le=100), db=Depends(get_db)):\n"
            "    return db.query(Order).all()",
            line=3,
        ),
        Invalid(
            "from typing import List\nfrom fastapi import FastAPI\napp = FastAPI()\n"
            "def all_orders(db):\n    return db.query(Order).all()\n"
            "@app.get('/orders', response_model=List[OrderOut])\n"
            "def orders(status: str | None = None, db=Depends(get_db)):\n"
            "    return all_orders(db)",
            line=6,
        ),
        # An optional id filter does not bound the answer.
        Invalid(
            "from fastapi import FastAPI, Query\napp = FastAPI()\n"
            "@app.get('/services', response_model=list[ServiceOut])\n"
            "def services(ids: list[str] = Query(None), db=Depends(get_db)):\n"
            "    return db.query(Service).all()",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        for route in module.routes:
            if route.method != "GET" or not _returns_collection(route):
                continue
            unused = _unused_pagination(module, project, route.handler)
            if not unused and (_scoped_to_parent(route) or _bounded_by_request(route.handler)):
                continue
            if _paginated(project, route.handler) and not unused:
                continue
            if not _queries_unbounded(module, project, route.handler):
                continue
            if unused:
                names = ", ".join(f"`{name}`" for name in unused)
                message = (
                    f"`{route.handler.name}` declares {names} but never uses "
                    f"{'it' if len(unused) == 1 else 'them'}: its query returns every row"
                )
            else:
                message = (
                    f"`{route.handler.name}` returns every row its query matches: the list "
                    "response takes no limit/offset or cursor parameter"
                )
            yield self.finding(module, route.span, message)


def _query_functions(
    module: Module, project: Project, params: frozenset[str]
) -> Iterator[tuple[Function, Route | None]]:
    """Route handlers (with their route), the dependency functions of the module, and the
    ``__init__`` of its dependency classes (``Depends(Paging)``): the functions whose plain
    parameters are query parameters. Past the handlers, only when another function has a
    parameter named in ``params`` (the ones the caller reads): finding the module's
    dependencies may scan the repository."""
    seen: set[str] = set()
    for route in module.routes:
        if route.handler.qualname not in seen:
            seen.add(route.handler.qualname)
            yield route.handler, route
    if not any(
        param.name in params
        for function in module.functions
        if function.qualname not in seen
        for param in function.params
    ):
        return
    functions = dependencies(module, project)
    classes = set(depends_targets(module)) | (depends_targets_of(module, project) or frozenset())
    for function in module.functions:  # `commons: CommonQueryParams = Depends()`
        classes.update(filter(None, (_dependency(param, project) for param in function.params)))
    for function in module.functions:
        if function.qualname in seen:
            continue
        if function.qualname in functions or (
            function.name == "__init__" and f"{module.name}.{function.class_name}" in classes
        ):
            seen.add(function.qualname)
            yield function, None


def _is_query_param(param: Param, placeholders: frozenset[str]) -> bool:
    if param.name in placeholders or param.kind in ("varargs", "varkw"):
        return False
    if param.marker is not None and param.marker.last_name != "Query":
        return False
    if param.marker is None and param.default is not None and param.default.kind == "call":
        return False  # a factory of a marker (``limit: int = LimitBody()``): it may bound it
    if param.type is not None:
        return param.type in UNBOUNDED_INTS
    default = param.default
    if default is not None and default.kind == "call" and param.marker is not None:
        default = param.marker.arg(0, "default")
    return param.annotation is None and default is not None and default.kind == "number"


def _has_upper_bound(param: Param) -> bool:
    marker = param.marker
    if marker is not None and any(key in UPPER_BOUNDS or key == "**" for key, _ in marker.kwargs):
        return True
    if param.annotation is None:
        return False
    for expr in param.annotation.walk():
        if expr.kind == "call" and (
            expr.last_name in UPPER_BOUND_MARKERS
            or any(key in UPPER_BOUNDS for key, _ in expr.kwargs)
        ):
            return True
    return False


def _clamped(module: Module, function: Function, name: str) -> bool:
    """The body caps the value: ``min(limit, ...)``, or compares it (``if limit > 100``)."""
    for call in module.calls_in(function):
        if call.qualname == "min" and any(
            expr.kind == "name" and expr.op == name for arg in call.expr.args for expr in arg.walk()
        ):
            return True
    start = function.span.end_line
    body = "\n".join(module.lines[start : function.body_span.end_line])
    word = re.escape(name)
    return re.search(rf"\b{word}\s*[<>]|[<>]=?\s*{word}\b", body) is not None


def _upper_bound_fix(module: Module, param: Param) -> Autofix | None:
    """``le=`` on the parameter's ``Query(...)``, or a ``Query(default, le=...)`` for a plain
    default: 100, or the default when it is larger. Unsafe: clients asking for more now get 422."""
    default = param.default.value if param.default is not None else None
    bound = max(100, default) if isinstance(default, int) and not isinstance(default, bool) else 100
    marker = param.marker
    edits: list[Edit | None] = []
    if marker is not None and marker.last_name == "Query":
        edits.append(argument_edit(marker, f"le={bound}"))
    elif param.default is not None and param.default.kind == "number" and param.marker is None:
        edits.append(import_edit(module, "from fastapi import Query", "Query"))
        edits.append(replace_edit(param.default, f"Query({param.default.text}, le={bound})"))
    kept = tuple(edit for edit in edits if edit is not None)
    if not kept or (marker is not None and edits[-1] is None):
        return None
    return Autofix(f"Bound it: `le={bound}`", kept, safe=False)


class UnboundedPageSize(Rule):
    """
    ## What it does
    Flags a `limit`/`page_size`/`per_page`/`size` query parameter with no upper bound (`le=`).

    The parameter belongs to a route or a dependency, and has no `le=`/`lt=` on its `Query(...)`,
    whether given as the default or in `Annotated[...]`: a bare `limit: int = 100` counts. `size`
    is only taken as a page size next to a `page`/`offset`/`skip`/`cursor` parameter or on a route
    returning a list.

    ## Why is this bad?
    Pagination only protects the service if the page size is capped. Without `le=`, a client (or a
    scraper) asks for `?limit=1000000` and gets the whole table in one response.

    ## Example
    ```python
    @router.get("/orders", response_model=list[OrderOut])
    def list_orders(limit: int = 100, offset: int = 0, db: Session = Depends(get_db)):
        return db.query(Order).offset(offset).limit(limit).all()
    ```

    ## Use instead
    ```python
    @router.get("/orders", response_model=list[OrderOut])
    def list_orders(
        limit: Annotated[int, Query(ge=1, le=100)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
        db: Session = Depends(get_db),
    ):
        return db.query(Order).offset(offset).limit(limit).all()
    ```

    ## Known problems
    A body that caps the value with `min(limit, ...)` or compares it (`if limit > 100`) is taken
    as bounded; a cap applied further down, in the repository function the value is handed to
    (`page_size = max(min(page_size, 100), 1)`), is not seen, and the parameter is reported.
    """

    id = "FAPI902"
    name = "unbounded-page-size"
    severity = Severity.WARNING
    fix = "Cap it: `limit: int = Query(50, ge=1, le=100)`."
    VALID = (
        "from fastapi import FastAPI, Query\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(limit: int = Query(50, ge=1, le=100)):\n    return []",
        "from typing import Annotated\nfrom fastapi import FastAPI, Query\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(page_size: Annotated[int, Query(lt=101)] = 10):\n"
        "    return []",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(limit: int = 100):\n    limit = min(limit, 100)\n"
        "    return []",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/thumbnail')\ndef thumbnail(size: int = 128):\n    return render(size)",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items/{limit}')\ndef items(limit: int):\n    return []",
        "from pydantic import conint\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(limit: conint(ge=1, le=100) = 10):\n    return []",
        "def paginate(items, limit: int = 100):\n    return items[:limit]",
        # A factory of a marker that checks the value itself.
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.post('/flows/filter')\ndef flows(limit: int = LimitBody(), offset: int = 0):\n"
        "    return []",
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.get('/items')\ndef items(limit: int = 100):\n"
        "    if limit > 500:\n        raise HTTPException(422)\n    return []",
        Valid(
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "@app.get('/items')\ndef items(skip: int = 0, limit: int = 100):\n    return []",
            path="tests/test_pagination.py",
        ),
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "@app.get('/items')\ndef items(skip: int = 0, limit: int = 100):\n    return []",
            line=4,
        ),
        Invalid(
            "from typing import Annotated\nfrom fastapi import FastAPI, Query\napp = FastAPI()\n"
            "@app.get('/items')\ndef items(\n    page: int = 1,\n"
            "    per_page: Annotated[int | None, Query(ge=1)] = None,\n):\n    return []",
            line=7,
        ),
        Invalid(
            "from fastapi import Depends, FastAPI, Query\napp = FastAPI()\n"
            "def pagination(page: int = 1, size: int = Query(20, ge=1)):\n"
            "    return page, size\n"
            "@app.get('/items')\ndef items(p=Depends(pagination)):\n    return []",
            line=3,
        ),
        Invalid(
            "from fastapi import Depends, FastAPI\napp = FastAPI()\n"
            "class CommonQueryParams:\n"
            "    def __init__(self, q: str | None = None, skip: int = 0, limit: int = 100):\n"
            "        self.q, self.skip, self.limit = q, skip, limit\n"
            "@app.get('/items')\ndef items(commons: CommonQueryParams = Depends()):\n"
            "    return []",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        functions = (*module.functions, *(route.handler for route in module.routes))
        if not any(p.name in PAGE_SIZE_NAMES for f in functions for p in f.params):
            return  # no query function (a handler or dependency of the module) has one
        for function, route in _query_functions(module, project, PAGE_SIZE_NAMES):
            placeholders = path_params(route.path if route else None)
            for param in function.params:
                if param.name not in PAGE_SIZE_NAMES:
                    continue
                if param.name == "size" and not (
                    any(_tokens(other.name) & PAGE_POSITION_TOKENS for other in function.params)
                    or (route is not None and _returns_collection(route))
                ):
                    continue
                if not _is_query_param(param, placeholders) or _has_upper_bound(param):
                    continue
                if _clamped(module, function, param.name):
                    continue
                yield self.finding(
                    module,
                    param.span,
                    f"query parameter `{param.name}` has no upper bound: a client can ask for "
                    "every row at once",
                    autofix=_upper_bound_fix(module, param),
                )


class NPlusOneQuery(Rule):
    """
    ## What it does
    Flags a query or awaited call inside a loop over query results, or lazy relationship access
    per item, where eager loading (`selectinload`, `joinedload`) or one batched query fits.

    ## Why is this bad?
    One request then issues one query per row: a page of 100 orders costs 101 round trips to the
    database, and the latency grows with the data instead of staying flat.

    ## Example
    ```python
    @router.get("/orders", response_model=list[OrderOut])
    async def list_orders(db: AsyncSession = Depends(get_db)):
        orders = (await db.scalars(select(Order).limit(50))).all()
        for order in orders:
            order.customer = await db.get(Customer, order.customer_id)
        return orders
    ```

    ## Use instead
    ```python
    @router.get("/orders", response_model=list[OrderOut])
    async def list_orders(db: AsyncSession = Depends(get_db)):
        query = select(Order).options(selectinload(Order.customer)).limit(50)
        return (await db.scalars(query)).all()
    ```
    """

    id = "FAPI903"
    name = "n-plus-one-query"
    severity = Severity.WARNING
    engine = "llm"
    fix = "Load the related rows in the first query (`selectinload`/`joinedload`) or batch them."


SERVER_DATABASES = frozenset(
    {"postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle", "cockroachdb"}
)
ENGINE_FACTORIES = frozenset(name for name, kind in CLIENT_CONSTRUCTORS.items() if kind == "engine")
POOL_OPTIONS = frozenset(
    {
        "pool_size",
        "max_overflow",
        "pool_pre_ping",
        "pool_recycle",
        "pool_timeout",
        "pool_use_lifo",
        "poolclass",
        "pool",
        "creator",
        "**",
    }
)
MIGRATION_FOLDERS = frozenset({"alembic", "migrations"})


URL_ATTRIBUTE = regex(r"ur[li]|dsn", re.IGNORECASE)


def _url_value(project: Project, expr: Expr | None, depth: int = 0) -> Expr | None:
    """The expression a database URL comes from: through ``str(...)``, a module-level constant,
    a settings object's field default (``settings.DATABASE_URL``), and the URL attribute of an
    object of a class the repository does not show (``db.url`` after ``db = Database(URL)``)."""
    if expr is None or depth > 4:
        return expr
    if expr.kind == "call" and expr.qualname == "str" and expr.args:
        return _url_value(project, expr.args[0], depth + 1)
    if expr.kind == "name":
        assigned = project.assignment(expr.qualname)
        if assigned is not None and assigned[1].value is not None:
            return _url_value(project, assigned[1].value, depth + 1)
    if expr.kind == "attribute":
        receiver = project.assignment(expr.items[0].qualname)
        value = receiver[1].value if receiver is not None else None
        if value is not None and value.kind == "call":
            found = project.cls(value.qualname)
            for field in found[1].fields if found is not None else ():
                if field.name == expr.op and field.default is not None:
                    return _url_value(project, field.default, depth + 1)
            if found is None and URL_ATTRIBUTE.search(expr.op) and value.args:
                # `db = Database("sqlite:///app.db")`, then `create_engine(str(db.url))`
                built_from = _url_value(project, value.args[0], depth + 1)
                prefix = string_prefix(built_from)
                if prefix is not None and "://" in prefix[0]:
                    return built_from
    return expr


def _urls(module: Module, project: Project, call: Call) -> list[Expr]:
    """The expressions the URL of an engine call may come from: those assigned to a local
    variable in the function (each branch's), else the argument followed by ``_url_value``."""
    url = call.expr.arg(0, "url")
    if url is None:
        return []
    local = [
        assign.value
        for assign in assignments_in(module, call.function)
        if url.kind == "name"
        and call.function is not None
        and assign.value is not None
        and [(target.kind, target.op) for target in assign.targets] == [("name", url.op)]
    ]
    return [value for value in (_url_value(project, value) for value in local or [url]) if value]


def _one_off(module: Module, call: Call) -> bool:
    """An engine for one job rather than for serving requests: built in a CLI command
    (``@cli.command()``) or under ``if __name__ == "__main__":``, or disposed by the function
    that builds it."""
    if call.in_main_guard:
        return True
    for scope in enclosing_scopes(call.function):
        function = module.function(scope)
        if function is not None and any(
            (decorator.func or decorator).last_name == "command"
            for decorator in function.decorators
        ):
            return True
    function = module.function(call.function)
    if function is None or call.usage != "assign" or call.target is None:
        return False
    return any(
        other.expr.func is not None
        and other.expr.func.op == "dispose"
        and other.expr.func.items[0].kind == "name"
        and other.expr.func.items[0].op == call.target
        for other in module.calls_in(function)
    )


def _alembic_env(module: Module) -> bool:
    """An Alembic environment script (``from alembic import context``), wherever its folder is."""
    return any(
        name == "alembic.context" or name.startswith("alembic.context.")
        for _, name in module.imports
    )


def _pooled_nearby(module: Module, call: Call) -> bool:
    """The same function builds another engine with pool settings: this one is its fallback
    (``except TypeError:`` for SQLite, which rejects ``pool_size``)."""
    return call.function is not None and any(
        other is not call
        and other.function == call.function
        and other.qualname in ENGINE_FACTORIES
        and any(key in POOL_OPTIONS for key, _ in other.expr.kwargs)
        for other in module.calls
    )


def _stays_local(module: Module, call: Call) -> bool:
    """The engine is kept in a local name that never leaves the function: not returned, stored
    or passed on, only used through its methods (``with engine.begin() as conn:``)."""
    function = module.function(call.function)
    if function is None or call.usage != "assign" or call.target is None:
        return False
    name = call.target

    def mentions(expr: Expr | None) -> bool:
        return expr is not None and any(
            node.kind == "name" and node.op == name for node in expr.walk()
        )

    if any(mentions(returned.value) for returned in function.returns):
        return False
    if any(mentions(assign.value) for assign in assignments_in(module, function.qualname)):
        return False
    return not any(
        mentions(argument)
        for other in module.calls_in(function)
        for argument in (*other.expr.args, *(value for _, value in other.expr.kwargs))
    )


def _given_by_caller(module: Module, call: Call, urls: list[Expr]) -> bool:
    """The URL comes from a parameter of the function (``self`` included) and its scheme is not
    written out: an engine for whatever database the caller names (a connector to a customer's
    warehouse, an exporter given a connection string), not the application's own."""
    function = module.function(call.function)
    if function is None:
        return False
    names = "|".join(re.escape(param.name) for param in function.params)
    return bool(names) and all(
        _scheme(url) is None and re.search(rf"\b({names})\b", url.text) is not None for url in urls
    )


def _scheme(url: Expr) -> str | None:
    """The database dialect of a URL expression, or None when it is not written out."""
    if url.kind == "call" and url.last_name == "create" and url.args:
        url = url.args[0]  # URL.create("postgresql+psycopg", ...)
    prefix = string_prefix(url)
    if prefix is None:
        return None
    text, complete = prefix
    dialect, separator, _ = text.partition(":")
    if not separator and not complete:
        return None
    return dialect.split("+", 1)[0].lower()


def _mentions_sqlite(url: Expr) -> bool:
    """A literal in the URL expression is a SQLite URL (``os.getenv("DB", "sqlite:///...")``,
    ``f"sqlite:///{path}"``)."""
    for expr in url.walk():
        prefix = string_prefix(expr) if expr.kind in ("str", "fstring") else None
        if prefix is not None and prefix[0].startswith("sqlite"):
            return True
    return False


class EnginePoolUnconfigured(Rule):
    """
    ## What it does
    Flags `create_engine(...)`/`create_async_engine(...)` for a server database without explicit
    pool settings (`pool_size`, `max_overflow`, `pool_pre_ping`...).

    A server database is a PostgreSQL, MySQL/MariaDB, SQL Server or Oracle URL, or a URL that is
    not written out (`settings.DATABASE_URL`) and shows no SQLite default. Any of `pool_size`,
    `max_overflow`, `pool_pre_ping`, `pool_recycle`, `pool_timeout` or `poolclass` counts as
    configured. A URL held in a local variable is followed to every value the function assigns
    it. Test modules, Alembic migrations (an `alembic`/`migrations` folder, or a module that
    imports `alembic.context`), and one-off engines are excepted: built in a CLI command
    (`@cli.command()`) or under `if __name__ == "__main__":`, disposed by the function that
    builds it, or kept in a local name that never leaves the function. So are an engine built
    next to another with pool settings (the fallback for SQLite, which rejects `pool_size`), and
    one whose URL comes from the function's parameters or `self` with no scheme written out: an
    engine for a database the caller names (a connector to a customer's warehouse, an exporter
    given a connection string), not the application's own pool.

    ## Why is this bad?
    The defaults (5 connections, 10 overflow, no liveness check) are a guess: under load requests
    queue for a connection, and after a database restart or a proxy's idle timeout the pool hands
    out dead connections, so the first requests fail.

    ## Example
    ```python
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(settings.database_url)
    ```

    ## Use instead
    ```python
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=10,
        pool_pre_ping=True,
        pool_recycle=1800,
    )
    ```
    """

    id = "FAPI904"
    name = "engine-pool-unconfigured"
    severity = Severity.INFO
    fix = "Set `pool_size`, `max_overflow` and `pool_pre_ping=True` (and `pool_recycle`)."
    VALID = (
        "from sqlalchemy import create_engine\n"
        "engine = create_engine('sqlite:///./app.db', connect_args={'check_same_thread': False})",
        "from sqlalchemy import create_engine\nURL = 'sqlite:///./app.db'\n"
        "engine = create_engine(URL)",
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "engine = create_async_engine(settings.url, pool_size=10, pool_pre_ping=True)",
        "import os\nfrom sqlalchemy import create_engine\n"
        "engine = create_engine(os.getenv('DATABASE_URL', 'sqlite:///./dev.db'))",
        "from sqlalchemy import create_engine\nfrom sqlalchemy.pool import NullPool\n"
        "engine = create_engine(settings.url, poolclass=NullPool)",
        Valid(
            "from sqlalchemy import create_engine\nengine = create_engine('postgresql://x/test')",
            path="tests/conftest.py",
        ),
        Valid(
            "from sqlalchemy import create_engine\nengine = create_engine(config.url)",
            path="alembic/env.py",
        ),
        "from pydantic_settings import BaseSettings\nfrom sqlmodel import create_engine\n"
        "class Settings(BaseSettings):\n    database_url: str = 'sqlite:///db.sqlite3'\n"
        "settings = Settings()\nengine = create_engine(settings.database_url)",
        "from sqlalchemy import create_engine\n"
        "engine = create_engine('postgresql://app@db/app', **settings.engine_options)",
        # A one-off job: the CLI command runs one migration and exits.
        "import typer\nfrom sqlalchemy import create_engine\ncli = typer.Typer()\n"
        "@cli.command('migrate')\ndef migrate():\n    engine = create_engine(settings.url)\n"
        "    upgrade(engine)",
        "from sqlalchemy import create_engine\n"
        "def create_schema(url: str, name: str) -> None:\n    engine = create_engine(url)\n"
        "    with engine.begin() as conn:\n        conn.execute(CreateSchema(name))\n"
        "    engine.dispose()",
        # SQLite unless a server URL is configured.
        "from sqlalchemy.ext.asyncio import create_async_engine\nclass Database:\n"
        "    def __init__(self, name: str) -> None:\n"
        "        if settings.database_url:\n"
        "            url = settings.database_url.replace('postgres://', 'postgresql+asyncpg://')\n"
        "        else:\n            url = f'sqlite+aiosqlite:///{name}.sqlite3'\n"
        "        self.engine = create_async_engine(url)",
        "import sqlalchemy\nfrom databases import Database\ndb = Database('sqlite:///app.db')\n"
        "engine = sqlalchemy.create_engine(str(db.url))",
        # An Alembic environment, in a folder of any name.
        Valid(
            "from alembic import context\nfrom sqlalchemy import create_engine\n"
            "connectable = create_engine(DATABASE_URL)\ndef run_migrations_online():\n"
            "    with connectable.connect() as connection:\n"
            "        context.configure(connection=connection)\n"
            "        with context.begin_transaction():\n            context.run_migrations()",
            path="src/app/database/revisions/env.py",
        ),
        # The fallback for SQLite, which rejects pool_size.
        "from sqlalchemy import create_engine\ndef create_db_engine():\n    try:\n"
        "        return create_engine(settings.url, pool_size=20, max_overflow=10)\n"
        "    except TypeError:\n        return create_engine(settings.url)",
        # An engine that never leaves the function: one check, then dropped.
        "from sqlalchemy import create_engine\ndef db_is_at_head(config) -> bool:\n"
        "    engine = create_engine(settings.DB_URL)\n    with engine.begin() as connection:\n"
        "        return current_heads(connection) == script_heads(config)",
        # A database the caller names: a connector to a customer's data store.
        "from sqlalchemy import create_engine\nclass SQLConnector:\n"
        "    def create_client(self):\n"
        "        uri = self.configuration.secrets.get('url') or self.build_uri()\n"
        "        return create_engine(uri, hide_parameters=True)",
    )
    INVALID = (
        Invalid(
            "from sqlalchemy import create_engine\n"
            "engine = create_engine('postgresql+psycopg://app@db:5432/app')",
            line=2,
        ),
        Invalid(
            "from sqlalchemy.ext.asyncio import create_async_engine\n"
            "engine = create_async_engine(str(settings.SQLALCHEMY_DATABASE_URI), echo=False)",
            line=2,
        ),
        Invalid(
            "from sqlmodel import create_engine\n"
            "engine = create_engine(f'mysql+pymysql://{user}:{password}@{host}/shop')",
            line=2,
        ),
        Invalid(
            "from sqlalchemy.ext.asyncio import create_async_engine\n"
            "def make_engine(host: str):\n    url = f'postgresql+asyncpg://app@{host}/app'\n"
            "    return create_async_engine(url)",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test or MIGRATION_FOLDERS & set(module.path.split("/")[:-1]):
            return
        engines = calls_to(module, ENGINE_FACTORIES)
        if not engines or _alembic_env(module):
            return
        for call in engines:
            if any(key in POOL_OPTIONS for key, _ in call.expr.kwargs):
                continue
            if _one_off(module, call) or _pooled_nearby(module, call) or _stays_local(module, call):
                continue
            urls = _urls(module, project, call)
            if not urls or any(_mentions_sqlite(url) for url in urls):
                continue
            if _given_by_caller(module, call, urls):
                continue
            schemes = {_scheme(url) for url in urls}
            if None not in schemes and not schemes & SERVER_DATABASES:
                continue
            scheme = schemes.pop() if len(schemes) == 1 else None
            database = f"a `{scheme}`" if scheme else "the configured"
            yield self.finding(
                module,
                call,
                f"`{call.expr.last_name}()` for {database} database relies on the default pool: "
                "set `pool_size`, `max_overflow` and `pool_pre_ping`",
            )
