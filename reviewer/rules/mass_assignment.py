"""FAPI207: privilege fields of a request body copied wholesale into a stored object.

The rule follows a request body through the handler (and up to two calls of repository functions
it hands the body to) as one of three forms: the model itself, a dict dumped from it
(``model_dump()``, ``.dict()``, ``jsonable_encoder``...) or a list of models; each form carries the
privilege fields still in it (``exclude=``/``include=`` and overrides take fields out). A sink is a
place where such a value lands in an object that is stored: an ORM constructor or
``model_validate``, a ``setattr`` loop, ``sqlmodel_update``, a query's ``update``/``values``, a
document store's ``insert_one``/``update_one``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from reviewer.extract.model import Call, Expr, Field, Function, Loop, Module, Route
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.record import record
from reviewer.rules.base import Finding, Invalid, Rule, Severity
from reviewer.rules.helpers import (
    assignments_in,
    bound_params,
    callee,
    inherits_from,
    snake_case,
)
from reviewer.rules.schemas import (
    ORM_KINDS,
    SCHEMA_KINDS,
    SEQUENCES,
    Model,
    app_routes,
    body_params,
    model_fields,
    models_of,
    resolve_model,
    route_label,
)

PRIVILEGE_FIELDS = frozenset(
    {
        "is_superuser",
        "is_admin",
        "is_staff",
        "role",
        "roles",
        "permissions",
        "scopes",
        "is_verified",
        "is_active",
        "owner_id",
        "tenant_id",
        "org_id",
        "organization_id",
    }
)
OWNERSHIP_FIELDS = frozenset({"owner_id", "tenant_id", "org_id", "organization_id"})
"""Fields that say whose a row is: only a finding when the route knows who calls it."""
ACCOUNT_STATE = frozenset({"is_active", "is_verified"})
"""Fields that are privileges only on an account (a disabled user cannot log in; an on-call
service or a contact marked inactive is just not used)."""
ACCOUNT_WORDS = regex(
    r"user|account|member|principal|identity|login|signup|sign_up|register|profile|staff|admin",
    re.IGNORECASE,
)
PRIVILEGED_VALUE = regex(r"admin|super|staff|owner|root|manager|moderator", re.IGNORECASE)
ADMIN_WORDS = regex(
    r"admin|superuser|super_user|staff|privileg|permission|role|scope|rbac|authoriz|owner"
    r"|manage|moderat",
    re.IGNORECASE,
)
"""Names of dependencies (and route paths, handler names) that restrict a route to privileged
callers: ``get_current_active_superuser``, ``require_role("admin")``, ``PermissionChecker``."""
CALLER_WORDS = regex(r"user|auth|principal|account|member|token|identity|login", re.I)
DEPENDENCY_ALIAS = regex(r"^Current|Dep$|Dependency$")
"""Names of ``Annotated[..., Depends(...)]`` aliases (``CurrentUser``, ``SessionDep``), trusted
when their definition is not in view."""
"""Names of dependencies that tell the handler who calls it."""
PRIVILEGE_CHECK = regex(
    r"\.\s*(is_superuser|is_admin|is_staff|role|roles|permissions|scopes)\b"
    r"|\b(require|check|ensure|assert|verify|has|can|is)_\w*"
    r"(admin|superuser|permission|role|scope|staff|privilege)",
    re.IGNORECASE,
)
"""Code of a handler that reasons about the caller's privileges itself."""
DUMP_METHODS = frozenset({"model_dump", "dict"})
DUMP_FUNCTIONS = frozenset({"jsonable_encoder", "dict", "vars", "asdict"})
VALIDATE_METHODS = frozenset({"model_validate", "from_orm", "parse_obj", "validate"})
QUERY_WRITES = frozenset({"update", "values", "create", "insert", "get_or_create"})
"""Methods of a query, statement or model manager that write their keyword arguments."""
DOCUMENT_INSERTS = frozenset({"insert_one", "replace_one"})
DOCUMENT_UPDATES = frozenset(
    {"update_one", "update_many", "find_one_and_update", "find_one_and_replace"}
)
STORE_BASES = (
    "tortoise.",
    "beanie.",
    "odmantic.",
    "peewee.",
    "django.db.",
    "mongoengine.",
    "ormar.",
    "piccolo.",
)
"""Roots of the base classes of stored documents and rows outside SQLAlchemy and SQLModel."""
ADD_METHODS = frozenset({"add", "add_all", "merge", "save", "insert"})
MAX_HOPS = 2


def _settable(field: Field) -> bool:
    """A privilege field a client can set: not a ``ClassVar``, not left out of dumps
    (``Field(exclude=True)``), not a ``Literal`` of unprivileged values only."""
    if field.name.startswith("_"):
        return False
    annotation = field.annotation
    while annotation is not None and annotation.kind == "binop" and annotation.op == "|":
        kept = [item for item in annotation.items if item.kind != "none"]
        annotation = kept[0] if len(kept) == 1 else None
    if (
        annotation is not None
        and annotation.kind == "subscript"
        and (annotation.items[0].last_name == "Optional")
    ):
        annotation = annotation.items[1]
    if annotation is not None and annotation.kind == "subscript":
        base, index = annotation.items
        if base.last_name == "ClassVar":
            return False
        if base.last_name == "Literal":
            values = index.items if index.kind == "tuple" else (index,)
            return any(PRIVILEGED_VALUE.search(str(value.value or "")) for value in values)
    default = field.default
    if default is not None and default.kind == "call" and default.last_name == "Field":
        exclude = default.kwarg("exclude")
        if exclude is not None and exclude.is_true:
            return False
    return True


def privilege_fields(project: Project, model: Model) -> frozenset[str]:
    """The names of the privilege fields of a request model that a client can set (found once
    per model and review)."""
    found: dict[tuple[str, str], frozenset[str]] = project.memo("privilege_fields", dict)
    if model.key not in found:
        found[model.key] = frozenset(
            field.name
            for _, field in model_fields(project, model)
            if snake_case(field.name) in PRIVILEGE_FIELDS and _settable(field)
        )
    return found[model.key]


# -- values ----------------------------------------------------------------------------------


class Tainted(NamedTuple):
    """A value built from the request body, and the privilege fields it still carries."""

    form: str
    """``model`` (the body model), ``dump`` (a dict of its fields) or ``many`` (models)."""
    fields: frozenset[str]
    model: str
    """The body model's class name, for messages."""
    table: bool = False
    """The body model is itself a table (a SQLModel ``table=True`` class taken as the body)."""

    def without(self, names: set[str] | frozenset[str]) -> Tainted:
        return self._replace(fields=self.fields - names)


Env = dict[str, Tainted]


def _strings(expr: Expr | None) -> set[str] | None:
    """The strings of a literal set/list/tuple/dict (its keys), or None when not literal."""
    if expr is None:
        return None
    if expr.kind == "dict":
        keys = [key.string if key is not None else None for key in expr.keys]
        return None if None in keys else {key for key in keys if key is not None}
    if expr.kind in ("set", "list", "tuple"):
        values = [item.string for item in expr.items]
        return None if None in values else {value for value in values if value is not None}
    return None


def _dumped(value: Tainted, call: Expr) -> Tainted | None:
    """The dict ``model_dump(...)``/``dict(...)`` returns: ``include=`` keeps, ``exclude=`` drops
    fields (a computed argument may drop any: nothing is assumed left)."""
    include, exclude = call.kwarg("include"), call.kwarg("exclude")
    kept = value.fields
    if include is not None:
        names = _strings(include)
        kept = kept & names if names is not None else frozenset()
    if exclude is not None:
        names = _strings(exclude)
        kept = kept - names if names is not None else frozenset()
    return Tainted("dump", kept, value.model)


class _Flow:
    """What values in one function hold the request body: the names bound to it, and the
    expressions built from them."""

    def __init__(self, module: Module, function: Function, env: Env) -> None:
        self.module = module
        self.function = function
        self.env = dict(env)
        assigns = sorted(
            assignments_in(module, function.qualname),
            key=lambda a: a.span.line,
        )
        for assign in assigns:
            value = None if assign.value is None else self.value(assign.value)
            for target in assign.targets:
                if target.kind == "name" and value is not None:
                    self.env[target.op] = value
        for loop in module.loops:
            if loop.function != function.qualname or not loop.targets:
                continue
            source = self.value(loop.iterable)
            if source is not None and source.form == "many":
                self.env[loop.targets[0]] = source._replace(form="model")
        self._drop_removed_keys()

    def _drop_removed_keys(self) -> None:
        """``data.pop("role")``, ``del data["role"]`` and ``data["role"] = ...`` anywhere in the
        function take the field out of ``data`` (wherever they sit: silence over guesses)."""
        removed: dict[str, set[str]] = {}
        for call in self.module.calls_in(self.function):
            func = call.expr.func
            key = call.expr.arg(0)
            if func is not None and func.kind == "attribute" and func.op == "pop" and key:
                receiver = func.items[0]
                if receiver.kind == "name" and key.string is not None:
                    removed.setdefault(receiver.op, set()).add(key.string)
        subscripts = [
            target
            for delete in self.module.deletes
            if delete.function == self.function.qualname
            for target in delete.targets
        ]
        subscripts.extend(
            target
            for assign in assignments_in(self.module, self.function.qualname)
            for target in assign.targets
        )
        for target in subscripts:
            if target.kind == "subscript" and target.items[0].kind == "name":
                written = target.items[1].string
                if written is not None:
                    removed.setdefault(target.items[0].op, set()).add(written)
        for name, keys in removed.items():
            if name in self.env:
                self.env[name] = self.env[name].without(keys)

    def value(self, expr: Expr) -> Tainted | None:
        """The body-derived value ``expr`` evaluates to, if any."""
        if expr.kind == "await":
            return self.value(expr.items[0])
        if expr.kind == "name":
            return self.env.get(expr.op)
        if expr.kind == "attribute" and expr.op == "__dict__":
            inner = self.value(expr.items[0])
            return Tainted("dump", inner.fields, inner.model) if inner else None
        if expr.kind == "dict":
            return self._dict(expr)
        if expr.kind == "binop" and expr.op == "|":
            left = self.value(expr.items[0])
            keys = _strings(expr.items[1])
            if left is None or left.form != "dump":
                return None
            return left.without(keys) if keys is not None else left.without(left.fields)
        if expr.kind != "call" or expr.func is None:
            return None
        func = expr.func
        if func.kind == "attribute":
            receiver = self.value(func.items[0])
            if receiver is None:
                return None
            if func.op in DUMP_METHODS and receiver.form == "model":
                return _dumped(receiver, expr)
            if func.op == "copy" and receiver.form == "dump":
                return receiver
            return None
        if func.last_name in DUMP_FUNCTIONS and expr.args:
            inner = self.value(expr.args[0])
            if inner is not None and inner.form in ("model", "dump"):
                return Tainted("dump", inner.fields, inner.model)
        return None

    def _dict(self, expr: Expr) -> Tainted | None:
        """``{**data, "role": "member"}``: the spread's fields, less the keys written after it."""
        found: Tainted | None = None
        for key, value in zip(expr.keys, expr.items, strict=True):
            if key is None:
                spread = self.value(value)
                if spread is not None and spread.form == "dump":
                    found = (
                        spread
                        if found is None
                        else found._replace(fields=found.fields | spread.fields)
                    )
            elif found is not None and key.string is not None:
                found = found.without({key.string})
        return found

    def assigned_attributes(self, name: str) -> set[str]:
        """Attributes the function sets explicitly on ``name`` (``user.role = "member"``)."""
        return {
            target.op
            for assign in assignments_in(self.module, self.function.qualname)
            for target in assign.targets
            if target.kind == "attribute"
            and target.items[0].kind == "name"
            and target.items[0].op == name
        }


# -- sinks -----------------------------------------------------------------------------------


@record
class Sink:
    """Where body-derived privilege fields land in a stored object."""

    call: Call
    """The call in the handler: the copy itself, or the call of the helper that copies."""
    fields: frozenset[str]
    model: str
    target: str
    """What receives the fields (``User``, ``user``, ``update(User)``)."""
    via: tuple[str, ...] = ()
    """The helpers the body went through (``crud.create_user``)."""
    at: str = ""
    """Where the copy is, when it is in a helper (``app/crud.py:29``)."""


def _is_store_class(project: Project, module: Module, expr: Expr) -> bool:
    """``expr`` names an ORM or document class (SQLAlchemy, SQLModel table, Tortoise, Beanie,
    Django, peewee...)."""
    if expr.kind not in ("name", "attribute"):
        return False
    model = resolve_model(project, module, expr)
    if model is None:
        return False
    qualname = f"{model.module.name}.{model.cls.qualname}"
    return model.kind in ORM_KINDS or inherits_from(project, qualname, STORE_BASES)


def _mentions_store(project: Project, module: Module, expr: Expr) -> Expr | None:
    """The store class a query or statement is built on: ``update(User).where(...)``,
    ``session.query(User).filter(...)``, ``User.filter(...)``, ``User.objects``."""
    for inner in expr.walk():
        if inner.kind in ("name", "attribute") and _is_store_class(project, module, inner):
            return inner
    return None


def _is_schema(project: Project, module: Module, expr: Expr) -> bool:
    """``expr`` is an instance of a Pydantic schema (not a table): copying into it stores
    nothing."""
    if expr.type is None:
        return False
    found = project.cls(expr.type)
    return found is not None and project.class_kind(found[1], found[0]) in ("pydantic", "sqlmodel")


class _Sinks:
    """Finds the sinks of one function, following calls into repository functions."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def of(self, module: Module, function: Function, env: Env, depth: int = 0) -> Iterator[Sink]:
        flow = _Flow(module, function, env)
        for call in module.calls_in(function):
            yield from self._direct(module, flow, call)
            if depth < MAX_HOPS:
                yield from self._through_helper(module, flow, call, depth)
        yield from self._setattr_loops(module, flow)

    def _direct(self, module: Module, flow: _Flow, call: Call) -> Iterator[Sink]:
        expr, func = call.expr, call.expr.func
        if func is None:
            return
        project = self.project
        spread = expr.kwarg("**")
        explicit = {key for key, _ in expr.kwargs if key != "**"}
        spread_value = flow.value(spread) if spread is not None else None
        if spread_value is not None and spread_value.form == "dump":
            target = self._spread_target(module, call)
            if target is not None:
                fields = spread_value.fields - explicit
                if call.usage == "assign" and call.target:
                    fields -= flow.assigned_attributes(call.target)
                yield Sink(call, fields, spread_value.model, target)
            return
        if func.kind != "attribute":
            return
        receiver = func.items[0]
        first = expr.arg(0)
        if func.op == "sqlmodel_update" and first is not None:
            value = flow.value(first)
            if value is not None and value.form in ("model", "dump"):
                fields = value.fields - (_strings(expr.kwarg("update")) or set())
                if receiver.kind == "name":
                    fields -= flow.assigned_attributes(receiver.op)
                yield Sink(call, fields, value.model, receiver.text)
        elif func.op in VALIDATE_METHODS and first is not None:
            value = flow.value(first)
            if value is not None and _is_store_class(project, module, receiver):
                fields = value.fields - (_strings(expr.kwarg("update")) or set())
                if call.usage == "assign" and call.target:
                    fields -= flow.assigned_attributes(call.target)
                yield Sink(call, fields, value.model, receiver.text)
        elif func.op in ("update", "values", "update_from_dict") and first is not None:
            value = flow.value(first)
            store = _mentions_store(project, module, receiver)
            if value is not None and value.form == "dump" and store is not None:
                yield Sink(call, value.fields, value.model, store.text)
        elif func.op in DOCUMENT_INSERTS | DOCUMENT_UPDATES:
            yield from self._document_write(flow, call)
        elif func.op in ADD_METHODS and first is not None:
            value = flow.value(first)
            if value is not None and value.form == "model" and value.table:
                yield Sink(call, value.fields, value.model, receiver.text)

    def _spread_target(self, module: Module, call: Call) -> str | None:
        """What ``**data`` lands in: an ORM class (``User(**data)``), a write of a query or
        model manager on one (``User.objects.create(**data)``,
        ``update(User).values(**data)``), or an object's ``update(**data)``."""
        expr = call.expr
        func = expr.func
        if func is None:
            return None
        if _is_store_class(self.project, module, func):
            return func.text
        if func.kind != "attribute" or func.op not in QUERY_WRITES:
            return None
        receiver = func.items[0]
        store = _mentions_store(self.project, module, receiver)
        if store is not None:
            return store.text
        plain_object = (
            func.op == "update"
            and receiver.kind in ("name", "attribute")
            and not _is_schema(self.project, module, receiver)
            and not self._local_dict(module, call, receiver)
        )
        return receiver.text if plain_object else None

    @staticmethod
    def _local_dict(module: Module, call: Call, receiver: Expr) -> bool:
        """``receiver`` is a dict the function builds itself (a literal, ``dict()``, a copy)."""
        if receiver.kind != "name":
            return False
        for assign in assignments_in(module, call.function):
            if assign.value is None:
                continue
            if any(t.kind == "name" and t.op == receiver.op for t in assign.targets):
                value = assign.value
                if value.kind == "dict" or (
                    value.kind == "call" and value.last_name in ("dict", "copy", "deepcopy")
                ):
                    return True
        return False

    def _document_write(self, flow: _Flow, call: Call) -> Iterator[Sink]:
        """``users.insert_one(data)``, ``users.update_one(query, {"$set": data})``."""
        expr, func = call.expr, call.expr.func
        assert func is not None
        document = expr.arg(0 if func.op in ("insert_one",) else 1)
        if document is None:
            return
        if document.kind == "dict":
            for key, item in zip(document.keys, document.items, strict=True):
                if key is not None and key.string == "$set":
                    document = item
        found = flow.value(document)
        if found is not None and found.form == "dump":
            yield Sink(call, found.fields, found.model, func.items[0].text)

    def _setattr_loops(self, module: Module, flow: _Flow) -> Iterator[Sink]:
        """``for key, value in data.items(): setattr(user, key, value)`` and its variants: the
        loop over the dump's keys, or over the target's columns reading ``data[key]``."""
        loops = [loop for loop in module.loops if loop.function == flow.function.qualname]
        for call in module.calls_in(flow.function):
            if call.qualname != "setattr" or len(call.expr.args) != 3:
                continue
            target, key, value = call.expr.args
            if key.kind != "name" or flow.value(target) is not None:
                continue
            if _is_schema(self.project, module, target):
                continue
            found = self._looped_value(flow, call, loops, key.op, value)
            if found is not None:
                fields = found.fields
                if target.kind == "name":
                    fields -= flow.assigned_attributes(target.op)
                yield Sink(call, fields, found.model, target.text)

    @staticmethod
    def _looped_value(
        flow: _Flow, call: Call, loops: list[Loop], key: str, value: Expr
    ) -> Tainted | None:
        """The body-derived value ``setattr(target, key, value)`` writes: ``data[key]``,
        ``data.get(key)``, ``getattr(body, key)``, or the value of a loop over the pairs."""
        if value.kind == "subscript" and value.items[1].text == key:
            return flow.value(value.items[0])
        func = value.func
        if (
            func is not None
            and func.kind == "attribute"
            and func.op == "get"
            and (value.arg(0) or value).text == key
        ):
            return flow.value(func.items[0])
        if value.last_name == "getattr" and len(value.args) >= 2 and value.args[1].text == key:
            return flow.value(value.args[0])
        for loop in loops:
            if not (loop.span.line <= call.span.line <= loop.span.end_line):
                continue
            if loop.targets[:1] != (key,):
                continue
            iterable = loop.iterable
            pairs = len(loop.targets) == 2 and value.kind == "name" and value.op == loop.targets[1]
            if iterable.kind == "call" and iterable.func is not None:
                inner = iterable.func
                if inner.kind == "attribute" and inner.op == "items" and pairs:
                    found = flow.value(inner.items[0])
                    if found is not None and found.form == "dump":
                        return found
            found = flow.value(iterable)
            if pairs and found is not None and found.form == "model":
                return found
        return None

    def _through_helper(
        self, module: Module, flow: _Flow, call: Call, depth: int
    ) -> Iterator[Sink]:
        """The body handed to a repository function (``crud.user.update(db, obj_in=body)``)
        that copies it: the sink is this call."""
        if not any(
            flow.value(arg) is not None
            for arg in (
                *call.expr.args,
                *(value for name, value in call.expr.kwargs if name != "**"),
            )
        ):
            return
        found = callee(self.project, call.expr)
        if found is None or found[1].qualname == flow.function.qualname:
            return
        owner, helper = found
        env: Env = {}
        for name, arg in bound_params(helper, call.expr).items():
            value = flow.value(arg)
            if value is not None:
                env[name] = value
        if not env or _checks_privileges(owner, helper):
            return
        label = call.expr.func.text if call.expr.func is not None else helper.name
        for sink in self.of(owner, helper, env, depth + 1):
            at = sink.at or f"{owner.path}:{sink.call.span.line}"
            yield Sink(call, sink.fields, sink.model, sink.target, (label, *sink.via), at)


# -- routes ----------------------------------------------------------------------------------


def _body_text(module: Module, function: Function) -> str:
    span = function.body_span
    return "\n".join(module.lines[span.line - 1 : span.end_line])


def _checks_privileges(module: Module, function: Function) -> bool:
    """The function reads the caller's privileges itself (``current_user.is_superuser``,
    ``check_permission(...)``): it decides who may set what."""
    return PRIVILEGE_CHECK.search(_body_text(module, function)) is not None


def _dependencies(module: Module, project: Project, route: Route) -> Iterator[Expr]:
    """What a route depends on: its handler's ``Depends``/``Security`` parameters (and the
    ``Annotated`` aliases they are typed with), the decorator's ``dependencies=``, and those of
    its router and of ``include_router`` calls of it in the module."""
    for param in route.handler.params:
        if param.marker is not None and param.marker_name in ("Depends", "Security"):
            yield param.marker
        elif param.annotation is not None and param.annotation.kind in ("name", "attribute"):
            alias = project.assignment(param.annotation.qualname)
            value = alias[1].value if alias is not None else None
            if value is not None and re.search(r"\b(Depends|Security)\(", value.text):
                yield value
            elif alias is None and DEPENDENCY_ALIAS.search(param.annotation.last_name):
                yield param.annotation
    option = route.option("dependencies")
    if option is not None:
        yield option
    for app in module.apps:
        if app.name == route.owner:
            option = app.call.kwarg("dependencies")
            if option is not None:
                yield option
    for include in module.includes:
        if include.router.text == route.owner:
            for call in module.calls:
                if call.span == include.span:
                    option = call.expr.kwarg("dependencies")
                    if option is not None:
                        yield option


def _admin_only(module: Module, project: Project, route: Route) -> bool:
    """The route is for privileged callers: an admin/superuser/permission dependency, a
    ``Security(..., scopes=[...])``, an ``/admin`` path or handler, or a handler that checks the
    caller's privileges itself."""
    words = f"{route_label(module, route)} {route.handler.name}"
    if ADMIN_WORDS.search(words):
        return True
    for dependency in _dependencies(module, project, route):
        if ADMIN_WORDS.search(dependency.text):
            return True
        if dependency.kind == "call" and dependency.kwarg("scopes") is not None:
            return True
    return _checks_privileges(module, route.handler)


def _knows_caller(module: Module, project: Project, route: Route) -> bool:
    """The route authenticates its caller (a ``current_user``-like dependency)."""
    return any(
        CALLER_WORDS.search(dependency.text) for dependency in _dependencies(module, project, route)
    )


def _explicitly_handled(module: Module, route: Route, param: str) -> set[str]:
    """Privilege fields the handler reads from the body by name (``body.role``): it decides
    about them itself."""
    text = _body_text(module, route.handler)
    if param not in text:
        return set()
    read = {
        match.group(1) for match in re.finditer(rf"\b{re.escape(param)}(?=\s*\.\s*(\w+))", text)
    }
    return {name for name in PRIVILEGE_FIELDS if name in read or _camel(name) in read}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@record
class Copy:
    """A route that copies privilege fields of its body into a stored object."""

    route: Route
    sink: Sink
    fields: tuple[str, ...]
    body: Model


def route_copies(module: Module, project: Project) -> Iterator[Copy]:
    """The wholesale copies of privilege fields in the routes of ``module``."""
    sinks = _Sinks(project)
    for route in app_routes(module):
        env: Env = {}
        bodies: dict[str, Model] = {}
        for param in body_params(route):
            many = _is_sequence(param.annotation)
            for model in models_of(project, module, param.annotation):
                if model.kind not in SCHEMA_KINDS:
                    continue
                fields = privilege_fields(project, model)
                if fields:
                    fields -= _explicitly_handled(module, route, param.name)
                if fields:
                    form = "many" if many else "model"
                    table = model.kind in ORM_KINDS
                    env[param.name] = Tainted(form, frozenset(fields), model.cls.name, table)
                    bodies[model.cls.name] = model
        if not env or _admin_only(module, project, route):
            continue
        knows_caller = _knows_caller(module, project, route)
        label = route_label(module, route)
        seen: set[tuple[int, int]] = set()
        for sink in sinks.of(module, route.handler, env):
            account = ACCOUNT_WORDS.search(f"{sink.target} {sink.model} {label}") is not None
            fields = frozenset(
                name
                for name in sink.fields
                if (knows_caller or snake_case(name) not in OWNERSHIP_FIELDS)
                and (account or snake_case(name) not in ACCOUNT_STATE)
            )
            where = (sink.call.span.line, sink.call.span.column)
            if fields and where not in seen:
                seen.add(where)
                yield Copy(route, sink, tuple(sorted(fields)), bodies[sink.model])


def _is_sequence(annotation: Expr | None) -> bool:
    while annotation is not None and annotation.kind == "subscript":
        base, index = annotation.items
        if base.last_name in ("Annotated", "Optional"):
            annotation = index.items[0] if index.kind == "tuple" else index
            continue
        return base.last_name in SEQUENCES and base.last_name not in ("Optional", "Union")
    return False


_TABLE = (
    "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
    "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, primary_key=True)\n"
    "    role: str = 'member'\n"
    "class UserIn(BaseModel):\n    email: str\n    role: str = 'member'\n"
)
"""A table and a body with a privilege field, for the examples (lines 1-8)."""


class PrivilegeFieldMassAssignment(Rule):
    """
    ## What it does
    Flags a route whose request body model has a privilege field (`is_superuser`, `is_admin`,
    `is_staff`, `role`, `roles`, `permissions`, `scopes`, `is_verified`, `is_active`, `owner_id`,
    `tenant_id`, `org_id`/`organization_id`, also in camelCase) that the handler copies
    wholesale into an object it stores, when the route is open to callers who are not
    administrators.

    The copies it recognises:
    - an ORM or document class built from the dump: `User(**body.model_dump())`,
      `User.model_validate(body)`, `await User.create(**body.dict())`;
    - a loop that sets every key: `for k, v in body.model_dump(exclude_unset=True).items():
      setattr(user, k, v)` (also the `for field in obj_data: setattr(db_obj, field,
      update_data[field])` of the classic CRUD base class);
    - `user.sqlmodel_update(body.model_dump(exclude_unset=True))`;
    - a query, statement or object update: `update(User).values(**data)`,
      `session.query(User).filter(...).update(data)`, `obj.update(**body.dict())`;
    - a document store: `users.insert_one(body.dict())`,
      `users.update_one(query, {"$set": body.dict()})`;
    - a SQLModel table class taken as the body and added to the session as it is.

    The body is followed through local names, dict copies and spreads, and through up to two
    calls of repository functions or methods it is handed to (`crud.user.update(db,
    db_obj=user, obj_in=body)`): the finding is then on the call in the handler.

    Not reported: a route restricted to privileged callers (a dependency of the handler, the
    route, its router or its `include_router` named like `get_current_active_superuser`,
    `require_admin`, `require_role(...)`, `PermissionChecker`, or a `Security(..., scopes=...)`;
    an `/admin` path or handler), a handler (or helper) that checks the caller's privileges
    itself (`current_user.is_superuser`, `check_permission(...)`), fields the handler reads by
    name (`body.role`: it decides about them), fields left out with `exclude={"is_superuser"}`,
    taken out of the dict (`data.pop("role")`) or overridden (`User(**data, role="member")`,
    `{**data, "role": "member"}`, `user.role = "member"` after the copy,
    `model_validate(body, update={"role": ...})`), a
    field typed as a `Literal` of unprivileged values (`Literal["member"]`), one with
    `Field(exclude=True)`, and copies into a Pydantic schema (not stored). Ownership fields
    (`owner_id`, `tenant_id`, `org_id`) are reported only on routes that know their caller (a
    `current_user`-like dependency): without authentication there is no other owner to take.
    `is_active` and `is_verified` are privileges only on an account: they are reported when the
    stored object, the body model or the route names a user, account, member, profile or
    sign-up, not on an on-call service, a contact or a product that is merely switched off.

    ## Why is this bad?
    Whatever the client sends in those fields is stored: a sign-up with `"is_superuser": true`
    creates an administrator, a profile update with `"role": "admin"` promotes its author, and an
    `owner_id` in the body moves a row to another tenant. This is OWASP API3:2023, broken object
    property level authorization; Pydantic validates the type of the field, not who may set it.

    ## Example
    ```python
    from pydantic import BaseModel


    class UserUpdate(BaseModel):
        full_name: str | None = None
        is_superuser: bool = False


    @router.patch("/users/me")
    async def update_me(body: UserUpdate, user: User = Depends(get_current_user)) -> UserOut:
        for key, value in body.model_dump(exclude_unset=True).items():
            setattr(user, key, value)
        await session.commit()
        return user
    ```

    ## Use instead
    ```python
    from pydantic import BaseModel


    class UserUpdateMe(BaseModel):
        full_name: str | None = None


    @router.patch("/users/me")
    async def update_me(body: UserUpdateMe, user: User = Depends(get_current_user)) -> UserOut:
        for key, value in body.model_dump(exclude_unset=True).items():
            setattr(user, key, value)
        await session.commit()
        return user
    ```
    A separate body model for what a user may change about themselves; privilege fields only
    on routes that depend on an admin (`dependencies=[Depends(get_current_active_superuser)]`).

    ## Known problems
    The body model and the helpers must be visible: in a review of the diff alone, a model
    defined in an unchanged module is unknown, and nothing is reported. A check of the caller's
    privileges by another name than those above (a policy object, a decorator) is not seen: the
    route is reported. A change that only adds a privilege field to a model is reported where the
    model's route copies it, which may be outside the change.
    """

    id = "FAPI207"
    cwe = (915,)
    name = "privilege-field-mass-assignment"
    severity = Severity.ERROR
    fix = (
        "Copy only the fields the caller may set (a body model without privilege fields, or "
        "`exclude={...}`), or require an admin dependency on the route."
    )
    VALID = (
        # An admin-only route: the dependency names a superuser.
        "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
        "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, "
        "primary_key=True)\n    is_superuser: bool = False\n"
        "class UserCreate(BaseModel):\n    email: str\n    is_superuser: bool = False\n"
        "@router.post('/users', dependencies=[Depends(get_current_active_superuser)])\n"
        "def create_user(body: UserCreate, session: SessionDep) -> UserPublic:\n"
        "    user = User.model_validate(body)\n    session.add(user)\n    return user",
        # An explicit field-by-field copy.
        "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
        "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, "
        "primary_key=True)\n    email: str\n    role: str = 'member'\n"
        "class UserCreate(BaseModel):\n    email: str\n    role: str = 'member'\n"
        "@router.post('/signup')\ndef signup(body: UserCreate, session: SessionDep) -> UserOut:\n"
        "    user = User(email=body.email)\n    session.add(user)\n    return user",
        # The privilege field is excluded from the dump.
        "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
        "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, "
        "primary_key=True)\n    is_superuser: bool = False\n"
        "class UserUpdate(BaseModel):\n    email: str | None = None\n"
        "    is_superuser: bool | None = None\n"
        "@router.patch('/users/me')\ndef update_me(body: UserUpdate, "
        "user: User = Depends(get_current_user)) -> UserOut:\n"
        "    data = body.model_dump(exclude_unset=True, exclude={'is_superuser'})\n"
        "    for key, value in data.items():\n        setattr(user, key, value)\n    return user",
        # A request model without privilege fields.
        "from pydantic import BaseModel\nclass ItemUpdate(BaseModel):\n    title: str | None = None\n"
        "@router.patch('/items/{item_id}')\ndef update(item_id: int, body: ItemUpdate, "
        "session: SessionDep) -> ItemOut:\n    item = session.get(Item, item_id)\n"
        "    item.sqlmodel_update(body.model_dump(exclude_unset=True))\n    return item",
        # A response-only model carries the flag; the body does not.
        "from pydantic import BaseModel\nclass UserOut(BaseModel):\n    email: str\n"
        "    is_superuser: bool\nclass ProfileIn(BaseModel):\n    bio: str\n"
        "@router.put('/me', response_model=UserOut)\ndef me(body: ProfileIn, "
        "user: User = Depends(get_current_user)):\n"
        "    for key, value in body.model_dump().items():\n        setattr(user, key, value)\n"
        "    return user",
        # Overridden after the copy, and a role limited to unprivileged values.
        "from typing import Literal\nfrom pydantic import BaseModel\n"
        "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "class SignUp(BaseModel):\n    email: str\n    is_active: bool = True\n"
        "    role: Literal['member', 'guest'] = 'member'\n"
        "@router.post('/signup')\nasync def signup(body: SignUp, db: DbDep) -> UserOut:\n"
        "    user = User(**body.model_dump())\n    user.is_active = False\n    db.add(user)\n"
        "    return user",
        # The handler decides about the field itself.
        "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
        "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, "
        "primary_key=True)\n    role: str = 'member'\n"
        "class UserUpdate(BaseModel):\n    role: str | None = None\n"
        "@router.patch('/users/{user_id}')\ndef update(user_id: int, body: UserUpdate, "
        "me: User = Depends(get_current_user)) -> UserOut:\n"
        "    if body.role is not None and me.role != 'admin':\n"
        "        raise HTTPException(403)\n    user = get(user_id)\n"
        "    user.sqlmodel_update(body.model_dump(exclude_unset=True))\n    return user",
        # Copied into another schema, not into a stored object.
        "from pydantic import BaseModel\nclass UserCreate(BaseModel):\n    email: str\n"
        "    is_superuser: bool = False\nclass UserPreview(BaseModel):\n    email: str\n"
        "    is_superuser: bool = False\n@router.post('/users/preview')\n"
        "def preview(body: UserCreate) -> UserPreview:\n"
        "    return UserPreview(**body.model_dump())",
        # The owner comes from the body on a route that does not know its caller.
        "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
        "class Item(SQLModel, table=True):\n    id: int | None = Field(default=None, "
        "primary_key=True)\n    owner_id: int\nclass ItemCreate(BaseModel):\n    owner_id: int\n"
        "@router.post('/items')\ndef create(body: ItemCreate, session: SessionDep) -> ItemOut:\n"
        "    item = Item(**body.model_dump())\n    session.add(item)\n    return item",
        # An admin area: every route of the router is under /admin.
        _TABLE
        + "from fastapi import APIRouter\nrouter = APIRouter(prefix='/admin/users')\n@router.post('')\n"
        "def create(body: UserIn, session: SessionDep) -> UserOut:\n"
        "    return save(session, User(**body.model_dump()))",
        # A scoped security dependency, and a router included behind an admin dependency.
        _TABLE + "@router.post('/users')\ndef create(body: UserIn, "
        "user: User = Security(get_current_user, scopes=['users:write'])) -> UserOut:\n"
        "    return save(User(**body.model_dump()))",
        _TABLE + "from fastapi import APIRouter\nstaff = APIRouter()\n@staff.post('/users')\n"
        "def create(body: UserIn, session: SessionDep) -> UserOut:\n"
        "    return save(session, User(**body.model_dump()))\n"
        "app.include_router(staff, dependencies=[Depends(require_admin)])",
        # The handler checks the caller's permission itself.
        _TABLE + "@router.post('/users')\ndef create(body: UserIn, me: CurrentUser) -> UserOut:\n"
        "    check_permission(me, 'users:create')\n    return save(User(**body.model_dump()))",
        # The field is taken out, overridden in the call, or set by the update.
        _TABLE + "@router.post('/users')\ndef create(body: UserIn, me: CurrentUser) -> UserOut:\n"
        "    data = body.model_dump()\n    data.pop('role', None)\n    return save(User(**data))",
        _TABLE + "@router.post('/users')\ndef create(body: UserIn, me: CurrentUser) -> UserOut:\n"
        "    data = body.model_dump(exclude_unset=True)\n"
        "    return save(User(**data, role='member'))",
        _TABLE + "@router.post('/users')\ndef create(body: UserIn, me: CurrentUser) -> UserOut:\n"
        "    return save(User(**{**body.model_dump(), 'role': 'member'}))",
        _TABLE + "@router.post('/users')\ndef create(body: UserIn, me: CurrentUser) -> UserOut:\n"
        "    return save(User.model_validate(body, update={'role': 'member'}))",
        # `is_active` on a row that is not an account is just a switch.
        "from pydantic import BaseModel\nfrom sqlalchemy.orm import DeclarativeBase\n"
        "class Base(DeclarativeBase):\n    pass\nclass Service(Base):\n"
        "    __tablename__ = 'service'\nclass ServiceCreate(BaseModel):\n    name: str\n"
        "    is_active: bool = True\n@router.post('/services')\n"
        "def create(body: ServiceCreate, me: CurrentUser, db: DbDep) -> ServiceRead:\n"
        "    service = Service(**body.model_dump())\n    db.add(service)\n    return service",
        # A field left out of every dump.
        "from pydantic import BaseModel, Field\nfrom sqlmodel import SQLModel\n"
        "class User(SQLModel, table=True):\n    role: str = 'member'\n"
        "class UserIn(BaseModel):\n    email: str\n    role: str = Field('member', exclude=True)\n"
        "@router.post('/users')\ndef create(body: UserIn, me: CurrentUser) -> UserOut:\n"
        "    return save(User(**body.model_dump()))",
    )
    INVALID = (
        Invalid(
            "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
            "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, "
            "primary_key=True)\n    email: str\n    is_superuser: bool = False\n"
            "class UserCreate(BaseModel):\n    email: str\n    is_superuser: bool = False\n"
            "@router.post('/signup')\ndef signup(body: UserCreate, session: SessionDep) -> UserOut:\n"
            "    user = User(**body.model_dump())\n    session.add(user)\n    return user",
            line=12,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass UserUpdate(BaseModel):\n"
            "    email: str | None = None\n    role: str | None = None\n"
            "@router.patch('/users/me')\nasync def update_me(body: UserUpdate, "
            "user: User = Depends(get_current_user), db: DbDep = None) -> UserOut:\n"
            "    for key, value in body.model_dump(exclude_unset=True).items():\n"
            "        setattr(user, key, value)\n    await db.commit()\n    return user",
            line=8,
        ),
        Invalid(
            "from pydantic import BaseModel\nfrom sqlmodel import SQLModel, Field\n"
            "class User(SQLModel, table=True):\n    id: int | None = Field(default=None, "
            "primary_key=True)\n    is_verified: bool = False\n"
            "class UserUpdate(BaseModel):\n    is_verified: bool | None = None\n"
            "@router.patch('/me')\ndef update_me(body: UserUpdate, session: SessionDep, "
            "user: CurrentUser) -> UserOut:\n"
            "    user_data = body.model_dump(exclude_unset=True)\n"
            "    user.sqlmodel_update(user_data)\n    session.commit()\n    return user",
            line=11,
        ),
        Invalid(
            "from pydantic import BaseModel\nfrom tortoise.models import Model\n"
            "class Member(Model):\n    pass\nclass MemberIn(BaseModel):\n    name: str\n"
            "    permissions: list[str] = []\n@router.put('/members/{member_id}')\n"
            "async def update(member_id: int, body: MemberIn, "
            "user: User = Depends(get_current_user)) -> MemberOut:\n"
            "    member = await Member.get(id=member_id)\n"
            "    await Member.filter(id=member_id).update(**body.dict())\n    return member",
            line=11,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass ProfileIn(BaseModel):\n    bio: str\n"
            "    isAdmin: bool = False\n@router.put('/profile')\n"
            "async def profile(body: ProfileIn, user: User = Depends(get_current_user)):\n"
            "    await user.update(**body.dict())\n    return {'ok': True}",
            line=7,
        ),
        # Through a repository method of a CRUD base class.
        Invalid(
            "from pydantic import BaseModel\nclass CRUDBase:\n"
            "    def update(self, db, *, db_obj, obj_in):\n"
            "        update_data = obj_in.dict(exclude_unset=True)\n"
            "        for field in update_data:\n"
            "            setattr(db_obj, field, update_data[field])\n"
            "        db.add(db_obj)\n        return db_obj\n"
            "class CRUDUser(CRUDBase):\n    pass\nuser_crud = CRUDUser()\n"
            "class UserUpdate(BaseModel):\n    full_name: str | None = None\n"
            "    is_superuser: bool = False\n@router.put('/users/me')\n"
            "def update_me(body: UserUpdate, db: Session = Depends(get_db), "
            "current_user: User = Depends(get_current_active_user)):\n"
            "    return user_crud.update(db, db_obj=current_user, obj_in=body)",
            line=17,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass AccountIn(BaseModel):\n    name: str\n"
            "    role: str = 'user'\n@router.post('/accounts')\n"
            "async def create(body: AccountIn, db=Depends(get_db)):\n"
            "    await db.accounts.insert_one(body.dict())\n    return {'ok': True}",
            line=7,
        ),
        # A statement or a query on the table, with the dump as its values.
        Invalid(
            _TABLE + "from sqlalchemy import update\n@router.put('/users/{i}')\n"
            "async def put(i: int, body: UserIn, me: CurrentUser, db: DbDep) -> None:\n"
            "    data = body.model_dump(exclude_unset=True)\n"
            "    await db.execute(update(User).where(User.id == i).values(**data))",
            line=13,
        ),
        Invalid(
            _TABLE + "@router.put('/users/{i}')\n"
            "def put(i: int, body: UserIn, me: CurrentUser, db: DbDep) -> None:\n"
            "    db.query(User).filter(User.id == i).update(body.dict())\n    db.commit()",
            line=11,
        ),
        # A model manager's create, and a document update.
        Invalid(
            "from pydantic import BaseModel\nfrom tortoise import fields, models\n"
            "class Account(models.Model):\n    role = fields.CharField(max_length=20)\n"
            "class AccountIn(BaseModel):\n    name: str\n    role: str = 'user'\n"
            "@router.post('/accounts')\nasync def create(body: AccountIn):\n"
            "    return await Account.create(**body.dict())",
            line=10,
        ),
        Invalid(
            "from pydantic import BaseModel\nclass ProfileIn(BaseModel):\n    bio: str\n"
            "    roles: list[str] = []\n@router.patch('/profile')\n"
            "async def profile(body: ProfileIn, user=Depends(get_current_user)):\n"
            "    await db.users.update_one({'_id': user['_id']}, {'$set': body.dict()})",
            line=7,
        ),
        # A table class taken as the body and stored as it is.
        Invalid(
            _TABLE
            + "@router.post('/users')\ndef create(body: User, session: SessionDep) -> User:\n"
            "    session.add(body)\n    session.commit()\n    return body",
            line=11,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for copy in route_copies(module, project):
            sink = copy.sink
            fields = ", ".join(f"`{name}`" for name in copy.fields)
            via = f" through `{'` -> `'.join(sink.via)}` ({sink.at})" if sink.via else ""
            yield self.finding(
                module,
                sink.call,
                f"`{route_label(module, copy.route)}` copies {fields} of the request body "
                f"`{copy.body.cls.name}` into `{sink.target}`{via}: any caller can set "
                f"{'it' if len(copy.fields) == 1 else 'them'}",
                trigger=copy.route.span,
            )
