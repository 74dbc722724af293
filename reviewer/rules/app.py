"""FAPI1xx: application and middleware."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from reviewer.extract import module_name
from reviewer.extract.model import Expr, Module, Span
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.rules.base import Finding, Invalid, Rule, Severity, Tier, Valid
from reviewer.rules.helpers import (
    assignments_in,
    calls_to,
    enclosing_scopes,
    method_calls,
)

# A bare name is one whose import the model did not see: the hunks of a partial module, or `*`.
CORS = frozenset({"fastapi.middleware.cors.CORSMiddleware", "CORSMiddleware"})
LITERALS = frozenset({"str", "number", "bool", "none", "list", "tuple", "set", "dict"})


def _contains(outer: Span, inner: Span) -> bool:
    starts_after = (outer.line, outer.column) <= (inner.line, inner.column)
    ends_before = (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)
    return starts_after and ends_before


def _binds(target: Expr, name: str) -> bool:
    """``target`` binds or mutates ``name``: ``name = ``, ``name[0] = ``, unpacking."""
    return any(part.kind == "name" and part.op == name for part in target.walk())


def _resolve(module: Module, expr: Expr | None, function: str | None) -> Expr | None:
    """The literal a name stands for, when the nearest scope that binds the name (the function of
    the use, an enclosing function, or the module) binds it exactly once, to a literal. Anything
    else, or any doubt (a parameter of that name, a partial module), gives ``expr`` back."""
    if expr is None or expr.kind != "name" or module.partial:
        return expr
    for scope in enclosing_scopes(function):
        owner = module.function(scope)
        if owner is not None and owner.param(expr.op) is not None:
            return expr
        bindings = [
            assign
            for assign in assignments_in(module, scope)
            if assign.class_name is None
            and any(_binds(target, expr.op) for target in assign.targets)
        ]
        if not bindings:
            continue
        value = bindings[0].value
        if (
            len(bindings) == 1
            and value is not None
            and value.kind in LITERALS
            and all(target.kind == "name" for target in bindings[0].targets)
        ):
            return value
        return expr
    return expr


class _Cors:
    """One ``CORSMiddleware`` configuration, with names bound to literals resolved."""

    def __init__(self, module: Module, call: Expr, function: str | None) -> None:
        self.module = module
        self.call = call
        self.function = function
        self.options: dict[str, Expr] = {}
        for key, value in call.kwargs:
            if key != "**":
                self.options[key] = value
                continue
            spread = self.resolve(value)
            if spread is not None and spread.kind == "dict":
                for dict_key, item in zip(spread.keys, spread.items, strict=True):
                    if dict_key is not None and dict_key.string is not None:
                        self.options[dict_key.string] = item

    def resolve(self, expr: Expr | None) -> Expr | None:
        return _resolve(self.module, expr, self.function)

    def option(self, name: str) -> Expr | None:
        return self.resolve(self.options.get(name))


def _cors_configs(module: Module) -> Iterator[_Cors]:
    """``add_middleware(CORSMiddleware, ...)``, ``Middleware(CORSMiddleware, ...)`` and a direct
    ``CORSMiddleware(app, ...)`` wrapper."""
    added = [middleware for middleware in module.middleware if middleware.cls.qualname in CORS]
    if added:
        scopes = {call.span: call.function for call in module.calls}
        for middleware in added:
            yield _Cors(module, middleware.call, scopes.get(middleware.call.span))
    for call in calls_to(module, CORS):
        yield _Cors(module, call.expr, call.function)


# Origins no allow-list of real sites would contain: a regex accepting both accepts any origin an
# attacker can register.
ORIGIN_PROBES = ("https://attacker.invalid", "https://evil.example.net:8443")


def _matches_any_origin(pattern: str) -> bool:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    return all(compiled.fullmatch(probe) for probe in ORIGIN_PROBES)


BROWSER_CREDENTIALS = regex(
    r"cookie|SessionMiddleware|HTTPBasic|HTTPDigest|request\.session\b", re.IGNORECASE
)
"""What a module shows when the application authenticates a browser by what the browser attaches
on its own: a cookie (read, set, a session middleware, a cookie transport) or HTTP Basic or
Digest authentication. Bearer tokens and API keys are set by the caller's own script."""


def _module_names(project: Project) -> dict[str, list[str]]:
    """The dotted names of the repository's modules, by their last component."""
    names: dict[str, list[str]] = {}
    for path in project.sources.python_files():
        name = module_name(path)
        names.setdefault(name.rpartition(".")[2], []).append(name)
    return names


def _imported_modules(target: str, names: dict[str, list[str]]) -> Iterator[str]:
    """The repository modules an import of ``target`` may load: the module itself, or the module
    a name is imported from; a dotted import also matches a module whose name ends with it (an
    application run from a subfolder: ``modules.auth`` for ``services/api/modules/auth.py``)."""
    for candidate in (target, target.rpartition(".")[0]):
        if not candidate:
            continue
        for name in names.get(candidate.rpartition(".")[2], ()):
            if name == candidate or ("." in candidate and name.endswith("." + candidate)):
                yield name


def _browser_credentials(module: Module, project: Project) -> bool:
    """The application around ``module`` can authenticate a browser by what the browser sends on
    its own (see ``BROWSER_CREDENTIALS``): in ``module`` or a module of the repository it imports,
    directly or not. Assumed when the repository is not at hand."""
    if not project.complete:
        return True
    names = project.memo("FAPI101.module_names", lambda: _module_names(project))
    seen = {module.name}
    pending = [module]
    while pending:
        current = pending.pop()
        text = project.sources.read(current.path)
        if text is None or BROWSER_CREDENTIALS.search(text):
            return True
        for _, target in current.imports:
            for name in _imported_modules(target, names):
                if name not in seen:
                    seen.add(name)
                    imported = project.module(name)
                    if imported is not None:
                        pending.append(imported)
    return False


class CorsWildcardCredentials(Rule):
    """
    ## What it does
    Flags `CORSMiddleware` with `allow_credentials=True` together with `allow_origins` containing
    `"*"`, or with an `allow_origin_regex` that accepts any origin (`.*`, `.+`, `^.*$`,
    `https://.*`...).

    It follows `add_middleware(CORSMiddleware, ...)`,
    `FastAPI(middleware=[Middleware(CORSMiddleware, ...)])` and `CORSMiddleware(app, ...)`, imported
    from `fastapi` or `starlette`, and names or `**options` dicts bound once to a literal in the
    same scope. Origins read from settings are not judged, and test modules are not checked
    (their apps are never deployed).

    With the whole repository at hand, a configuration is reported only when the application
    can authenticate a browser by what the browser attaches on its own: cookies (read or set, a
    session middleware, a cookie transport) or HTTP Basic or Digest authentication, in the
    module or in any module of the repository it imports, directly or not. An API that only
    trusts headers the caller's own code sets (a bearer token, an API key) gives an attacker's
    page nothing to borrow.

    ## Why is this bad?
    Browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, so Starlette does
    not send `*`: for a request that carries cookies (and for every preflight) it echoes the
    caller's own `Origin` back with `Access-Control-Allow-Credentials: true`. Any website a
    logged-in user visits can then call the API with the user's cookies and read the responses.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    from starlette.middleware.sessions import SessionMiddleware

    from app.config import settings

    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
    )
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from app.config import settings

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST"],
    )
    ```
    A public API that needs no cookies can keep `allow_origins=["*"]` and drop
    `allow_credentials=True`.
    """

    id = "FAPI101"
    cwe = (942,)
    name = "cors-wildcard-credentials"
    severity = Severity.ERROR
    fix = "List the allowed origins explicitly (from settings) when `allow_credentials=True`."
    VALID = (
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['*'])",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=False)",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,"
        " allow_credentials=True)",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origin_regex=r'https://.*\\.example\\.com',"
        " allow_credentials=True)",
        # The name is a parameter: its value is not known here.
        "from fastapi.middleware.cors import CORSMiddleware\norigins = ['*']\n"
        "def create_app(origins):\n"
        "    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)",
        # Bound twice: which value reaches the middleware is not a literal fact.
        "from fastapi.middleware.cors import CORSMiddleware\norigins = ['*']\n"
        "if settings.prod:\n    origins = settings.origins\n"
        "app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=True)",
        # Another middleware with the same keyword names.
        "app.add_middleware(MyCors, allow_origins=['*'], allow_credentials=True)",
        Valid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)",
            path="tests/test_cors.py",
        ),
        # Bearer tokens and API keys only: a browser attaches nothing this API trusts.
        "from fastapi import Depends, FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        "from fastapi.security import APIKeyHeader, HTTPBearer\napp = FastAPI()\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)\n"
        "@app.get('/plugins/manifest')\ndef manifest(key=Depends(APIKeyHeader(name='X-API-Key'))):\n"
        "    return MANIFEST",
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
            "app = FastAPI()\napp.add_middleware(\n    CORSMiddleware,\n"
            "    allow_origins=['*'],\n    allow_credentials=True,\n)\n"
            "app.add_middleware(SessionMiddleware, secret_key=SECRET)",
            line=4,
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom starlette.middleware import Middleware\n"
            "from starlette.middleware.cors import CORSMiddleware as Cors\n"
            "app = FastAPI(middleware=[\n"
            "    Middleware(Cors, allow_origin_regex='.*', allow_credentials=True),\n])\n"
            "@app.get('/me')\ndef me(session_id: str = Cookie()):\n    return load(session_id)",
            line=5,
        ),
        Invalid(
            "from fastapi.middleware.cors import CORSMiddleware\nORIGINS = ['*']\n"
            "app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)\n"
            "security = HTTPBasic()",
            line=3,
        ),
        Invalid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "cors = {'allow_origins': ['*'], 'allow_credentials': True}\n"
            "app.add_middleware(CORSMiddleware, **cors)\n"
            "session_cookie = APIKeyCookie(name='session')",
            line=3,
        ),
        Invalid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "app = CORSMiddleware(app, allow_origin_regex=r'^https?://.+$', allow_credentials=True)\n"
            "def login(response):\n    response.set_cookie('sid', new_session())",
            line=2,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        browser_credentials: bool | None = None
        for cors in _cors_configs(module):
            credentials = cors.option("allow_credentials")
            if credentials is None or not credentials.is_true:
                continue
            origins = cors.option("allow_origins")
            regex = cors.option("allow_origin_regex")
            if origins is not None and (
                origins.string == "*"
                or (
                    origins.kind in ("list", "tuple", "set")
                    and any(item.string == "*" for item in origins.items)
                )
            ):
                allowed = '`allow_origins` contains `"*"`'
            elif (
                regex is not None and regex.string is not None and _matches_any_origin(regex.string)
            ):
                allowed = f"`allow_origin_regex={regex.string!r}` accepts any origin"
            else:
                continue
            if browser_credentials is None:
                browser_credentials = _browser_credentials(module, project)
            if not browser_credentials:
                return
            yield self.finding(
                module,
                cors.call,
                f"{allowed} with `allow_credentials=True`: any website can send credentialed "
                "requests and read the responses",
            )


ORIGIN = regex(
    r"^[a-z][a-z0-9+.-]*://(?P<host>\[[0-9a-f:.]+\]|[^/:?#\s\[\]*]+)(?::\d+)?/?$", re.IGNORECASE
)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "0.0.0.0"})


def _remote_origin(text: str) -> bool:
    """``text`` is a concrete ``scheme://host[:port]`` origin on a host that is not this machine."""
    match = ORIGIN.match(text)
    if match is None:
        return False
    host = match.group("host").lower()
    return host not in LOCAL_HOSTS and not host.endswith(".localhost")


class CorsOriginsHardcoded(Rule):
    """
    ## What it does
    Flags `allow_origins` of `CORSMiddleware` given as a list or tuple literal that holds a
    concrete origin of a remote host, outside test modules.

    The literal may also be reached through a name bound once to it. An origin is
    `scheme://host[:port]`; hosts `localhost`, `*.localhost`, `127.0.0.1`, `[::1]` and `0.0.0.0`
    are local. A list of local development origins only, and `"*"` (see FAPI101), are not
    reported.

    ## Why is this bad?
    The allowed origins differ between development, staging and production. Baked into the
    code, production ends up trusting staging front-ends (or the other way round), and adding a
    front-end needs a release instead of a configuration change.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["https://app.example.com", "https://staging.example.com"],
    )
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from app.config import settings  # cors_origins: list[str], read from the environment

    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins)
    ```
    """

    id = "FAPI102"
    name = "cors-origins-hardcoded"
    severity = Severity.WARNING
    fix = "Read the allowed origins from settings or the environment (`settings.cors_origins`)."
    VALID = (
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins)",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['http://localhost:3000',"
        " 'http://127.0.0.1:5173', 'http://[::1]:8080'])",
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['*'])",
        Valid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "app.add_middleware(CORSMiddleware, allow_origins=['https://app.example.com'])",
            path="tests/test_cors.py",
        ),
        # Not an origin: a path, a bare host, and a wildcard pattern CORSMiddleware never matches.
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['/app', 'example.com',"
        " 'https://*.example.com'])",
        "import os\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        "app.add_middleware(CORSMiddleware, allow_origins=os.environ['ORIGINS'].split(','))",
    )
    INVALID = (
        Invalid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "app.add_middleware(CORSMiddleware, allow_origins=['http://localhost:3000',"
            " 'https://app.example.com'])",
            line=2,
        ),
        Invalid(
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "origins = (\n    'https://app.example.com',\n    'https://admin.example.com',\n)\n"
            "app.add_middleware(CORSMiddleware, allow_origins=origins)",
            line=2,
        ),
        Invalid(
            "from starlette.middleware import Middleware\n"
            "from starlette.middleware.cors import CORSMiddleware\n"
            "middleware = [Middleware(CORSMiddleware, allow_origins=['https://example.org:8443'])]",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        reported: set[Span] = set()
        for cors in _cors_configs(module):
            origins = cors.option("allow_origins")
            if origins is None or origins.kind not in ("list", "tuple") or origins.span in reported:
                continue
            remote = [item.string for item in origins.items if item.string is not None]
            remote = [origin for origin in remote if _remote_origin(origin)]
            if remote:
                reported.add(origins.span)
                yield self.finding(
                    module,
                    origins,
                    f"CORS origins are hardcoded (`{remote[0]}`): they differ per environment",
                )


CONFIGURATION_NAMES = frozenset({"conf", "cfg", "env", "environ", "getenv"})


def _reads_configuration(exprs: Iterable[Expr]) -> bool:
    """One of ``exprs`` reads settings or the environment: a name or attribute such as
    ``settings.cors_origins``, ``get_app_config()``, ``os.environ[...]``, ``os.getenv(...)``."""
    for root in exprs:
        for expr in root.walk():
            if expr.kind not in ("name", "attribute"):
                continue
            for part in f"{expr.text}.{expr.qualname or ''}".lower().split("."):
                if "setting" in part or "config" in part or part in CONFIGURATION_NAMES:
                    return True
    return False


def _call_arguments(call: Expr) -> list[Expr]:
    return [*call.args, *(value for _, value in call.kwargs)]


class AppWithoutFactory(Rule):
    """
    ## What it does
    Flags a module-level `app = FastAPI(...)` given middleware or routers at import time, in a
    module with no factory function.

    Wiring means `app.add_middleware(...)`, `FastAPI(middleware=[...])` or
    `app.include_router(...)` at module level; a factory is a function that builds a `FastAPI()`
    or is annotated to return one. Test modules are not checked.

    Only an app whose construction or wiring reads configuration is reported: an argument of
    `FastAPI(...)` or of its middleware reads settings or the environment (`settings.origins`,
    `get_config()`, `os.environ[...]`). An app wired only with literals (a small plugin with a
    fixed CORS policy, a static sub-app with `GZipMiddleware(minimum_size=1000)`) has no other
    settings for a test to build it with.

    Route decorators alone (`@app.get(...)` on a small app) are not reported: that is the shape
    of FastAPI's own tutorial and tests can still drive such an app with `TestClient` and
    `dependency_overrides`. `app = create_app()` at module level is the recommended shape and is
    not reported either.

    ## Why is this bad?
    Everything runs once, when the module is first imported, with whatever settings are loaded
    then: tests cannot build an app with another database URL, other CORS origins or without a
    middleware, and every test shares one app (and its `dependency_overrides`).

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from app.api import users
    from app.config import settings

    app = FastAPI(title="Users")
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins)
    app.include_router(users.router, prefix="/users")
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from app.api import users
    from app.config import Settings, get_settings


    def create_app(settings: Settings | None = None) -> FastAPI:
        settings = settings or get_settings()
        app = FastAPI(title="Users")
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins)
        app.include_router(users.router, prefix="/users")
        return app


    app = create_app()
    ```

    ## Known problems
    Only reported when the whole module is available (not from diff hunks alone), since a
    factory may sit outside the hunks.
    """

    id = "FAPI103"
    tier = Tier.PREVIEW
    name = "app-without-factory"
    severity = Severity.INFO
    fix = "Build the app in a `create_app()` factory and keep `app = create_app()` at module level."
    VALID = (
        "from fastapi import FastAPI\ndef create_app() -> FastAPI:\n    app = FastAPI()\n"
        "    app.include_router(router)\n    return app\napp = create_app()",
        "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\ndef health():\n"
        "    return {'ok': True}",
        "from app.factory import create_app\napp = create_app()\napp.include_router(router)",
        Valid(
            "from fastapi import FastAPI\napp = FastAPI()\napp.include_router(router)",
            path="tests/conftest.py",
        ),
        # A module-level app beside a factory: the factory is what tests use.
        "from fastapi import FastAPI\napp = FastAPI()\napp.include_router(router)\n"
        "def build(settings) -> FastAPI:\n    return FastAPI()",
        # Wiring inside a function runs when called, not at import time.
        "from fastapi import FastAPI\napp = FastAPI()\ndef setup():\n"
        "    app.include_router(router)",
        # Wired with literals only: there are no other settings to build it with.
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origins=['*'],"
        " allow_methods=['GET'])\napp.include_router(plugin.router)",
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\nfrom app.api import users\n\n"
            "app: FastAPI = FastAPI(title=settings.project_name)\napp.include_router(users.router)",
            line=4,
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom app.api import users\n\n"
            "app = FastAPI(debug=get_settings().debug)\napp.include_router(users.router)",
            line=4,
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
            "api = FastAPI()\napi.add_middleware(CORSMiddleware, allow_origins=settings.origins)",
            line=3,
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom starlette.middleware import Middleware\n"
            "app = FastAPI(\n    middleware=[Middleware(GZip, minimum_size=config.gzip_min)],\n)",
            line=3,
        ),
        # One app bound in two branches: reported once, where it is built and wired.
        Invalid(
            "from fastapi import FastAPI\nif FULL:\n    app = FastAPI(title=settings.title)\n"
            "    app.include_router(users.router)\nelse:\n    app = FastAPI()",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test or module.partial:
            return
        factories = {app.function for app in module.apps if app.kind == "app" and app.function}
        if factories or any(
            function.returns_annotation is not None
            and function.returns_annotation.qualname == "fastapi.FastAPI"
            for function in module.functions
        ):
            return
        import_time = {call.span for call in module.calls if call.function is None}
        reported: set[str] = set()
        for app in module.apps:
            if app.kind != "app" or app.function is not None or app.name in reported:
                continue
            includes = [
                include
                for include in module.includes
                if include.owner == app.name and include.span in import_time
            ]
            middleware = [
                middleware
                for middleware in module.middleware
                if (middleware.owner == app.name and middleware.call.span in import_time)
                or (not middleware.owner and _contains(app.call.span, middleware.call.span))
            ]
            configured = _reads_configuration(
                [
                    *_call_arguments(app.call),
                    *(include.router for include in includes),
                    *(arg for added in middleware for arg in _call_arguments(added.call)),
                ]
            )
            if (includes or middleware) and configured:
                # One finding per name: `if X: app = FastAPI(...) else: app = FastAPI()`.
                reported.add(app.name)
                yield self.finding(
                    module,
                    app.call,
                    f"`{app.name}` is built and wired at import time with no factory function: "
                    "tests cannot build it with other settings",
                    end_line=app.call.span.line,
                )


APP_TYPES = frozenset({"fastapi.FastAPI", "fastapi.APIRouter", "starlette.routing.Router"})

LIFESPAN_SINCE = (0, 93)
"""The FastAPI release that added ``FastAPI(lifespan=...)``."""
REQUIREMENT_FILES = ("requirements.txt", "pyproject.toml", "setup.cfg", "setup.py")
FASTAPI_REQUIREMENT = regex(
    r"""(?<![\w.-])fastapi(?![\w.-])\s*(?:\[[^\]]*\])?\s*(?:=\s*(?=["']))?["']?([^"'\n#;]*)""",
    re.IGNORECASE,
)
"""``fastapi`` in a requirements file or ``pyproject.toml`` (not ``fastapi-utils``), and its
version specifier (``==0.88.0``, ``>=0.80,<0.93``, Poetry's ``^0.88``)."""
VERSION_CLAUSE = regex(r"(==|~=|<=|<|>=|>|!=|\^|~|)\s*(\d+)\.(\d+)")


def _caps_before_lifespan(text: str) -> bool:
    """``text`` keeps FastAPI below 0.93: a pin (``fastapi==0.88.0``, Poetry's
    ``fastapi = "^0.88"``) or an upper bound (``fastapi<0.93``)."""
    for match in FASTAPI_REQUIREMENT.finditer(text):
        for clause in match.group(1).replace(" ", "").split(","):
            found = VERSION_CLAUSE.fullmatch(clause) or VERSION_CLAUSE.match(clause)
            if found is None:
                continue
            operator, version = found.group(1), (int(found.group(2)), int(found.group(3)))
            if operator in ("", "==", "~=", "<=", "^", "~") and version < LIFESPAN_SINCE:
                return True
            if operator == "<" and version <= LIFESPAN_SINCE:
                return True
    return False


def _fastapi_before_lifespan(module: Module, project: Project) -> bool:
    """The nearest requirements of ``module`` (in its folder or a parent folder that names
    FastAPI) keep FastAPI below the release that added ``lifespan=``."""
    folders = module.path.split("/")[:-1]
    for depth in range(len(folders), -1, -1):
        folder = "/".join(folders[:depth])
        texts = [
            project.sources.read(f"{folder}/{name}" if folder else name)
            for name in REQUIREMENT_FILES
        ]
        mentioning = [text for text in texts if text and re.search(r"fastapi", text, re.I)]
        if mentioning:
            return any(_caps_before_lifespan(text) for text in mentioning)
    return False


def _lifespan_app(module: Module, receiver: Expr, function: str | None) -> str | None:
    """The name of ``receiver`` when it is a ``FastAPI(lifespan=...)`` app bound in the nearest
    scope of ``function`` that binds it."""
    if receiver.kind != "name":
        return None
    for scope in enclosing_scopes(function):
        for app in module.apps:
            if app.name == receiver.op and app.function == scope:
                lifespan = app.call.kwarg("lifespan")
                found = app.kind == "app" and lifespan is not None and lifespan.kind != "none"
                return app.name if found else None
    return None


def _implements_events(module: Module, receiver: Expr, function: str | None, op: str) -> bool:
    """``self.<op>(...)`` in a method of a class that defines ``<op>`` itself: the event API's
    own implementation (a router forwarding the handlers of the routers it includes)."""
    method = module.function(function)
    if receiver.text != "self" or method is None or not method.is_method:
        return False
    return module.function(f"{method.qualname.rpartition('.')[0]}.{op}") is not None


class OnEventInsteadOfLifespan(Rule):
    """
    ## What it does
    Flags `@app.on_event("startup"/"shutdown")` and `add_event_handler("startup"/"shutdown", ...)`
    on an app or a router.

    A receiver whose type is known to be something other than a FastAPI/Starlette app or router
    (another event library) is not reported, nor are test modules: a test that registers event
    handlers exercises the app's (or a library's) support for them, and its apps are never
    deployed. A class that implements `on_event`/`add_event_handler` itself may call its own
    method (`self.add_event_handler(...)`). When the app was built with `lifespan=` in the same
    module, the message says the handler never runs.

    A project that keeps FastAPI below 0.93, the release that added `lifespan=`, is not
    reported: the nearest `requirements.txt`, `pyproject.toml`, `setup.cfg` or `setup.py` that
    names FastAPI (in the module's folder or a parent) pins it (`fastapi==0.88.0`, Poetry's
    `fastapi = "^0.88"`) or bounds it (`fastapi<0.93`). There, events are the only API.

    ## Why is this bad?
    Startup and shutdown events are deprecated in FastAPI and Starlette in favour of a `lifespan`
    async context manager. They are also silently skipped once the app is given a `lifespan=`,
    and they cannot share state between startup and shutdown except through globals; a lifespan
    keeps the resource, its setup and its cleanup in one place.

    ## Example
    ```python
    from fastapi import FastAPI

    app = FastAPI()


    @app.on_event("startup")
    async def connect() -> None:
        await database.connect()


    @app.on_event("shutdown")
    async def disconnect() -> None:
        await database.disconnect()
    ```

    ## Use instead
    ```python
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    from fastapi import FastAPI


    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await database.connect()
        yield
        await database.disconnect()


    app = FastAPI(lifespan=lifespan)
    ```
    """

    id = "FAPI104"
    name = "on-event-instead-of-lifespan"
    severity = Severity.WARNING
    fix = "Move startup/shutdown code into a `lifespan` context manager: `FastAPI(lifespan=...)`."
    EVENTS = frozenset({"startup", "shutdown"})
    VALID = (
        "from contextlib import asynccontextmanager\nfrom fastapi import FastAPI\n"
        "@asynccontextmanager\nasync def lifespan(app):\n    yield\napp = FastAPI(lifespan=lifespan)",
        # Other event systems: socket.io, a bot framework.
        "@sio.on_event('connect')\nasync def connect(sid):\n    pass",
        "bus.add_event_handler('message', handle)",
        "app.add_event_handler(event, handler)",
        # A receiver of a known type other than an app or router.
        "from pyee import EventEmitter\nbus = EventEmitter()\n@bus.on_event('startup')\n"
        "def ready():\n    pass",
        # The event API's own implementation, forwarding an included router's handlers.
        "class Router:\n    def add_event_handler(self, event_type, func):\n"
        "        self.handlers[event_type].append(func)\n"
        "    def include_router(self, router):\n        for handler in router.on_startup:\n"
        "            self.add_event_handler('startup', handler)",
        Valid(
            "from fastapi import FastAPI\ndef test_startup_runs():\n    app = FastAPI()\n"
            "    @app.on_event('startup')\n    def start():\n        pass",
            path="tests/test_events.py",
        ),
    )
    INVALID = (
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI()\n@app.on_event('startup')\n"
            "async def start():\n    pass",
            line=3,
        ),
        Invalid("router.add_event_handler('shutdown', close_pool)", line=1),
        Invalid(
            "from fastapi import APIRouter\nrouter = APIRouter()\n\n"
            "@router.on_event(event_type='shutdown')\ndef stop():\n    pass",
            line=4,
        ),
        # An app subclass registering its own handlers still uses the deprecated API.
        Invalid(
            "from fastapi import FastAPI\nclass App(FastAPI):\n    def __init__(self):\n"
            "        super().__init__()\n        self.add_event_handler('startup', self.connect)",
            line=5,
        ),
        # Beside a lifespan the handler is skipped: it never runs.
        Invalid(
            "from fastapi import FastAPI\napp = FastAPI(lifespan=lifespan)\n"
            "@app.on_event('shutdown')\nasync def close():\n    await db.disconnect()",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        before_lifespan: bool | None = None
        for call in method_calls(module, ("on_event", "add_event_handler")):
            func = call.expr.func
            assert func is not None
            receiver = func.items[0].type
            if receiver is not None and "." in receiver and receiver not in APP_TYPES:
                continue
            if _implements_events(module, func.items[0], call.function, func.op):
                continue
            event = call.expr.arg(0, "event_type")
            if event is None or event.string not in self.EVENTS:
                continue
            if before_lifespan is None:
                before_lifespan = _fastapi_before_lifespan(module, project)
            if before_lifespan:
                return
            handler = f'`{func.op}("{event.string}")`'
            owner = _lifespan_app(module, func.items[0], call.function)
            message = (
                f"{handler} never runs: `{owner}` has a `lifespan=`, which replaces startup and "
                "shutdown events; move this code into the lifespan"
                if owner
                else f"{handler} is deprecated: use a `lifespan` handler"
            )
            yield self.finding(module, call, message)


DEBUG_FLAGS = {
    "fastapi.FastAPI": ("debug",),
    "FastAPI": ("debug",),
    "Starlette": ("debug",),
    "uvicorn.run": ("reload", "debug"),
}
DEV_SCRIPT_WORDS = frozenset({"dev", "develop", "development", "local", "debug"})
EXAMPLE_DIRS = frozenset({"examples", "example", "docs", "docs_src"})


def _not_application_code(path: str) -> bool:
    """A file named for local development (``dev.py``, ``run_dev.py``, ``local_server.py``), or
    under an examples or documentation folder."""
    *folders, filename = path.split("/")
    stem = filename.removesuffix(".py").lower()
    return bool(DEV_SCRIPT_WORDS.intersection(re.split(r"[_.\-]", stem))) or bool(
        EXAMPLE_DIRS.intersection(folders)
    )


DEV_COMMANDS = frozenset({"runserver"})
"""Command names that mean the development server (Django's ``runserver``)."""
CLICK_DECORATORS = frozenset({"option", "argument", "pass_context", "pass_obj"})


def _dev_name(name: str) -> bool:
    words = re.split(r"[_.\-]", name.lower())
    return name.lower() in DEV_COMMANDS or bool(DEV_SCRIPT_WORDS.intersection(words))


def _in_dev_command(module: Module, scope: str | None) -> bool:
    """``scope`` is (or sits in) a command-line command named for development: ``runserver``,
    ``@cli.command("develop")``, ``def run_dev_server()`` under ``@click.option``."""
    for name in enclosing_scopes(scope):
        function = module.function(name)
        if function is None:
            continue
        funcs = [decorator.func or decorator for decorator in function.decorators]
        if not any(
            func.kind == "attribute" and (func.op == "command" or func.op in CLICK_DECORATORS)
            for func in funcs
        ):
            continue
        names = [function.name]
        for decorator in function.decorators:
            label = decorator.arg(0, "name") if decorator.kind == "call" else None
            if label is not None and label.string:
                names.append(label.string)
        if any(_dev_name(label) for label in names):
            return True
    return False


class DebugInProductionCode(Rule):
    """
    ## What it does
    Flags `FastAPI(debug=True)` and `uvicorn.run(..., reload=True)` / `debug=True` in application
    code.

    `Starlette(debug=True)` counts too, and so does a name bound once to `True`.

    Not reported: test modules; files named for local development (`dev.py`, `run_dev.py`,
    `local_server.py`...) or under `examples/`, `docs/` or `docs_src/`; and calls under
    `if __name__ == "__main__":`. That block runs only when someone executes the file directly,
    which in FastAPI projects is the local development entry point: servers
    (`uvicorn app.main:app`, gunicorn, `fastapi run`) import the module and never run it.
    Nor are command-line commands named for development (a Click, Typer or Cyclopts command
    called `runserver`, `develop`, `run_dev_server`, or registered as `@cli.command("dev")`):
    production starts the server another way. `uvicorn.run(..., reload=True)` inside a function
    such as `def main()` is still reported, because such a function is often the packaged entry
    point the container runs.

    ## Why is this bad?
    `debug=True` makes the app answer unhandled errors with a full traceback, leaking source
    code, paths and local values to any client. `reload=True` runs a file watcher and a
    reloader process, is meant for development only, and restarts workers on any file change.

    ## Example
    ```python
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI(debug=True)


    def main() -> None:
        uvicorn.run("app.main:app", host="0.0.0.0", reload=True)
    ```

    ## Use instead
    ```python
    import uvicorn
    from fastapi import FastAPI

    from app.config import settings

    app = FastAPI(debug=settings.debug)


    def main() -> None:
        uvicorn.run("app.main:app", host="0.0.0.0", reload=settings.reload)
    ```
    Or pass `--reload` on the command line of the development server only.

    ## Known problems
    When only the diff's hunks are available, a module-level `uvicorn.run(...)` is not reported:
    its `if __name__ == "__main__":` line may be outside the hunk.
    """

    id = "FAPI105"
    cwe = (489,)
    name = "debug-in-production-code"
    severity = Severity.WARNING
    fix = "Take `debug`/`reload` from settings or the server command line, not a literal `True`."
    VALID = (
        "from fastapi import FastAPI\napp = FastAPI(debug=settings.debug)",
        "import uvicorn\nif __name__ == '__main__':\n    uvicorn.run('app.main:app', reload=True)",
        Valid(
            "import uvicorn\nuvicorn.run('app.main:app', reload=True)", path="scripts/run_dev.py"
        ),
        Valid("from fastapi import FastAPI\napp = FastAPI(debug=True)", path="tests/conftest.py"),
        Valid(
            "from fastapi import FastAPI\napp = FastAPI(debug=True)", path="docs_src/debugging.py"
        ),
        "import uvicorn\ndef main():\n    uvicorn.run('app.main:app', reload=False, workers=4)",
        "from fastapi import FastAPI\nDEBUG = True\nif settings.prod:\n    DEBUG = False\n"
        "app = FastAPI(debug=DEBUG)",
        # Development-server commands: production starts uvicorn or gunicorn itself.
        "import click\nimport uvicorn\n@server.command('develop')\n"
        "@click.option('--log-level', default='debug')\ndef run_server(log_level):\n"
        "    uvicorn.run('app.main:app', reload=True, log_level=log_level)",
        "import click\nimport uvicorn\n@click.option('--port', default=8100)\n"
        "def runserver(port):\n    uvicorn.run('app.api:app', port=port, reload=True)",
    )
    INVALID = (
        Invalid("from fastapi import FastAPI\n\napp = FastAPI(title='Shop', debug=True)", line=3),
        Invalid(
            "import uvicorn\ndef main() -> None:\n    uvicorn.run('app.main:app', reload=True)\n"
            "if __name__ == '__main__':\n    main()",
            line=3,
        ),
        Invalid("from uvicorn import run\nrun(app, host='0.0.0.0', debug=True)", line=2),
        # A command that is not named for development may be what the container runs.
        Invalid(
            "import typer\nimport uvicorn\ncli = typer.Typer()\n@cli.command()\ndef serve():\n"
            "    uvicorn.run('app.main:app', host='0.0.0.0', reload=True)",
            line=6,
        ),
        Invalid(
            "from starlette.applications import Starlette\nDEBUG = True\n"
            "app = Starlette(debug=DEBUG)",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test or _not_application_code(module.path):
            return
        for call in calls_to(module, DEBUG_FLAGS):
            flags = DEBUG_FLAGS[call.qualname]
            if call.in_main_guard:
                continue
            if module.partial and call.qualname == "uvicorn.run" and call.function is None:
                continue
            if _in_dev_command(module, call.function):
                continue
            for flag in flags:
                value = _resolve(module, call.expr.kwarg(flag), call.function)
                if value is not None and value.is_true:
                    callee = call.expr.func.text if call.expr.func else call.qualname
                    yield self.finding(module, call, f"`{callee}({flag}=True)` in application code")
                    break
