"""FAPI5xx: error handling."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from reviewer.extract.model import Assign, Call, ExceptHandler, Expr, Function, Module, Span
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.record import record
from reviewer.rules.base import Finding, Invalid, Rule, Severity, Valid
from reviewer.rules.helpers import (
    assignments_in,
    calls_named,
    calls_where,
    dependencies,
    note_dependencies,
    writes,
)

HTTP_EXCEPTION = "fastapi.HTTPException"
BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


def _is_response(call: Expr) -> bool:
    """A call of a FastAPI/Starlette response class."""
    return call.kind == "call" and _is_response_class(call.qualname or "")


def _is_response_class(name: str) -> bool:
    return name == "fastapi.Response" or name.startswith("fastapi.responses.")


def _is_sent(name: str) -> bool:
    """Calling ``name`` makes what a client receives: an ``HTTPException`` or a response."""
    return name == HTTP_EXCEPTION or _is_response_class(name)


def _explicit_status(response: Expr) -> Expr | None:
    """The ``status_code`` a response class is called with (keyword or second argument)."""
    return response.arg(1, "status_code")


def _status_value(expr: Expr) -> int | None:
    """``404``, ``status.HTTP_404_NOT_FOUND`` or ``HTTPStatus.NOT_FOUND`` -> 404."""
    if expr.kind == "number" and isinstance(expr.value, int):
        return expr.value
    if expr.kind not in ("name", "attribute"):
        return None
    match = re.fullmatch(r"HTTP_(\d{3})(_\w*)?", expr.last_name)
    if match:
        return int(match.group(1))
    qualname = expr.qualname or ""
    if qualname.startswith("http.HTTPStatus."):
        from http import HTTPStatus  # here: its enums take half a millisecond to make

        if expr.last_name in HTTPStatus.__members__:
            return HTTPStatus[expr.last_name].value
    return None


def _is_error_response(call: Expr) -> bool:
    """``HTTPException(...)``, or a response class called with a status of 400 or more (or with a
    status that is not a literal: given the benefit of the doubt)."""
    if call.qualname == HTTP_EXCEPTION:
        return True
    if not _is_response(call):
        return False
    status = _explicit_status(call)
    if status is None:
        return False
    code = _status_value(status)
    return code is None or code >= 400


def _in(line: int, handler: ExceptHandler) -> bool:
    return handler.span.line <= line <= handler.span.end_line


def _sets_status(module: Module, function: str | None, first: int, last: int) -> bool:
    """``response.status_code = ...`` in ``function`` between lines ``first`` and ``last``."""
    return any(
        first <= assign.span.line <= last
        and any(
            target.kind == "attribute" and target.op == "status_code" for target in assign.targets
        )
        for assign in assignments_in(module, function)
    )


# -- FAPI501 --------------------------------------------------------------------------------

LEAKY_BUILTINS = frozenset(
    {
        "OSError",
        "IOError",
        "EnvironmentError",
        "ConnectionError",
        "FileNotFoundError",
    }
)
"""``PermissionError`` is left out: applications raise it for their own authorization failures,
with messages written for users."""
LEAKY_PACKAGES = frozenset(
    {
        "sqlalchemy",
        "sqlmodel",
        "psycopg",
        "psycopg2",
        "asyncpg",
        "pymysql",
        "aiomysql",
        "MySQLdb",
        "sqlite3",
        "aiosqlite",
        "pymongo",
        "motor",
        "redis",
        "httpx",
        "requests",
        "aiohttp",
        "urllib3",
        "botocore",
        "boto3",
    }
)
"""Libraries whose exception messages carry SQL, hosts, URLs or file paths."""
AUTH_PACKAGES = frozenset(
    {"jose", "jwt", "authlib", "itsdangerous", "passlib", "keycloak", "ldap3"}
)
"""Authentication libraries: their messages say which check failed (signature, audience, key,
algorithm, hash scheme) or carry the identity server's answer."""
EXPIRY_ERRORS = frozenset({"ExpiredSignatureError", "ExpiredTokenError", "SignatureExpired"})
"""Errors whose message only says that the token expired, which the client may know."""
TRACEBACKS = frozenset(
    {
        "traceback.format_exc",
        "traceback.format_exception",
        "traceback.format_tb",
        "traceback.format_stack",
        "traceback.extract_tb",
        "traceback.extract_stack",
    }
)
FIXED_MESSAGES = frozenset({"NoResultFound", "MultipleResultsFound"})
"""SQLAlchemy errors whose message is a fixed sentence, with no SQL or parameters."""
TO_TEXT = frozenset({"str", "repr", "traceback.format_exception_only"})
EXCEPTION_TEXT_ATTRS = frozenset(
    {"args", "orig", "statement", "params", "message", "description", "error_description"}
)


def _leaky(exception: Expr | str) -> bool:
    """Catching this type gives messages nobody wrote for clients: a broad catch, an OS error, or
    an error of a database, HTTP or cloud library. A domain exception's message is deliberate."""
    if isinstance(exception, Expr):
        if exception.kind == "number":
            return isinstance(exception.value, int) and exception.value >= 500
        exception = exception.qualname or ""
    package, name = exception.split(".", 1)[0], exception.rsplit(".", 1)[-1]
    if name in FIXED_MESSAGES:
        return False
    return (
        exception in BROAD
        or exception in LEAKY_BUILTINS
        or package in LEAKY_PACKAGES
        or (package in AUTH_PACKAGES and name not in EXPIRY_ERRORS)
    )


@record
class _Caught:
    """Lines of a function where a name holds a caught exception: the body of an
    ``except ... as name``, or of an exception handler registered for that type."""

    function: str | None
    first: int
    last: int
    exceptions: Mapping[str, str]
    """Name of the exception variable -> the caught type, as written."""


def _exception_label(expr: Expr, exceptions: Mapping[str, str]) -> str | None:
    """The caught type when ``expr`` is the exception (``exc``, ``exc.args[0]``, ``exc.orig``)."""
    if expr.kind == "subscript":
        expr = expr.items[0]
    if expr.kind == "attribute" and expr.op in EXCEPTION_TEXT_ATTRS:
        expr = expr.items[0]
    return exceptions.get(expr.op) if expr.kind == "name" else None


SANITIZER = regex(r"scrub|saniti[sz]e|redact|mask|censor|obfuscate", re.IGNORECASE)


def _outside_sanitizers(expr: Expr) -> Iterator[Expr]:
    """``expr`` and every expression inside it, except the arguments of a call that cleans text
    (``_scrub_credentials(str(exc))``, ``redact(message)``)."""
    yield expr
    func = expr.func
    if expr.kind == "call" and func is not None and SANITIZER.search(func.last_name):
        return
    for item in (*expr.items, *(key for key in expr.keys if key is not None), *expr.args):
        yield from _outside_sanitizers(item)
    for _, value in expr.kwargs:
        yield from _outside_sanitizers(value)


def _leak(
    expr: Expr, exceptions: Mapping[str, str], texts: Mapping[str, str]
) -> tuple[Expr, str] | None:
    """The part of ``expr`` that is the text of a caught exception or a traceback, with the
    caught type (``traceback`` for a traceback)."""
    for node in _outside_sanitizers(expr):
        label: str | None = None
        if node.kind == "call":
            name = node.qualname or ""
            if name in TRACEBACKS:
                return node, "traceback"
            func = node.func
            if name in TO_TEXT and node.args:
                label = _exception_label(node.args[0], exceptions)
            elif func is not None and func.kind == "attribute" and func.op == "format":
                arguments = (*node.args, *(value for _, value in node.kwargs))
                label = next(
                    filter(None, (_exception_label(a, exceptions) for a in arguments)), None
                )
        elif node.kind == "fstring":
            label = next(filter(None, (_exception_label(i, exceptions) for i in node.items)), None)
        elif node.kind == "binop" and node.op == "%":
            operand = node.items[1]
            operands = operand.items if operand.kind == "tuple" else (operand,)
            label = next(filter(None, (_exception_label(o, exceptions) for o in operands)), None)
        elif node.kind == "attribute" and node.op in EXCEPTION_TEXT_ATTRS:
            label = _exception_label(node, exceptions)
        elif node.kind == "name":
            label = texts.get(node.op)
        if label is not None:
            return node, label
    return None


def _exception_handlers(module: Module) -> tuple[tuple[Function, Expr], ...]:
    """Functions registered with ``@app.exception_handler(X)`` or
    ``app.add_exception_handler(X, handler)``, with ``X``; found once per module for the rules
    that ask (FAPI501 twice)."""
    return module.memo("FAPI50x.exception_handlers", lambda: tuple(_find_handlers(module)))


def _find_handlers(module: Module) -> Iterator[tuple[Function, Expr]]:
    registered: dict[str, Expr] = {}
    for call in calls_named(module, ("add_exception_handler",)):
        if len(call.expr.args) > 1:
            registered[call.expr.args[1].qualname or ""] = call.expr.args[0]
    for function in module.functions:
        caught = None
        if registered:
            caught = registered.get(f"{module.name}.{function.qualname}") or registered.get(
                function.name
            )
        for decorator in function.decorators:
            func = decorator.func
            if func is not None and func.kind == "attribute" and func.op == "exception_handler":
                caught = decorator.arg(0, "exc_class_or_status_code")
        if caught is not None:
            yield function, caught


PARSE_FUNCTIONS = frozenset({"json.loads", "orjson.loads", "ujson.loads"})
PARSE_METHODS = frozenset(
    {
        "json",
        "body",
        "model_validate",
        "model_validate_json",
        "parse_obj",
        "parse_raw",
        "validate_python",
        "validate_json",
        "model_dump",
        "model_dump_json",
        "dict",
    }
)
VALIDATOR = regex(r"validat|(^|_)pars(e|er|ing)(_|$)", re.IGNORECASE)
"""A function that checks or parses what it is given (``validate_openapi_schema(spec)``,
``prepend_scheme_and_validate_url(url)``): its errors describe that input."""


def _parses_input(module: Module, handler: ExceptHandler, project: Project) -> bool:
    """The ``try`` only parses or validates the request's own data (``json.loads(body)``,
    ``await request.json()``, ``Model(**body)``, ``validate_schema(spec)``): the message describes
    the client's input."""
    span = handler.try_span
    if span is None:
        return False
    calls = list(_calls_between(module, handler.function, span.line, span.end_line))
    return bool(calls) and all(
        call.expr.qualname in PARSE_FUNCTIONS
        or (call.expr.func is not None and call.expr.func.last_name in PARSE_METHODS)
        or VALIDATOR.search(call.expr.last_name) is not None
        or project.model_kind(call.expr.qualname) in ("pydantic", "sqlmodel")
        for call in calls
    )


CHECKING_ROUTE = regex(r"_?(validate|verify|lint|convert|parse|preview)_")
"""A route whose job is to check or convert what the client sends (``validate_expression``,
``convert_curl_to_http``)."""


def _checks_input(module: Module, handler: ExceptHandler) -> bool:
    """In a route named for checking or converting the client's input, the ``try`` does no I/O:
    nothing awaited, no database, HTTP or cloud library, no dependency (a session, a service)
    handed to or called on. Its errors are about that input."""
    function = module.function(handler.function)
    span = handler.try_span
    if function is None or span is None or not CHECKING_ROUTE.match(function.name):
        return False
    if function.qualname not in {route.handler.qualname for route in module.routes}:
        return False
    injected = {param.name for param in function.params if param.marker is not None}
    injected.add("self")
    for call in _calls_between(module, handler.function, span.line, span.end_line):
        package = (call.qualname or "").split(".", 1)[0]
        if call.usage == "await" or package in LEAKY_PACKAGES or package in AUTH_PACKAGES:
            return False
        if any(node.kind == "name" and node.op in injected for node in call.expr.walk()):
            return False
    return True


def _caught(module: Module, project: Project) -> Iterator[_Caught]:
    for handler in module.excepts:
        if (
            handler.name
            and any(_leaky(caught) for caught in handler.types)
            and not _parses_input(module, handler, project)
            and not _checks_input(module, handler)
        ):
            label = " | ".join(handler.types)
            yield _Caught(
                handler.function, handler.span.line, handler.span.end_line, {handler.name: label}
            )
    for function, caught in _exception_handlers(module):
        if len(function.params) > 1 and _leaky(caught):
            span = function.body_span
            yield _Caught(
                function.qualname, span.line, span.end_line, {function.params[1].name: caught.text}
            )


def _sinks(module: Module, returning: list[Function]) -> Iterator[tuple[Expr, str | None]]:
    """What reaches the client, with the function it is in: the ``detail`` of an
    ``HTTPException``, the content of a response, and the values routes and exception handlers
    return."""
    for call in calls_where(module, _is_sent):
        expr = call.expr
        if expr.qualname == HTTP_EXCEPTION:
            payload = expr.arg(1, "detail")
        elif _is_response(expr):
            payload = expr.arg(0, "content")
        else:
            continue
        if payload is not None:
            yield payload, call.function
    for function in returning:
        for returned in function.returns:
            value = returned.value
            if value is None or value.qualname == HTTP_EXCEPTION or _is_response(value):
                continue
            yield value, function.qualname


class ExceptionDetailLeak(Rule):
    """
    ## What it does
    Flags the text of a caught exception, or a traceback, sent to the client in an
    `HTTPException` detail, a response's content or a route's return value.

    The text is `str(exc)`, `repr(exc)`, `exc.args` (or `.message`, `.description`), an
    f-string or `%`/`.format` of `exc` (also through a local variable), or
    `traceback.format_exc()`. Only exceptions whose messages nobody
    wrote for clients count: a broad `except Exception`, an `OSError`, or an error of a database,
    HTTP or cloud library (SQLAlchemy, psycopg, asyncpg, httpx, requests, botocore...) or of an
    authentication library (`jose.JWTError`, PyJWT's `InvalidTokenError`/`PyJWTError`, `authlib`,
    `itsdangerous`, `passlib`, `python-keycloak`, `ldap3`: their text says which check failed or
    carries the identity server's answer), also in an exception handler registered for
    `Exception` or 500. An expired-token error (`ExpiredSignatureError`) only says what the
    client may know and is left alone. Not flagged: a `try` that only parses or validates the
    request's own data (`json.loads`, `await request.json()`, a Pydantic model and its
    `model_dump()`, a function named like a validator or parser such as
    `validate_openapi_schema(spec)`), a route named for checking or converting the client's input
    (`validate_...`, `verify_...`, `lint_...`, `convert_...`, `parse_...`, `preview_...`) whose
    `try` does no I/O (nothing awaited, no database, HTTP or authentication library, no injected
    dependency), text passed through a function that cleans it (`scrub_...`, `redact`,
    `sanitize`, `mask`), a `PermissionError` (applications raise it for their own authorization
    failures, with messages written for users), and SQLAlchemy's `NoResultFound` and
    `MultipleResultsFound`, whose messages are fixed sentences.

    ## Why is this bad?
    Those messages carry SQL statements and parameters, table and constraint names, internal
    hostnames and URLs, file paths and library versions: a map of the system for whoever sends a
    bad request, and sometimes other users' data.

    ## Example
    ```python
    from fastapi import HTTPException


    @router.post("/orders", status_code=201)
    async def create_order(order: OrderIn, db: AsyncSession = Depends(get_db)) -> OrderOut:
        try:
            return await orders.create(db, order)
        except Exception as exc:
            raise HTTPException(status_code=500, detail=str(exc))
    ```

    ## Use instead
    ```python
    from fastapi import HTTPException


    @router.post("/orders", status_code=201)
    async def create_order(order: OrderIn, db: AsyncSession = Depends(get_db)) -> OrderOut:
        try:
            return await orders.create(db, order)
        except OrderExists as exc:
            raise HTTPException(status_code=409, detail="Duplicate order reference") from exc
    ```
    Let unexpected errors propagate: the server logs them and answers a plain 500.

    ## Known problems
    Who calls the route is not known: an internal endpoint answering only the operator's own
    service (a control plane, a sidecar), an admin debug page meant to show the error, or a
    "test connection" endpoint telling an admin why the key they entered failed is reported like
    any other. Suppress those with `# fastapi-review: ignore[FAPI501]`.
    """

    id = "FAPI501"
    cwe = (209,)
    name = "exception-detail-leak"
    severity = Severity.WARNING
    fix = "Log the exception server-side; send the client a fixed message or a stable error code."
    ROUTE = "from fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n"
    VALID = (
        # A domain exception's message is written for clients.
        ROUTE + "@router.post('/users', status_code=201)\ndef create(user: UserIn):\n    try:\n"
        "        return service.create(user)\n    except EmailTaken as exc:\n"
        "        raise HTTPException(status_code=409, detail=str(exc))",
        ROUTE + "import logging\nlogger = logging.getLogger(__name__)\n"
        "@router.get('/rates')\ndef rates():\n    try:\n        return fetch()\n"
        "    except Exception as exc:\n        logger.exception('rates failed: %s', exc)\n"
        "        raise HTTPException(status_code=502, detail='Rates are unavailable') from exc",
        ROUTE + "@router.get('/x')\ndef x():\n    try:\n        return fetch()\n"
        "    except Exception as exc:\n"
        "        raise HTTPException(status_code=500, detail=type(exc).__name__)",
        "from fastapi import FastAPI, HTTPException, Request\n"
        "from fastapi.responses import JSONResponse\napp = FastAPI()\n"
        "@app.exception_handler(HTTPException)\n"
        "async def http_error(request: Request, exc: HTTPException):\n"
        "    return JSONResponse(status_code=exc.status_code, content={'error': str(exc.detail)})",
        # The try only parses the client's own input: the message describes that input.
        ROUTE + "import json\n@router.post('/import')\nasync def import_(request: Request):\n"
        "    try:\n        data = json.loads(await request.body())\n"
        "    except Exception as exc:\n"
        "        raise HTTPException(400, detail=f'Invalid JSON: {exc}')\n    return data",
        # The text goes through a function that cleans it.
        ROUTE + "@router.get('/redis/check')\nasync def check_redis():\n    try:\n"
        "        await ping()\n        return {'status': 'healthy'}\n"
        "    except Exception as exc:\n"
        "        return {'status': 'unhealthy', 'error': scrub_credentials(str(exc))}",
        # An expired token: the client may know that.
        "from fastapi import HTTPException\nimport jwt\ndef current_user(token: str):\n"
        "    try:\n        return jwt.decode(token, KEY, algorithms=['HS256'])\n"
        "    except jwt.ExpiredSignatureError as exc:\n"
        "        raise HTTPException(401, detail=str(exc))",
        # The application's own authorization error, raised with a message for users.
        ROUTE + "@router.post('/verify')\ndef verify(code: str):\n    try:\n"
        "        identity.check_code(code)\n    except PermissionError as exc:\n"
        "        raise HTTPException(status_code=403, detail=exc.args[0])",
        # A fixed sentence: "No row was found when one was required".
        ROUTE + "from sqlalchemy.exc import NoResultFound\n@router.post('/cases')\n"
        "async def create_case(case: CaseIn):\n    try:\n        return await cases.create(case)\n"
        "    except NoResultFound as exc:\n        raise HTTPException(status_code=400, detail=str(exc))",
        # The try only validates what the client sent.
        ROUTE + "@router.post('/tools')\ndef create_tool(tool: ToolIn):\n    try:\n"
        "        validate_openapi_schema(tool.definition)\n    except Exception as exc:\n"
        "        raise HTTPException(status_code=400, detail=str(exc))\n    return tools.create(tool)",
        # A route that checks the client's expression, with no I/O.
        ROUTE
        + "@router.post('/expressions/validate')\nasync def validate_expression(expression: str):\n"
        "    try:\n        tree = expression_parser.parse(expression)\n"
        "        tokens = TokenExtractor().visit(tree)\n    except Exception as exc:\n"
        "        return ValidationOut(is_valid=False, errors=[f'Parser error: {exc}'])\n"
        "    return ValidationOut(is_valid=True, tokens=tokens)",
        ROUTE + "@router.post('/connect')\ndef connect(config: dict):\n    try:\n"
        "        model = ConfigModel.model_validate(config)\n        return model.model_dump()\n"
        "    except Exception as exc:\n        raise HTTPException(status_code=422, detail=str(exc))",
    )
    INVALID = (
        # Errors of authentication libraries say which check failed.
        Invalid(
            "from fastapi import HTTPException\nfrom jose import JWTError, jwt\n"
            "def current_user(token: str):\n    try:\n"
            "        return jwt.decode(token, KEY, algorithms=['HS256'])\n"
            "    except JWTError as e:\n        raise HTTPException(401, detail=str(e))",
            line=7,
        ),
        Invalid(
            "from fastapi import HTTPException\nimport jwt\ndef current_user(token: str):\n"
            "    try:\n        return jwt.decode(token, KEY, algorithms=['HS256'])\n"
            "    except jwt.InvalidTokenError as e:\n"
            "        raise HTTPException(401, detail=f'Invalid token: {e}')",
            line=7,
        ),
        Invalid(
            ROUTE + "@router.get('/x')\ndef x():\n    try:\n        return fetch()\n"
            "    except Exception as exc:\n        raise HTTPException(500, detail=str(exc))",
            line=8,
        ),
        # Named for checking, but the try reads the database through a dependency.
        Invalid(
            ROUTE + "@router.post('/emails/verify')\n"
            "def verify_email(token: str, db: Session = Depends(get_db)):\n    try:\n"
            "        user = users.by_token(db, token)\n    except Exception as exc:\n"
            "        raise HTTPException(400, detail=str(exc))\n    return user",
            line=8,
        ),
        Invalid(
            ROUTE + "import json\n@router.post('/import')\nasync def import_(request: Request):\n"
            "    try:\n        data = json.loads(await request.body())\n"
            "        await store.save(data)\n    except Exception as exc:\n"
            "        raise HTTPException(400, detail=f'Import failed: {exc}')",
            line=10,
        ),
        Invalid(
            ROUTE + "from sqlalchemy.exc import IntegrityError\n"
            "@router.post('/users', status_code=201)\ndef create(user: UserIn):\n    try:\n"
            "        return service.create(user)\n    except IntegrityError as err:\n"
            "        raise HTTPException(409, f'Could not save: {err.orig}')",
            line=9,
        ),
        Invalid(
            ROUTE + "import traceback\n@router.get('/x')\ndef x():\n"
            "    try:\n        return fetch()\n"
            "    except Exception:\n        return {'trace': traceback.format_exc()}",
            line=9,
        ),
        Invalid(
            "from fastapi import FastAPI, Request\nfrom fastapi.responses import JSONResponse\n"
            "app = FastAPI()\n@app.exception_handler(Exception)\n"
            "async def unhandled(request: Request, exc: Exception):\n"
            "    return JSONResponse(status_code=500, content={'message': f'Internal error: {exc!r}'})",
            line=6,
        ),
        Invalid(
            ROUTE + "import httpx\n@router.get('/weather')\n"
            "async def weather(client=Depends(get_client)):\n"
            "    try:\n        return (await client.get('/now')).json()\n"
            "    except httpx.HTTPError as exc:\n        message = 'upstream failed: %s' % exc\n"
            "        raise HTTPException(status_code=502, detail=message)",
            line=10,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        handlers = [function for function, _ in _exception_handlers(module)]
        returning = [route.handler for route in module.routes] + handlers
        scopes = list(_caught(module, project))
        if not scopes and not writes(module, ("traceback",)):
            return  # nothing caught here, and no traceback formatted: nothing can leak
        for payload, function in _sinks(module, returning):
            line = payload.span.line
            around = [s for s in scopes if s.function == function and s.first <= line <= s.last]
            exceptions = {name: label for s in around for name, label in s.exceptions.items()}
            if not exceptions and not any(
                node.kind == "call" and node.qualname in TRACEBACKS for node in payload.walk()
            ):
                continue  # with no exception caught around it, only a traceback can leak
            leak = _leak(payload, exceptions, _texts(module, around, exceptions))
            if leak is None:
                continue
            part, label = leak
            if label == "traceback":
                message = f"`{_short(part.text)}` sends a server traceback to the client"
            else:
                message = (
                    f"`{_short(part.text)}` sends the message of a caught `{label}` to the client"
                )
            yield self.finding(module, part, message)


def _texts(module: Module, scopes: list[_Caught], exceptions: Mapping[str, str]) -> dict[str, str]:
    """Local names assigned text made from a caught exception (``message = f"failed: {exc}"``)."""
    texts: dict[str, str] = {}
    for scope in scopes:
        for assign in assignments_in(module, scope.function):
            if (
                not scope.first <= assign.span.line <= scope.last
                or assign.value is None
                or len(assign.targets) != 1
                or assign.targets[0].kind != "name"
            ):
                continue
            leak = _leak(assign.value, exceptions, {})
            if leak is not None:
                texts[assign.targets[0].op] = leak[1]
    return texts


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


# -- FAPI502 / FAPI503 ----------------------------------------------------------------------

ERROR_WORDS = regex(
    r"\b(not found|invalid|error|fail|denied|unauthori[sz]ed|forbidden|not allowed|"
    r"already exists|does ?n[o']t exist|missing|incorrect|expired|not permitted|cannot|can't|"
    r"could not|couldn't|unable)",
    re.IGNORECASE,
)
PAYLOAD_KEYS = frozenset({"data", "result", "results", "items"})
"""Keys of a success envelope (``{"data": ..., "error": None}``)."""
ERROR_BODY_KEYS = frozenset(
    {
        "error",
        "errors",
        "error_code",
        "detail",
        "details",
        "message",
        "msg",
        "code",
        "status",
        "status_code",
        "success",
        "ok",
        "type",
        "title",
        "reason",
        "description",
        "hint",
        "request_id",
        "trace_id",
        "timestamp",
        "path",
    }
)
"""Keys an error body is made of. A body with other keys (``{"job_id": ..., "status": "failed"}``)
reports the state of something else, which a 200 rightly carries."""
ERROR_STATUSES = frozenset({"error", "fail", "failed", "failure"})


def _empty(value: Expr) -> bool:
    if value.kind in ("none", "list", "tuple", "set", "dict"):
        return not value.items
    return (value.kind == "bool" and value.value is False) or (
        value.kind == "str" and not value.value
    )


def _error_key(body: Expr, in_except: bool) -> str | None:
    """The key that makes the dict ``body`` an error body: a non-empty ``error``, a ``detail``
    that reads like an error (any ``detail`` returned from an ``except``), ``"status": "error"``,
    or ``"success"``/``"ok"`` set to False; and every key is one of an error body (or a payload
    key set to None, as in an envelope ``{"data": None, "error": ...}``)."""
    if body.kind != "dict" or any(key is None or key.string is None for key in body.keys):
        return None
    entries = [
        (key.string, value)
        for key, value in zip(body.keys, body.items, strict=True)
        if key is not None
    ]
    for key, value in entries:
        if key not in ERROR_BODY_KEYS and not (key in PAYLOAD_KEYS and value.kind == "none"):
            return None
    for key, value in entries:
        if key == "error" and not _empty(value):
            return key
        if key == "detail" and not _empty(value):
            text = value.value if value.kind in ("str", "fstring") else None
            if in_except or (isinstance(text, str) and ERROR_WORDS.search(text)):
                return key
        if key == "status" and (value.string or "").lower() in ERROR_STATUSES:
            return key
        if key in ("success", "ok") and value.kind == "bool" and value.value is False:
            return key
    return None


NORMAL_DATA = frozenset(
    {"none", "str", "bytes", "number", "bool", "list", "tuple", "set", "fstring", "binop"}
)
REPORTING = frozenset({"print", "traceback.print_exc", "warnings.warn"})
REPORTING_PACKAGES = frozenset({"logging", "loguru", "structlog", "sentry_sdk"})
CONVERSIONS = frozenset(
    {"str", "repr", "format", "type", "isinstance", "len", "getattr", "hasattr"}
)
CLEANUP = frozenset(
    {
        "close",
        "aclose",
        "rollback",
        "dispose",
        "remove",
        "unlink",
        "disconnect",
        "release",
        "shutdown",
        "cancel",
        "terminate",
        "kill",
        "wait_closed",
        "cleanup",
        "teardown",
        "rmtree",
    }
)
CLEANUP_GUARDS = frozenset({"hasattr", "getattr", "isinstance", "callable"})


def _reports_error(value: Expr | None, project: Project) -> bool:
    """A value returned from an ``except`` tells the client that something failed, or might (a
    name or an unknown call gets the benefit of the doubt). Error-shaped bodies sent with 200
    count as reported: FAPI503 owns them."""
    if value is None or value.kind in NORMAL_DATA:
        return False
    if value.kind == "dict":
        return _error_key(value, in_except=True) is not None
    if value.kind != "call":
        return True
    if value.last_name == "RedirectResponse":
        return True  # how server-rendered pages report a failure
    if value.qualname == HTTP_EXCEPTION or _is_response(value):
        # a status written out is the author's decision (an error one is FAPI503's concern)
        return _is_error_response(value) or _explicit_status(value) is not None
    if value.qualname in ("dict", "list", "tuple", "set", "str"):
        return False
    kind = project.model_kind(value.qualname)
    return kind is None or kind == "class"


def _flags(value: Expr | None) -> dict[str, bool]:
    """The boolean literals of a dict literal with string keys, by key."""
    if value is None or value.kind != "dict":
        return {}
    return {
        key.string: item.value
        for key, item in zip(value.keys, value.items, strict=True)
        if key is not None and key.string is not None and isinstance(item.value, bool)
    }


def _flips_flag(value: Expr | None, handler: ExceptHandler, function: Function) -> bool:
    """``value`` answers with a flag set to False that the ``try`` answers with set to True
    (``{"sent": False}`` against ``{"sent": True}``): the body tells the client it failed."""
    failed = {key for key, flag in _flags(value).items() if not flag}
    span = handler.try_span
    return span is not None and any(
        failed & {key for key, flag in _flags(returned.value).items() if flag}
        for returned in function.returns
        if span.line <= returned.span.line <= span.end_line
    )


def _is_reporting(call: Call) -> bool:
    """A logging, printing or error-tracking call."""
    name = call.qualname
    func = call.expr.func
    return (
        name in REPORTING
        or name.split(".", 1)[0] in REPORTING_PACKAGES
        or (
            func is not None
            and func.kind == "attribute"
            and "log" in func.items[0].last_name.lower()
        )
    )


def _calls_between(module: Module, function: str | None, first: int, last: int) -> Iterator[Call]:
    for call in module.calls:
        if call.function == function and first <= call.span.line <= last:
            yield call


def _cleanup_only(module: Module, handler: ExceptHandler) -> bool:
    """The ``try`` only closes or releases something (``if hasattr(c, "close"): await
    c.close()``), or sits in a ``finally:``: best-effort cleanup."""
    span = handler.try_span
    if span is None:
        return False
    start = _try_line(module, span)
    if start is not None and _in_finally(module, start):
        return True
    calls = [
        call
        for call in _calls_between(module, handler.function, span.line, span.end_line)
        if call.qualname not in CLEANUP_GUARDS
    ]
    return bool(calls) and all(
        call.expr.func is not None and not CLEANUP.isdisjoint(call.expr.func.last_name.split("_"))
        for call in calls
    )


def _try_line(module: Module, body: Span) -> int | None:
    """The line of the ``try:`` whose body is ``body``."""
    for number in range(body.line - 1, 0, -1):
        stripped = module.lines[number - 1].strip()
        if stripped.startswith("try:"):
            return number
        if stripped and not stripped.startswith("#"):
            return None
    return None


def _in_finally(module: Module, line: int) -> bool:
    """The statement starting on ``line`` is in the body of a ``finally:`` (the nearest line
    before it that is less indented is ``finally:``)."""
    text = module.lines[line - 1] if 0 < line <= len(module.lines) else ""
    indent = len(text) - len(text.lstrip())
    for number in range(line - 1, 0, -1):
        above = module.lines[number - 1]
        stripped = above.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(above) - len(above.lstrip()) < indent:
            return stripped == "finally:"
    return False


ACKNOWLEDGED = regex(
    r"#.*(noqa:[^#]*\b(BLE001|E722|S110)\b|pylint:\s*disable=[\w,-]*(broad-except|"
    r"broad-exception-caught|bare-except))"
)
"""Another linter's suppression of its broad-``except`` check: the author already decided."""
FAILED_STATUSES = ERROR_STATUSES | {"unhealthy", "down"}


EXPLAINED = regex(
    r"#.*\b(best[- ]?effort|optional|non[- ]?(fatal|critical|blocking|essential)|"
    r"(must|should|does|do|will|never)(\s+not|n't)?\s+(fail|raise|surface|block|break)|"
    r"don'?t\s+(fail|raise|surface|block|break)|fall(s|ing)?\s*back|ignor(e|es|ed|ing)\b|"
    r"not\s+(critical|fatal|required|needed)|on purpose|intentional|deliberate|continue|degrad)",
    re.IGNORECASE,
)
"""A comment saying the failure is tolerated on purpose (``# best-effort: the delete already
succeeded``, ``# Redis is optional, fall back to the database``)."""


def _acknowledged(module: Module, handler: ExceptHandler) -> bool:
    """Another linter's suppression on the ``except`` line, or a comment in the handler (or just
    above its ``try:``) that explains why the failure is tolerated."""
    if ACKNOWLEDGED.search(module.lines[handler.span.line - 1]):
        return True
    lines = list(range(handler.span.line, handler.span.end_line + 1))
    start = _try_line(module, handler.try_span) if handler.try_span is not None else None
    if start is not None:
        above = start - 1
        while above > 0 and module.lines[above - 1].strip().startswith("#"):
            lines.append(above)
            above -= 1
    return any(EXPLAINED.search(module.lines[number - 1]) for number in lines)


def _inside_except(module: Module, handler: ExceptHandler) -> bool:
    """The ``try`` is in the body of another ``except``: the request is already failing there
    (a failure hook or a log call guarded so it cannot hide the original error)."""
    return any(
        other is not handler
        and other.function == handler.function
        and other.span.line < handler.span.line
        and handler.span.end_line <= other.span.end_line
        for other in module.excepts
    )


def _carries_failure(value: Expr | None) -> bool:
    """A dict, or a model built with keywords, that tells the client the operation failed: a
    non-empty ``error``, ``success``/``ok`` False, or a failed ``status``."""
    if value is None:
        return False
    if _is_response(value):
        return _carries_failure(value.arg(0, "content"))
    if value.kind == "dict":
        entries = [
            (key.string, item)
            for key, item in zip(value.keys, value.items, strict=True)
            if key is not None and key.string is not None
        ]
    elif value.kind == "call":
        entries = list(value.kwargs)
    else:
        return False
    return any(
        (key in ("error", "errors") and not _empty(item))
        or (key in ("success", "ok") and item.kind == "bool" and item.value is False)
        or (key == "status" and (item.string or "").lower() in FAILED_STATUSES)
        for key, item in entries
    )


ERROR_COLLECTION = regex(r"error|fail", re.IGNORECASE)


def _records_failure(module: Module, handler: ExceptHandler) -> bool:
    """The ``except`` puts the failure in the answer's data: builds a value that carries it
    (``Result(success=False, error=...)``, ``results.append({"success": False})``), adds to a
    collection of errors (``item["errors"].append(...)``), stores the exception's text or a failed
    status in a field or an entry (``server.health_error = str(exc)``,
    ``results[run_id] = "failed"``), or in a variable named for it (``error = str(exc)``,
    ``error_count += 1``)."""
    first, last = handler.span.line, handler.span.end_line
    for call in _calls_between(module, handler.function, first, last):
        func = call.expr.func
        if not _is_reporting(call) and any(
            _carries_failure(value) for value in (call.expr, *call.expr.args)
        ):
            return True
        if (
            func is not None
            and func.kind == "attribute"
            and func.op in ("append", "extend", "add")
            and ERROR_COLLECTION.search(func.items[0].text)
        ):
            return True  # item["errors"].append(...), failed.add(...)
    for assign in _names_assigned(module, handler.function, first, last):
        nodes = list(assign.value.walk()) if assign.value is not None else []
        if any(node.kind == "dict" and _carries_failure(node) for node in nodes):
            return True
        stored = any(target.kind in ("subscript", "attribute") for target in assign.targets)
        if stored and any(node.kind == "name" and node.op == handler.name for node in nodes):
            return True
        status = assign.value.string if assign.value is not None else None
        if stored and (status or "").lower() in FAILED_STATUSES:
            return True  # results[run_id] = "failed"
        if any(
            target.kind == "name" and ERROR_COLLECTION.search(target.op)
            for target in assign.targets
        ):
            return True  # error = str(exc), error_count += 1: kept for the answer
    return False


def _names_assigned(module: Module, function: str | None, first: int, last: int) -> list[Assign]:
    return [
        assign for assign in assignments_in(module, function) if first <= assign.span.line <= last
    ]


def _alternative(module: Module, handler: ExceptHandler) -> bool:
    """The ``except`` computes what the ``try`` did another way, on the same object
    (``data = obj.model_dump()`` / ``data = obj.dict()``): if that fails too, the error
    propagates. A constant or a new object instead (``team = None``) is a fallback: flagged."""
    span = handler.try_span
    if span is None or handler.returns:
        return False
    tried = {
        (target.op, assign.value.func.items[0].text)
        for assign in _names_assigned(module, handler.function, span.line, span.end_line)
        if assign.value is not None
        and assign.value.func is not None
        and assign.value.func.kind == "attribute"
        for target in assign.targets
        if target.kind == "name"
    }
    instead = _names_assigned(module, handler.function, handler.span.line, handler.span.end_line)
    return bool(instead) and all(
        assign.value is not None
        and assign.value.func is not None
        and assign.value.func.kind == "attribute"
        and all(
            target.kind == "name" and (target.op, assign.value.func.items[0].text) in tried
            for target in assign.targets
        )
        for assign in instead
    )


def _ends_visibly(module: Module, handler: ExceptHandler) -> bool:
    """The line after the handler is code at most as indented as ``except``: its body is whole.
    In a module built from hunks alone, a body can be cut short (a ``raise`` left out)."""
    if handler.span.end_line >= len(module.lines):
        return False
    after = module.lines[handler.span.end_line]
    return bool(after.strip()) and len(after) - len(after.lstrip()) <= handler.span.column


def _hands_over(module: Module, handler: ExceptHandler) -> bool:
    """The handler passes the exception to a call that may raise or record it
    (``self.handle_exceptions(exc)``, ``errors.append(str(exc))``)."""
    body = _calls_between(module, handler.function, handler.span.line, handler.span.end_line)
    for call in body if handler.name else ():
        if (
            call.usage not in ("expr", "await", "assign")
            or call.qualname in CONVERSIONS
            or _is_reporting(call)
        ):
            continue
        arguments = (*call.expr.args, *(value for _, value in call.expr.kwargs))
        if any(
            node.kind == "name" and node.op == handler.name
            for argument in arguments
            for node in argument.walk()
        ):
            return True
    return False


def _decided_elsewhere(module: Module, handler: ExceptHandler, function: Function) -> bool:
    """A handler that falls through may still fail the request: it sets the response status, hands
    the exception over (``_hands_over``), or the function answers with an HTTP error after the
    ``try``."""
    if _sets_status(module, handler.function, handler.span.line, handler.span.end_line):
        return True
    if _hands_over(module, handler):
        return True
    end = function.body_span.end_line
    return any(
        _is_error_response(call.expr)
        for call in _calls_between(module, handler.function, handler.span.end_line + 1, end)
    )


TRIVIAL = frozenset(
    {
        "len",
        "list",
        "dict",
        "set",
        "tuple",
        "sorted",
        "min",
        "max",
        "sum",
        "any",
        "all",
        "range",
        "enumerate",
        "zip",
        "print",
        "bool",
        "int",
        "float",
        "next",
        "iter",
        "super",
    }
)
"""Builtins that compute or convert: not the request's work."""
TRIVIAL_METHODS = frozenset(
    {
        "items",
        "keys",
        "values",
        "copy",
        "format",
        "strip",
        "lower",
        "upper",
        "split",
        "join",
        "encode",
        "decode",
        "startswith",
        "endswith",
        "replace",
        "append",
        "extend",
        "model_dump",
        "dict",
        "json",
        "model_validate",
        "from_orm",
        "isoformat",
        "now",
        "utcnow",
    }
)
"""Methods that read or reshape data already at hand."""


def _work(call: Call, project: Project) -> bool:
    """A call that does part of the request's work: not logging, not a conversion or builtin,
    not building the answer (a response, an ``HTTPException``, a model or another class), not
    cleanup."""
    expr = call.expr
    name = expr.last_name
    func = expr.func
    if _is_reporting(call) or call.qualname in CONVERSIONS or call.qualname in TRIVIAL:
        return False
    if expr.qualname == HTTP_EXCEPTION or _is_response(expr):
        return False
    if name[:1].isupper() or project.model_kind(expr.qualname) is not None:
        return False  # a class: builds a value
    if func is not None and func.kind == "attribute" and func.op in TRIVIAL_METHODS:
        return False
    return name not in CLEANUP


def _statement_end(module: Module, handler: ExceptHandler) -> int:
    """The last line of the ``except`` clauses of the ``try`` ``handler`` belongs to."""
    return max(
        other.span.end_line
        for other in module.excepts
        if other.function == handler.function and other.try_span == handler.try_span
    )


def _side_step(
    module: Module, handler: ExceptHandler, function: Function, method: str | None, project: Project
) -> bool:
    """The ``try`` is a step beside the request's own work, which the function does outside it
    (a notification after the write, optional enrichment of a read, cleanup): its failure is
    logged and the answer stands. Not when the answer is the value the ``try`` computes
    (``return info``), when the ``try`` holds a ``yield`` of a dependency, or, outside ``GET``,
    when the ``try`` commits or the ``except``'s fallback value is passed on to more work
    (``team = None`` then ``keys.create(data, team)``)."""
    span = handler.try_span
    if span is None:
        return False
    first, last = span.line, _statement_end(module, handler)
    body = function.body_span
    outside = [
        call
        for call in module.calls_in(function)
        if body.line <= call.span.line <= body.end_line and not first <= call.span.line <= last
    ]
    if not any(_work(call, project) for call in outside):
        return False
    if any(first <= line.line <= span.end_line for line in function.yields):
        return False
    computed = {
        target.op
        for assign in _names_assigned(module, handler.function, first, last)
        for target in assign.targets
        if target.kind == "name"
    }
    if any(
        returned.value is not None
        and returned.value.kind == "name"
        and returned.value.op in computed
        and returned.span.line > last
        for returned in function.returns
    ):
        return False
    if method == "GET":
        return True
    tried = _calls_between(module, handler.function, span.line, span.end_line)
    if any(call.expr.func is not None and call.expr.func.op == "commit" for call in tried):
        return False
    fallbacks = {
        target.op
        for assign in _names_assigned(module, handler.function, *_lines(handler))
        for target in assign.targets
        if target.kind == "name"
    }
    return not any(
        _work(call, project)
        and any(
            node.kind == "name" and node.op in fallbacks
            for argument in (*call.expr.args, *(value for _, value in call.expr.kwargs))
            for node in argument.walk()
        )
        for call in outside
        if call.span.line > last
    )


def _lines(handler: ExceptHandler) -> tuple[int, int]:
    return handler.span.line, handler.span.end_line


def _optional_dependency(function: Function, handler: ExceptHandler, dependency: bool) -> bool:
    """A dependency declared to answer ``None`` (``-> User | None``) that answers ``None`` when
    it fails: optional by contract (``try_get_current_user``)."""
    annotation = function.returns_annotation
    return (
        dependency
        and annotation is not None
        and re.search(r"\bNone\b|Optional\[", annotation.text) is not None
        and bool(handler.returns)
        and all(
            returned.value is None or returned.value.kind == "none" for returned in handler.returns
        )
    )


class SwallowedException(Rule):
    """
    ## What it does
    Flags, in a route handler or a dependency, an `except Exception:`, `except BaseException:`
    or bare `except:` whose body neither re-raises nor returns an error response (a status of
    400 or more, or an `HTTPException`): it passes, continues, logs and carries on, or returns
    normal data in place of the answer.

    What is not flagged, because the failure is reported or the code is best-effort on purpose:
    - the answer reports it: a flag of the `try`'s answer turned from true to false
      (`{"sent": False}` against `{"sent": True}`), a non-empty `error`, `success=False` or a
      failed `status` in the returned dict, model or response content, a response with its
      status written out, or the failure recorded for the answer (the exception's text or a
      failed status stored in a field or an entry, `results.append({"success": False})`, a
      variable named for it such as `error = str(exc)` or `error_count += 1`);
    - the exception is handed to a call that may raise or record it (`self.handle(exc)`);
    - cleanup: a `try` that only closes or releases something, or one inside `finally:`;
    - a step beside the request's work, which the function does outside the `try`: a
      notification after the write, optional enrichment of a read, a backfill. Still flagged:
      the answer is the value the `try` computes (`return found`), the `try` holds the `yield`
      of a dependency, or, outside `GET`, the `try` commits or the `except`'s fallback value is
      passed on to more work (`team = None`, then `keys.create(data, team)`);
    - a dependency whose return annotation allows `None` answering `None` (optional by
      contract);
    - an `except` inside another `except` (the request is failing already), one that computes
      the same value another way (`row = key.dict()` after `row = key.model_dump()`), one another
      linter was told to accept (`# noqa: BLE001`, `# pylint: disable=broad-except`), and one
      whose comment says why the failure is tolerated (`# best-effort`, `# optional`,
      `# fall back to ...`, `# must not fail the request`).

    ## Why is this bad?
    The client is told the request worked. A failed write looks like a success, a webhook
    sender does not retry, monitoring sees 200s, and in a yield dependency the handler's error
    never reaches FastAPI's exception handling. Logging the error does not change what the
    client sees.

    ## Example
    ```python
    @router.post("/webhooks/stripe")
    async def stripe_webhook(event: StripeEvent, db: AsyncSession = Depends(get_db)) -> dict[str, str]:
        try:
            await billing.apply(db, event)
        except Exception:
            logger.exception("webhook failed")
        return {"status": "ok"}
    ```

    ## Use instead
    ```python
    @router.post("/webhooks/stripe")
    async def stripe_webhook(event: StripeEvent, db: AsyncSession = Depends(get_db)) -> dict[str, str]:
        try:
            await billing.apply(db, event)
        except Exception:
            logger.exception("webhook failed")
            raise
        return {"status": "ok"}
    ```
    Or catch only the exceptions you can handle (`except DuplicateEvent: return {...}`).

    ## Known problems
    On real applications most broad `except` clauses in routes guard a secondary step, and are
    deliberate; the rule now leaves a step alone when the route does its own work outside the
    `try`, so a swallowed failure of a step that matters (an e-mail that was the point of the
    request, after a preliminary read) goes unreported. Reviewing a diff without the
    repository, only handlers that visibly end with a `return` are judged: the rest of a body
    may lie outside the hunk. Suppress a finding with `# fastapi-review: ignore[FAPI502]`.
    """

    id = "FAPI502"
    name = "swallowed-exception"
    severity = Severity.WARNING
    fix = "Re-raise after logging, raise `HTTPException`, or catch only the exceptions you handle."
    ROUTE = "import logging\nfrom fastapi import APIRouter, HTTPException\nrouter = APIRouter()\n"
    VALID = (
        ROUTE + "@router.post('/sync')\ndef sync():\n    try:\n        run()\n"
        "    except Exception:\n        logging.exception('sync failed')\n        raise",
        ROUTE + "from fastapi.responses import JSONResponse\n@router.post('/sync')\ndef sync():\n"
        "    try:\n        run()\n    except Exception:\n"
        "        return JSONResponse(status_code=500, content={'error': 'sync failed'})",
        # A redirect is how a server-rendered page reports a failure.
        ROUTE + "from fastapi.responses import RedirectResponse\n@router.post('/login')\n"
        "def login(form: LoginForm):\n    try:\n        start_session(form)\n    except Exception:\n"
        "        return RedirectResponse('/login?error=1', status_code=303)",
        # A specific exception is a decision, not a swallow.
        ROUTE + "@router.get('/user')\ndef user(token: str):\n"
        "    try:\n        return decode(token)\n    except ValueError:\n        return None",
        # Not a route or a dependency.
        ROUTE + "def warm_cache():\n    try:\n        load()\n    except Exception:\n        pass",
        # Best-effort cleanup.
        "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n    finally:\n"
        "        try:\n            db.close()\n        except Exception:\n            pass",
        # The request still fails, after the try.
        ROUTE + "@router.get('/quote')\ndef quote():\n    try:\n        price = fetch()\n"
        "    except Exception:\n        logging.exception('fetch')\n        price = None\n"
        "    if price is None:\n        raise HTTPException(status_code=503)\n    return price",
        # The failures are reported in the body.
        ROUTE + "@router.post('/import')\ndef imports(rows: list[Row]):\n    failed = []\n"
        "    for row in rows:\n        try:\n            save(row)\n        except Exception as exc:\n"
        "            failed.append({'row': row.id, 'reason': str(exc)})\n    return {'failed': failed}",
        # The flag that says it worked says it did not.
        ROUTE + "@router.post('/notify')\nasync def notify(channel: str, text: str):\n    try:\n"
        "        await hub.send(channel, text)\n        return {'sent': True, 'channel': channel}\n"
        "    except Exception:\n        return {'sent': False, 'channel': channel}",
        # The answer says it failed.
        ROUTE + "@router.post('/cache/test')\nasync def test_cache(settings: CacheSettings):\n"
        "    try:\n        await connect(settings)\n        return CacheTest(status='healthy')\n"
        "    except Exception as exc:\n        return CacheTest(status='failed', error=str(exc))",
        # Another linter's broad-except suppression: the author decided.
        ROUTE + "@router.post('/budgets')\nasync def update_budget(budget: Budget):\n"
        "    saved = await budgets.save(budget)\n    try:\n        await cache.evict(budget.id)\n"
        "    except Exception:  # noqa: BLE001 - the update is committed\n"
        "        logging.warning('evict failed')\n    return saved",
        # A failure hook guarded inside an except that re-raises.
        ROUTE + "@router.post('/run')\nasync def run_job(job: Job):\n    try:\n"
        "        return await jobs.run(job)\n    except Exception as exc:\n        try:\n"
        "            await hooks.failed(job, exc)\n        except Exception:\n"
        "            logging.exception('hook failed')\n        raise",
        # The except computes the same value another way.
        ROUTE + "@router.get('/keys')\nasync def keys():\n    out = []\n"
        "    for key in await load_keys():\n        try:\n            row = key.model_dump()\n"
        "        except Exception:\n            row = key.dict()\n        out.append(row)\n"
        "    return out",
        # The failure is recorded in the answer.
        ROUTE + "@router.get('/servers/{server_id}')\nasync def server(server_id: str):\n"
        "    found = await servers.get(server_id)\n    try:\n"
        "        found.health = await servers.check(server_id)\n    except Exception as exc:\n"
        "        found.health_error = str(exc)\n    return found",
        ROUTE + "@router.post('/members')\nasync def add_members(data: MembersIn):\n    try:\n"
        "        return await teams.add(data)\n    except Exception as exc:\n"
        "        results = [Added(user=m, success=False, error=str(exc)) for m in data.members]\n"
        "        return AddResponse(results=results, added=0)",
        ROUTE + "@router.post('/policies/test')\nasync def test_policies(items: list[Item]):\n"
        "    for item in items:\n        try:\n            await policies.apply(item)\n"
        "        except Exception as exc:\n            message = f'{item.id}: {exc}'\n"
        "            item.errors.append(message)\n    return items",
        # Best-effort cleanup through a helper.
        ROUTE + "@router.post('/cancel')\nasync def cancel(event_id: str):\n    try:\n"
        "        await safe_aclose_iterator(iterators[event_id])\n    except Exception:\n"
        "        pass\n    del iterators[event_id]\n    return {'success': True}",
        # The failure is in the response's content.
        ROUTE + "from fastapi.responses import JSONResponse\n@router.post('/cameras/detect')\n"
        "async def detect(host: str):\n    try:\n        found = await probe(host)\n"
        "    except Exception:\n        logging.exception('probe failed')\n"
        "        return JSONResponse(content={'success': False, 'message': 'Unable to detect'})\n"
        "    return JSONResponse(content={'success': True, 'protocol': found})",
        # A status written out is a decision.
        ROUTE + "from fastapi.responses import JSONResponse\n@router.put('/config')\n"
        "def save_config(config: Config):\n    store.save(config)\n    try:\n        restart()\n"
        "    except Exception:\n        return JSONResponse(status_code=200,\n"
        "            content={'message': 'Saved; unable to restart'})\n    return {'message': 'Saved'}",
        # Failures are counted, or recorded per item, in the answer.
        ROUTE + "@router.delete('/recordings')\ndef delete_recordings(paths: list[str]):\n"
        "    error_count = 0\n    for path in paths:\n        try:\n"
        "            storage.delete_file(path)\n        except Exception:\n            error_count += 1\n"
        "    return {'deleted': len(paths) - error_count, 'errors': error_count}",
        ROUTE + "@router.post('/runs/cancel')\nasync def cancel_runs(run_ids: list[str]):\n"
        "    results = {}\n    for run_id in run_ids:\n        try:\n"
        "            await runs.stop(run_id)\n        except Exception:\n"
        "            results[run_id] = 'failed'\n            continue\n"
        "        results[run_id] = 'cancelled'\n    return results",
        ROUTE + "@router.post('/exports')\ndef export_batch(items: list[Item]):\n    results = []\n"
        "    for item in items:\n        try:\n            job = start_export(item)\n"
        "        except Exception:\n            results.append({'item': item.id, 'success': False})\n"
        "            continue\n        results.append({'item': item.id, 'success': True, 'job': job})\n"
        "    return results",
        ROUTE + "@router.post('/email/test')\ndef send_test_email(data: EmailIn):\n"
        "    status, error = False, None\n    try:\n        status = mailer.send_test(data.email)\n"
        "    except Exception as exc:\n        error = str(exc)\n"
        "    return EmailResult(success=status, error=error)",
        # Cleanup in `finally`, and a close guarded by `hasattr`.
        ROUTE + "from fastapi import Depends\nasync def mcp_client(config=Depends(get_config)):\n"
        "    client = MCPClient(config)\n    try:\n        yield client\n    finally:\n        try:\n"
        "            await client.flush_history()\n        except Exception as exc:\n"
        "            logging.warning('flush: %s', exc)\n@router.get('/mcp/tools')\n"
        "async def tools(client=Depends(mcp_client)):\n    return await client.list_tools()",
        ROUTE + "from fastapi import Depends\n@router.post('/sessions/close')\n"
        "async def close_session(session=Depends(current_session)):\n    try:\n"
        "        if hasattr(session, 'aclose'):\n            await session.aclose()\n"
        "    except Exception:\n        pass\n    return {'closed': True}",
        # The author explains why the failure is tolerated.
        ROUTE + "@router.post('/agents/{agent_id}/cancel')\nasync def cancel(agent_id: str):\n"
        "    run_id = None\n    try:\n        run_id = await redis.get(agent_id)\n"
        "    except Exception:\n        pass  # Redis is optional: fall back to the database\n"
        "    return await runs.cancel(agent_id, run_id)",
        # The exception is handed to a method that raises for it.
        ROUTE + "class Recipes:\n    @router.get('/recipes/{slug}')\n"
        "    def get_one(self, slug: str):\n        try:\n"
        "            return self.service.get_one(slug)\n        except Exception as exc:\n"
        "            self.handle_exceptions(exc)\n            return None",
        # A dependency whose signature promises None: optional by contract.
        ROUTE + "from fastapi import Depends\n"
        "async def try_get_user(token: str = Depends(scheme)) -> User | None:\n    try:\n"
        "        return await get_user(token)\n    except Exception:\n        return None\n"
        "@router.get('/recipes')\nasync def recipes(user: User | None = Depends(try_get_user)):\n"
        "    return await list_recipes(user)",
        # A step beside the request's work: a notification after the write...
        ROUTE + "@router.post('/incidents/{incident_id}/enrich')\n"
        "def enrich(incident_id: str, data: Enrichment):\n    incident = incidents.enrich(incident_id, data)\n"
        "    try:\n        pusher.trigger('incident-change', {})\n    except Exception:\n"
        "        logging.exception('notify failed')\n    return incident",
        # ...or optional enrichment of a read.
        ROUTE
        + "@router.get('/workflows/{workflow_id}')\nasync def get_workflow(workflow_id: str):\n"
        "    workflow = await workflows.get(workflow_id)\n    try:\n"
        "        schema = build_schema(workflow.expects)\n    except Exception:\n"
        "        schema = None\n    return WorkflowRead(id=workflow.id, expects=schema)",
    )
    INVALID = (
        Invalid(
            ROUTE + "@router.post('/sync')\ndef sync():\n    try:\n        run()\n"
            "    except Exception:\n        logging.exception('sync failed')\n"
            "    return {'status': 'ok'}",
            line=8,
        ),
        Invalid(
            ROUTE + "@router.get('/items')\ndef items():\n    try:\n        return load()\n"
            "    except:\n        return []",
            line=8,
        ),
        Invalid(
            "from fastapi import Depends\n"
            "def get_db():\n    db = SessionLocal()\n    try:\n        yield db\n"
            "    except Exception:\n        db.rollback()\n    finally:\n        db.close()",
            line=6,
        ),
        Invalid(
            ROUTE + "from fastapi import Depends\n"
            "def current_user(token: str):\n    try:\n        return decode(token)\n"
            "    except Exception as exc:\n        logging.warning('bad token: %s', exc)\n"
            "        return None\n"
            "@router.get('/me')\ndef me(user=Depends(current_user)):\n    return user",
            line=8,
        ),
        Invalid(
            ROUTE + "@router.post('/keys')\nasync def create_key(data: KeyIn):\n    try:\n"
            "        team = await get_team(data.team_id)\n    except Exception:\n"
            "        team = None\n    return await keys.create(data, team)",
            line=8,
        ),
        Invalid(
            ROUTE + "@router.get('/settings')\nasync def settings():\n    try:\n"
            "        info = await store.get('settings')\n    except Exception:\n"
            "        info = SettingsInfo(value=None)\n    return info",
            line=8,
        ),
        # Work outside the try does not make a swallowed commit a side step...
        Invalid(
            ROUTE
            + "@router.post('/orders')\ndef create_order(order: OrderIn, db=Depends(get_db)):\n"
            "    row = orders.build(order)\n    db.add(row)\n    try:\n        db.commit()\n"
            "    except Exception:\n        logging.exception('commit failed')\n    return row",
            line=10,
        ),
        # ...nor a read whose answer is what the try computes.
        Invalid(
            ROUTE + "@router.get('/steps/{step_id}/trace')\nasync def trace(step_id: str):\n"
            "    actor = await users.current()\n    found = None\n    try:\n"
            "        found = await traces.get(step_id, actor)\n    except Exception:\n"
            "        pass\n    return found",
            line=10,
        ),
        # A dependency that does not say it may answer None.
        Invalid(
            ROUTE + "async def get_user(token: str) -> User:\n    try:\n"
            "        return await users.by_token(token)\n    except Exception:\n        return None\n"
            "@router.get('/me')\nasync def me(user: User = Depends(get_user)):\n    return user",
            line=7,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        routes = {route.handler.qualname: route.method for route in module.routes}
        note_dependencies(module, project)
        for handler in module.excepts:
            if handler.reraises or (handler.types and not BROAD.intersection(handler.types)):
                continue
            function = module.function(handler.function)
            if function is None or not (
                function.qualname in routes
                or function.qualname in dependencies(module, project)  # asked last: it may scan
            ):
                continue
            if (
                _cleanup_only(module, handler)
                or _acknowledged(module, handler)
                or _inside_except(module, handler)
                or _alternative(module, handler)
                or _records_failure(module, handler)
            ):
                continue
            if module.partial and not (handler.returns and _ends_visibly(module, handler)):
                continue
            if handler.returns:
                if _hands_over(module, handler) or _optional_dependency(
                    function, handler, function.qualname not in routes
                ):
                    continue
                if any(
                    _reports_error(returned.value, project)
                    or _carries_failure(returned.value)
                    or _flips_flag(returned.value, handler, function)
                    for returned in handler.returns
                ):
                    continue
            elif _decided_elsewhere(module, handler, function) or _side_step(
                module, handler, function, routes.get(function.qualname), project
            ):
                continue
            clause = f"except {', '.join(handler.types)}" if handler.types else "except"
            where = "route handler" if function.qualname in routes else "dependency"
            yield self.finding(
                module,
                handler.span,
                f"`{clause}:` in {where} `{function.name}` swallows the error: the request "
                "carries on as if it succeeded",
            )


def _chooses_status(function: Function) -> bool:
    """The function returns a response with an explicit error status somewhere: where it leaves
    the status out, 200 is its decision (a probe reporting what it found, not a failed request)."""
    for returned in function.returns:
        value = returned.value
        if value is not None and _is_response(value):
            status = _explicit_status(value)
            code = _status_value(status) if status is not None else None
            if code is not None and code >= 400:
                return True
    return False


class ErrorWith200(Rule):
    """
    ## What it does
    Flags a route that returns an error-shaped body (`{"error": ...}`,
    `{"detail": "Item not found"}`) with the default status 200.

    Error-shaped: a dict made only of error keys (`error`, `detail`, `message`, `code`...) with a
    non-empty `"error"`, a `"detail"` that reads like an error (or any `"detail"` returned from an
    `except`), `"status": "error"`, or `"success": False`/`"ok": False`, returned as is or in a
    response with no `status_code`. Routes with `status_code=` on the decorator, that set
    `response.status_code`, or that return a response with an explicit 4xx/5xx status elsewhere
    (the route chooses its statuses: a probe answering `{"success": False}` with 200 reports
    what it found, while bad input gets its 400) are left alone.

    ## Why is this bad?
    Clients, caches, retries, load balancers and monitoring read the status code, not the body:
    a 200 says the request worked. Generated clients return the error dict as if it were the
    resource, and OpenAPI documents a response the route does not send.

    ## Example
    ```python
    @router.get("/items/{item_id}")
    async def read_item(item_id: int, db: AsyncSession = Depends(get_db)) -> ItemOut:
        item = await db.get(Item, item_id)
        if item is None:
            return {"error": "Item not found"}
        return item
    ```

    ## Use instead
    ```python
    @router.get("/items/{item_id}")
    async def read_item(item_id: int, db: AsyncSession = Depends(get_db)) -> ItemOut:
        item = await db.get(Item, item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="Item not found")
        return item
    ```
    """

    id = "FAPI503"
    name = "error-with-200"
    severity = Severity.WARNING
    fix = "Raise `HTTPException(status_code=...)`, or return the body with a 4xx/5xx `status_code`."
    ROUTE = "from fastapi import APIRouter, Response\nrouter = APIRouter()\n"
    VALID = (
        ROUTE + "@router.get('/items')\ndef items():\n    return {'data': [], 'error': None}",
        ROUTE + "@router.post('/logout')\ndef logout():\n    return {'detail': 'Logged out'}",
        ROUTE + "from fastapi.responses import JSONResponse\n"
        "@router.get('/items/{i}')\ndef item(i: int):\n"
        "    return JSONResponse({'error': 'Item not found'}, status_code=404)",
        ROUTE + "@router.get('/items/{i}')\ndef item(i: int, response: Response):\n"
        "    response.status_code = 404\n    return {'error': 'Item not found'}",
        ROUTE + "@router.get('/health', status_code=503)\ndef health():\n"
        "    return {'status': 'error'}",
        # The state of a job, not an error of this request.
        ROUTE + "@router.get('/jobs/{job_id}')\ndef job(job_id: str):\n"
        "    return {'job_id': job_id, 'status': 'failed', 'error': 'timed out'}",
        # The route sets error statuses itself: 200 with success False is the probe's answer.
        ROUTE + "from fastapi.responses import JSONResponse\n@router.post('/probe')\n"
        "async def probe(body: ProbeIn):\n    if body.provider not in PROVIDERS:\n"
        "        return JSONResponse(status_code=400, content={'success': False, 'message': 'Unknown'})\n"
        "    models = await list_models(body)\n    if not models:\n"
        "        return JSONResponse(content={'success': False, 'message': 'No models returned'})\n"
        "    return JSONResponse(content={'success': True, 'models': models})",
        Valid(
            ROUTE + "@router.get('/items')\ndef items():\n    return {'error': 'Item not found'}",
            path="tests/test_items.py",
        ),
    )
    INVALID = (
        Invalid(
            ROUTE + "@router.get('/items/{i}')\ndef item(i: int):\n    found = load(i)\n"
            "    if found is None:\n        return {'error': 'Item not found'}\n    return found",
            line=7,
        ),
        Invalid(
            ROUTE + "from fastapi.responses import JSONResponse\n@router.get('/items/{i}')\n"
            "def item(i: int):\n    return JSONResponse(content={'detail': 'Item not found'})",
            line=6,
        ),
        Invalid(
            ROUTE + "@router.get('/health')\ndef health():\n    if not db_ok():\n"
            "        return {'status': 'error', 'message': 'database unreachable'}\n"
            "    return {'status': 'ok'}",
            line=6,
        ),
        Invalid(
            ROUTE + "@router.post('/sync')\ndef sync():\n    try:\n        run()\n"
            "    except SyncFailed as exc:\n        return {'detail': exc.reason}\n"
            "    return {'synced': True}",
            line=8,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        for route in module.routes:
            handler = route.handler
            span = handler.body_span
            if route.option("status_code") is not None or _sets_status(
                module, handler.qualname, span.line, span.end_line
            ):
                continue
            if _chooses_status(handler):
                continue
            excepts = [h for h in module.excepts if h.function == handler.qualname]
            for returned in handler.returns:
                body = returned.value
                if body is not None and _is_response(body):
                    body = None if _explicit_status(body) is not None else body.arg(0, "content")
                if body is None:
                    continue
                in_except = any(_in(returned.span.line, h) for h in excepts)
                key = _error_key(body, in_except)
                if key is not None:
                    yield self.finding(
                        module,
                        returned.span,
                        f'route `{handler.name}` returns an error body (`"{key}"`) with status 200',
                    )


class InconsistentErrorShape(Rule):
    """
    ## What it does
    Flags error responses built ad hoc, route by route, in different shapes (`{"error": ...}`
    here, `{"message": ...}` there, `{"detail": ...}` from `HTTPException` elsewhere), instead of
    one application exception type rendered by one registered exception handler.

    ## Why is this bad?
    Clients cannot parse errors reliably: every shape needs its own branch, error codes drift,
    and the OpenAPI schema cannot describe the error responses. Changing the shape later means
    touching every route.

    ## Example
    ```python
    @router.post("/orders", status_code=201)
    async def create_order(order: OrderIn) -> OrderOut:
        if not order.items:
            return JSONResponse(status_code=400, content={"message": "empty order"})
        if await orders.exists(order.reference):
            return JSONResponse(status_code=409, content={"error": {"msg": "duplicate"}})
        return await orders.create(order)
    ```

    ## Use instead
    ```python
    class ApiError(Exception):
        def __init__(self, status_code: int, code: str, message: str) -> None:
            self.status_code, self.code, self.message = status_code, code, message


    @app.exception_handler(ApiError)
    async def api_error_handler(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": {"code": exc.code, "message": exc.message}},
        )


    @router.post("/orders", status_code=201)
    async def create_order(order: OrderIn) -> OrderOut:
        if not order.items:
            raise ApiError(400, "empty_order", "An order needs at least one item")
        if await orders.exists(order.reference):
            raise ApiError(409, "duplicate_order", "An order with this reference exists")
        return await orders.create(order)
    ```
    """

    id = "FAPI504"
    name = "inconsistent-error-shape"
    severity = Severity.INFO
    engine = "llm"
    fix = "Raise one application exception type and render it in one registered exception handler."
