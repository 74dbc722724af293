"""``@record``: a class of fields, as a frozen dataclass, made for a fraction of the cost.

Built without ``frozen``'s cost: a frozen dataclass sets each field through
``object.__setattr__``, which made building the millions of spans and expressions of a large code
base three times slower. Nothing assigns to a record after it is built (the type checker sees it
frozen). And without ``dataclass``'s: it compiles a method or more per class (for the model and
the engine, 10 ms of every start). A record compiles only its ``__init__``, when its first object
is made; it equals, hashes and prints by value with methods shared by every record.

Its fields are declared as a dataclass's, with this module's :func:`field` (``default``,
``default_factory``, ``repr``, ``compare``, ``metadata``); :func:`fields` and :func:`replace` work
as ``dataclasses``'s. A record has slots, and a ``__dict__`` too when it has a
``cached_property``. Nothing here imports ``dataclasses``, which imports ``inspect``: 25 million
instructions of every start. Unlike a dataclass, a record's fields are its own class's annotations
only (no record inherits another's), and a mutable default is not refused: give a
``default_factory``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast

T = TypeVar("T")

_FACTORY = object()
"""The default of a parameter whose field has a ``default_factory``."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""No default (as ``dataclasses.MISSING``)."""


class Field:
    """A record's field: its name and annotation, and the options :func:`field` was given."""

    __slots__ = ("compare", "default", "default_factory", "metadata", "name", "repr", "type")

    def __init__(
        self,
        default: Any,
        default_factory: Any,
        repr: bool,
        compare: bool,
        metadata: Mapping[str, Any] | None,
    ) -> None:
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare
        self.metadata: Mapping[str, Any] = {} if metadata is None else metadata


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    repr: bool = True,
    compare: bool = True,
    metadata: Mapping[str, Any] | None = None,
) -> Any:
    """A field's options, as ``dataclasses.field``'s (typed ``Any``, as that is)."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr, compare, metadata)


def fields(value: object) -> tuple[Field, ...]:
    """The fields of a record (class or object), in order."""
    specs: dict[str, Field] = value.__record_fields__  # type: ignore[attr-defined]
    return tuple(specs.values())


def replace(value: T, /, **changes: Any) -> T:
    """A copy of the record ``value`` with ``changes`` (as ``dataclasses.replace``)."""
    for name in value.__record_fields__:  # type: ignore[attr-defined]
        if name not in changes:
            changes[name] = getattr(value, name)
    made: T = value.__class__(**changes)
    return made


def _make(cls: type[T]) -> type[T]:
    namespace = dict(cls.__dict__)
    specs: dict[str, Field] = {}
    for name, annotation in namespace.get("__annotations__", {}).items():
        spec = namespace.pop(name, MISSING)
        if not isinstance(spec, Field):
            spec = field(default=spec)
        spec.name, spec.type = name, annotation
        specs[name] = spec
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    cached = any(isinstance(value, cached_property) for value in namespace.values())
    namespace["__slots__"] = (*specs, "__dict__") if cached else tuple(specs)
    namespace["__record_fields__"] = specs
    key = _key([name for name, spec in specs.items() if spec.compare])
    shown = [name for name, spec in specs.items() if spec.repr]
    namespace["__init__"] = _first_init(specs)
    namespace["__eq__"] = lambda self, other: (
        key(self) == key(other) if other.__class__ is self.__class__ else NotImplemented
    )
    namespace["__hash__"] = lambda self: hash(key(self))
    namespace["__repr__"] = lambda self: (
        f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"
    )
    return cast("type[T]", type(cls.__name__, cls.__bases__, namespace))


def _key(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    """The values a record is compared and hashed by, as a tuple (as a dataclass's)."""
    if len(names) == 1:  # attrgetter of one name gives the value itself
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    return attrgetter(*names) if names else lambda value: ()


def _first_init(specs: dict[str, Field]) -> Callable[..., None]:
    """The ``__init__`` of a record until its first object: it compiles the real one in its
    place. A review makes objects of about half of the records (the model builder makes most of
    its objects without calling their class), and compiling is most of a record's cost."""

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        made = self.__class__
        compiled = _compiled(specs, "__init__", ["self"], "self", [], [])
        made.__init__ = compiled  # type: ignore[method-assign]
        made.__init__(self, *args, **kwargs)

    return __init__


def maker(cls: type[T]) -> Callable[..., T]:
    """A function that makes a ``cls`` (a record) from the arguments ``cls(...)`` takes, without
    calling the class: a plain function runs in its caller's interpreter loop, where a class call
    goes through ``type.__call__`` and a second loop for ``__init__`` (about a thousand machine
    instructions more per object; the model builder makes about 100,000 for a 20k-line change)."""
    specs: dict[str, Field] = cls.__record_fields__  # type: ignore[attr-defined]
    made: Callable[..., T] = _compiled(
        specs,
        "make",
        [],
        "made",
        [" made = _new(_cls)"],
        [" return made"],
        _new=object.__new__,
        _cls=cls,
    )
    return made


def _compiled(
    specs: dict[str, Field],
    name: str,
    leading: list[str],
    target: str,
    before: list[str],
    after: list[str],
    **scope: object,
) -> Callable[..., Any]:
    """A function ``name`` that takes the ``leading`` parameters, then the record's fields as
    ``__init__`` does (defaults and default factories included), and sets each on ``target``
    (``self`` for ``__init__``), between the lines ``before`` and ``after``."""
    scope["_FACTORY"] = _FACTORY
    parameters = list(leading)
    body: list[str] = []
    for field_name, spec in specs.items():
        if spec.default_factory is not MISSING:
            scope[f"_{field_name}"] = spec.default_factory
            parameters.append(f"{field_name}=_FACTORY")
            body.append(
                f" {target}.{field_name} = _{field_name}() if {field_name} is _FACTORY"
                f" else {field_name}"
            )
            continue
        if spec.default is not MISSING:
            scope[f"_{field_name}"] = spec.default
            parameters.append(f"{field_name}=_{field_name}")
        else:
            parameters.append(field_name)
        body.append(f" {target}.{field_name} = {field_name}")
    exec("\n".join([f"def {name}({', '.join(parameters)}):", *before, *body, *after]), scope)
    compiled: Callable[..., Any] = scope[name]  # type: ignore[assignment]
    return compiled


if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @dataclass_transform(frozen_default=True, field_specifiers=(field,))
    def record(cls: type[T]) -> type[T]:
        """A frozen dataclass with slots (for the type checker)."""
        ...
else:
    record = _make
