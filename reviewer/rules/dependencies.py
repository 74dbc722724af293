"""FAPI3xx: dependencies."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.extract.model import Expr, Function, Module, Route
from reviewer.extract.project import Project
from reviewer.rules.base import Finding, Invalid, Rule, Severity, Valid
from reviewer.rules.helpers import (
    DATABASE_HANDLES,
    dependencies,
    fresh_database_handle,
    is_fixture,
    note_dependencies,
    resource_kind,
)

KIND_LABELS = {"session": "database session", "connection": "database connection"}


def _with_article(label: str) -> str:
    vowel_sound = label[0] in "aeiou" or label.startswith(("HTTP", "AWS"))
    return f"{'an' if vowel_sound else 'a'} {label}"


SESSION_SETUP = (
    "from sqlalchemy import create_engine\nfrom sqlalchemy.orm import sessionmaker\n"
    "engine = create_engine(URL, pool_pre_ping=True)\nSessionLocal = sessionmaker(bind=engine)\n"
)
"""The lines that define a session factory, for the examples."""


def _request_data(handler: Function) -> frozenset[str]:
    """Parameters of ``handler`` that carry what the request sent (path, query, body, headers,
    the ``Request``), not what a dependency provides."""
    return frozenset(
        param.name for param in handler.params if param.marker_name not in ("Depends", "Security")
    )


def _built_from(call: Expr, names: frozenset[str]) -> bool:
    """An argument of ``call`` reads one of ``names`` (``boto3.Session(region_name=body.region)``)."""
    arguments = [*call.args, *(value for _, value in call.kwargs)]
    return any(
        expr.kind == "name" and expr.op in names
        for argument in arguments
        for expr in argument.walk()
    )


PROBE_WORDS = frozenset(
    {"health", "healthz", "healthcheck", "readiness", "ready", "readyz", "liveness", "livez"}
    | {"heartbeat", "ping"}
)


def _is_probe(route: Route) -> bool:
    """A health, readiness or heartbeat check (by its path or its handler's name): it opens the
    resources it probes itself, to report a failure instead of failing a dependency."""
    words = re.split(r"[^a-z]+", f"{route.path or ''} {route.handler.name}".lower())
    return not PROBE_WORDS.isdisjoint(words)


class InlineResourceInHandler(Rule):
    """
    ## What it does
    Flags a route handler that creates a database session, engine or connection, an HTTP client,
    or an AWS/Redis/MongoDB client inline (`SessionLocal()`, `create_engine(...)`,
    `httpx.AsyncClient()`, `boto3.client(...)`, `redis.Redis(...)`) instead of receiving it
    through `Depends`.

    A call of a repository function that returns or yields a session or connection it opens
    counts as opening one (`db = get_session()` where `get_session` returns `SessionLocal()`,
    `with session_context() as s:`), up to two such helpers deep.

    A client or engine built from what the request sent is not reported: when an argument reads
    a parameter of the handler that is not a dependency (`boto3.Session(region_name=body.region)`
    checking the caller's own credentials, `create_engine(body.url)` testing a connection), it
    cannot exist before the request. Sessions are still reported.

    Health, readiness and heartbeat checks (a path or handler named `health`, `readyz`,
    `heartbeat`, `ping`...) are not reported: they open the sessions and clients they probe
    themselves, to report a failure rather than fail a dependency.

    ## Why is this bad?
    A resource built in the handler cannot be replaced in tests (`app.dependency_overrides` only
    swaps dependencies), is rebuilt on every request (a new connection pool, TLS handshake or
    credential lookup each time), and its cleanup is left to every handler. Engines and clients
    are meant to live as long as the application, sessions as long as the request.

    ## Example
    ```python
    import httpx


    @router.get("/rates")
    async def rates() -> dict[str, float]:
        async with httpx.AsyncClient() as client:
            response = await client.get("https://rates.example.com/latest")
        return response.json()
    ```

    ## Use instead
    ```python
    import httpx
    from fastapi import Depends, Request


    def get_http_client(request: Request) -> httpx.AsyncClient:
        return request.app.state.http_client  # opened and closed in the lifespan


    @router.get("/rates")
    async def rates(client: httpx.AsyncClient = Depends(get_http_client)) -> dict[str, float]:
        response = await client.get("https://rates.example.com/latest")
        return response.json()
    ```
    """

    id = "FAPI301"
    name = "inline-resource-in-handler"
    severity = Severity.INFO
    fix = "Create it once (lifespan or a yield dependency) and receive it through `Depends`."
    VALID = (
        "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
        "@router.get('/users')\ndef users(db=Depends(get_db)):\n    return db.query(User).all()",
        # A dependency is where a session belongs.
        SESSION_SETUP + "def get_db():\n    with SessionLocal() as db:\n        yield db",
        # A background job outlives the request: it opens its own session.
        SESSION_SETUP + "from fastapi import APIRouter, BackgroundTasks\nrouter = APIRouter()\n"
        "@router.post('/jobs', status_code=202)\ndef enqueue(tasks: BackgroundTasks) -> None:\n"
        "    def work() -> None:\n        with SessionLocal() as db:\n            run(db)\n"
        "    tasks.add_task(work)",
        # `async_session` is a function of the repository here, not a session factory.
        "from fastapi import APIRouter\nrouter = APIRouter()\n"
        "def async_session():\n    return current_unit_of_work()\n"
        "@router.get('/me')\nasync def me():\n    return async_session().user",
        Valid(
            "import httpx\nfrom fastapi import FastAPI\napp = FastAPI()\n"
            "@app.get('/proxy')\ndef proxy():\n    return httpx.Client().get('http://stub').json()",
            path="tests/test_proxy.py",
        ),
        # A health check opens the pool it probes, to report it unhealthy instead of failing.
        SESSION_SETUP + "from fastapi import APIRouter\nrouter = APIRouter()\n"
        "@router.get('/health/database')\ndef database_health() -> dict[str, str]:\n"
        "    try:\n        with SessionLocal() as db:\n            db.execute(text('SELECT 1'))\n"
        "    except OperationalError:\n        return {'database': 'unhealthy'}\n"
        "    return {'database': 'healthy'}",
        # Built from the caller's own credentials: it cannot exist before the request.
        "import boto3\nfrom fastapi import APIRouter\nrouter = APIRouter()\n"
        "@router.post('/bedrock/models')\ndef models(body: BedrockCredentials):\n"
        "    session = boto3.Session(aws_access_key_id=body.key_id,"
        " aws_secret_access_key=body.secret, region_name=body.region)\n"
        "    return session.client('bedrock').list_foundation_models()",
    )
    INVALID = (
        # Through a helper that opens the session.
        Invalid(
            "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n"
            "def get_session():\n    return SessionLocal()\n@app.get('/items/{i}')\n"
            "def read(i: int):\n    db = get_session()\n    return db.get(Item, i)",
            line=7,
        ),
        Invalid(
            SESSION_SETUP + "from fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.get('/users')\ndef users():\n    with SessionLocal() as db:\n"
            "        return db.query(User).all()",
            line=9,
        ),
        Invalid(
            "import httpx\nfrom fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.get('/rates')\nasync def rates():\n"
            "    async with httpx.AsyncClient(timeout=5) as client:\n"
            "        return (await client.get('https://rates.example.com')).json()",
            line=6,
        ),
        Invalid(
            "import boto3\nfrom fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.post('/uploads', status_code=201)\ndef upload(name: str):\n"
            "    s3 = boto3.client('s3')\n    s3.put_object(Bucket='b', Key=name, Body=b'')",
            line=6,
        ),
        Invalid(
            "from fastapi import APIRouter\nfrom redis import Redis\nrouter = APIRouter()\n"
            "@router.get('/hits')\ndef hits() -> int:\n"
            "    return Redis.from_url(REDIS_URL).incr('hits')",
            line=6,
        ),
        # Settings from a dependency are the same for every request: a shared client fits.
        Invalid(
            "import httpx\nfrom fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
            "@router.get('/rates')\nasync def rates(settings: Settings = Depends(get_settings)):\n"
            "    async with httpx.AsyncClient(base_url=settings.rates_url) as client:\n"
            "        return (await client.get('/latest')).json()",
            line=6,
        ),
        # Defined elsewhere and unknown here: the conventional name is trusted.
        Invalid(
            "from fastapi import APIRouter\nfrom app.db import SessionLocal\nrouter = APIRouter()\n"
            "@router.delete('/users/{user_id}', status_code=204)\ndef delete_user(user_id: int):\n"
            "    db = SessionLocal()\n    db.query(User).filter_by(id=user_id).delete()",
            line=6,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        for route in module.routes:
            probe: bool | None = None  # asked, as what the request sent, once a call needs it
            request_data: frozenset[str] | None = None
            for call in module.calls_in(route.handler):
                kind = resource_kind(call.expr, project)
                if kind is None:
                    continue
                if probe is None:
                    probe = _is_probe(route)
                if probe:
                    break
                if kind not in DATABASE_HANDLES:
                    if request_data is None:
                        request_data = _request_data(route.handler)
                    if _built_from(call.expr, request_data):
                        continue
                callee = call.expr.func.text if call.expr.func is not None else call.qualname
                resource = _with_article(KIND_LABELS.get(kind, kind))
                yield self.finding(
                    module,
                    call,
                    f"`{callee}()` creates {resource} inside route handler "
                    f"`{route.handler.name}`: receive it through `Depends`",
                )


class SessionDependencyWithoutCleanup(Rule):
    """
    ## What it does
    Flags a generator (a yield dependency) that yields a database session or connection it opened
    itself (`db = SessionLocal()`, `await asyncpg.connect(...)`, `engine.connect()`) with no
    `try`/`finally`, no `with`/`async with`, and no rollback or close in an `except`.

    ## Why is this bad?
    FastAPI raises the handler's exception inside the dependency, at its `yield`. Without
    `finally`, the code after `yield` does not run on an error: the session is never closed, its
    connection stays checked out, and a burst of failing requests drains the pool.

    ## Example
    ```python
    def get_db() -> Iterator[Session]:
        db = SessionLocal()
        yield db
        db.close()
    ```

    ## Use instead
    ```python
    def get_db() -> Iterator[Session]:
        with SessionLocal() as db:
            yield db
    ```
    Or keep the explicit `db.close()` in a `finally:` around the `yield`.
    """

    id = "FAPI302"
    name = "session-dependency-without-cleanup"
    severity = Severity.WARNING
    fix = "Yield inside `with SessionLocal() as db:`, or close the session in `finally:`."
    VALID = (
        SESSION_SETUP + "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n"
        "    finally:\n        db.close()",
        SESSION_SETUP + "def get_db():\n    with SessionLocal() as db:\n        yield db",
        SESSION_SETUP + "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n"
        "        db.commit()\n    except Exception:\n        db.rollback()\n        raise",
        # A generator of rows, not of the session.
        SESSION_SETUP + "def rows():\n    db = SessionLocal()\n    found = db.query(Row).all()\n"
        "    db.close()\n    for row in found:\n        yield row",
        # pytest runs fixture teardown whatever the test did.
        SESSION_SETUP + "import pytest\n@pytest.fixture\ndef db():\n    session = SessionLocal()\n"
        "    yield session\n    session.close()",
    )
    INVALID = (
        Invalid(
            SESSION_SETUP + "def get_db():\n    db = SessionLocal()\n    yield db\n    db.close()",
            line=7,
        ),
        Invalid(
            "import asyncpg\nasync def get_connection():\n    conn = await asyncpg.connect(DSN)\n"
            "    yield conn\n    await conn.close()",
            line=4,
        ),
        Invalid(
            "from sqlmodel import Session\nfrom app.db import engine\n"
            "def get_session():\n    yield Session(engine)",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        for function in module.functions:
            if (
                not function.yield_values
                or function.has_try_finally
                or function.with_items
                or is_fixture(function)
            ):
                continue
            handle = fresh_database_handle(module, project, function, function.yield_values)
            if handle is not None:
                yield self.finding(
                    module,
                    handle,
                    f"`{function.name}` yields `{handle.text}` without `try`/`finally` or `with`: "
                    "on an error it is never closed",
                )


class SessionDependencyReturns(Rule):
    """
    ## What it does
    Flags a dependency (a function named in `Depends(...)`/`Security(...)`) that returns a
    database session or connection it opens (`return SessionLocal()`) instead of yielding it.

    ## Why is this bad?
    FastAPI runs cleanup code only for dependencies with `yield`. A returned session is never
    closed: its connection is held until garbage collection gets to it, and under load the pool
    runs out (`QueuePool limit of size 5 overflow 10 reached`).

    ## Example
    ```python
    def get_db() -> Session:
        return SessionLocal()


    @router.get("/users")
    def list_users(db: Session = Depends(get_db)) -> list[UserOut]:
        return db.query(User).limit(50).all()
    ```

    ## Use instead
    ```python
    def get_db() -> Iterator[Session]:
        with SessionLocal() as db:
            yield db


    @router.get("/users")
    def list_users(db: Session = Depends(get_db)) -> list[UserOut]:
        return db.query(User).limit(50).all()
    ```
    """

    id = "FAPI303"
    name = "session-dependency-returns"
    severity = Severity.WARNING
    fix = "Make it a yield dependency: `with SessionLocal() as db: yield db`."
    ROUTE = "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n"
    VALID = (
        SESSION_SETUP + ROUTE + "def get_db():\n    with SessionLocal() as db:\n        yield db\n"
        "@router.get('/users')\ndef users(db=Depends(get_db)):\n    return db.query(User).all()",
        # Not a dependency: a factory for scripts, used as `with make_session() as db:`.
        SESSION_SETUP + "def make_session():\n    return SessionLocal()",
        # A client shared by the application, not opened per call.
        ROUTE + "from fastapi import Request\n"
        "def get_client(request: Request):\n    return request.app.state.http_client\n"
        "@router.get('/rates')\nasync def rates(client=Depends(get_client)):\n"
        "    return (await client.get('/latest')).json()",
    )
    INVALID = (
        Invalid(
            SESSION_SETUP + ROUTE + "def get_db():\n    return SessionLocal()\n"
            "@router.get('/users')\ndef users(db=Depends(get_db)):\n    return db.query(User).all()",
            line=8,
        ),
        Invalid(
            "from typing import Annotated\nfrom fastapi import Depends\n"
            "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n"
            "async_session = async_sessionmaker(engine)\n"
            "async def get_session() -> AsyncSession:\n    session = async_session()\n"
            "    return session\nSessionDep = Annotated[AsyncSession, Depends(get_session)]",
            line=7,
        ),
        Invalid(
            "from typing import Annotated\nfrom fastapi import Security\n"
            "from sqlalchemy import create_engine\nengine = create_engine(URL)\n"
            "def get_connection():\n    return engine.connect()\n"
            "async def route(conn: Annotated[object, Security(get_connection)]):\n    pass",
            line=6,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        note_dependencies(module, project)
        for function in module.functions:
            if function.yields or function.has_try_finally:
                continue
            for returned in function.returns:
                values = () if returned.value is None else (returned.value,)
                handle = fresh_database_handle(module, project, function, values)
                # Which functions are dependencies is asked last: it may scan the repository.
                if handle is not None and function.qualname in dependencies(module, project):
                    yield self.finding(
                        module,
                        returned.span,
                        f"dependency `{function.name}` returns `{handle.text}`, which is never "
                        "closed: yield it instead",
                    )


class CurrentUserUnchecked(Rule):
    """
    ## What it does
    Flags an authentication dependency that decodes a token but does not answer 401 when the
    token has no (or a malformed) subject, when the user it names no longer exists, or when that
    user is inactive or disabled.

    ## Why is this bad?
    The dependency is the single gate every protected route trusts. Returning `None`, a user of
    a deleted account or a disabled user lets requests through that should be rejected, and a
    malformed subject (`int("abc")`) turns into a 500 instead of a 401.

    ## Example
    ```python
    async def get_current_user(
        token: str = Depends(oauth2_scheme), db: AsyncSession = Depends(get_db)
    ) -> User:
        payload = jwt.decode(token, settings.secret_key, algorithms=["HS256"])
        return await db.get(User, int(payload.get("sub")))
    ```

    ## Use instead
    ```python
    CREDENTIALS_ERROR = HTTPException(
        status_code=401,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )


    async def get_current_user(
        token: str = Depends(oauth2_scheme), db: AsyncSession = Depends(get_db)
    ) -> User:
        try:
            payload = jwt.decode(token, settings.secret_key, algorithms=["HS256"])
            user_id = int(payload["sub"])
        except (jwt.InvalidTokenError, KeyError, ValueError):
            raise CREDENTIALS_ERROR from None
        user = await db.get(User, user_id)
        if user is None or not user.is_active:
            raise CREDENTIALS_ERROR
        return user
    ```
    """

    id = "FAPI304"
    cwe = (287,)
    name = "current-user-unchecked"
    severity = Severity.ERROR
    engine = "llm"
    fix = "Raise `HTTPException(401)` for a bad or missing subject and a missing or inactive user."
