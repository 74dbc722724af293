"""FAPI7xx: tests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from reviewer.extract import module_name
from reviewer.extract.model import Expr, Function, Module, Span
from reviewer.extract.project import Project
from reviewer.record import record
from reviewer.rules.base import Finding, Invalid, Rule, Severity, Tier, Valid
from reviewer.rules.helpers import (
    CLIENT_CONSTRUCTORS,
    DATABASE_HANDLES,
    DRIVER_CONNECT,
    ENGINES,
    HTTP_VERBS,
    POOL_TYPES,
    SESSION_CLASSES,
    SESSION_FACTORY_CALLS,
    assignments_in,
    calls_where,
    enclosing_scopes,
    method_calls,
    resource_kind,
    string_prefix,
    walk_distinct,
    whole_depends_targets_asked,
    writes,
)

OVERRIDES = "dependency_overrides"
CLEARING_METHODS = frozenset({"clear", "pop", "popitem"})
HOOKS = frozenset(
    {
        "setup_function",
        "setup_method",
        "setup_module",
        "setup_class",
        "setUp",
        "setUpClass",
        "setUpModule",
        "asyncSetUp",
        "teardown_function",
        "teardown_method",
        "teardown_module",
        "teardown_class",
        "tearDown",
        "tearDownClass",
        "tearDownModule",
        "asyncTearDown",
    }
)
"""pytest and unittest set-up and tear-down hooks: clearing in either keeps each test clean."""
HANDLE_METHODS = frozenset({"connect", "begin", "raw_connection", "acquire", "getconn"})
"""Methods of an engine, pool or session factory that open a connection or session."""
LIBRARIES = frozenset(
    name.split(".", 1)[0]
    for name in (
        SESSION_CLASSES
        | SESSION_FACTORY_CALLS
        | DRIVER_CONNECT
        | POOL_TYPES
        | CLIENT_CONSTRUCTORS.keys()
    )
)
"""Top-level packages of the database and client libraries: what they build is not the app's."""
HTTP_MOCK_LIBRARIES = frozenset(
    {
        "responses",
        "requests_mock",
        "respx",
        "pytest_httpx",
        "httpretty",
        "vcr",
        "pytest_recording",
        "aioresponses",
        "pook",
        "httmock",
        "betamax",
    }
)
HTTP_MOCK_FIXTURES = frozenset(
    {
        "requests_mock",
        "httpx_mock",
        "respx_mock",
        "aioresponses",
        "responses",
        "vcr",
        "vcr_cassette",
    }
)
HTTP_LIBRARIES = frozenset({"requests", "httpx", "urllib", "urlopen", "aiohttp"})
PATCHERS = frozenset({"patch", "object", "setattr", "setitem"})
REQUESTS_SESSIONS = frozenset({"requests.Session", "requests.sessions.Session", "requests.session"})
TEST_PACKAGES = frozenset({"tests", "test", "testing", "conftest"})
LOCAL_HOSTS = frozenset({"localhost", "testserver", "test"})
LIVE_SUITES = frozenset({"integration", "e2e", "end2end", "smoke", "live", "acceptance"})
"""Words of the folders, files and pytest marks of suites that run against real resources on
purpose (``tests/integration/``, ``test_e2e_checkout.py``, ``@pytest.mark.integration``)."""
LIVE_MARKS = LIVE_SUITES | {"network", "online", "external"}
"""pytest marks of tests that need the network or real services on purpose."""
LOCAL_SUFFIXES = (".localhost", ".local", ".test", ".internal", ".invalid")


# -- dependency overrides --------------------------------------------------------------------


@record
class _Override:
    """One statement that puts entries into ``<app>.dependency_overrides``."""

    span: Span
    function: str | None
    receiver: Expr
    """The ``<app>.dependency_overrides`` expression."""
    keys: tuple[Expr, ...]
    """The dependencies overridden, where the statement names them."""


def _is_overrides(expr: Expr | None) -> bool:
    return expr is not None and expr.kind == "attribute" and expr.op == OVERRIDES


def _overrides(module: Module) -> tuple[_Override, ...]:
    """``overrides[X] = ...``, ``overrides = {X: ...}``, ``overrides.update({X: ...})`` and
    ``overrides.setdefault(X, ...)``, found once per module for the two rules that ask."""
    return module.memo("FAPI70x.overrides", lambda: tuple(_find_overrides(module)))


def _find_overrides(module: Module) -> Iterator[_Override]:
    if not writes(module, (OVERRIDES,)):
        return  # each of these statements writes the name: most modules never do
    for assign in module.assignments:
        for target in assign.targets:
            if target.kind == "subscript":
                if _is_overrides(target.items[0]):
                    yield _Override(
                        assign.span, assign.function, target.items[0], (target.items[1],)
                    )
            elif _is_overrides(target) and assign.value is not None:
                value = assign.value
                if value.kind == "dict" and value.items:
                    keys = tuple(key for key in value.keys if key is not None)
                    yield _Override(assign.span, assign.function, target, keys)
    for call in method_calls(module, ("update", "setdefault")):
        func = call.expr.func
        if func is None or not _is_overrides(func.items[0]):
            continue
        first = call.expr.arg(0)
        if func.op == "update":
            keys = tuple(key for key in first.keys if key is not None) if first else ()
            yield _Override(call.span, call.function, func.items[0], keys)
        elif func.op == "setdefault" and first is not None:
            yield _Override(call.span, call.function, func.items[0], (first,))


def _inside(scope: str | None, function: Function) -> bool:
    """``scope`` is ``function`` or a function (or lambda) nested in it."""
    return scope is not None and (
        scope == function.qualname or scope.startswith(function.qualname + ".")
    )


def _clears(module: Module, function: Function) -> bool:
    """``function`` (or a finalizer nested in it) clears, pops, deletes or reassigns
    ``dependency_overrides``, or patches it with ``patch.dict`` (which restores it);
    ``overrides.clear`` handed to ``addfinalizer`` counts too."""
    for call in module.calls:
        if _inside(call.function, function):
            if call.qualname.endswith("patch.dict") and _is_overrides(call.expr.arg(0)):
                return True
            for expr in call.expr.walk():
                if (
                    expr.kind == "attribute"
                    and expr.op in CLEARING_METHODS
                    and _is_overrides(expr.items[0])
                ):
                    return True
    for assign in module.assignments:
        if _inside(assign.function, function):
            for target in assign.targets:
                value = assign.value
                if _is_overrides(target) and not (value and value.kind == "dict" and value.items):
                    return True
    for delete in module.deletes:
        if _inside(delete.function, function):
            for target in delete.targets:
                if _is_overrides(target) or (
                    target.kind == "subscript" and _is_overrides(target.items[0])
                ):
                    return True
    return False


def _fixture_decorator(function: Function) -> Expr | None:
    """The ``@pytest.fixture`` decorator of ``function`` (see ``helpers.is_fixture``)."""
    for decorator in function.decorators:
        if (decorator.func or decorator).last_name == "fixture":
            return decorator
    return None


def _session_scoped(decorator: Expr) -> bool:
    """A fixture that lives for the whole run (or whose scope is computed): nothing runs after
    it, so its overrides are session setup."""
    scope = decorator.kwarg("scope") if decorator.kind == "call" else None
    return scope is not None and scope.string in (None, "session")


def _fixture_name(function: Function, decorator: Expr) -> str:
    name = decorator.kwarg("name") if decorator.kind == "call" else None
    return name.string if name is not None and name.string else function.name


def _conftests(module: Module, project: Project) -> Iterator[Module]:
    """The ``conftest.py`` modules whose fixtures the tests of ``module`` can use."""
    folders = module.path.split("/")[:-1]
    for depth in range(len(folders), -1, -1):
        path = "/".join([*folders[:depth], "conftest.py"])
        if path == module.path:
            continue
        conftest = project.module(module_name(path))
        if conftest is not None and conftest.path == path:
            yield conftest


class _Fixtures:
    """The fixtures visible from a test module, and which of them clear the overrides."""

    def __init__(self, module: Module, project: Project) -> None:
        self.found: dict[str, tuple[Module, Function]] = {}
        self.autouse: list[str] = []
        for source in (module, *_conftests(module, project)):
            for function in source.functions:
                decorator = _fixture_decorator(function)
                if decorator is None:
                    continue
                name = _fixture_name(function, decorator)
                if name in self.found:
                    continue  # the nearest definition wins, as in pytest
                self.found[name] = (source, function)
                autouse = decorator.kwarg("autouse") if decorator.kind == "call" else None
                if autouse is not None and autouse.is_true:
                    self.autouse.append(name)
        self._memo: dict[str, bool] = {}

    def clears(self, name: str) -> bool:
        """The fixture ``name``, or a fixture it requests, clears the overrides."""
        if name in self._memo:
            return self._memo[name]
        self._memo[name] = False  # a cycle clears nothing
        found = self.found.get(name)
        result = found is not None and (
            _clears(found[0], found[1]) or any(self.clears(param.name) for param in found[1].params)
        )
        self._memo[name] = result
        return result


def _requested(module: Module, function: Function) -> Iterator[str]:
    """Fixtures ``function`` requests: its parameters and ``usefixtures`` marks in the module."""
    for param in function.params:
        yield param.name
    for call in module.calls:
        if call.expr.last_name == "usefixtures":
            for arg in call.expr.args:
                if arg.string:
                    yield arg.string


def _guarded(module: Module, function: Function, fixtures: _Fixtures) -> bool:
    if _clears(module, function):
        return True
    if any(fixtures.clears(name) for name in (*fixtures.autouse, *_requested(module, function))):
        return True
    return any(
        hook.name in HOOKS
        and hook.class_name in (None, function.class_name)
        and _clears(module, hook)
        for hook in module.functions
    )


def _is_shared(module: Module, receiver: Expr, function: str | None) -> bool:
    """``receiver`` belongs to an object that outlives the test: it is a module-level or
    imported name (or an attribute of one), not a parameter (a fixture's app may be built per
    test), a local variable, ``self`` or a call's result."""
    root = receiver
    while root.kind == "attribute":
        root = root.items[0]
    if root.kind != "name" or root.op in ("self", "cls"):
        return False
    for scope in enclosing_scopes(function):
        if scope is None:
            return True
        owner = module.function(scope)
        if owner is not None and owner.param(root.op) is not None:
            return False
        if any(
            any(target.kind == "name" and target.op == root.op for target in assign.targets)
            for assign in assignments_in(module, scope)
        ):
            return False
    return True


class OverrideUnusedDependency(Rule):
    """
    ## What it does
    Flags `app.dependency_overrides[X] = ...` where `X` is a function of the repository that no
    `Depends(X)`/`Security(X)` names anywhere, or the session factory/engine (`SessionLocal`,
    `engine`) instead of the dependency that hands the session out (`get_db`).

    Only reported when the whole repository is available as context.

    ## Why is this bad?
    FastAPI looks overrides up by the dependency callable a `Depends(...)` names. An override keyed
    by anything else is never consulted: the tests silently run against the real dependency (the
    production database, the real authentication) while looking as if they were isolated.

    ## Example
    ```python
    from app.db import SessionLocal
    from app.main import app

    app.dependency_overrides[SessionLocal] = TestingSessionLocal
    ```

    ## Use instead
    ```python
    from app.db import get_db
    from app.main import app


    def override_get_db():
        with TestingSessionLocal() as session:
            yield session


    app.dependency_overrides[get_db] = override_get_db
    ```
    """

    id = "FAPI701"
    name = "override-unused-dependency"
    severity = Severity.ERROR
    fix = "Override the callable the routes name in `Depends(...)` (e.g. `get_db`)."
    VALID = (
        Valid(
            "from fastapi import Depends, FastAPI\napp = FastAPI()\n"
            "def get_db():\n    yield 1\n"
            "@app.get('/')\ndef root(db=Depends(get_db)):\n    return db\n"
            "app.dependency_overrides[get_db] = lambda: 2",
            path="tests/test_main.py",
        ),
        Valid(
            "from typing import Annotated\nfrom fastapi import Depends, FastAPI\napp = FastAPI()\n"
            "def get_user():\n    return 1\n"
            "@app.get('/')\ndef root(user: Annotated[int, Depends(get_user)]):\n    return user\n"
            "app.dependency_overrides.update({get_user: lambda: 2})",
            path="tests/test_main.py",
        ),
        Valid(
            "from app.deps import get_db\nfrom app.main import app\n"
            "app.dependency_overrides[get_db] = lambda: 2",
            path="tests/test_main.py",
        ),
        Valid(
            "from fastapi import FastAPI\napp = FastAPI()\n"
            "class Settings:\n    pass\n"
            "app.dependency_overrides[Settings] = lambda: Settings()",
            path="tests/test_main.py",
        ),
    )
    INVALID = (
        Invalid(
            "from fastapi import Depends, FastAPI\napp = FastAPI()\n"
            "def get_session():\n    return 1\n"
            "def get_db():\n    yield get_session()\n"
            "@app.get('/')\ndef root(db=Depends(get_db)):\n    return db\n"
            "app.dependency_overrides[get_session] = lambda: 2",
            line=10,
            path="tests/test_main.py",
        ),
        Invalid(
            "from fastapi import Depends, FastAPI\nfrom sqlalchemy.orm import sessionmaker\n"
            "app = FastAPI()\nSessionLocal = sessionmaker()\n"
            "def get_db():\n    yield SessionLocal()\n"
            "@app.get('/')\ndef root(db=Depends(get_db)):\n    return db\n"
            "app.dependency_overrides.update({\n    SessionLocal: sessionmaker(),\n})",
            line=11,
            path="tests/test_main.py",
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        overrides = _overrides(module)
        if not overrides or not project.complete:
            return  # spare the scan of every Depends in the repository
        keys = [
            (key, definition)
            for override in overrides
            for key in override.keys
            if (definition := _definition(project, key.qualname)) is not None
        ]
        whole_depends_targets_asked(module, project)
        if not keys:
            return  # nothing overridden is defined in the repository: the scan can wait
        used, loose = project.memo("FAPI701.dependencies", lambda: _dependencies(project))
        for key, definition in keys:
            if definition[0] in used or key.last_name in loose:
                continue
            if definition[1] == "function":
                message = (
                    f"`{key.text}` is not a dependency (no `Depends({key.text})` names it): "
                    "this override never takes effect"
                )
            else:
                message = (
                    f"`{key.text}` is the {definition[1]}, not a dependency: this override "
                    "never takes effect; override the dependency that yields the session"
                )
            yield self.finding(module, key, message)


def _dependencies(project: Project) -> tuple[frozenset[str], frozenset[str]]:
    """The definitions (:func:`_definition`) that some ``Depends`` names, and the last names of
    the ``Depends`` targets that are not defined in the repository."""
    used: set[str] = set()
    loose: set[str] = set()
    for target in project.depends_targets or ():
        definition = _definition(project, target)
        if definition is None:
            loose.add(target.rsplit(".", 1)[-1])
        else:
            used.add(definition[0])
    return frozenset(used), frozenset(loose)


def _definition(project: Project, qualname: str | None) -> tuple[str, str] | None:
    """Where ``qualname`` is defined in the repository (``module.name``) and what it is:
    ``function``, ``session factory`` or ``engine``; None for anything else or unknown."""
    found = project.function(qualname)
    if found is not None:
        return f"{found[0].name}.{found[1].qualname}", "function"
    assigned = project.assignment(qualname)
    if assigned is None or assigned[1].value is None:
        return None
    kind = _db_kind(assigned[1].value)
    if kind is None:
        return None
    local = next(target.op for target in assigned[1].targets if target.kind == "name")
    return f"{assigned[0].name}.{local}", kind


def _db_kind(value: Expr) -> str | None:
    """``session factory`` for ``sessionmaker(...)`` and the like, ``engine`` for
    ``create_engine(...)``, else None."""
    if value.kind != "call":
        return None
    if value.qualname in SESSION_FACTORY_CALLS:
        return "session factory"
    if value.qualname in ENGINES:
        return "engine"
    return None


class OverridesNotCleared(Rule):
    """
    ## What it does
    Flags a test or fixture that puts entries into `app.dependency_overrides` of a shared app (a
    module-level or imported one) and never clears or restores them.

    Clearing counts anywhere it runs for that test: `.clear()`, `.pop()`, `del`, `= {}`,
    restoring a saved copy or `patch.dict`, in the function, in a finalizer, in a fixture it
    requests, in an autouse fixture of its module or `conftest.py`, or in a set-up or tear-down
    hook (`teardown_function`, `tearDown`, `setup_method`...). Only reported when the whole
    repository is available as context (a `conftest.py` may clear).

    ## Why is this bad?
    `dependency_overrides` lives on the app object, which outlives the test. The override leaks
    into every test that runs afterwards, so results depend on test order: a test can pass only
    because an earlier one faked the current user, or fail only when run after another.

    ## Example
    ```python
    from app.auth import get_current_user
    from app.main import app


    def test_admin_page(client):
        app.dependency_overrides[get_current_user] = lambda: admin_user
        assert client.get("/admin").status_code == 200
    ```

    ## Use instead
    ```python
    from app.auth import get_current_user
    from app.main import app


    @pytest.fixture
    def as_admin():
        app.dependency_overrides[get_current_user] = lambda: admin_user
        yield
        app.dependency_overrides.clear()


    def test_admin_page(client, as_admin):
        assert client.get("/admin").status_code == 200
    ```

    ## Known problems
    Module-level overrides (in `conftest.py` or a test module) and overrides in session-scoped
    fixtures are not reported: they are session setup on purpose. A fixture that receives the app
    as a parameter may build a new app per test, so overrides on it are not reported either.
    """

    id = "FAPI702"
    name = "overrides-not-cleared"
    severity = Severity.WARNING
    fix = "Clear them after the test: `yield` then `app.dependency_overrides.clear()`."
    VALID = (
        Valid(
            "import pytest\nfrom app.main import app\n@pytest.fixture\ndef client():\n"
            "    app.dependency_overrides[get_db] = fake_db\n    yield TestClient(app)\n"
            "    app.dependency_overrides.clear()",
            path="tests/test_x.py",
        ),
        Valid(
            "from app.main import app\ndef test_x():\n    app.dependency_overrides[get_db] = fake\n"
            "    try:\n        check(app)\n    finally:\n        del app.dependency_overrides[get_db]",
            path="tests/test_x.py",
        ),
        Valid(
            "import pytest\nfrom app.main import app\n@pytest.fixture(autouse=True)\n"
            "def reset():\n    saved = app.dependency_overrides.copy()\n    yield\n"
            "    app.dependency_overrides = saved\n"
            "def test_x():\n    app.dependency_overrides[get_db] = fake",
            path="tests/test_x.py",
        ),
        Valid(
            "from app.main import create_app\ndef test_x():\n    app = create_app()\n"
            "    app.dependency_overrides[get_db] = fake",
            path="tests/test_x.py",
        ),
        Valid(
            "from app.main import app\napp.dependency_overrides[get_db] = fake",
            path="tests/conftest.py",
        ),
        Valid(
            "import pytest\nfrom app.main import app\n@pytest.fixture\n"
            "def as_admin(request):\n    app.dependency_overrides.update({get_user: admin})\n"
            "    request.addfinalizer(app.dependency_overrides.clear)",
            path="tests/test_x.py",
        ),
        Valid(
            "from unittest.mock import patch\nfrom app.main import app\ndef test_x():\n"
            "    with patch.dict(app.dependency_overrides):\n"
            "        app.dependency_overrides[get_user] = admin",
            path="tests/test_x.py",
        ),
        Valid(
            "import pytest\nfrom app.main import app\n"
            "@pytest.fixture(scope='session', autouse=True)\n"
            "def test_database():\n    app.dependency_overrides[get_db] = override_get_db",
            path="tests/conftest.py",
        ),
    )
    INVALID = (
        Invalid(
            "from app.main import app\ndef test_x(client):\n"
            "    app.dependency_overrides[get_user] = lambda: admin\n"
            "    assert client.get('/admin').status_code == 200",
            line=3,
            path="tests/test_x.py",
        ),
        Invalid(
            "import pytest\nfrom app.main import app\n@pytest.fixture\ndef client():\n"
            "    app.dependency_overrides.update({get_db: fake_db})\n    return TestClient(app)",
            line=5,
            path="tests/test_x.py",
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if not module.is_test or not project.complete:
            return
        fixtures: _Fixtures | None = None
        reported: set[str] = set()
        for override in _overrides(module):
            function = module.function(override.function)
            if function is None or function.qualname in reported:
                continue
            decorator = _fixture_decorator(function)
            if decorator is None and not function.name.startswith("test"):
                continue
            if decorator is not None and _session_scoped(decorator):
                continue
            if not _is_shared(module, override.receiver, function.qualname):
                continue
            if fixtures is None:
                fixtures = _Fixtures(module, project)
            reported.add(function.qualname)
            if _guarded(module, function, fixtures):
                continue
            yield self.finding(
                module,
                override.span,
                f"`{function.name}` puts overrides in `{override.receiver.text}` and never "
                "clears them: they leak into the tests that run after it",
            )


# -- production resources in tests -----------------------------------------------------------


def _handle_source(func: Expr) -> Expr:
    """What a call of ``func`` that opens a session or connection opens it from: the engine, pool
    or factory whose method it calls (``engine.connect()``), else the callee (``SessionLocal()``)."""
    if func.kind == "attribute" and func.op in HANDLE_METHODS:
        return func.items[0]
    return func


def _is_app_object(module: Module, project: Project, expr: Expr) -> bool:
    """``expr`` names an object the application defines: imported from a module that is not a
    test module nor a library (``from app.db import SessionLocal``, ``app.state.engine``)."""
    qualname = expr.qualname
    if expr.kind not in ("name", "attribute") or not qualname or "." not in qualname:
        return False
    parts = qualname.split(".")
    if (
        qualname.startswith(module.name + ".")
        or parts[0] in LIBRARIES
        or any(part in TEST_PACKAGES for part in parts)
    ):
        return False
    assigned = project.assignment(qualname)
    return assigned is None or not assigned[0].is_test


def _is_local_host(host: str) -> bool:
    if host in LOCAL_HOSTS or "." not in host or host.endswith(LOCAL_SUFFIXES):
        return True
    import ipaddress  # here: only a test calling a literal dotted host needs it (2 ms to import)

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_unspecified


def _remote_host(expr: Expr | None) -> str | None:
    """The host of a literal absolute URL that is not local, else None."""
    prefix = string_prefix(expr)
    if prefix is None:
        return None
    text, complete = prefix
    scheme, separator, rest = text.partition("://")
    if scheme.lower() not in ("http", "https") or not separator:
        return None
    if not complete and not any(mark in rest for mark in "/?#"):
        return None  # the host continues in a placeholder
    from urllib.parse import urlsplit  # here: only a test calling a literal URL needs it

    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or _is_local_host(host):
        return None
    return host


def _mocks_http(module: Module) -> bool:
    """The module fakes HTTP: a mocking library, a mocking fixture, or a patched client."""
    if any(target.split(".", 1)[0] in HTTP_MOCK_LIBRARIES for _, target in module.imports):
        return True
    if any(
        param.name in HTTP_MOCK_FIXTURES
        for function in module.functions
        for param in function.params
    ):
        return True
    if _may_name(module, "vcr"):
        marks = [decorator for function in module.functions for decorator in function.decorators]
        marks.extend(assign.value for assign in module.assignments if assign.value is not None)
        marks.extend(call.expr for call in module.calls)
        if any("vcr" in (expr.qualname or "").split(".") for expr in walk_distinct(marks)):
            return True
    for call in calls_where(module, lambda name: name.rsplit(".", 1)[-1] in PATCHERS):
        for arg in call.expr.args:
            for expr in arg.walk():
                named = expr.qualname or expr.string or ""
                if HTTP_LIBRARIES & set(named.split(".")):
                    return True
    return False


def _may_name(module: Module, word: str) -> bool:
    """A qualified name in ``module`` can have ``word`` as a part: the names of its imports,
    variables and attributes are spelled in its text, relative imports start with its own
    dotted name, and a text that is not ASCII can spell an identifier otherwise (the parser
    normalises identifiers to NFKC)."""
    text = "\n".join(module.lines)
    return word in text or word in module.name or not text.isascii()


def _request_url(call: Expr) -> Expr | None:
    """The URL a ``requests``/``httpx``/``urllib`` request, or a real ``httpx`` client's
    ``base_url``, goes to."""
    func = call.func
    if func is None:
        return None
    name = call.qualname or ""
    package, _, verb = name.rpartition(".")
    receiver = func.items[0] if func.kind == "attribute" else None
    if verb in HTTP_VERBS and (
        package in ("requests", "requests.api", "httpx")
        or (receiver is not None and receiver.type in REQUESTS_SESSIONS)
    ):
        return call.arg(1, "url") if verb in ("request", "stream") else call.arg(0, "url")
    if name == "urllib.request.urlopen":
        return call.arg(0, "url")
    if name in ("httpx.Client", "httpx.AsyncClient") and not (
        call.kwarg("transport") or call.kwarg("app")
    ):
        return call.kwarg("base_url")
    return None


def _live_words(name: str, words: frozenset[str] = LIVE_SUITES) -> bool:
    return bool(words.intersection(name.lower().replace("-", "_").split("_")))


def _marked_live(marks: Iterable[Expr]) -> bool:
    """One of ``marks`` is ``pytest.mark.integration`` (``e2e``, ``live``...)."""
    for mark in marks:
        for expr in mark.walk():
            if (
                expr.kind == "attribute"
                and expr.items[0].kind == "attribute"
                and expr.items[0].op == "mark"
                and _live_words(expr.op, LIVE_MARKS)
            ):
                return True
    return False


def _live_suite(module: Module) -> bool:
    """The module belongs to an integration/end-to-end suite: by its folders or file name, or by
    a module-wide ``pytestmark``."""
    if any(_live_words(part.removesuffix(".py")) for part in module.path.split("/")):
        return True
    return _marked_live(
        assign.value
        for assign in module.assignments
        if assign.function is None
        and assign.value is not None
        and any(target.kind == "name" and target.op == "pytestmark" for target in assign.targets)
    )


def _live_test(module: Module, scope: str | None) -> bool:
    """``scope`` is (or sits in) a test marked ``@pytest.mark.integration`` or the like."""
    for name in enclosing_scopes(scope):
        function = module.function(name)
        if function is not None and _marked_live(function.decorators):
            return True
    return False


CONFIGURATION_WORDS = frozenset(
    {
        "db",
        "database",
        "sql",
        "sqlalchemy",
        "sqlite",
        "postgres",
        "postgresql",
        "pg",
        "mysql",
        "mongo",
        "mongodb",
        "dsn",
        "test",
        "testing",
        "env",
        "environment",
    }
)
"""Words of environment variables that choose the database or the test mode
(``DATABASE_URL``, ``POSTGRES_DB``, ``TESTING``, ``APP_ENV``)."""
CONFIGURATION_HOOKS = frozenset({"pytest_configure", "pytest_sessionstart"})


def _configuration_variable(expr: Expr | None) -> bool:
    name = expr.string if expr is not None else None
    return name is not None and not CONFIGURATION_WORDS.isdisjoint(name.lower().split("_"))


def _sets_configuration(module: Module) -> bool:
    """``module``, as it is imported (or in a pytest start-up hook), sets an environment variable
    that chooses the database or the test mode: ``os.environ["DATABASE_URL"] = ...``,
    ``os.environ.setdefault(...)``, ``os.environ.update({...})``, ``MonkeyPatch().setenv(...)``."""
    at_start = {None, *CONFIGURATION_HOOKS}
    for assign in module.assignments:
        if assign.function in at_start:
            for target in assign.targets:
                if (
                    target.kind == "subscript"
                    and target.items[0].text.endswith("environ")
                    and _configuration_variable(target.items[1])
                ):
                    return True
    for call in module.calls:
        func = call.expr.func
        if call.function not in at_start or func is None or func.kind != "attribute":
            continue
        first = call.expr.arg(0)
        environ = func.items[0].text.endswith("environ")
        if func.op in ("setenv", "putenv") or (func.op == "setdefault" and environ):
            names: tuple[Expr | None, ...] = (first,)
        elif func.op == "update" and environ and first is not None:
            names = first.keys
        else:
            continue
        if any(_configuration_variable(name) for name in names):
            return True
    return False


def _redirects_database(module: Module, project: Project) -> bool:
    """The test module or a ``conftest.py`` above it points the application's configuration at
    a test database before the tests run (see :func:`_sets_configuration`)."""
    return any(_sets_configuration(source) for source in (module, *_conftests(module, project)))


def _tests_the_factory(module: Module, scope: str | None, func: Expr) -> bool:
    """The test is named for the factory it calls (``test_get_api_session`` calling
    ``get_api_session()``, ``test_session_local_...`` calling ``SessionLocal()``): the factory
    itself is what it tests."""
    function = module.function(scope)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", func.last_name or "").lower()
    return function is not None and bool(name) and f"_{name}" in function.name.lower()


class ProductionResourceInTest(Rule):
    """
    ## What it does
    In a test module, flags a call of the application's own session factory or engine (imported
    from the application: `SessionLocal()`, `engine.connect()`), and an HTTP request to a
    non-local absolute URL.

    The factory, engine or connection pool must come from a non-test module of the application
    and be reached through a module-level or imported name; a factory the test rebinds with
    `.configure(...)` is excepted. A helper of the application that returns or yields a session
    it opens counts as the factory (`with session_context() as s:`, `get_session()`; the recall
    corpus, `bench/recall_cases/fapi301_fapi703_helpers.py.txt`, holds the example, which needs
    two modules). An engine or factory the test builds itself (a local
    `AgentDB(tmp_url).engine`, a parameter, the `self.session_factory` of a fake) is the test's
    own. A suite that points the application at a test database through the environment before
    the tests run is not reported either: an environment variable named for the database, the
    test mode or the environment (`DATABASE_URL`, `POSTGRES_DB`, `TESTING`, `APP_ENV`) set by
    `os.environ[...] = ...`, `os.environ.setdefault`/`update` or `setenv`, at module level or in
    `pytest_configure`, in the test module or a `conftest.py` above it. A test named for the
    factory it calls (`test_get_api_session` calling `get_api_session()`) tests the factory
    itself and is not reported. Requests are those of
    `requests`, `httpx` and `urllib` (not `TestClient`, nor an `httpx` client with an ASGI
    transport); local hosts are `localhost`, loopback and private addresses, single-label hosts
    such as `http://test` or `http://testserver`, and `.test`/`.local` names.

    ## Why is this bad?
    The test then reads and writes whatever database the application is configured for, and
    depends on a remote service being up and unchanged: it is slow, flaky, and can damage real
    data. FastAPI's dependency overrides exist to swap these resources for test doubles.

    ## Example
    ```python
    from app.db import SessionLocal


    def test_create_user(client):
        client.post("/users", json={"email": "a@example.com"})
        with SessionLocal() as db:
            assert db.query(User).count() == 1
    ```

    ## Use instead
    ```python
    from app.db import get_db


    def test_create_user(client, test_session):
        app.dependency_overrides[get_db] = lambda: test_session
        client.post("/users", json={"email": "a@example.com"})
        assert test_session.query(User).count() == 1
    ```

    ## Known problems
    Passing the application's engine to `Session(engine)` or `metadata.create_all(engine)` is not
    reported, nor are requests made while the module mocks HTTP (`respx`, `responses`,
    `requests_mock`, `pytest-httpx`, VCR, or a patched `requests`/`httpx`). Integration and
    end-to-end suites use real resources on purpose and are not checked: modules under an
    `integration`/`e2e`/`smoke`/`live` folder or with such a word in their file name, and tests
    marked `@pytest.mark.integration` (`e2e`, `live`...) themselves or by `pytestmark`.
    """

    id = "FAPI703"
    tier = Tier.PREVIEW
    name = "test-uses-production-resource"
    severity = Severity.INFO
    fix = "Override the dependency (e.g. `get_db`) with a test session, or mock the HTTP call."
    VALID = (
        Valid(
            "from fastapi.testclient import TestClient\nfrom app.main import app\n"
            "def test_x():\n    client = TestClient(app)\n"
            "    assert client.get('https://api.example.com/x').status_code == 200",
            path="tests/test_x.py",
        ),
        Valid(
            "import httpx\nasync def test_x(app):\n"
            "    transport = httpx.ASGITransport(app=app)\n"
            "    async with httpx.AsyncClient(transport=transport, base_url='https://api.example.com') as c:\n"
            "        await c.get('/x')",
            path="tests/test_x.py",
        ),
        Valid(
            "import requests\ndef test_x():\n    requests.get('http://localhost:8000/health')\n"
            "    requests.get('http://test/health')\n    requests.get(f'{BASE_URL}/health')",
            path="tests/test_x.py",
        ),
        Valid(
            "import requests\nimport respx\ndef test_x():\n"
            "    requests.get('https://api.example.com/x')",
            path="tests/test_x.py",
        ),
        Valid(
            "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n"
            "engine = create_engine('sqlite://')\nSessionLocal = sessionmaker(bind=engine)\n"
            "def test_x():\n    with SessionLocal() as db:\n        assert db\n"
            "    with engine.connect() as conn:\n        assert conn",
            path="tests/test_x.py",
        ),
        Valid(
            "from sqlmodel import Session\nfrom app.core.db import engine\n"
            "def test_x():\n    with Session(engine) as db:\n        assert db",
            path="tests/test_x.py",
        ),
        Valid("import requests\ndef f():\n    return requests.get('https://api.example.com')"),
        Valid(
            "import pytest\nimport requests\n@pytest.mark.integration\ndef test_x():\n"
            "    assert requests.get('https://api.github.com').ok",
            path="tests/test_x.py",
        ),
        Valid(
            "from app.db import SessionLocal\ndef test_x(client):\n"
            "    with SessionLocal() as db:\n        assert db.query(User).count() == 1",
            path="tests/integration/test_users.py",
        ),
        # An engine the test builds itself on a temporary SQLite file, and a fake that wraps
        # the session factory it is given.
        Valid(
            "from app.db import AgentDB\nasync def test_x(tmp_path):\n"
            "    database = AgentDB(f'sqlite+aiosqlite:///{tmp_path}/x.db')\n"
            "    async with database.engine.begin() as conn:\n"
            "        await conn.run_sync(Base.metadata.create_all)",
            path="tests/test_x.py",
        ),
        Valid(
            "class RacingSessionFactory:\n    def __init__(self, session_factory):\n"
            "        self.session_factory = session_factory\n    def __call__(self):\n"
            "        return self.session_factory()",
            path="tests/test_x.py",
        ),
        # The test of the factory itself.
        Valid(
            "from app.db import SessionLocal\ndef test_session_local_pool_size():\n"
            "    with SessionLocal() as session:\n        assert session.get_bind().pool.size() == 5",
            path="tests/test_deps.py",
        ),
        # The suite points the application at a test database before importing it.
        Valid(
            "from pytest import MonkeyPatch\nmp = MonkeyPatch()\nmp.setenv('TESTING', 'True')\n"
            "from app.db import SessionLocal\ndef override_get_db():\n    db = SessionLocal()\n"
            "    try:\n        yield db\n    finally:\n        db.close()",
            path="tests/conftest.py",
        ),
        Valid(
            "import os\nos.environ['DATABASE_URL'] = 'sqlite:///./test.db'\n"
            "from app.db import SessionLocal\ndef test_x(client):\n"
            "    with SessionLocal() as db:\n        assert db.query(User).count() == 1",
            path="tests/test_x.py",
        ),
    )
    INVALID = (
        Invalid(
            "import requests\ndef test_x():\n"
            "    assert requests.get('https://api.example.com/users').ok",
            line=3,
            path="tests/test_x.py",
        ),
        Invalid(
            "from app.db import SessionLocal\ndef test_x(client):\n"
            "    with SessionLocal() as db:\n        assert db.query(User).count() == 1",
            line=3,
            path="tests/test_x.py",
        ),
        Invalid(
            "import pytest\nfrom app.database import engine\n@pytest.fixture\n"
            "async def conn():\n    async with engine.begin() as conn:\n        yield conn",
            line=5,
            path="tests/conftest.py",
        ),
        # Setting an API key says nothing about which database the tests reach.
        Invalid(
            "import os\nos.environ['OPENAI_API_KEY'] = 'test-key'\n"
            "from app.db import SessionLocal\ndef test_x(client):\n"
            "    with SessionLocal() as db:\n        assert db.query(User).count() == 1",
            line=5,
            path="tests/test_x.py",
        ),
        Invalid(
            "import httpx\nasync def test_x():\n"
            "    async with httpx.AsyncClient(base_url=f'https://api.stripe.com/v1/{v}') as c:\n"
            "        await c.get('/charges')",
            line=3,
            path="tests/test_x.py",
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if not module.is_test or _live_suite(module):
            return
        configured = {
            call.expr.func.items[0].qualname
            for call in method_calls(module, ("configure",))
            if call.expr.func is not None
        }
        mocked: bool | None = None  # asked only once a call sends a request to a real host
        redirected: bool | None = None
        live: dict[str | None, bool] = {}
        for call in module.calls:
            if call.function not in live:
                live[call.function] = _live_test(module, call.function)
            if live[call.function]:
                continue
            func = call.expr.func
            kind = resource_kind(call.expr, project)
            if func is not None and kind in DATABASE_HANDLES:
                source = _handle_source(func)
                if (
                    source.qualname not in configured
                    and _is_shared(module, source, call.function)
                    and _is_app_object(module, project, source)
                    and not _tests_the_factory(module, call.function, func)
                ):
                    if redirected is None:
                        redirected = _redirects_database(module, project)
                    if redirected:
                        continue
                    yield self.finding(
                        module,
                        call,
                        f"`{func.text}()` opens a {kind} on the application's database",
                    )
                continue
            host = None if mocked else _remote_host(_request_url(call.expr))
            if host is not None and mocked is None:
                mocked = _mocks_http(module)
            if host is not None and not mocked:
                yield self.finding(module, call, f"the test sends a real HTTP request to `{host}`")
