"""The model builder's own machinery (what it builds is tested through the rules)."""

from __future__ import annotations

from reviewer.diff import parse_diff
from reviewer.extract import parse_hunks, parse_module
from reviewer.extract.model import Expr, Module, Source, Span
from reviewer.record import fields, maker


def test_a_maker_makes_the_object_the_class_makes() -> None:
    source = Source(("x = 1",))
    made = maker(Expr)("name", 1, 1, 0, 1, source, "x")
    assert made == Expr("name", 1, 1, 0, 1, source, "x")
    assert type(made) is Expr
    # Every field is set, those left to their defaults too.
    assert [getattr(made, f.name) for f in fields(Expr)][6:] == [
        "x",
        None,
        None,
        "",
        (),
        (),
        (),
        (),
    ]
    assert maker(Span)(line=3, end_line=4, column=5) == Span(3, 4, 5, 0)


def test_names_inside_expressions_are_converted_like_names_anywhere() -> None:
    text = "import fastapi\nclass A:\n    x: dict[str, fastapi.Request] = fastapi.Depends(f)\n"
    module = parse_module("app.py", text)
    assert isinstance(module, Module)
    (field,) = module.classes[0].fields
    assert field.annotation is not None and field.default is not None
    inner = field.annotation.items[1].items[0]  # ``str``, converted without recording
    assert (inner.kind, inner.qualname, inner.text, inner.span) == (
        "name",
        "str",
        "str",
        Span(3, 3, 12, 15),
    )
    # The field's values are the assignment's: converted once.
    assert module.assignments[0].annotation is field.annotation
    assert module.assignments[0].value is field.default


def _call_names(text: str) -> list[str]:
    module = parse_module("app.py", text)
    assert isinstance(module, Module)
    return [call.qualname for call in module.calls]


def test_methods_know_the_types_of_instance_attributes() -> None:
    text = (
        "from sqlalchemy.orm import Session\nfrom app.db import Engine\n"
        "class Repo:\n    cache: Engine\n"
        "    def __init__(self, db: Session, other) -> None:\n"
        "        self.db = db\n        self.other = other\n        self.made = Engine()\n"
        "    def rows(self):\n"
        "        return self.db.query(1), self.cache.run(), self.made.stop(), self.other.x()\n"
    )
    assert _call_names(text)[1:] == [
        "sqlalchemy.orm.Session.query",
        "app.db.Engine.run",
        "app.db.Engine.stop",
        "self.other.x",
    ]


def test_a_class_in_a_function_knows_its_annotated_attributes_without_methods() -> None:
    text = (
        "from sqlalchemy.orm import Session\ndef f(self):\n    class A:\n"
        "        session: Session\n        rows = self.session.query(1)\n"
    )
    assert _call_names(text) == ["sqlalchemy.orm.Session.query"]


def test_a_module_is_built_with_the_lines_it_is_given_as_added() -> None:
    text = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
    module = parse_module("app/h.py", text, added_lines=frozenset({5}))
    assert isinstance(module, Module) and module.added_lines == {5}
    plain = parse_module("app/h.py", text)
    assert isinstance(plain, Module) and plain.added_lines == frozenset()


def test_a_module_of_hunks_alone_has_the_change_s_added_lines() -> None:
    change = parse_diff(
        "--- a/app/h.py\n+++ b/app/h.py\n@@ -10,2 +10,3 @@\n async def handler():\n"
        "+    time.sleep(1)\n     return 1\n"
    ).files[0]
    module = parse_hunks(change)
    assert isinstance(module, Module) and module.partial
    assert module.added_lines == change.added == {11}
