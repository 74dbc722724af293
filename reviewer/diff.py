"""Unified diff text -> :class:`Diff`: which files changed and which new-side lines were added.

Pure: no file or git I/O happens here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field, replace
from functools import cached_property

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from reviewer import limits
from reviewer.errors import ReviewError


class FirstLines(Set[int]):
    """Lines 1 to ``count``: the added lines of a file added whole, without a set holding a
    million ints (``check`` on a million-line code base: about 80 MB)."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and 1 <= line <= self.count

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, self.count + 1))

    def __len__(self) -> int:
        return self.count

    def __hash__(self) -> int:
        return self._hash()

    def __repr__(self) -> str:
        return f"FirstLines({self.count})"


@dataclass(frozen=True)
class Hunk:
    """One hunk of a file's change, on the new side."""

    start: int
    """First new-side line number of the hunk."""
    lines: tuple[str, ...]
    """New-side text of the hunk (context and added lines), without line endings."""
    old_lines: tuple[str, ...] = ()
    """Old-side text of the hunk (context and removed lines), to rebuild the file before the
    change."""


@dataclass(frozen=True)
class FileChange:
    """One file of the change."""

    path: str
    """Path on the new side, relative to the repository root ("" for a deleted file's new side)."""
    status: str
    """One of ``added``, ``modified``, ``renamed``, ``deleted``, ``binary``."""
    added: Set[int] = field(default_factory=frozenset)
    """New-side line numbers added or modified by the change."""
    hunks: tuple[Hunk, ...] = ()
    old_path: str | None = None
    """Path on the old side (None for an added file)."""
    removed: Set[int] = field(default_factory=frozenset)
    """Old-side line numbers removed or modified by the change."""
    skipped: str = ""
    """Why the change of this file is not reviewed ("" when it is): its patch is too large to
    parse (its hunks are then left out)."""

    @property
    def is_python(self) -> bool:
        return self.path.endswith((".py", ".pyi")) and self.status not in ("deleted", "binary")


@dataclass(frozen=True)
class Diff:
    files: tuple[FileChange, ...]

    @cached_property
    def _by_path(self) -> dict[str, FileChange]:
        index: dict[str, FileChange] = {}
        for change in self.files:
            index.setdefault(change.path, change)
        return index

    def file(self, path: str) -> FileChange | None:
        """The change of ``path`` (the first, if a patch names a path twice)."""
        return self._by_path.get(path)


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, "\\": 92, '"': 34}


def _unquote(name: str) -> str:
    """A file name as git quotes it (``"b/caf\\303\\251.py"``: C escapes, octal UTF-8 bytes)."""
    data = bytearray()
    index = 1
    while index < len(name) and name[index] != '"':
        char = name[index]
        following = name[index + 1 : index + 2]
        if char == "\\" and following.isdigit():
            data.append(int(name[index + 1 : index + 4], 8) & 0xFF)
            index += 4
        elif char == "\\" and following in _ESCAPES:
            data.append(_ESCAPES[following])
            index += 2
        else:
            data += char.encode()
            index += 1
    return data.decode("utf-8", errors="replace")


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = _unquote(name) if name.startswith('"') else name.split("\t", 1)[0]
    if name.startswith(("a/", "b/")):
        return name[2:]
    return name


_GIT_FILE = re.compile(r"^diff --git ", re.MULTILINE)
_PLAIN_FILE = re.compile(r"^--- [^\n]*\n\+\+\+ ", re.MULTILINE)
_HUNK = re.compile(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


def _chunks(text: str) -> list[int]:
    """Where each file of the patch starts. The patch is parsed file by file, so that the
    parser's objects for one file are freed before the next: memory follows the largest file,
    not the patch."""
    starts = [match.start() for match in _GIT_FILE.finditer(text)]
    return starts or [match.start() for match in _PLAIN_FILE.finditer(text)] or [0]


def _overflow(lines: list[str]) -> int | None:
    """The index of the first line of a file's patch that follows a complete hunk and yet looks
    like one of its lines (``+...``, ``-...``): a hunk with more lines than its header declares,
    whose extra lines a parser would drop. A ``-- `` signature line is no such line."""
    old = new = 0
    seen = False
    for index, line in enumerate(lines):
        if old > 0 or new > 0:
            tag = line[:1]
            old -= tag in (" ", "", "-")
            new -= tag in (" ", "", "+")
            continue
        header = _HUNK.match(line)
        if header is not None:
            seen = True
            old, new = int(header[1] or 1), int(header[2] or 1)
        elif seen and line.startswith(("+", "-")) and line != "-- ":
            return index
    return None


def _file_changes(text: str, start: int, end: int) -> list[FileChange]:
    """The changes of ``text[start:end]``: one file's patch (and what precedes the first)."""
    chunk = text[start:end]
    large = end - start > limits.MAX_FILE_PATCH_BYTES
    if large:  # its header alone: which file, how it changed
        hunk = chunk.find("\n@@ ")
        chunk = chunk if hunk < 0 else chunk[: hunk + 1]
    try:
        patch = PatchSet(chunk)
    except (UnidiffParseError, ValueError, IndexError) as exc:
        raise ReviewError(f"cannot parse the diff: {exc}") from None
    extra = _overflow(chunk.split("\n"))
    if extra is not None:
        line = text.count("\n", 0, start) + extra + 1
        raise ReviewError(
            f"cannot parse the diff: corrupt patch at line {line}: a hunk holds more lines than "
            "its header declares"
        )
    changes = [_file_change(patched) for patched in patch]
    if large:
        reason = (
            f"its patch is larger than {limits.size(limits.MAX_FILE_PATCH_BYTES)}: not reviewed"
        )
        return [replace(change, skipped=reason) for change in changes]
    return changes


def parse_diff(text: str) -> Diff:
    """Parse a unified diff as git or ``diff -u`` writes it (at most ``MAX_PATCH_BYTES``).

    Raises :class:`ReviewError` when the text is not empty but holds no diff, when it is too
    large, or when a hunk holds more lines than its header declares (``git apply`` refuses those
    too: reviewing part of it would miss what the rest adds).
    """
    if len(text) > limits.MAX_PATCH_BYTES:
        raise ReviewError(
            f"the patch is larger than {limits.size(limits.MAX_PATCH_BYTES)}: not reviewed"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Diff(files=())
    starts = _chunks(text)
    files = [
        change
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True)
        for change in _file_changes(text, start, end)
    ]
    if not files:
        raise ReviewError("the input is not a unified diff (no file headers found)")
    return Diff(files=tuple(files))


def _file_change(patched: PatchedFile) -> FileChange:
    target = _strip_prefix(patched.target_file)
    source = _strip_prefix(patched.source_file)
    if patched.is_binary_file:
        status = "binary"
    elif patched.is_removed_file or target is None:
        status = "deleted"
    elif patched.is_added_file or source is None:
        status = "added"
    elif patched.is_rename or (source is not None and source != target):
        status = "renamed"
    else:
        status = "modified"
    added: set[int] = set()
    removed: set[int] = set()
    hunks: list[Hunk] = []
    for hunk in patched:
        lines: list[str] = []
        old_lines: list[str] = []
        for line in hunk:
            if line.is_added or line.is_context:
                lines.append(line.value.rstrip("\n"))
            if line.is_removed or line.is_context:
                old_lines.append(line.value.rstrip("\n"))
            if line.is_added and line.target_line_no is not None:
                added.add(line.target_line_no)
            if line.is_removed and line.source_line_no is not None:
                removed.add(line.source_line_no)
        hunks.append(Hunk(hunk.target_start, tuple(lines), tuple(old_lines)))
    path = target if target is not None else (source or patched.path)
    return FileChange(
        path=path,
        status=status,
        added=frozenset(added),
        hunks=tuple(hunks),
        old_path=source if status != "added" else None,
        removed=frozenset(removed),
    )


def whole_files(files: Iterable[tuple[str, str]]) -> Diff:
    """A change that adds each ``(path, text)`` whole: how ``check`` reviews files with no diff."""
    changes: list[FileChange] = []
    for path, text in files:
        lines = tuple(text.splitlines())
        added = FirstLines(len(lines))
        changes.append(FileChange(path=path, status="added", added=added, hunks=(Hunk(1, lines),)))
    return Diff(files=tuple(changes))
