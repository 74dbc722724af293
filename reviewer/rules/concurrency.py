"""FAPI4xx: async correctness."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.extract.model import Call, Expr, Module
from reviewer.extract.project import Project
from reviewer.rules.base import Finding, Invalid, Rule, Severity, Valid
from reviewer.rules.helpers import HTTP_VERBS


def _lifecycle_functions(module: Module) -> frozenset[str]:
    """Functions that run at application startup and shutdown, before the first request or after
    the last: a lifespan (``FastAPI(lifespan=...)``, or an ``@asynccontextmanager`` named like
    one) and startup/shutdown event handlers (``@app.on_event(...)``, ``add_event_handler``)."""
    referenced: set[str] = set()
    for call in module.calls:
        value = call.expr.kwarg("lifespan")
        if _lifecycle_event(call.expr, "add_event_handler"):
            value = call.expr.arg(1, "func")
        if value is not None and value.kind == "name":
            referenced.update(filter(None, (value.op, value.qualname)))
    found: set[str] = set()
    for function in module.functions:
        if (
            referenced & {function.qualname, f"{module.name}.{function.qualname}"}
            or any(_lifecycle_event(decorator, "on_event") for decorator in function.decorators)
            or (
                "lifespan" in function.name.lower()
                and any(
                    decorator.last_name == "asynccontextmanager"
                    for decorator in function.decorators
                )
            )
        ):
            found.add(function.qualname)
    return frozenset(found)


def _lifecycle_event(call: Expr, method: str) -> bool:
    """``call`` is ``x.<method>("startup" | "shutdown", ...)``."""
    func = call.func
    event = call.arg(0, "event_type")
    return (
        func is not None
        and func.op == method
        and event is not None
        and event.string in ("startup", "shutdown")
    )


def _async_calls(module: Module) -> Iterator[Call]:
    """Calls that run inside an ``async def`` while requests are being served (the body of a
    lifespan or a startup/shutdown handler runs before the first or after the last)."""
    lifecycle = _lifecycle_functions(module)
    for call in module.calls:
        if call.in_async_def and call.function not in lifecycle:
            yield call


def _cli_commands(module: Module) -> frozenset[str]:
    """Functions registered as command-line commands (``@app.command()`` of Typer, Cyclopts or
    Click): one command runs at a time, with no requests to stall."""
    return frozenset(
        function.qualname
        for function in module.functions
        if any(
            (decorator.func or decorator).kind == "attribute"
            and (decorator.func or decorator).op == "command"
            for decorator in function.decorators
        )
    )


def _serving_calls(module: Module) -> Iterator[Call]:
    """Calls of :func:`_async_calls` that can stall requests: not in tests, nor in command-line
    commands."""
    if module.is_test:
        return
    commands = _cli_commands(module)
    for call in _async_calls(module):
        if call.function not in commands:
            yield call


class _InAsyncDef(Rule):
    """A rule about calls that are wrong because they run inside an ``async def``."""

    def flag(self, module: Module, call: Call, message: str) -> Finding:
        """A finding on ``call`` that also belongs to a change turning its function async."""
        function = module.function(call.function)
        return self.finding(
            module, call, message, trigger=None if function is None else function.span
        )


class BlockingHttpInAsync(_InAsyncDef):
    """
    ## What it does
    Flags synchronous HTTP clients (`requests`, `urllib.request.urlopen`, `httpx.get`/`post`/...,
    `httpx.Client`) called inside an `async def` route, dependency or service.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last. So are tests and command-line commands
    (`@cli.command()`): they serve no other requests.

    ## Why is this bad?
    A synchronous request blocks the event loop for the whole round trip: every other request this
    worker is serving waits for the remote server.

    ## Example
    ```python
    import requests


    @router.get("/rates")
    async def rates() -> dict[str, float]:
        return requests.get("https://rates.example.com/latest", timeout=5).json()
    ```

    ## Use instead
    ```python
    import httpx


    @router.get("/rates")
    async def rates(client: httpx.AsyncClient = Depends(get_http_client)) -> dict[str, float]:
        response = await client.get("https://rates.example.com/latest")
        return response.json()
    ```
    Or declare the handler with plain `def`: FastAPI then runs it in the threadpool.
    """

    id = "FAPI401"
    name = "blocking-http-in-async"
    severity = Severity.ERROR
    fix = "Use `httpx.AsyncClient` with `await`, or make the handler a plain `def`."
    VALID = (
        "import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n        await c.get('u')",
        "import requests\ndef f():\n    return requests.get('u')",
        "import requests\nasync def f():\n    def inner():\n        return requests.get('u')\n    return inner",
        "import requests\nasync def f():\n    s = requests.Session\n    return s",
        # Before the first request: nothing waits on the event loop yet.
        "import requests\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "async def load_flags():\n    app.state.flags = requests.get(FLAGS_URL, timeout=5).json()\n"
        "app.add_event_handler('startup', load_flags)",
    )
    INVALID = (
        Invalid("import requests\nasync def f():\n    requests.get('u')", line=3),
        Invalid("from requests import post as p\nasync def f():\n    await g(p('u'))", line=3),
        Invalid("import urllib.request\nasync def f():\n    urllib.request.urlopen('u')", line=3),
        Invalid(
            "import httpx\nasync def f():\n    with httpx.Client() as c:\n        c.get('u')",
            line=3,
        ),
        Invalid("import httpx as hx\nasync def f():\n    return hx.post('u', json={})", line=3),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _serving_calls(module):
            name = call.qualname
            package, _, attr = name.rpartition(".")
            if (
                (package in ("requests", "requests.api") and attr in HTTP_VERBS)
                or name == "requests.Session"
                or name in ("urllib.request.urlopen", "urllib3.request", "httpx.Client")
                or (package == "httpx" and attr in HTTP_VERBS)
            ):
                yield self.flag(
                    module,
                    call,
                    f"`{call.expr.func.text if call.expr.func else name}()` blocks the event loop",
                )


class BlockingSleepInAsync(_InAsyncDef):
    """
    ## What it does
    Flags `time.sleep()` inside an `async def`.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last. So are tests and command-line commands
    (`@cli.command()`): they serve no other requests.

    ## Why is this bad?
    It blocks the event loop, stalling every request this worker is serving for the whole delay.

    ## Example
    ```python
    import time


    @router.post("/jobs", status_code=202)
    async def enqueue(job: Job) -> None:
        time.sleep(0.5)  # give the worker a head start
    ```

    ## Use instead
    ```python
    import asyncio


    @router.post("/jobs", status_code=202)
    async def enqueue(job: Job) -> None:
        await asyncio.sleep(0.5)
    ```
    """

    id = "FAPI402"
    name = "blocking-sleep-in-async"
    severity = Severity.ERROR
    fix = "Use `await asyncio.sleep(...)`."
    VALID = (
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)",
        "import time\ndef f():\n    time.sleep(1)",
        "import time\nasync def f():\n    def g():\n        time.sleep(1)\n    return g",
        "import time\nasync def f():\n    return time.time()",
        "import time\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "@app.on_event('shutdown')\nasync def drain():\n    time.sleep(1)",
    )
    INVALID = (
        Invalid("import time\nasync def f():\n    time.sleep(1)", line=3),
        Invalid("from time import sleep as nap\nasync def f():\n    nap(1)", line=3),
        Invalid("import time as t\nclass S:\n    async def run(self):\n        t.sleep(2)", line=4),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _serving_calls(module):
            if call.qualname == "time.sleep":
                yield self.flag(module, call, "`time.sleep()` blocks the event loop")


SYNC_SESSION_TYPES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlmodel.Session",
        "sqlite3.Connection",
        "psycopg2.extensions.connection",
        "sqlite3.connect",
        "psycopg2.connect",
    }
)
SYNC_CONNECT = frozenset({"sqlite3.connect", "psycopg2.connect", "pymysql.connect"})
IN_MEMORY_SESSION_METHODS = frozenset(
    {
        "add",
        "add_all",
        "expunge",
        "expunge_all",
        "expire",
        "expire_all",
        "is_modified",
        "in_transaction",
        "in_nested_transaction",
        "get_bind",
        "get_transaction",
        "get_nested_transaction",
        "enable_relationship_loading",
    }
)
"""Session methods that only touch the unit of work in memory: the database is reached later, at
the flush or commit (which is reported)."""


class SyncDbInAsync(_InAsyncDef):
    """
    ## What it does
    Flags a synchronous database handle used inside an `async def`: a SQLAlchemy/SQLModel
    `Session`, or a `sqlite3`/`psycopg2`/`pymysql` connection.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last, and so are tests and command-line commands
    (`@cli.command()`). Session methods that only change the unit of work in
    memory (`add`, `add_all`, `expunge`, `expire`...) are not reported: the database is reached at
    the flush or commit.

    ## Why is this bad?
    Every query blocks the event loop until the database answers. Under load the whole worker
    serialises on the database round trips.

    ## Example
    ```python
    from sqlalchemy.orm import Session


    @router.get("/users/{user_id}")
    async def read_user(user_id: int, db: Session = Depends(get_db)) -> UserOut:
        return db.get(User, user_id)
    ```

    ## Use instead
    ```python
    from sqlalchemy.ext.asyncio import AsyncSession


    @router.get("/users/{user_id}")
    async def read_user(user_id: int, db: AsyncSession = Depends(get_db)) -> UserOut:
        return await db.get(User, user_id)
    ```
    Or keep the synchronous session and declare the handler with plain `def`.
    """

    id = "FAPI403"
    name = "sync-db-in-async"
    severity = Severity.ERROR
    fix = "Use `AsyncSession`/an async driver with `await`, or make the handler a plain `def`."
    VALID = (
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    return db.get(U, 1)",
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    return await db.get(U, 1)",
        "from sqlalchemy.orm import Session\nasync def f(db: Session):\n"
        "    return await run_in_threadpool(lambda: db.get(U, 1))",
        # `add` only records the row: the dependency commits, in the threadpool, after the route.
        "from sqlalchemy.orm import Session\nasync def f(db: Session):\n    db.add(U(name='x'))",
        # Startup runs before the first request is served.
        "from contextlib import asynccontextmanager\nfrom fastapi import FastAPI\n"
        "from sqlalchemy.orm import Session\n@asynccontextmanager\nasync def lifespan(app):\n"
        "    db = Session(engine)\n    with db.begin():\n        db.execute(SEED)\n    yield\n"
        "app = FastAPI(lifespan=lifespan)",
    )
    INVALID = (
        Invalid(
            "from sqlalchemy.orm import Session\nasync def f(db: Session = Depends(get_db)):\n"
            "    return db.query(U).all()",
            line=3,
        ),
        Invalid(
            "from typing import Annotated\nfrom sqlmodel import Session\n"
            "async def f(db: Annotated[Session, Depends(get_db)]):\n    db.add(x)\n    db.commit()",
            line=5,
        ),
        Invalid("import sqlite3\nasync def f():\n    conn = sqlite3.connect('x.db')", line=3),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _serving_calls(module):
            if call.qualname in SYNC_CONNECT:
                yield self.flag(module, call, f"`{call.qualname}()` opens a blocking connection")
                continue
            func = call.expr.func
            if func is None or func.kind != "attribute" or call.usage == "await":
                continue
            receiver = func.items[0]
            if receiver.type in SYNC_SESSION_TYPES and func.op not in IN_MEMORY_SESSION_METHODS:
                yield self.flag(
                    module,
                    call,
                    f"synchronous database call `{receiver.text}.{func.op}()` blocks the event loop",
                )


class BlockingIoInAsync(_InAsyncDef):
    """
    ## What it does
    Flags blocking file and process I/O inside an `async def`: `open(...)`, a `pathlib.Path`'s
    `open`/`read_text`/`read_bytes`/`write_text`/`write_bytes`, `shutil` copies, moves, archives
    and `rmtree`, `subprocess.run`/`call`/`check_call`/`check_output`/`Popen`, and `os.system`.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last. So are tests and command-line commands
    (`@cli.command()`): they serve no other requests.

    ## Why is this bad?
    Disk and child-process waits block the event loop; a slow disk or a long command stalls every
    request of the worker.

    ## Example
    ```python
    @router.get("/report")
    async def report() -> str:
        with open("report.txt") as handle:
            return handle.read()
    ```

    ## Use instead
    ```python
    import anyio


    @router.get("/report")
    async def report() -> str:
        return await anyio.Path("report.txt").read_text()
    ```
    Or run the blocking part with `await run_in_threadpool(...)`, or use a plain `def` handler.
    """

    id = "FAPI404"
    name = "blocking-io-in-async"
    severity = Severity.WARNING
    fix = "Use `anyio`/`aiofiles` or `asyncio.create_subprocess_exec`, or `run_in_threadpool`."
    BLOCKING = frozenset(
        {
            "open",
            "io.open",
            "subprocess.run",
            "subprocess.call",
            "subprocess.check_call",
            "subprocess.check_output",
            "subprocess.Popen",
            "subprocess.getoutput",
            "subprocess.getstatusoutput",
            "os.system",
            "os.popen",
            "shutil.copy",
            "shutil.copy2",
            "shutil.copyfile",
            "shutil.copytree",
            "shutil.rmtree",
            "shutil.move",
            "shutil.make_archive",
            "shutil.unpack_archive",
        }
        | {
            f"pathlib.{cls}.{method}"
            for cls in ("Path", "PosixPath", "WindowsPath")
            for method in ("open", "read_text", "read_bytes", "write_text", "write_bytes")
        }
    )
    VALID = (
        "def f():\n    with open('x') as h:\n        return h.read()",
        "import anyio\nasync def f():\n    return await anyio.open_file('x')",
        "import aiofiles\nasync def f():\n    async with aiofiles.open('x') as h:\n        return await h.read()",
        "async def f(storage):\n    return storage.open('x')",
        "import pickle\nfrom contextlib import asynccontextmanager\n@asynccontextmanager\n"
        "async def lifespan(app):\n    with open('model.pkl', 'rb') as handle:\n"
        "        app.state.model = pickle.load(handle)\n    yield",
        # A command-line command: nothing else waits on its event loop.
        "import typer\ncli = typer.Typer()\n@cli.command()\nasync def create(path: str):\n"
        "    with open(path) as handle:\n        await client.create(handle.read())",
        Valid(
            "import pytest\n@pytest.mark.anyio\nasync def test_export(client):\n"
            "    await client.post('/export')\n    with open('out.csv') as handle:\n"
            "        assert handle.read()",
            path="tests/test_export.py",
        ),
    )
    INVALID = (
        Invalid("async def f():\n    with open('x') as h:\n        return h.read()", line=2),
        Invalid("import subprocess\nasync def f():\n    subprocess.run(['ls'])", line=3),
        Invalid("from os import system\nasync def f():\n    system('ls')", line=3),
        Invalid(
            "from pathlib import Path\nasync def f(path: Path):\n    return path.read_text()",
            line=3,
        ),
        Invalid("import shutil\nasync def f(build: str):\n    shutil.rmtree(build)", line=3),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _serving_calls(module):
            if call.qualname in self.BLOCKING:
                yield self.flag(module, call, f"`{call.qualname}()` blocks the event loop")


ASYNC_RECEIVERS = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.ext.asyncio.session.AsyncSession",
        "sqlalchemy.ext.asyncio.AsyncConnection",
        "sqlalchemy.ext.asyncio.AsyncEngine",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "asyncpg.Connection",
        "asyncpg.Pool",
        "redis.asyncio.Redis",
        "databases.Database",
    }
)
COROUTINE_METHODS = frozenset(
    {
        "execute",
        "scalar",
        "scalars",
        "get",
        "commit",
        "rollback",
        "flush",
        "refresh",
        "delete",
        "close",
        "merge",
        "stream",
        "stream_scalars",
        "run_sync",
        "connect",
        "begin",
        "post",
        "put",
        "patch",
        "request",
        "send",
        "head",
        "options",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetch_all",
        "fetch_one",
        "set",
        "aclose",
    }
)


class AsyncCallNotAwaited(Rule):
    """
    ## What it does
    Flags a coroutine method of an async client (`AsyncSession`, `AsyncConnection`,
    `httpx.AsyncClient`, `asyncpg`, `redis.asyncio`...) called without `await`, unless the
    coroutine is returned, awaited later, or handed to `asyncio.gather`/`create_task`/a task group.

    ## Why is this bad?
    The call only creates a coroutine object: the query never runs, the commit never happens, and
    Python warns "coroutine was never awaited" at some later point, far from the bug.

    ## Example
    ```python
    @router.post("/users", status_code=201)
    async def create_user(user: UserCreate, db: AsyncSession = Depends(get_db)) -> UserOut:
        row = User(**user.model_dump())
        db.add(row)
        db.commit()
        return row
    ```

    ## Use instead
    ```python
    @router.post("/users", status_code=201)
    async def create_user(user: UserCreate, db: AsyncSession = Depends(get_db)) -> UserOut:
        row = User(**user.model_dump())
        db.add(row)
        await db.commit()
        return row
    ```
    """

    id = "FAPI405"
    name = "async-call-not-awaited"
    severity = Severity.ERROR
    fix = "Add `await` (or hand the coroutine to `asyncio.gather`/a task group)."
    VALID = (
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    await db.commit()",
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    return db.execute(q)",
        "import asyncio\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
        "async def f(db: AsyncSession):\n    job = db.execute(q)\n    await job",
        "import asyncio\nimport httpx\nasync def f(c: httpx.AsyncClient):\n"
        "    await asyncio.gather(c.get('a'), c.get('b'))",
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    db.add(x)",
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    db.commit()",
    )
    INVALID = (
        Invalid(
            "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
            "    db.commit()",
            line=3,
        ),
        Invalid(
            "import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n"
            "        r = c.get('u')\n        return r.json()",
            line=4,
        ),
        Invalid(
            "from typing import Annotated\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
            "async def f(db: Annotated[AsyncSession, Depends(get_db)]):\n"
            "    result = db.execute(q)\n    return result.scalars().all()",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in module.calls:
            func = call.expr.func
            if func is None or func.kind != "attribute" or func.op not in COROUTINE_METHODS:
                continue
            if func.items[0].type not in ASYNC_RECEIVERS:
                continue
            if call.usage in ("await", "return", "arg", "with", "yield"):
                continue
            function = module.function(call.function)
            if call.usage == "assign" and (
                function is None or call.target is None or call.target in function.awaited_names
            ):
                continue
            if call.usage not in ("expr", "assign"):
                continue
            yield self.finding(
                module, call, f"`{func.text}()` returns a coroutine that is never awaited"
            )
