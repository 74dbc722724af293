"""Small facts over the construct model that rules of more than one family share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TypeVar

from reviewer.extract.model import Assign, Call, ClassDef, Expr, Function, Module, Route, Span
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.record import record
from reviewer.rules.base import Edit

T = TypeVar("T")


def walk_distinct(roots: list[Expr], leaves: frozenset[str] = frozenset()) -> Iterator[Expr]:
    """Every expression inside ``roots`` once, in the order of walking each root in turn
    (:meth:`Expr.walk`): a subtree shared by two roots (a call inside an assigned value is a
    call of the module too) is walked once. Expressions of the kinds ``leaves`` are left out."""
    seen: set[int] = set()
    stack = roots[::-1]
    pop, push, visit = stack.pop, stack.extend, seen.add
    while stack:
        expr = pop()
        if expr.kind in leaves or id(expr) in seen:
            continue
        visit(id(expr))
        yield expr
        if expr.kwargs:
            push([value for _, value in expr.kwargs[::-1]])
        if expr.args:
            push(expr.args[::-1])
        if expr.keys:
            push([key for key in expr.keys[::-1] if key is not None])
        if expr.items:
            push(expr.items[::-1])


class _CallIndex:
    """The positions in :attr:`Module.calls` of the calls of a module, by the qualified name of
    their callee and by the name the callee is written with (``name(...)``, ``x.name(...)``)."""

    def __init__(self, module: Module) -> None:
        self.calls = module.calls
        self.by_name: dict[str, list[int]] = {}
        self.by_op: dict[str, list[int]] = {}
        by_name, by_op = self.by_name, self.by_op
        for position, call in enumerate(module.calls):
            expr = call.expr
            by_name.setdefault(expr.qualname or "", []).append(position)
            # ``expr.func``: a recorded call always has its callee
            by_op.setdefault(expr.items[0].op, []).append(position)

    def ordered(self, groups: list[list[int]]) -> list[Call]:
        if not groups:  # most questions: no call of the module has the names asked for
            return []
        calls = self.calls
        if len(groups) == 1:
            return [calls[position] for position in groups[0]]
        return [calls[position] for position in sorted({p for group in groups for p in group})]


def writes(module: Module, words: Iterable[str], any_case: bool = False) -> bool:
    """The text of ``module`` holds one of ``words`` (``any_case``: in any case, ``words`` in
    lowercase): how a rule leaves at once a module that cannot hold what it looks for, when each
    thing it looks for spells one of them (an attribute it reads, a name it calls)."""
    text = "\n".join(module.lines)
    if any_case:
        text = text.lower()
    return any(word in text for word in words)


def _call_index(module: Module) -> _CallIndex:
    return module.memo("call_index", lambda: _CallIndex(module))


def calls_to(module: Module, names: Iterable[str]) -> list[Call]:
    """The calls of ``module`` whose callee's qualified name is one of ``names``, in the order
    of :attr:`Module.calls` (a lookup, not a scan of every call, for each rule that asks)."""
    index = _call_index(module)
    by_name = index.by_name
    return index.ordered([by_name[name] for name in by_name.keys() & names])


def calls_where(
    module: Module, wanted: Callable[[str], bool], wanted_name: Callable[[str], bool] | None = None
) -> list[Call]:
    """The calls of ``module`` whose callee's qualified name is ``wanted`` (or, with
    ``wanted_name``, whose callee is written with a name it wants: ``name(...)``,
    ``x.name(...)``), in the order of :attr:`Module.calls`; each distinct name is asked once."""
    index = _call_index(module)
    groups = [group for name, group in index.by_name.items() if wanted(name)]
    if wanted_name is not None:
        groups.extend(group for name, group in index.by_op.items() if wanted_name(name))
    return index.ordered(groups)


def calls_named(module: Module, names: Iterable[str]) -> list[Call]:
    """The calls ``name(...)`` and ``x.name(...)`` of ``module`` for one of ``names`` (the
    callee's name as written), in the order of :attr:`Module.calls`."""
    index = _call_index(module)
    by_op = index.by_op
    return index.ordered([by_op[name] for name in by_op.keys() & names])


def method_calls(module: Module, methods: Iterable[str]) -> list[Call]:
    """The calls ``x.method(...)`` of ``module`` for one of ``methods``, in the order of
    :attr:`Module.calls`."""
    return [call for call in calls_named(module, methods) if call.expr.items[0].kind == "attribute"]


def assignments_in(module: Module, function: str | None) -> list[Assign]:
    """The assignments of ``module`` whose innermost enclosing function is ``function`` (None:
    at module or class level), in order: a lookup, not a scan of every assignment."""
    return module.memo("assignments_in", lambda: _assignments_by_function(module)).get(function, [])


def _assignments_by_function(module: Module) -> dict[str | None, list[Assign]]:
    found: dict[str | None, list[Assign]] = {}
    for assign in module.assignments:
        if assign.function in found:
            found[assign.function].append(assign)
        else:
            found[assign.function] = [assign]
    return found


def local_assignments(module: Module) -> dict[tuple[str | None, str], list[Assign]]:
    """The assignments of ``module`` to a plain name, in order, by the function they are in and
    that name (``(None, "engine")`` for a module-level ``engine = ...``)."""
    return module.memo("local_assignments", lambda: _local_assignments(module))


def _local_assignments(module: Module) -> dict[tuple[str | None, str], list[Assign]]:
    found: dict[tuple[str | None, str], list[Assign]] = {}
    for assign in module.assignments:
        names = {target.op for target in assign.targets if target.kind == "name"}
        for name in names:
            found.setdefault((assign.function, name), []).append(assign)
    return found


_LEAVES = frozenset({"name", "number", "bool", "none"})
"""Kinds of expressions that hold no other expression and no text."""


def value_roots(module: Module) -> list[Expr]:
    """Every top-level expression that can hold a literal: values, calls, returns, defaults."""
    roots = [assign.value for assign in module.assignments if assign.value is not None]
    roots.extend([call.expr for call in module.calls])
    for function in module.functions:
        roots.extend([ret.value for ret in function.returns if ret.value is not None])
        roots.extend([param.default for param in function.params if param.default is not None])
    return roots


@record
class Literals:
    """The string (and bytes) literals and the dict displays inside :func:`value_roots`."""

    strings: list[Expr]
    """In no particular order."""
    dicts: list[Expr]
    """In the order of walking each root in turn (:meth:`Expr.walk`)."""


def value_literals(module: Module) -> Literals:
    """The literals of ``module``'s values, found in one walk per module (a subtree shared by two
    roots, as a call inside an assigned value, is walked once)."""
    return module.memo("value_literals", lambda: _find_literals(value_roots(module)))


def _find_literals(roots: list[Expr]) -> Literals:
    found = Literals([], [])
    for expr in walk_distinct(roots, _LEAVES):
        if expr.kind == "dict":
            found.dicts.append(expr)
        elif expr.kind in ("str", "bytes"):
            found.strings.append(expr)
    return found


@lru_cache(maxsize=8192)
def split_words(identifier: str) -> tuple[str, ...]:
    """``refreshToken`` -> ``("refresh", "token")``; ``X-API-Key`` -> ``("x", "api", "key")``."""
    spaced = _CAMEL_HUMP.sub(r"\1_\2", identifier)
    return tuple(word for word in _NOT_WORD.split(spaced.lower()) if word)


@lru_cache(maxsize=8192)
def snake_case(name: str) -> str:
    """``hashedPassword`` -> ``hashed_password`` (a snake-case name is left as it is)."""
    return _CAMEL_HUMP.sub(r"\1_\2", name).lower()


_CAMEL_HUMP = regex(r"([a-z0-9])([A-Z])")
_NOT_WORD = regex(r"[^a-z0-9]+")


def enclosing_scopes(function: str | None) -> Iterator[str | None]:
    """The scopes a name used in ``function`` is looked up in, innermost first:
    ``a.b`` -> ``a.b``, ``a``, then the module (None)."""
    while function:
        yield function
        function = function.rpartition(".")[0] or None
    yield None


HTTP_VERBS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}
)
"""Request methods of the `requests` and `httpx` modules and clients."""


def string_prefix(expr: Expr | None) -> tuple[str, bool] | None:
    """The literal text a string expression starts with, and whether that is the whole string:
    a literal, the text of an f-string before its first placeholder, or the left operand of ``+``.
    None when the expression does not start with literal text."""
    if expr is None:
        return None
    if expr.kind == "str" and isinstance(expr.value, str):
        return expr.value, True
    if expr.kind == "binop" and expr.op == "+" and expr.items:
        left = string_prefix(expr.items[0])
        return None if left is None else (left[0], False)
    if expr.kind != "fstring":
        return None
    if not expr.items:
        return str(expr.value or ""), True
    text = expr.text.lstrip("rRbBuUfF")
    quote = text[:3] if text[:3] in ('"""', "'''") else text[:1]
    if quote not in ('"', "'", '"""', "'''"):
        return None
    body = text[len(quote) :]
    end = min(
        (index for index in (body.find("{"), body.find(quote[0])) if index >= 0),
        default=len(body),
    )
    return body[:end], False


# -- resources that dependencies hand out, and the functions that are dependencies -----------

SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
"""Session classes whose constructor opens a new session."""
SESSION_FACTORY_CALLS = frozenset(
    {
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.session.async_sessionmaker",
        "sqlalchemy.ext.asyncio.async_scoped_session",
    }
)
"""Calls that build a session factory (``SessionLocal = sessionmaker(...)``)."""
POOL_TYPES = frozenset(
    {
        "asyncpg.create_pool",
        "asyncpg.Pool",
        "asyncpg.pool.Pool",
        "aiomysql.create_pool",
        "psycopg2.pool.SimpleConnectionPool",
        "psycopg2.pool.ThreadedConnectionPool",
    }
)
DRIVER_CONNECT = frozenset(
    {
        "sqlite3.connect",
        "aiosqlite.connect",
        "psycopg2.connect",
        "psycopg.connect",
        "psycopg.Connection.connect",
        "psycopg.AsyncConnection.connect",
        "asyncpg.connect",
        "pymysql.connect",
        "aiomysql.connect",
        "MySQLdb.connect",
        "mysql.connector.connect",
    }
)
"""Database driver calls that open a connection."""
CLIENT_CONSTRUCTORS = {
    "sqlalchemy.create_engine": "engine",
    "sqlalchemy.engine.create_engine": "engine",
    "sqlalchemy.ext.asyncio.create_async_engine": "engine",
    "sqlmodel.create_engine": "engine",
    "asyncpg.create_pool": "connection pool",
    "aiomysql.create_pool": "connection pool",
    "httpx.Client": "HTTP client",
    "httpx.AsyncClient": "HTTP client",
    "aiohttp.ClientSession": "HTTP client",
    "requests.Session": "HTTP client",
    "requests.session": "HTTP client",
    "boto3.client": "AWS client",
    "boto3.resource": "AWS client",
    "boto3.Session": "AWS client",
    "boto3.session.Session": "AWS client",
    "aioboto3.Session": "AWS client",
    "redis.Redis": "Redis client",
    "redis.StrictRedis": "Redis client",
    "redis.from_url": "Redis client",
    "redis.Redis.from_url": "Redis client",
    "redis.StrictRedis.from_url": "Redis client",
    "redis.asyncio.Redis": "Redis client",
    "redis.asyncio.from_url": "Redis client",
    "redis.asyncio.Redis.from_url": "Redis client",
    "pymongo.MongoClient": "MongoDB client",
    "motor.motor_asyncio.AsyncIOMotorClient": "MongoDB client",
}
"""Constructors of engines, pools and clients (which hold connections or credentials), by the
kind of resource they build."""
ENGINES = frozenset(
    {"sqlalchemy.Engine", "sqlalchemy.engine.Engine", "sqlalchemy.ext.asyncio.AsyncEngine"}
    | {name for name, kind in CLIENT_CONSTRUCTORS.items() if kind == "engine"}
)
"""Engine types, and the calls that build an engine."""
SESSION_FACTORY_NAME = regex(
    r"\w*SessionLocal|(async_)?session_(factory|maker|local)|async_session"
    r"|(Async)?Session(Factory|Maker)"
)
"""Names conventionally given to a session factory, trusted when its definition is unknown."""
ENGINE_NAME = regex(r"(\w+_)?engine", re.IGNORECASE)
POOL_NAME = regex(r"(\w+_)?pool", re.IGNORECASE)


def _origin(expr: Expr, project: Project) -> str | None:
    """What built the value that ``expr`` names: its known type, or the callee of the
    module-level assignment defining it; ``def`` for a function or class of the repository."""
    if expr.type:
        return expr.type
    if expr.kind not in ("name", "attribute") or not expr.qualname:
        return None
    origins: dict[str, str | None] = project.memo("origins", dict)
    if expr.qualname not in origins:
        origins[expr.qualname] = _origin_of(expr.qualname, project)
    return origins[expr.qualname]


def _origin_of(qualname: str, project: Project) -> str | None:
    if project.function(qualname) or project.cls(qualname):
        return "def"
    found = project.assignment(qualname)
    value = found[1].value if found else None
    if value is not None and value.kind == "await":
        value = value.items[0]
    return value.qualname if value is not None and value.kind == "call" else None


def _is_session_factory(expr: Expr, project: Project) -> bool:
    """``expr`` names a session factory: built by ``sessionmaker``/``async_sessionmaker``/
    ``scoped_session``, or named like one (``SessionLocal``) when its definition is unknown or
    opaque (it is not a function or class of the repository)."""
    origin = _origin(expr, project)
    if origin in SESSION_FACTORY_CALLS:
        return True
    return origin != "def" and SESSION_FACTORY_NAME.fullmatch(expr.last_name) is not None


def _built_by(expr: Expr, project: Project, types: frozenset[str], name: re.Pattern[str]) -> bool:
    """``expr`` is known to be built by one of ``types`` or, when nothing is known about it,
    is named like one (``engine``, ``db_pool``, ``request.app.state.pool``)."""
    origin = _origin(expr, project)
    if origin is not None:
        return origin in types
    return expr.kind in ("name", "attribute") and name.fullmatch(expr.last_name) is not None


def resource_kind(call: Expr, project: Project, depth: int = 0) -> str | None:
    """The kind of resource the call ``call`` creates: ``session`` (a SQLAlchemy/SQLModel
    session, also from a factory such as ``SessionLocal()``), ``connection`` (a driver's
    ``connect()``, ``engine.connect()``, ``pool.acquire()``), a kind of ``CLIENT_CONSTRUCTORS``,
    or None. A call of a repository function that returns or yields a session or connection it
    opens (``get_session()`` returning ``SessionLocal()``, a ``session_scope()`` context
    manager) creates what that function opens, up to two such helpers deep."""
    func = call.func
    if func is None or not func.qualname or func.op in _HANDLE_METHODS:
        return _resource_kind(call, project, depth)
    # The answer then depends on these alone: ask once per review.
    key = (call.qualname, func.kind, func.type, func.qualname, depth)
    kinds: dict[tuple[str | None, str, str | None, str, int], str | None]
    kinds = project.memo("resource_kinds", dict)
    if key not in kinds:
        kinds[key] = _resource_kind(call, project, depth)
    return kinds[key]


_HANDLE_METHODS = frozenset({"connect", "begin", "raw_connection", "acquire", "getconn"})
"""Methods whose receiver decides whether they open a connection or a session."""


def _resource_kind(call: Expr, project: Project, depth: int) -> str | None:
    name = call.qualname or ""
    if name in SESSION_CLASSES:
        return "session"
    if name in DRIVER_CONNECT:
        return "connection"
    if name in CLIENT_CONSTRUCTORS:
        return CLIENT_CONSTRUCTORS[name]
    func = call.func
    if func is None or func.kind not in ("name", "attribute"):
        return None
    if func.kind == "attribute":
        receiver = func.items[0]
        if func.op in ("connect", "begin", "raw_connection") and _built_by(
            receiver, project, ENGINES, ENGINE_NAME
        ):
            return "connection"
        if func.op in ("acquire", "getconn") and _built_by(
            receiver, project, POOL_TYPES, POOL_NAME
        ):
            return "connection"
        if func.op == "begin" and _is_session_factory(receiver, project):
            return "session"
    if _is_session_factory(func, project):
        return "session"
    if depth >= 2 or not call.qualname:
        return None
    opened: dict[tuple[str, int], str | None] = project.memo("opened_by", dict)
    key = (call.qualname, depth)
    if key not in opened:
        opened[key] = _opened_by(call.qualname, project, depth)
    return opened[key]


def _opened_by(qualname: str, project: Project, depth: int) -> str | None:
    """The kind of resource a call of the repository function ``qualname`` creates (see
    :func:`resource_kind`)."""
    found = project.function(qualname)
    if found is None:
        return None
    module, function = found
    values = tuple(ret.value for ret in function.returns if ret.value is not None)
    handle = fresh_database_handle(
        module, project, function, values + function.yield_values, depth + 1
    )
    if handle is None:
        return None
    opened = handle.items[0] if handle.kind == "await" else handle
    if opened.kind == "call":
        return resource_kind(opened, project, depth + 1)
    return "session"


DATABASE_HANDLES = frozenset({"session", "connection"})


def fresh_database_handle(
    module: Module,
    project: Project,
    function: Function,
    values: tuple[Expr, ...],
    depth: int = 0,
) -> Expr | None:
    """The first of ``values`` (yielded or returned by ``function``) that is a session or
    connection the function opened itself: the opening call, or a local name assigned from it
    (``db = SessionLocal()``). Handles entered with ``with`` are not assignments."""
    opened: set[str] | None = None  # what the locals hold, found when a value is a local
    for value in values:
        if _opens_database_handle(value, project, depth):
            return value
        if value.kind == "name":
            if opened is None:
                opened = _opened_locals(module, project, function, depth)
            if value.op in opened:
                return value
    return None


def _opened_locals(module: Module, project: Project, function: Function, depth: int) -> set[str]:
    """The local names of ``function`` assigned a session or connection it opens."""
    opened: set[str] = set()
    for assign in assignments_in(module, function.qualname):
        target = assign.targets[0] if len(assign.targets) == 1 else None
        if (
            target is not None
            and target.kind == "name"
            and assign.value is not None
            and _opens_database_handle(assign.value, project, depth)
        ):
            opened.add(target.op)
    return opened


def _opens_database_handle(expr: Expr, project: Project, depth: int = 0) -> bool:
    if expr.kind == "await":
        expr = expr.items[0]
    return expr.kind == "call" and resource_kind(expr, project, depth) in DATABASE_HANDLES


def is_fixture(function: Function) -> bool:
    """Decorated with ``pytest.fixture`` (or another ``*.fixture``)."""
    return any(
        (decorator.func or decorator).last_name == "fixture" for decorator in function.decorators
    )


class _DependsMoment:
    """Which answer :meth:`Project.depends_targets_of` gives at this point of a review.

    It answers from the changed modules (and the context modules that name their definitions)
    until FAPI701 asks for the whole repository's targets (:attr:`Project.depends_targets`),
    and from those afterwards. Rules that need the answer only now and then (an early exit
    spares the scan of the repository's text) ask when they need it, later than the rule order
    reaches the point where they used to: this keeps the answer each would have had then."""

    def __init__(self) -> None:
        self.whole = False
        """FAPI701 has asked for the whole repository's targets."""
        self.noted: dict[str, bool] = {}
        """:attr:`whole` when the first rule that needs :func:`dependencies` of the module at
        that path reached it (see :func:`note_dependencies`)."""


def _depends_moment(project: Project) -> _DependsMoment:
    return project.memo("depends_moment", _DependsMoment)


def whole_depends_targets_asked(module: Module, project: Project) -> None:
    """FAPI701 asks for :attr:`Project.depends_targets` at ``module`` (it does so only when it
    may report, and :func:`dependencies` and :func:`depends_targets_of` answer from then on as
    if it always had): see :class:`_DependsMoment`."""
    moment = _depends_moment(project)
    if moment.whole or not project.complete:
        return
    if module.path in moment.noted and not moment.noted[module.path]:
        dependencies(module, project)  # answered as it would have been before this point
    moment.whole = True


def depends_targets_of(module: Module, project: Project) -> frozenset[str] | None:
    """:meth:`Project.depends_targets_of` as it answers at this point of the review (see
    :class:`_DependsMoment`): the whole repository's targets once FAPI701 has asked for them."""
    return _depends_targets_of(module, project, _depends_moment(project).whole)


def _depends_targets_of(module: Module, project: Project, whole: bool) -> frozenset[str] | None:
    return project.depends_targets if whole else project.depends_targets_of(module)


def note_dependencies(module: Module, project: Project) -> None:
    """``module`` is where the first rule that needs :func:`dependencies` of it used to ask:
    the answer, whenever it is asked for, is the one it would have had here."""
    moment = _depends_moment(project)
    moment.noted.setdefault(module.path, moment.whole)


def dependencies(module: Module, project: Project) -> frozenset[str]:
    """Module-relative qualified names of the functions of ``module`` used as FastAPI
    dependencies: named by ``Depends(...)``/``Security(...)`` in this module or, when the
    repository is available, anywhere in it (through re-exports too); and generator functions
    that yield a session or connection they open (yield dependencies, wherever they are used)."""
    # By path, not by module: a module can be built again (the project's store lets modules go),
    # and a fact kept with the module would keep the module.
    found: dict[str, frozenset[str]] = project.memo("dependencies", dict)
    if module.path not in found:
        moment = _depends_moment(project)
        whole = moment.noted.setdefault(module.path, moment.whole)
        found[module.path] = _dependencies(module, project, whole)
    return found[module.path]


def depends_targets(module: Module) -> frozenset[str]:
    """:meth:`Module.depends_targets`, computed once per module."""
    return module.memo("depends_targets", lambda: frozenset(module.depends_targets()))


def _dependencies(module: Module, project: Project, whole: bool) -> frozenset[str]:
    targets = set(depends_targets(module))
    targets.update(_depends_targets_of(module, project, whole) or ())
    prefix = module.name + "."
    found: set[str] = set()
    for target in targets:
        local = target[len(prefix) :] if target.startswith(prefix) else None
        if local is not None and module.function(local) is not None:
            found.add(local)
            continue
        resolved = project.function(target)
        if resolved is not None and resolved[0].path == module.path:
            found.add(resolved[1].qualname)
    for function in module.functions:
        if (
            function.yield_values
            and not is_fixture(function)
            and fresh_database_handle(module, project, function, function.yield_values)
        ):
            found.add(function.qualname)
    return frozenset(found)


# -- routes -----------------------------------------------------------------------------------

PATH_PARAM = regex(r"\{(\w+)")


@lru_cache(maxsize=4096)
def path_params(path: str | None) -> frozenset[str]:
    """The names of the ``{placeholders}`` of a route path (``{file_path:path}`` included);
    asked for each route by several rules, and paths repeat (``/{item_id}``)."""
    return frozenset(PATH_PARAM.findall(path or ""))


def response_type(route: Route) -> Expr | None:
    """The type FastAPI builds a route's response model from: ``response_model=`` when given
    (None for ``response_model=None``), else the handler's return annotation; None when the
    decorator spreads ``**options``, which may hold a ``response_model``."""
    option = route.option("response_model")
    if option is not None:
        return None if option.kind == "none" else option
    if route.option("**") is not None:
        return None
    return route.handler.returns_annotation


# -- classes -----------------------------------------------------------------------------------


def inherits_from(project: Project, qualname: str | None, prefixes: tuple[str, ...]) -> bool:
    """The class ``qualname`` (of the repository) has a base, at any depth, whose qualified name
    starts with one of ``prefixes`` (``("peewee.",)``, ``("django.db.models.",)``); asked once
    per class and review."""
    known: dict[tuple[str | None, tuple[str, ...]], bool] = project.memo("inherits", dict)
    key = (qualname, prefixes)
    if key not in known:
        known[key] = _inherits_from(project, qualname, prefixes, 0)
    return known[key]


def _inherits_from(
    project: Project, qualname: str | None, prefixes: tuple[str, ...], depth: int
) -> bool:
    found = project.cls(qualname) if depth <= 6 else None
    if found is None:
        return False
    for base in found[1].bases:
        name = base.qualname or ""
        if name.startswith(prefixes) or _inherits_from(project, name, prefixes, depth + 1):
            return True
    return False


_IMPORT_LINE = regex(r"(?:import|from)\s+\S")


def import_edit(module: Module, statement: str, name: str) -> Edit | None:
    """An edit adding ``statement`` (``import asyncio``) as the module's first import, after any
    ``from __future__`` import; None when ``name`` is imported already."""
    if any(local == name for local, _ in module.imports):
        return None
    line, open_paren = 1, False
    for number, text in enumerate(module.lines, start=1):
        if open_paren:  # the rest of a parenthesised ``from __future__ import (...)``
            open_paren = ")" not in text
            line = number + 1
        elif _IMPORT_LINE.match(text):
            if not text.startswith("from __future__"):
                line = number
                break
            open_paren = "(" in text and ")" not in text
            line = number + 1
    return Edit(Span(line, line, 0, 0), f"{statement}\n")


def replace_edit(expr: Expr, text: str) -> Edit:
    """An edit replacing the source of ``expr`` with ``text``."""
    return Edit(expr.span, text)


def argument_edit(call: Expr, argument: str) -> Edit | None:
    """An edit adding ``argument`` (``le=100``) to ``call`` after its last argument, or inside
    ``()`` when it has none; None when the call's text does not end its arguments with ``)``
    where expected (a ``*args``-only call, a macro-like text)."""
    last = max(
        (expr.span for expr in (*call.args, *(value for _, value in call.kwargs))),
        key=lambda span: (span.end_line, span.end_column),
        default=None,
    )
    if last is not None:
        if any(name == "**" for name, _ in call.kwargs):
            return None
        return Edit(
            Span(last.end_line, last.end_line, last.end_column, last.end_column), f", {argument}"
        )
    if not call.text.endswith("()"):
        return None
    end = call.span
    return Edit(Span(end.end_line, end.end_line, end.end_column - 1, end.end_column - 1), argument)


def callee(
    project: Project, call: Expr, scope: tuple[Module, Function] | None = None
) -> tuple[Module, Function] | None:
    """The repository function or method a call runs: by its qualified name (``crud.create``,
    ``Repo.get`` through a typed receiver), a method of the class of a module-level instance
    (``crud.user.update`` with ``user = CRUDUser(User)``), found in the class or its bases, or,
    from a method given as ``scope``, another method of its class (``self.fetchall(...)``)."""
    func = call.func
    if (
        scope is not None
        and scope[1].class_name is not None
        and func is not None
        and func.kind == "attribute"
        and func.items[0].kind == "name"
        and func.items[0].op == "self"
    ):
        module = scope[0]
        enclosing = module.cls(scope[1].qualname.rpartition(".")[0])
        return _method(project, (module, enclosing), func.op, 0) if enclosing else None
    return callee_named(project, call.qualname)


def callee_named(project: Project, qualname: str | None) -> tuple[Module, Function] | None:
    """The repository function or method a call of ``qualname`` runs (see :func:`callee`)."""
    if not qualname:
        return None
    # Only the names of no repository function are remembered: a function found holds its
    # module, which the project's store must be free to let go.
    unknown: set[str] = project.memo("not_callees", set)
    if qualname in unknown:
        return None
    found = _callee_named(project, qualname)
    if found is None:
        unknown.add(qualname)
    return found


def _callee_named(project: Project, qualname: str) -> tuple[Module, Function] | None:
    found = project.function(qualname)
    if found is not None:
        return found
    owner, _, method = qualname.rpartition(".")
    cls = project.cls(owner) if owner else None
    if cls is None and owner:
        assigned = project.assignment(owner)
        value = assigned[1].value if assigned is not None else None
        cls = project.cls(value.qualname) if value is not None and value.kind == "call" else None
    return _method(project, cls, method, 0) if cls is not None else None


def _method(
    project: Project, cls: tuple[Module, ClassDef], name: str, depth: int
) -> tuple[Module, Function] | None:
    module, class_def = cls
    function = module.function(f"{class_def.qualname}.{name}")
    if function is not None:
        return module, function
    for base in class_def.bases if depth < 4 else ():
        parent = project.cls(base.qualname)
        found = _method(project, parent, name, depth + 1) if parent is not None else None
        if found is not None:
            return found
    return None


def bound_params(function: Function, call: Expr) -> dict[str, Expr]:
    """The arguments of ``call`` by the name of the parameter of ``function`` they bind
    (``self``/``cls`` of a method skipped; ``*args``/``**kwargs`` not followed)."""
    params = [p for p in function.params if p.kind in ("positional", "keyword")]
    if function.is_method and params and params[0].name in ("self", "cls"):
        params = params[1:]
    positional = [p for p in params if p.kind == "positional"]
    bound = {p.name: arg for p, arg in zip(positional, call.args, strict=False)}
    names = {p.name for p in params}
    bound.update((name, value) for name, value in call.kwargs if name in names)
    return bound
