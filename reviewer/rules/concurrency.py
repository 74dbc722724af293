"""FAPI4xx: async correctness."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reviewer.extract.model import Call, Expr, Function, Module
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.record import record
from reviewer.rules.base import Autofix, Finding, Invalid, Rule, Severity, Valid
from reviewer.rules.helpers import (
    HTTP_VERBS,
    SESSION_FACTORY_NAME,
    assignments_in,
    calls_named,
    enclosing_scopes,
    fresh_database_handle,
    import_edit,
    inherits_from,
    local_assignments,
    method_calls,
    replace_edit,
    resource_kind,
)


def _lifecycle_functions(module: Module) -> frozenset[str]:
    """Functions that run at application startup and shutdown, before the first request or after
    the last: a lifespan (``FastAPI(lifespan=...)``, or an ``@asynccontextmanager`` named like
    one) and startup/shutdown event handlers (``@app.on_event(...)``, ``add_event_handler``)."""
    handlers = [
        call.expr
        for call in calls_named(module, ("add_event_handler",))
        if _lifecycle_event(call.expr, "add_event_handler")
    ]
    values = [handler.arg(1, "func") for handler in handlers]
    registered = {id(handler) for handler in handlers}
    values += [  # ``FastAPI(lifespan=...)``
        value
        for call in module.calls
        for name, value in call.expr.kwargs
        if name == "lifespan" and id(call.expr) not in registered
    ]
    referenced: set[str] = set()
    for value in values:
        if value is not None and value.kind == "name":
            referenced.update(filter(None, (value.op, value.qualname)))
    # A decorator ``@app.on_event(...)`` is a call of the module too: most modules have none.
    events = bool(calls_named(module, ("on_event",)))
    found: set[str] = set()
    for function in module.functions:
        if (
            (referenced and referenced & {function.qualname, f"{module.name}.{function.qualname}"})
            or (
                events
                and any(
                    _lifecycle_event(decorator, "on_event") for decorator in function.decorators
                )
            )
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
    if func is None or func.op != method:
        return False
    event = call.arg(0, "event_type")
    return event is not None and event.string in ("startup", "shutdown")


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


STARTUP_NAME = regex(r"startup|shutdown|on_start|on_stop")


def _is_script(module: Module) -> bool:
    """A script that runs its own event loop and serves no routes: ``asyncio.run(...)`` under
    ``if __name__ == "__main__":``, or in a module-level function that block calls
    (``def main(): asyncio.run(amain())``). One task at a time, no requests."""
    if module.routes:
        return False
    entry_points = {
        call.expr.func.op
        for call in module.calls
        if call.in_main_guard and call.expr.func is not None and call.expr.func.kind == "name"
    }
    return any(
        call.qualname == "asyncio.run" and (call.in_main_guard or call.function in entry_points)
        for call in module.calls
    )


def _startup_helpers(module: Module) -> frozenset[str]:
    """Functions named for start-up or shutdown work (``run_database_startup``), awaited by a
    lifespan that may live in another module; route handlers excepted."""
    handlers = {route.handler.qualname for route in module.routes}
    return frozenset(
        function.qualname
        for function in module.functions
        if STARTUP_NAME.search(function.name) and function.qualname not in handlers
    )


def _serving_calls(module: Module) -> tuple[Call, ...]:
    """Calls inside an ``async def`` that run while requests are being served (the body of a
    lifespan or a startup/shutdown handler runs before the first or after the last) and can
    stall them: not in tests, command-line commands, scripts with their own event loop, nor
    start-up and shutdown helpers (nor the functions nested in those). Computed once per module
    for the four rules that ask."""
    return module.memo("FAPI4xx.serving_calls", lambda: tuple(_find_serving_calls(module)))


def _find_serving_calls(module: Module) -> Iterator[Call]:
    if module.is_test:
        return
    in_async_def = [call for call in module.calls if call.in_async_def]
    if not in_async_def or _is_script(module):
        return
    lifecycle = _lifecycle_functions(module)
    skipped = _cli_commands(module) | _startup_helpers(module)
    serving: dict[str | None, bool] = {}  # by function
    for call in in_async_def:
        scope = call.function
        if scope not in serving:
            serving[scope] = scope not in lifecycle and skipped.isdisjoint(enclosing_scopes(scope))
        if serving[scope]:
            yield call


class _InAsyncDef(Rule):
    """A rule about calls that are wrong because they run inside an ``async def``."""

    def flag(
        self, module: Module, call: Call, message: str, autofix: Autofix | None = None
    ) -> Finding:
        """A finding on ``call`` that also belongs to a change turning its function async."""
        function = module.function(call.function)
        trigger = None if function is None else function.span
        return self.finding(module, call, message, trigger=trigger, autofix=autofix)


class BlockingHttpInAsync(_InAsyncDef):
    """
    ## What it does
    Flags synchronous HTTP clients (`requests`, `urllib.request.urlopen`, `httpx.get`/`post`/...,
    `httpx.Client`) called inside an `async def` route, dependency or service.

    Synchronous SDK clients of web services count too: a method of a `slack_sdk.WebClient`, a
    `boto3` client, resource or session, an `openai.OpenAI`, an `anthropic.Anthropic`, a
    `stripe.StripeClient` or a `google.cloud` client (followed through module-level names and
    the objects they hand out: `gcs.bucket(name).blob(key)`), and the module-level calls that
    use the SDK's global client (`stripe.PaymentIntent.create(...)`,
    `openai.ChatCompletion.create(...)`, `openai.chat.completions.create(...)`). Methods that
    compute locally are left alone (`generate_presigned_url`, `get_paginator`, `bucket`,
    `blob`, `s3.Bucket(...)`, `close`), and so are the async clients and `*_async` methods.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last, and so is a helper named for that work
    (`run_database_startup`, awaited by a lifespan elsewhere). So are tests, command-line
    commands (`@cli.command()`, and the functions nested in them) and scripts that run their own
    loop (`asyncio.run(main())` under `if __name__ == "__main__":`, or in the `main()` that block
    calls, in a module with no routes): they serve no other requests.

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
        # A script with its own event loop, and a start-up helper awaited by a lifespan.
        "import asyncio\nimport requests\nasync def main():\n    requests.get('u')\n"
        "if __name__ == '__main__':\n    asyncio.run(main())",
        "import requests\nasync def run_database_startup(app):\n    requests.get('u')",
        "import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n        await c.get('u')",
        "import requests\ndef f():\n    return requests.get('u')",
        "import requests\nasync def f():\n    def inner():\n        return requests.get('u')\n    return inner",
        "import requests\nasync def f():\n    s = requests.Session\n    return s",
        # Local computations of SDK clients, async clients and async methods.
        "import boto3\ns3 = boto3.client('s3')\nasync def link(key: str):\n"
        "    return s3.generate_presigned_url('get_object', Params={'Key': key})",
        "from openai import AsyncOpenAI\nclient = AsyncOpenAI()\nasync def ask(prompt: str):\n"
        "    reply = await client.chat.completions.create(model='m', messages=[])\n"
        "    return reply.model_dump()",
        "import stripe\nasync def charge(amount: int):\n"
        "    return await stripe.PaymentIntent.create_async(amount=amount, currency='eur')",
        "from openai import OpenAI\nclient = OpenAI()\ndef ask(prompt: str):\n"
        "    reply = client.chat.completions.create(model='m', messages=[])\n"
        "    return reply.model_dump()",
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
        Invalid(
            "from slack_sdk import WebClient\nslack = WebClient(token=TOKEN)\n"
            "async def notify(text: str):\n    slack.chat_postMessage(channel='#ops', text=text)",
            line=4,
        ),
        Invalid(
            "import boto3\ns3 = boto3.client('s3')\nasync def upload(key: str, body: bytes):\n"
            "    s3.put_object(Bucket='files', Key=key, Body=body)",
            line=4,
        ),
        Invalid(
            "from openai import OpenAI\nclient = OpenAI()\nasync def ask(prompt: str):\n"
            "    return client.chat.completions.create(model='m', messages=[])",
            line=4,
        ),
        Invalid(
            "import stripe\nasync def charge(amount: int):\n"
            "    return stripe.PaymentIntent.create(amount=amount, currency='eur')",
            line=3,
        ),
        Invalid(
            "from google.cloud import storage\ngcs = storage.Client()\n"
            "async def put(name: str, data: bytes):\n    blob = gcs.bucket('b').blob(name)\n"
            "    blob.upload_from_string(data)",
            line=5,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        sdks = _Handles(module, project, SDKS)
        for call in _serving_calls(module):
            if call.expr.qualname in BLOCKING_HTTP:  # not Call.qualname: asked of every call
                yield self.flag(module, call, f"`{_callee(call)}()` blocks the event loop")
                continue
            kind = self._sdk_call(sdks, call)
            if kind is not None:
                yield self.flag(
                    module,
                    call,
                    f"synchronous {kind} SDK call `{_callee(call)}()` blocks the event loop",
                )

    @staticmethod
    def _sdk_call(sdks: _Handles, call: Call) -> str | None:
        """The SDK a call sends a request with: a method of a synchronous client (``slack``,
        ``boto3``, ``OpenAI``, ``google.cloud``...), or a module-level call with the SDK's
        global client (``stripe.PaymentIntent.create``)."""
        func = call.expr.func
        if func is None or func.kind != "attribute" or call.usage == "await":
            return None
        if func.op in SDK_LOCAL_METHODS or func.op[:1].isupper() or func.op.endswith("_async"):
            return None
        if call.qualname.startswith(("stripe.", "openai.")) and SDK_MODULE_CALLS.fullmatch(
            call.qualname
        ):
            return call.qualname.split(".", 1)[0].title()
        return sdks.of_receiver(func.items[0], call.function)


BLOCKING_HTTP = frozenset(
    {
        f"{package}.{verb}"
        for package in ("requests", "requests.api", "httpx")
        for verb in HTTP_VERBS
    }
    | {"requests.Session", "urllib.request.urlopen", "urllib3.request", "httpx.Client"}
)
"""Calls of synchronous HTTP clients that send a request (or make a client that does)."""


def _callee(call: Call) -> str:
    return call.expr.func.text if call.expr.func else call.qualname


def _async_sleep(module: Module, call: Call) -> Autofix | None:
    """``await asyncio.sleep(...)`` for ``time.sleep(...)``, importing asyncio if needed; safe
    for a call that is a statement of its own (its value, None, is not used)."""
    func = call.expr.func
    if func is None or not call.expr.text.startswith(func.text):
        return None
    arguments = call.expr.text[len(func.text) :]
    edits = [replace_edit(call.expr, f"await asyncio.sleep{arguments}")]
    added = import_edit(module, "import asyncio", "asyncio")
    if added is not None:
        edits.insert(0, added)
    return Autofix("Await `asyncio.sleep()`", tuple(edits), safe=call.usage == "expr")


class BlockingSleepInAsync(_InAsyncDef):
    """
    ## What it does
    Flags `time.sleep()` inside an `async def`.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last, and so is a helper named for that work
    (`run_database_startup`, awaited by a lifespan elsewhere). So are tests, command-line
    commands (`@cli.command()`, and the functions nested in them) and scripts that run their own
    loop (`asyncio.run(main())` under `if __name__ == "__main__":`, or in the `main()` that block
    calls, in a module with no routes): they serve no other requests.

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
        # A script with its own event loop, and a start-up helper awaited by a lifespan.
        "import asyncio\nimport time\nasync def main():\n    time.sleep(1)\n"
        "if __name__ == '__main__':\n    asyncio.run(main())",
        "import time\nasync def run_database_startup(app):\n    time.sleep(1)",
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
            if call.expr.qualname == "time.sleep":
                fix = _async_sleep(module, call)
                yield self.flag(module, call, "`time.sleep()` blocks the event loop", fix)


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


SYNC_CLIENTS = {
    "pymongo.MongoClient": "MongoDB",
    "pymongo.mongo_client.MongoClient": "MongoDB",
    "redis.Redis": "Redis",
    "redis.StrictRedis": "Redis",
    "redis.client.Redis": "Redis",
    "redis.from_url": "Redis",
    "redis.Redis.from_url": "Redis",
    "redis.StrictRedis.from_url": "Redis",
    "elasticsearch.Elasticsearch": "Elasticsearch",
    "cassandra.cluster.Cluster": "Cassandra",
}
"""Constructors of synchronous clients of data stores (their async siblings live elsewhere:
``motor``, ``redis.asyncio``, ``AsyncElasticsearch``)."""
STORE_FACTORY_METHODS = frozenset(
    {"connect", "get_database", "get_collection", "get_default_database", "with_options"}
)
"""Methods of a store's client whose result is still a handle of that store."""
SYNC_SDK_CLIENTS = {
    "slack_sdk.WebClient": "Slack",
    "slack_sdk.web.WebClient": "Slack",
    "slack_sdk.web.client.WebClient": "Slack",
    "slack.WebClient": "Slack",
    "boto3.client": "AWS",
    "boto3.resource": "AWS",
    "boto3.Session": "AWS",
    "boto3.session.Session": "AWS",
    "openai.OpenAI": "OpenAI",
    "openai.AzureOpenAI": "OpenAI",
    "anthropic.Anthropic": "Anthropic",
    "stripe.StripeClient": "Stripe",
}
"""Constructors of synchronous SDK clients of web services (their async siblings:
``AsyncWebClient``, ``aioboto3``, ``AsyncOpenAI``, ``AsyncAnthropic``, ``*_async`` methods)."""
SDK_FACTORY_METHODS = frozenset(
    {
        "client",
        "resource",
        "bucket",
        "blob",
        "get_bucket",
        "collection",
        "document",
        "table",
        "dataset",
        "with_options",
    }
)
"""Methods of the SDK clients whose result is still a client-side object (capitalised ones too:
``s3.Bucket(name)``)."""
SDK_LOCAL_METHODS = frozenset(
    {
        "generate_presigned_url",
        "generate_presigned_post",
        "generate_signed_url",
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "bucket",
        "blob",
        "client",
        "resource",
        "collection",
        "document",
        "with_options",
        "copy",
        "topic_path",
        "subscription_path",
        "close",
    }
)
"""SDK methods that compute locally (a signed URL, a reference, a paginator): no request."""
SDK_MODULE_CALLS = regex(
    r"stripe\.(\w+\.)*[A-Z]\w*\.(create|retrieve|modify|delete|list|search|cancel|capture"
    r"|confirm|pay|finalize_invoice|void_invoice|send_invoice|upcoming|expire|close|attach|detach)"
    r"|openai\.[A-Z]\w*\.(create|retrieve|list|delete)"
    r"|openai\.(chat\.completions|completions|embeddings|images|moderations|responses|files"
    r"|models|audio\.\w+)\.(create|retrieve|list|delete|generate|edit)"
)
"""Module-level calls of SDKs that send a request with the global client: Stripe's resources
(``stripe.PaymentIntent.create``), OpenAI's v0 resources and v1 module client."""


def _store_kind(qualname: str) -> str | None:
    return SYNC_CLIENTS.get(qualname)


def _sdk_kind(qualname: str) -> str | None:
    if qualname in SYNC_SDK_CLIENTS:
        return SYNC_SDK_CLIENTS[qualname]
    last = qualname.rsplit(".", 1)[-1]
    if qualname.startswith("google.cloud.") and last.endswith("Client") and "Async" not in last:
        return "Google Cloud"
    return None


@record
class _Catalogue:
    """What :class:`_Handles` looks for."""

    kind: Callable[[str], str | None]
    """The kind of client a constructor (qualified name) builds, if it is one."""
    through: frozenset[str]
    """Methods whose result is still an object of the client (followed when a name is assigned
    from them)."""
    sessions: bool
    """Also SQLAlchemy sessions (factories, helpers, ``request.state``)."""


STORES = _Catalogue(_store_kind, STORE_FACTORY_METHODS, sessions=True)
SDKS = _Catalogue(_sdk_kind, SDK_FACTORY_METHODS, sessions=False)


SYNC_SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.sessionmaker",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.orm.scoping.scoped_session",
    }
)
CLIENT_SETUP_METHODS = frozenset(
    {
        "pipeline",
        "pubsub",
        "lock",
        "register_script",
        "get_database",
        "get_collection",
        "get_default_database",
        "with_options",
        "options",
    }
)
"""Methods of the clients that build a local object without a round trip."""
LOCAL_METHODS = IN_MEMORY_SESSION_METHODS | CLIENT_SETUP_METHODS
"""Methods of a session or client that send nothing to the server."""
PEEWEE_QUERIES = frozenset(
    {
        "get",
        "get_by_id",
        "get_or_none",
        "get_or_create",
        "create",
        "bulk_create",
        "bulk_update",
        "insert_many",
        "delete_by_id",
        "set_by_id",
    }
)
MANAGER_QUERIES = frozenset(
    {
        "get",
        "create",
        "get_or_create",
        "update_or_create",
        "first",
        "last",
        "count",
        "exists",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "aggregate",
        "in_bulk",
        "latest",
        "earliest",
    }
)
"""Methods of a Django (or MongoEngine) query set that run the query."""
STATE_ATTRIBUTE = regex(r"\.state\.(\w+)$")


def _is_async_origin(text: str) -> bool:
    return "async" in text.lower()


class _Handles:
    """Which expressions of async code hold a synchronous database handle, and of what kind:
    a SQLAlchemy session opened by a factory (``SessionLocal()``), by a repository helper that
    returns or yields one (``get_session()``, ``with session_scope() as s``), or stored on
    ``request.state`` by a middleware; a client of MongoDB, Redis, Elasticsearch or Cassandra
    reached through module-level names (``users = MongoClient(...)["app"].users``)."""

    def __init__(self, module: Module, project: Project, catalogue: _Catalogue = STORES) -> None:
        self.module = module
        self.project = project
        self.catalogue = catalogue
        self.names: dict[tuple[str, str | None, str | None, int], str | None] = {}
        """What :meth:`_named` found, by name, qualified name, function and depth."""

    def of_receiver(self, receiver: Expr, function: str | None) -> str | None:
        """The kind of handle ``receiver`` is (or is a part of: ``db.users``, ``client["app"]``),
        following attributes and subscripts only: a call's result is another object."""
        root = receiver
        while root.kind in ("attribute", "subscript"):
            if root.kind == "attribute" and root.type:
                break
            sessions = self.catalogue.sessions and root.kind == "attribute"
            state = STATE_ATTRIBUTE.search(root.text) if sessions else None
            if state and state.group(1) in _state_sessions(self.project):
                return "database"
            root = root.items[0]
        if root.kind not in ("name", "attribute"):
            return None
        if root.type:
            found = self.of_type(root.type, root)
            if found is not None or root.kind == "attribute":
                return found
        return self._named(root, function, 0)

    def of_type(self, kind: str, expr: Expr | None = None, depth: int = 0) -> str | None:
        """The handle kind of a value whose recorded type is ``kind`` (a class, or the callee
        that built it: ``sqlalchemy.orm.sessionmaker`` for ``SessionLocal()`` in the module that
        makes the factory, ``app.db.SessionLocal`` elsewhere, ``app.db.get_session``). Found
        once per catalogue, type and review, but for a session factory (``expr`` decides)."""
        if kind in SYNC_SESSION_FACTORIES:
            return self._of_type(kind, expr, depth)
        known: dict[tuple[int, str, int], str | None] = self.project.memo("handle_types", dict)
        key = (id(self.catalogue), kind, depth)  # the catalogues are constants of this module
        if key not in known:
            known[key] = self._of_type(kind, None, depth)
        return known[key]

    def _of_type(self, kind: str, expr: Expr | None, depth: int) -> str | None:
        client = self.catalogue.kind(kind)
        if client is not None or not self.catalogue.sessions:
            return client
        if kind in SYNC_SESSION_TYPES:
            return "database"
        if kind in SYNC_SESSION_FACTORIES:
            return None if expr is not None and self._is_factory(expr) else "database"
        if depth > 2:
            return None
        assigned = self.project.assignment(kind)
        if assigned is not None:
            value = assigned[1].value
            sync_factory = (
                value is not None
                and value.kind == "call"
                and value.qualname in SYNC_SESSION_FACTORIES
                and not _is_async_origin(value.text)
            )
            return "database" if sync_factory else None
        found = self.project.function(kind)
        if found is not None:
            return self._made_by(found[0], found[1], depth)
        last = kind.rsplit(".", 1)[-1]
        if SESSION_FACTORY_NAME.fullmatch(last) and not _is_async_origin(last):
            return "database"
        return None

    def _is_factory(self, expr: Expr) -> bool:
        """``expr`` names the session factory itself (``SessionLocal``), not a session."""
        assigned = self.project.assignment(expr.qualname) if expr.kind == "name" else None
        return assigned is not None and assigned[1].function is None

    def _made_by(self, module: Module, function: Function, depth: int) -> str | None:
        """The handle a repository function returns or yields: declared by its return
        annotation, or opened in its body (``return SessionLocal()``)."""
        annotation = function.returns_annotation
        if annotation is not None and annotation.qualname in SYNC_SESSION_TYPES:
            return "database"
        values = tuple(ret.value for ret in function.returns if ret.value is not None)
        values += function.yield_values
        if function.is_async:
            return None
        handle = fresh_database_handle(module, self.project, function, values)
        if handle is None:
            for value in values:
                if value.kind == "call" and value.qualname:
                    found = self.of_type(value.qualname, None, depth + 1)
                    if found is not None:
                        return found
            return None
        opened = handle if handle.kind == "call" else _assigned_call(module, function, handle)
        if (
            opened is None
            or _is_async_origin(opened.text)
            or _is_async_origin(opened.qualname or "")
        ):
            return None
        origin = self.project.assignment(opened.qualname)
        factory = origin[1].value if origin is not None else None
        return (
            None if factory is not None and _is_async_origin(factory.qualname or "") else "database"
        )

    def _named(self, expr: Expr, function: str | None, depth: int) -> str | None:
        """A name with no recorded type: what its assignment (local, then module-level) holds,
        through attribute and subscript access and method calls (``client["app"].users``,
        ``cluster.connect()``)."""
        if depth > 5 or expr.kind != "name":
            return None
        key = (expr.op, expr.qualname, function, depth)
        if key not in self.names:
            self.names[key] = self._find_named(expr, function, depth)
        return self.names[key]

    def _find_named(self, expr: Expr, function: str | None, depth: int) -> str | None:
        assigned = local_assignments(self.module).get((function, expr.op))
        value = assigned[-1].value if assigned else None
        if value is None:
            found = self.project.assignment(expr.qualname)
            if found is None:
                return None
            owner, assign = found
            if assign.value is None:
                return None
            other = _Handles(owner, self.project, self.catalogue)
            return other._built(assign.value, None, depth + 1)
        return self._built(value, function, depth + 1)

    def _built(self, value: Expr, function: str | None, depth: int) -> str | None:
        while value.kind in ("attribute", "subscript"):
            value = value.items[0]
        if value.kind == "call":
            client = self.catalogue.kind(value.qualname or "")
            if client is not None:
                return client
            func = value.func
            if (
                func is not None
                and func.kind == "attribute"
                and (func.op in self.catalogue.through or func.op[:1].isupper())
            ):
                return self._built(func.items[0], function, depth)
            return None
        if value.kind == "name":
            client = self.catalogue.kind(value.type) if value.type else None
            return client or self._named(value, function, depth)
        return None


def _assigned_call(module: Module, function: Function, name: Expr) -> Expr | None:
    """The call a local name of ``function`` was assigned from (``session = SessionLocal()``)."""
    for assign in assignments_in(module, function.qualname):
        if (
            assign.value is not None
            and assign.value.kind == "call"
            and any(t.kind == "name" and t.op == name.op for t in assign.targets)
        ):
            return assign.value
    return None


def _state_sessions(project: Project) -> frozenset[str]:
    """Attributes of ``request.state`` (or ``app.state``) that a module of the repository sets
    to a synchronous session: ``request.state.db = SessionLocal()`` in a middleware."""
    return project.memo("FAPI403.state_sessions", lambda: _find_state_sessions(project))


def _find_state_sessions(project: Project) -> frozenset[str]:
    found: set[str] = set()
    for module in project.all_modules(mentioning=STATE_WORDS):
        for assign in module.assignments:
            value = assign.value
            if value is None or value.kind != "call":
                continue
            for target in assign.targets:
                match = STATE_ATTRIBUTE.search(target.text) if target.kind == "attribute" else None
                if (
                    match
                    and resource_kind(value, project) == "session"
                    and _Handles(module, project).of_type(value.qualname or "") == "database"
                ):
                    found.add(match.group(1))
    return frozenset(found)


STATE_WORDS = regex(r"\.state\.\w+\s*=")


def _sync_orm(project: Project, call: Expr) -> str | None:
    """A query of a synchronous ORM run on its model class: peewee's ``Note.get_by_id(1)``,
    Django's ``Article.objects.get(pk=1)`` or ``Article.objects.filter(...).first()``."""
    func = call.func
    if func is None or func.kind != "attribute":
        return None
    receiver = func.items[0]
    if (
        func.op in PEEWEE_QUERIES
        and receiver.kind in ("name", "attribute")
        and inherits_from(project, receiver.qualname, ("peewee.",))
    ):
        return "peewee"
    if func.op not in MANAGER_QUERIES:
        return None
    while receiver.kind == "call":  # down the query chain: objects.filter(...).first()
        inner = receiver.func
        if inner is None or inner.kind != "attribute":
            return None
        receiver = inner.items[0]
    if receiver.kind != "attribute" or receiver.op != "objects":
        return None
    model = receiver.items[0].qualname
    if inherits_from(project, model, ("django.db.models.",)):
        return "Django ORM"
    return "MongoEngine" if inherits_from(project, model, ("mongoengine.",)) else None


class SyncDbInAsync(_InAsyncDef):
    """
    ## What it does
    Flags a synchronous database handle used inside an `async def`: a SQLAlchemy/SQLModel
    `Session`, or a `sqlite3`/`psycopg2`/`pymysql` connection.

    The session is recognised however it arrives: annotated, opened by a session factory
    (`db = SessionLocal()`, `with SessionLocal() as db:`, the factory built by `sessionmaker`
    or `scoped_session`, or named like one when its definition is out of view), returned or
    yielded by a function of the repository (`get_session()` returning `SessionLocal()` or
    annotated `-> Session`, `with session_scope() as s:`), stored on `request.state` by a
    middleware (`request.state.db = SessionLocal()`, then `request.state.db.commit()` in any
    module), or kept on `self` by a class (`self.session = session` with `session: Session` in
    `__init__`, or a class-level `session: Session`). Factories built by
    `async_sessionmaker` (or named `async_session`, `AsyncSessionLocal`) hand out async
    sessions and are left alone.

    Other synchronous stores are reported too: a `pymongo.MongoClient`, a `redis.Redis` (also
    `redis.from_url`), an `elasticsearch.Elasticsearch` and a `cassandra` cluster's session,
    followed through module-level names (`users = MongoClient(url)["app"].users`); a query of a
    peewee model (`Note.get_by_id(1)`, `Note.create(...)`) or of a Django or MongoEngine
    manager that runs it (`Article.objects.get(...)`, `.filter(...).first()`). Their async
    siblings (`motor`, `redis.asyncio`, `AsyncElasticsearch`, Django's `aget`) are awaited and
    not reported, nor are client methods that build a local object (`pipeline()`,
    `get_collection()`).

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last, and so is a helper named for that work
    (`run_database_startup`, awaited by a lifespan elsewhere). So are tests, command-line
    commands (`@cli.command()`, and the functions nested in them) and scripts that run their own
    loop (`asyncio.run(main())` under `if __name__ == "__main__":`, or in the `main()` that block
    calls, in a module with no routes). Session methods that only change the unit of work in
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
    severity = Severity.WARNING
    fix = "Use `AsyncSession`/an async driver with `await`, or make the handler a plain `def`."
    VALID = (
        # A script with its own event loop, and a start-up helper awaited by a lifespan.
        "import asyncio\nfrom sqlalchemy.orm import Session\nasync def main():\n    db = Session(engine)\n    db.execute(SEED)\n"
        "if __name__ == '__main__':\n    asyncio.run(main())",
        "from sqlalchemy.orm import Session\nasync def run_database_startup(app):\n    db = Session(engine)\n    db.execute(SEED)",
        "from sqlalchemy.orm import Session\ndef f(db: Session):\n    return db.get(U, 1)",
        "from sqlalchemy.ext.asyncio import AsyncSession\nasync def f(db: AsyncSession):\n"
        "    return await db.get(U, 1)",
        "from sqlalchemy.orm import Session\nasync def f(db: Session):\n"
        "    return await run_in_threadpool(lambda: db.get(U, 1))",
        # `add` only records the row: the dependency commits, in the threadpool, after the route.
        "from sqlalchemy.orm import Session\nasync def f(db: Session):\n    db.add(U(name='x'))",
        # An async factory, the factory itself, and the async siblings of other stores.
        "from sqlalchemy.ext.asyncio import async_sessionmaker\n"
        "AsyncSessionLocal = async_sessionmaker(engine)\nasync def f():\n"
        "    async with AsyncSessionLocal() as db:\n        db.add(U())\n        await db.commit()",
        "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n"
        "async def configure(engine):\n    SessionLocal.configure(bind=engine)",
        "from redis import asyncio as aioredis\ncache = aioredis.Redis()\n"
        "async def read(key: str):\n    return await cache.get(key)",
        "import redis\ncache = redis.Redis()\nasync def batch():\n    return cache.pipeline()",
        "from django.db import models\nclass Article(models.Model):\n    pass\n"
        "async def read(i: int):\n    return await Article.objects.aget(pk=i)",
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
        # A session from the factory, from a helper, from request.state, or kept on self.
        Invalid(
            "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker(bind=engine)\n"
            "async def f():\n    with SessionLocal() as db:\n        return db.query(U).all()",
            line=5,
        ),
        Invalid(
            "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker(bind=engine)\n"
            "def get_session():\n    return SessionLocal()\nasync def f(i: int):\n"
            "    session = get_session()\n    return session.get(U, i)",
            line=7,
        ),
        Invalid(
            "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker(bind=engine)\n"
            "@app.middleware('http')\nasync def db_session(request, call_next):\n"
            "    request.state.db = SessionLocal()\n    response = await call_next(request)\n"
            "    request.state.db.commit()\n    return response",
            line=7,
        ),
        Invalid(
            "from sqlalchemy.orm import Session\nclass Repo:\n"
            "    def __init__(self, session: Session):\n        self.session = session\n"
            "    async def get(self, i: int):\n        return self.session.get(U, i)",
            line=6,
        ),
        # Other synchronous stores.
        Invalid(
            "from pymongo import MongoClient\nusers = MongoClient(URL)['app'].users\n"
            "async def find(name: str):\n    return users.find_one({'name': name})",
            line=4,
        ),
        Invalid(
            "import redis\ncache = redis.Redis()\nasync def read(key: str):\n"
            "    return cache.get(key)",
            line=4,
        ),
        Invalid(
            "from django.db import models\nclass Article(models.Model):\n    pass\n"
            "async def read(i: int):\n    return Article.objects.filter(pk=i).first()",
            line=5,
        ),
        Invalid(
            "import peewee\nclass Note(peewee.Model):\n    pass\n"
            "async def read(i: int):\n    return Note.get_by_id(i)",
            line=5,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        handles = _Handles(module, project)
        for call in _serving_calls(module):
            if call.expr.qualname in SYNC_CONNECT:
                yield self.flag(module, call, f"`{call.qualname}()` opens a blocking connection")
                continue
            func = call.expr.func
            if func is None or func.kind != "attribute" or call.usage == "await":
                continue
            receiver = func.items[0]
            kind = _sync_orm(project, call.expr)
            if kind is None and func.op not in LOCAL_METHODS:
                kind = handles.of_receiver(receiver, call.function)
            if kind is not None:
                yield self.flag(
                    module,
                    call,
                    f"synchronous {kind} call `{receiver.text}.{func.op}()` blocks the event loop",
                )


class BlockingIoInAsync(_InAsyncDef):
    """
    ## What it does
    Flags blocking file and process I/O inside an `async def`: `open(...)`, a `pathlib.Path`'s
    `open`/`read_text`/`read_bytes`/`write_text`/`write_bytes`, `shutil` copies, moves, archives
    and `rmtree`, `subprocess.run`/`call`/`check_call`/`check_output`/`Popen`, and `os.system`.

    A lifespan or a startup/shutdown handler is left alone: its body runs before the first
    request is served or after the last, and so is a helper named for that work
    (`run_database_startup`, awaited by a lifespan elsewhere). So are tests, command-line
    commands (`@cli.command()`, and the functions nested in them) and scripts that run their own
    loop (`asyncio.run(main())` under `if __name__ == "__main__":`, or in the `main()` that block
    calls, in a module with no routes): they serve no other requests.

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

    ## Known problems
    Whether an `async def` runs while requests are served is decided within its module. A module
    of a command-line tool that does not start the loop itself (a benchmark package's fixture
    loader, called by the package's CLI) and the teardown of an in-process server (the `aclose`
    of an embedded server) look like a service's helpers and a per-request client's close: telling
    them apart needs the call graph across modules. Small files on a worker's loop (a test-data
    source writing one temporary file) are reported too, though their cost is often negligible.
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
        # A script with its own event loop, and a start-up helper awaited by a lifespan.
        "import asyncio\nasync def main():\n    open('seed.csv').read()\n"
        "if __name__ == '__main__':\n    asyncio.run(main())",
        "async def run_database_startup(app):\n    open('seed.csv').read()",
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
        # A coroutine nested in a command, run by the command's own `asyncio.run`.
        "import asyncio\nfrom pathlib import Path\nimport typer\ncli = typer.Typer()\n"
        "@cli.command()\ndef screenshot(output: str):\n    async def _run():\n"
        "        Path(output).write_bytes(await capture())\n    asyncio.run(_run())",
        # A benchmark script whose `main()`, called under the `__main__` guard, runs the loop.
        "import asyncio\nasync def generate(path):\n    with open(path, 'a') as out:\n"
        "        out.write(await answer())\ndef main():\n    asyncio.run(generate('out.jsonl'))\n"
        "if __name__ == '__main__':\n    main()",
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
        # `asyncio.run` in a sync wrapper that no `__main__` block calls: a library, not a script.
        Invalid(
            "import asyncio\nasync def export(path):\n    with open(path) as handle:\n"
            "        return handle.read()\ndef export_sync(path):\n    return asyncio.run(export(path))",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _serving_calls(module):
            if call.expr.qualname in self.BLOCKING:
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
        for call in method_calls(module, COROUTINE_METHODS):
            if call.usage in ("await", "return", "arg", "with", "yield"):
                continue  # asked first: most of these calls are awaited
            func = call.expr.func
            assert func is not None
            if func.items[0].type not in ASYNC_RECEIVERS:
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
