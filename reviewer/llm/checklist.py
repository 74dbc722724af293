"""Which checklist entries (the rules whose ``engine`` is ``llm``) apply to a construct.

A request carries the documentation of the entries that apply to the constructs of the change and
no other, so a change with no write endpoint never pays for the write-endpoint entry. The triggers
are cheap facts of the construct model, generous on purpose: including an entry costs a few hundred
tokens, while Claude decides whether the code breaks it. An LLM rule without a trigger here applies
to every function the change touches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reviewer.extract.model import ClassDef, Expr, Function, Module, Route
from reviewer.extract.project import Project
from reviewer.llm.facts import facts_of
from reviewer.rules.base import Rule
from reviewer.rules.registry import RULES

LLM_RULES: tuple[type[Rule], ...] = tuple(rule for rule in RULES if rule.engine == "llm")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTH_WORDS = re.compile(
    r"log-?in|sign-?in|sign-?up|register|token|password|passwd|reset|otp|mfa|2fa|verify|auth"
    r"|bulk|import|upload|e-?mail|sms|invite",
    re.IGNORECASE,
)
"""Paths and handler names of the endpoints that FAPI808 (rate limits) is about."""
AUTH_DEPENDENCY = re.compile(
    r"user|auth|admin|permission|scope|role|token|verify|require|principal|api_?key|guard|login"
    r"|credential|session_owner|owner",
    re.IGNORECASE,
)
"""Names of dependencies that authenticate or authorize."""
CURRENT_USER = re.compile(r"current_(?:\w+_)?(?:user|principal|account)")
"""Names of the dependencies that hand out the authenticated user."""
COLLECTIONS = frozenset({"list", "List", "Sequence", "Iterable", "set", "Set", "tuple", "Tuple"})
LIMITER = re.compile(r"limit|throttl|rate_?limit", re.IGNORECASE)


@dataclass(frozen=True)
class Construct:
    """A function or class of a changed module, with the routes it handles."""

    module: Module
    project: Project
    function: Function | None = None
    routes: tuple[Route, ...] = ()
    class_def: ClassDef | None = None


def _methods(route: Route) -> frozenset[str]:
    if route.method != "API_ROUTE":
        return frozenset({route.method})
    methods = route.option("methods")
    if methods is None:
        return frozenset({"GET"})
    return frozenset(item.string.upper() for item in methods.items if item.string is not None)


def _security_schemes(module: Module) -> frozenset[str]:
    """Qualified names of module-level instances of ``fastapi.security`` schemes."""
    names: set[str] = set()
    for assign in module.assignments:
        value = assign.value
        if (
            assign.function is None
            and value is not None
            and (value.qualname or "").startswith("fastapi.security.")
        ):
            names.update(f"{module.name}.{target.text}" for target in assign.targets)
    return frozenset(names)


def _route_dependencies(construct: Construct) -> Iterator[Expr]:
    """What the handler (through ``Annotated`` aliases too), its route decorator, its router and
    every ``include_router`` up to the app depend on."""
    function = construct.function
    if function is None:
        return
    facts = facts_of(construct.project)
    for dependency in facts.parameters(function):
        yield dependency.expr
    for route in construct.routes:
        for dependency in facts.chain(construct.module, route, function)[0]:
            yield dependency.expr


def _authenticated(construct: Construct) -> bool:
    """A dependency visibly authenticates: a ``Security(...)`` marker, a ``fastapi.security``
    parameter, or a dependency (anywhere up to the app) named like ``get_current_user``,
    ``require_admin`` or ``verify_token``."""
    function = construct.function
    if function is not None and any(
        param.marker_name == "Security" or (param.type or "").startswith("fastapi.security.")
        for param in function.params
    ):
        return True
    return any(
        AUTH_DEPENDENCY.search(dependency.last_name)
        for dependency in _route_dependencies(construct)
    )


def _write_endpoint(construct: Construct) -> bool:
    """A write route with no visible authentication (whether a dependency that looks like one
    really authenticates is FAPI304's question, asked where that dependency changes)."""
    return any(_methods(route) & WRITE_METHODS for route in construct.routes) and not (
        _authenticated(construct)
    )


def _auth_endpoint(construct: Construct) -> bool:
    """A login, token, password, sign-up, verification or bulk endpoint with no visible limiter."""
    function = construct.function
    if not construct.routes or function is None:
        return False
    named = any(AUTH_WORDS.search(route.path or "") for route in construct.routes)
    if not (
        named
        or AUTH_WORDS.search(function.name)
        or any((p.type or "").endswith("OAuth2PasswordRequestForm") for p in function.params)
    ):
        return False
    limited = (
        any(LIMITER.search(d.text) for d in function.decorators)
        or any(LIMITER.search(dependency.text) for dependency in _route_dependencies(construct))
        or any(_limiting_middleware(construct, route, function) for route in construct.routes)
    )
    return not limited


def _limiting_middleware(construct: Construct, route: Route, function: Function) -> bool:
    """An app that serves the route has a rate-limiting middleware."""
    apps = facts_of(construct.project).chain(construct.module, route, function)[2]
    return any(
        LIMITER.search(middleware.cls.last_name)
        for module, app in apps
        for middleware in module.middleware
        if middleware.owner == app.name
    )


def _handles_credentials(construct: Construct) -> bool:
    """Decodes a token, or depends on a ``fastapi.security`` scheme: an authentication
    dependency (or a handler doing its work inline)."""
    module, function = construct.module, construct.function
    if function is None:
        return False
    if CURRENT_USER.search(function.name):
        return True
    for call in module.calls_in(function):
        name = call.qualname
        if name.endswith(".decode") and ("jwt" in name or "jose" in name):
            return True
        last = name.rsplit(".", 1)[-1]
        if "token" in last and ("decode" in last or "verify" in last):
            return True
    schemes = _security_schemes(module)
    for found in facts_of(construct.project).parameters(function):
        name = found.expr.qualname or ""
        if name.endswith("RequestForm"):
            continue  # a login form: credentials checked by the handler, not a token decoded
        if name in schemes or name.startswith("fastapi.security."):
            return True
    return any(
        (param.type or "").startswith("fastapi.security.") and "RequestForm" not in param.type
        for param in function.params
        if param.type is not None
    )


def _is_exception_handler(construct: Construct) -> bool:
    module, function = construct.module, construct.function
    if function is None:
        return False
    if any(decorator.last_name == "exception_handler" for decorator in function.decorators):
        return True
    for call in module.calls:
        func = call.expr.func
        if func is not None and func.op == "add_exception_handler":
            handler = call.expr.arg(1, "handler")
            if handler is not None and handler.last_name == function.name:
                return True
    return False


def _shapes_errors(construct: Construct) -> bool:
    """An exception class or handler; or a route that answers errors in more than one shape, or
    in one no other route of its module uses (a route that follows its module's one shape is
    consistent, and not worth asking about)."""
    if construct.class_def is not None:
        return any(
            base.last_name.endswith(("Exception", "Error")) for base in construct.class_def.bases
        )
    if _is_exception_handler(construct):
        return True
    function = construct.function
    if function is None or not construct.routes:
        return False
    return facts_of(construct.project).mixes_error_shapes(construct.module, function)


def _serialises_nested_rows(construct: Construct, function: Function) -> bool:
    """A route that returns a collection of a model with nested models, which serialisation may
    load relationship by relationship."""
    for route in construct.routes:
        returned = route.option("response_model") or function.returns_annotation
        if returned is None or not any(name.last_name in COLLECTIONS for name in returned.walk()):
            continue
        if any(_nested(construct.project, name.qualname) for name in returned.walk()):
            return True
    return False


def _nested(project: Project, qualname: str | None, depth: int = 0) -> bool:
    """The model ``qualname`` has a field (its own or a base's) holding another model or table,
    which serialising a list of them may load one row at a time."""
    found = project.cls(qualname) if qualname and depth < 4 else None
    if found is None:
        return False
    class_def = found[1]
    for field in class_def.fields:
        if field.annotation is None:
            continue
        for name in field.annotation.walk():
            kind = project.model_kind(name.qualname) if name.qualname else None
            if kind not in (None, "class"):
                return True
    return any(_nested(project, base.qualname, depth + 1) for base in class_def.bases)


def _queries(construct: Construct) -> bool:
    """A loop over rows with a query, an awaited call or a lazy relationship read inside (the
    per-item work of :meth:`Facts.loops`, through repository functions one hop away too), or a
    route serialising a collection of rows with nested models."""
    function = construct.function
    if function is None:
        return False
    if facts_of(construct.project).loops(construct.module, function):
        return True
    return _serialises_nested_rows(construct, function) and any(
        call.qualname.startswith(("sqlalchemy.", "sqlmodel."))
        for call in construct.module.calls_in(function)
    )


TRIGGERS: dict[str, Callable[[Construct], bool]] = {
    "FAPI304": _handles_credentials,
    "FAPI504": _shapes_errors,
    "FAPI807": _write_endpoint,
    "FAPI808": _auth_endpoint,
    "FAPI903": _queries,
}


def applicable(construct: Construct, enabled: Callable[[str], bool]) -> tuple[str, ...]:
    """Ids of the enabled LLM rules that apply to ``construct``, sorted."""
    ids: list[str] = []
    for rule in LLM_RULES:
        if not enabled(rule.id):
            continue
        trigger = TRIGGERS.get(rule.id)
        if trigger is None:
            if construct.function is not None:
                ids.append(rule.id)
        elif trigger(construct):
            ids.append(rule.id)
    return tuple(ids)
