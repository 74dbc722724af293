"""What keeps a whole-code-base review (``check``) small: the model shares what it can."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.diff import whole_files
from reviewer.engine import analyze_files
from reviewer.extract import parse_module
from reviewer.extract.model import Module
from reviewer.source import MemorySources


def test_a_whole_file_has_every_line_added_without_a_set_of_them() -> None:
    (change,) = whole_files([("app.py", "a = 1\nb = 2\nc = 3\n")]).files
    assert change.added == frozenset({1, 2, 3})
    assert 3 in change.added and 0 not in change.added and 4 not in change.added
    assert "1" not in change.added
    assert list(change.added) == [1, 2, 3] and len(change.added) == 3
    assert not isinstance(change.added, frozenset)  # no million-int set for a million lines
    assert hash(change.added) == hash(frozenset({1, 2, 3}))
    assert change.whole and change.hunks == ()  # its lines are read again, not held


class _Vanishing(MemorySources):
    """Files that can be read once: gone when read again (deleted during the review)."""

    def read(self, path: str) -> str | None:
        return self.files.pop(path, None)


def test_a_whole_file_gone_when_read_again_is_skipped_not_reviewed_empty() -> None:
    sources = _Vanishing({"app.py": "a = 1\n", "broken.py": "def (\n"})
    change = analyze_files(["app.py", "broken.py", "missing.py"], sources, Config())
    assert list(change.modules) == []
    assert [(entry.path, entry.reason) for entry in change.skipped] == [
        ("app.py", "the file could not be read"),
        ("broken.py", "the file could not be read"),
        ("missing.py", "the file could not be read"),
    ]


def test_a_whole_file_that_does_not_parse_is_listed_as_skipped() -> None:
    sources = MemorySources({"app.py": "a = 1\n", "broken.py": "def (\n"})
    change = analyze_files(["app.py", "broken.py"], sources, Config())
    assert [module.path for module in change.modules] == ["app.py"]
    assert [entry.path for entry in change.skipped] == ["broken.py"]


def test_spans_share_their_line_numbers() -> None:
    text = "\n" * 999 + "value = call(first, second)\nother = call(\n    1\n)\n"
    module = parse_module("app.py", text)
    assert isinstance(module, Module)
    assign = module.assignments[0]
    assert assign.value is not None and assign.value.span.line == 1000
    first, second = assign.value.args
    # ast gives each node its own int past 256; the model keeps one per line number.
    assert first.span.line is second.span.line is assign.span.line is assign.span.end_line
    multi = module.assignments[1]
    assert multi.span.end_line == 1003 and multi.value is not None
    assert multi.value.span.end_line is multi.span.end_line
