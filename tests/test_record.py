"""``@record`` behaves as the frozen dataclass it stands for: fields, defaults, equality, hash,
``repr``, ``fields`` and ``replace``; and making one imports no ``dataclasses``."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from functools import cached_property

import pytest

from reviewer.record import field, fields, maker, record, replace


@record
class Item:
    name: str
    tags: list[str] = field(default_factory=list)
    size: int = 0
    note: str = field(default="", compare=False, repr=False, metadata={"key": "the-note"})


@record
class One:
    value: int


@record
class Counted:
    values: tuple[int, ...]

    @cached_property
    def total(self) -> int:
        return sum(self.values)


@dataclasses.dataclass(frozen=True)
class FrozenItem:
    name: str
    tags: list[str] = dataclasses.field(default_factory=list)
    size: int = 0
    note: str = dataclasses.field(default="", compare=False, repr=False)


def test_defaults_and_factories() -> None:
    first, second = Item("a"), Item("b")
    assert (first.name, first.tags, first.size, first.note) == ("a", [], 0, "")
    assert first.tags is not second.tags  # a new list each time, as a dataclass's factory
    given = ["x"]
    assert Item("c", given).tags is given
    with pytest.raises(TypeError):
        Item()  # type: ignore[call-arg]


def test_equality_hash_and_repr_are_a_frozen_dataclass_s() -> None:
    assert Item("a", size=2, note="n") == Item("a", size=2, note="other")  # note: compare=False
    assert Item("a", size=2) != Item("a", size=3)
    assert Item("a").__eq__(One(1)) is NotImplemented
    ours, theirs = Item("a", size=2), FrozenItem("a", size=2)
    assert repr(ours).replace("Item(", "") == repr(theirs).replace("FrozenItem(", "")
    assert repr(One(3)) == "One(value=3)"
    assert hash(One(3)) == hash((3,)) == hash(replace(One(4), value=3))
    assert hash(Counted((1, 2))) == hash(((1, 2),))
    with pytest.raises(TypeError):  # a list field: unhashable, as a frozen dataclass's
        hash(Item("a"))


def test_fields_and_replace() -> None:
    names = [(f.name, f.metadata.get("key")) for f in fields(Item)]
    assert names == [("name", None), ("tags", None), ("size", None), ("note", "the-note")]
    changed = replace(Item("a", ["t"], 1, "n"), size=5)
    assert (changed.name, changed.tags, changed.size, changed.note) == ("a", ["t"], 5, "n")


def test_slots_and_cached_property() -> None:
    with pytest.raises(AttributeError):
        One(1).other = 2  # type: ignore[attr-defined]
    counted = Counted((1, 2, 3))
    assert counted.total == 6 and counted.total == 6
    assert replace(counted, values=(4,)).total == 4


def test_init_is_compiled_when_the_first_object_is_made() -> None:
    @record
    class Late:
        value: int
        other: str = "x"

    placeholder = Late.__init__
    first = Late(1)
    assert Late.__init__ is not placeholder  # compiled once, then called directly
    assert (first.value, first.other) == (1, "x") and first == Late(1) != Late(1, "y")
    with pytest.raises(TypeError):
        Late()  # type: ignore[call-arg]


def test_a_maker_takes_the_arguments_the_class_takes_factories_too() -> None:
    make = maker(Item)
    first, second = make("a"), make("b", size=2)
    assert type(first) is Item and first == Item("a") and second == Item("b", size=2)
    assert first.tags == [] and first.tags is not second.tags  # a new list each time
    given = ["x"]
    assert make("c", given).tags is given


def test_a_field_takes_a_default_or_a_factory_not_both() -> None:
    with pytest.raises(ValueError, match="both default and default_factory"):
        field(default=1, default_factory=list)


def test_records_need_no_dataclasses() -> None:
    """``dataclasses`` imports ``inspect``: 25 million instructions of every start."""
    program = (
        "import sys\nfrom reviewer.record import field, record, replace\n"
        "@record\nclass Pair:\n    a: int\n    b: list = field(default_factory=list)\n"
        "assert replace(Pair(1), a=2) == Pair(2)\n"
        "print(sorted({'dataclasses', 'inspect'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_fields_of_an_object_are_its_class_s_and_replace_refuses_an_unknown_one() -> None:
    assert fields(Item("a")) == fields(Item)
    with pytest.raises(TypeError):
        replace(Item("a"), colour="red")
