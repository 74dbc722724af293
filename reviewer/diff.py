"""Unified diff text -> :class:`Diff`: which files changed and which new-side lines were added.

Pure: no file or git I/O happens here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from functools import cached_property

from reviewer import limits
from reviewer.errors import ReviewError
from reviewer.patterns import regex
from reviewer.record import field, record, replace


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


@record
class Hunk:
    """One hunk of a file's change, on the new side."""

    start: int
    """First new-side line number of the hunk."""
    lines: tuple[str, ...]
    """New-side text of the hunk (context and added lines), without line endings."""
    old_lines: tuple[str, ...] = ()
    """Old-side text of the hunk (context and removed lines), to rebuild the file before the
    change."""


@record
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
    whole: bool = False
    """Added whole from a file of the sources (``check``): it has no hunks, as its lines are not
    held (on a million lines, about 90 MB); its text is read from the sources when needed."""

    @property
    def is_python(self) -> bool:
        return self.path.endswith((".py", ".pyi")) and self.status not in ("deleted", "binary")


@record
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


# The grammar of a file's header lines and hunk headers, as unidiff reads them (the parser this
# module used until the per-line objects it builds cost more than parsing the Python the patch
# adds), so that every patch still reads as it did.
_GIT_HEADERS = (
    regex(r'diff --git (?P<source>"?a/[^\t\n]+"?) (?P<target>"?b/[^\t\n]+"?)'),
    regex(r"diff --git (?P<source>.*://[^\t\n]+) (?P<target>.*://[^\t\n]+)"),
    regex(r"diff --git (?P<source>[^\t\n]+) (?P<target>[^\t\n]+)"),
)
_NEW_FILE = regex(r"new file mode \d+$")
_DELETED_FILE = regex(r"deleted file mode \d+$")
_SOURCE = regex(r'--- ("?[^\t\n]*"?)')
_TARGET = regex(r'\+\+\+ ("?[^\t\n]*"?)')
_HUNK = regex(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\ No newline at end of file"
_BINARY = regex(
    r"Binary files? (?P<source>[^\t]+?)(?:\t[\s0-9:+-]+)?"
    r"(?: and (?P<target>[^\t]+?)(?:\t[\s0-9:+-]+)?)? (?:differ|has changed)"
)
_DEV_NULL = "/dev/null"
_PREFIX = regex(r"[abciow12]/")


def _line_starts(text: str, prefix: str) -> list[int]:
    """Where the lines of ``text`` that start with ``prefix`` start."""
    starts = [0] if text.startswith(prefix) else []
    index = text.find("\n" + prefix)
    while index >= 0:
        starts.append(index + 1)
        index = text.find("\n" + prefix, index + 1)
    return starts


def _chunks(text: str) -> list[int]:
    """Where each file of the patch starts: at each ``diff --git`` line, else (a patch of
    ``diff -u``) at each ``---`` line followed by a ``+++`` line. The patch is parsed file by
    file, so that the lines of one file are freed before the next: memory follows the largest
    file, not the patch."""
    starts = _line_starts(text, "diff --git ")
    if not starts:
        ends = ((start, text.find("\n", start)) for start in _line_starts(text, "--- "))
        starts = [start for start, end in ends if end >= 0 and text.startswith("+++ ", end + 1)]
    return starts or [0]


class _Patched:
    """A file of the patch while its lines are read: its names as the patch writes them."""

    __slots__ = ("added", "binary", "hunks", "removed", "shapes", "source", "target")

    def __init__(self, source: str, target: str, binary: bool = False) -> None:
        self.source = source
        self.target = target
        self.binary = binary
        self.hunks: list[Hunk] = []
        self.shapes: list[tuple[int, int, int, int]] = []
        """Each hunk's header: old start and length, new start and length."""
        self.added: set[int] = set()
        self.removed: set[int] = set()


class _Corrupt(Exception):
    """The patch breaks the grammar of unified diffs."""


def _read_hunk(lines: list[str], index: int, header: re.Match[str], patched: _Patched) -> int:
    """Read the hunk whose lines start at ``lines[index]`` into ``patched``; return the index
    of the line after it. As ``patch`` does, the header's line counts say where it ends."""
    old_no, new_no = int(header[1]), int(header[3])
    old_left, new_left = int(header[2] or 1), int(header[4] or 1)
    patched.shapes.append((old_no, old_left, new_no, new_left))
    end = len(lines)
    if old_left == 0 and 0 < new_left <= end - index:
        # Lines only added (a new file): when all of them are, with no per-line work.
        block = "\n".join(lines[index : index + new_left])
        if block.count("\n+") == new_left - 1 and block[:1] == "+":
            text = block[1:].replace("\n+", "\n").split("\n")
            patched.hunks.append(Hunk(new_no, tuple(text)))
            patched.added.update(range(new_no, new_no + new_left))
            return index + new_left
    start = new_no
    new: list[str] = []
    old: list[str] = []
    added = patched.added
    removed = patched.removed
    while index < end:
        line = lines[index]
        index += 1
        tag = line[:1]
        if tag == "+":
            new.append(line[1:])
            added.add(new_no)
            new_no += 1
            new_left -= 1
        elif tag == "-":
            old.append(line[1:])
            removed.add(old_no)
            old_no += 1
            old_left -= 1
        elif tag == " " or not line:
            new.append(line[1:])
            old.append(line[1:])
            new_no += 1
            old_no += 1
            new_left -= 1
            old_left -= 1
        elif tag != "\\":
            raise _Corrupt(f"Hunk diff line expected: {line}")
        if old_left < 0 or new_left < 0:
            raise _Corrupt("Hunk is longer than expected")
        if old_left == 0 and new_left == 0:
            break
    if old_left > 0 or new_left > 0:
        raise _Corrupt("Hunk is shorter than expected")
    patched.hunks.append(Hunk(start, tuple(new), tuple(old)))
    return index


def _read(lines: list[str], terminated: bool) -> tuple[list[_Patched], int | None]:
    """The files of one file's patch (and of what precedes it), and the index of the first line
    after a complete hunk that looks like one of its lines (``+...``, ``-...``): a hunk with more
    lines than its header declares, whose extra lines would be dropped. A ``-- `` signature line
    is no such line. ``terminated``: the last line ends with a newline."""
    files: list[_Patched] = []
    current: _Patched | None = None
    in_header = False  # in the extended header lines that follow `diff --git`
    source: str | None = None  # the last old-side name, until a `+++` line takes it
    seen = False  # a hunk was read
    overflow: int | None = None
    index = 0
    end = len(lines)
    while index < end:
        line = lines[index]
        index += 1
        if seen and overflow is None and line[:1] in ("+", "-") and line != "-- ":
            overflow = index - 1
        if line.startswith("diff --git "):
            git = next(filter(None, (header.match(line) for header in _GIT_HEADERS)), None)
            if git is not None:
                source = git["source"]
                current = _Patched(source, git["target"])
                files.append(current)
                in_header = True
                continue
        if _NEW_FILE.match(line):
            if current is None or not in_header:
                raise _Corrupt(f"Unexpected new file found: {line}")
            current.source = _DEV_NULL
            continue
        if _DELETED_FILE.match(line):
            if current is None or not in_header:
                raise _Corrupt(f"Unexpected deleted file found: {line}")
            current.target = _DEV_NULL
            continue
        named = _SOURCE.match(line)
        if named is not None:
            source = named[1]
            if current is not None and not in_header:
                current = None
            continue
        named = _TARGET.match(line)
        if named is not None:
            if current is not None and current.target != named[1]:
                raise _Corrupt(f"Target without source: {line}")
            if current is None:
                if source is None:
                    raise _Corrupt(f"Target without source: {line}")
                current = _Patched(source, named[1])
                files.append(current)
                in_header = False
                source = None
            continue
        header = _HUNK.match(line)
        if header is not None:
            in_header = False
            if current is None:
                raise _Corrupt(f"Unexpected hunk found: {line}")
            index = _read_hunk(lines, index, header, current)
            seen = True
            continue
        if line.startswith(_NO_NEWLINE):
            if current is None or not current.hunks:
                raise _Corrupt(f"Unexpected marker: {line}")
            continue
        if not line and current is not None and current.hunks:
            continue  # a blank line after the hunks
        if not in_header:  # any other line: the file's patch is over
            current = None
            in_header = True
        binary = _BINARY.match(line)
        if binary is not None:
            source = binary["source"]
            if current is not None:
                current.binary = True
            else:
                files.append(_Patched(source, binary["target"] or source, binary=True))
            in_header = False
            current = None
        elif line == "GIT binary patch" and (terminated or index < end):
            if current is None:
                raise _Corrupt(f"Unexpected binary patch marker: {line}")
            current.binary = True
            in_header = False
            current = None
    return files, overflow


def _file_changes(text: str, start: int, end: int) -> list[FileChange]:
    """The changes of ``text[start:end]``: one file's patch (and what precedes the first)."""
    chunk = text[start:end]
    large = end - start > limits.MAX_FILE_PATCH_BYTES
    if large:  # its header alone: which file, how it changed
        hunk = chunk.find("\n@@ ")
        chunk = chunk if hunk < 0 else chunk[: hunk + 1]
    lines = chunk.split("\n")
    terminated = not lines[-1]
    if terminated:
        lines.pop()
    try:
        patched, extra = _read(lines, terminated)
    except _Corrupt as exc:
        raise ReviewError(f"cannot parse the diff: {exc}") from None
    if extra is not None:
        line = text.count("\n", 0, start) + extra + 1
        raise ReviewError(
            f"cannot parse the diff: corrupt patch at line {line}: a hunk holds more lines than "
            "its header declares"
        )
    changes = [_file_change(file) for file in patched]
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
    if "\r" in text:  # else two copies of the whole patch for nothing
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


def _display_path(name: str) -> str:
    """The path of a file whose both sides are gone: its old name as written, less its prefix."""
    quoted = name.startswith('"') and name.endswith('"')
    core = name[1:-1] if quoted else name
    core = core[2:] if _PREFIX.match(core) else core
    return f'"{core}"' if quoted else core


def _file_change(patched: _Patched) -> FileChange:
    target = _strip_prefix(patched.target)
    source = _strip_prefix(patched.source)
    only = patched.shapes[0] if len(patched.shapes) == 1 else None
    if patched.binary:
        status = "binary"
    elif patched.target == _DEV_NULL or target is None or (only and only[2:] == (0, 0)):
        status = "deleted"
    elif patched.source == _DEV_NULL or source is None or (only and only[:2] == (0, 0)):
        status = "added"
    elif patched.source[2:] != patched.target[2:] or source != target:
        status = "renamed"
    else:
        status = "modified"
    path = target if target is not None else (source or _display_path(patched.source))
    return FileChange(
        path=path,
        status=status,
        added=frozenset(patched.added),
        hunks=tuple(patched.hunks),
        old_path=source if status != "added" else None,
        removed=frozenset(patched.removed),
    )


def whole_files(files: Iterable[tuple[str, str]]) -> Diff:
    """A change that adds each ``(path, text)`` whole: how ``check`` reviews files with no diff.
    Only each file's line count is kept (see :attr:`FileChange.whole`)."""
    changes = [
        FileChange(path=path, status="added", added=FirstLines(len(text.splitlines())), whole=True)
        for path, text in files
    ]
    return Diff(files=tuple(changes))
