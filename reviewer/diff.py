"""Unified diff text -> :class:`Diff`: which files changed and which new-side lines were added.

Pure: no file or git I/O happens here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from reviewer.errors import ReviewError


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
    added: frozenset[int] = field(default_factory=frozenset)
    """New-side line numbers added or modified by the change."""
    hunks: tuple[Hunk, ...] = ()
    old_path: str | None = None
    """Path on the old side (None for an added file)."""
    removed: frozenset[int] = field(default_factory=frozenset)
    """Old-side line numbers removed or modified by the change."""

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


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == "/dev/null":
        return None
    name = name.split("\t", 1)[0]
    if name.startswith(("a/", "b/")):
        return name[2:]
    return name


def parse_diff(text: str) -> Diff:
    """Parse a unified diff as git or ``diff -u`` writes it.

    Raises :class:`ReviewError` when the text is not empty but holds no diff.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Diff(files=())
    try:
        patch = PatchSet(text)
    except (UnidiffParseError, ValueError, IndexError) as exc:
        raise ReviewError(f"cannot parse the diff: {exc}") from None
    if len(patch) == 0:
        raise ReviewError("the input is not a unified diff (no file headers found)")
    files: list[FileChange] = []
    for patched in patch:
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
        files.append(
            FileChange(
                path=path,
                status=status,
                added=frozenset(added),
                hunks=tuple(hunks),
                old_path=source if status != "added" else None,
                removed=frozenset(removed),
            )
        )
    return Diff(files=tuple(files))


def whole_files(files: Iterable[tuple[str, str]]) -> Diff:
    """A change that adds each ``(path, text)`` whole: how ``check`` reviews files with no diff."""
    changes: list[FileChange] = []
    for path, text in files:
        lines = tuple(text.splitlines())
        added = frozenset(range(1, len(lines) + 1))
        changes.append(FileChange(path=path, status="added", added=added, hunks=(Hunk(1, lines),)))
    return Diff(files=tuple(changes))
