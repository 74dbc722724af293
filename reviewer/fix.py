"""Apply the mechanical fixes of findings (``--fix``, ``--unsafe-fixes``): to text, and to the
files of the work tree that hold exactly the reviewed text.

Fixes are applied in the report's order; a fix whose edits overlap an edit already applied waits
for the next run (as ruff's do), except that identical edits (two fixes adding the same
``import asyncio``) are applied once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.record import record
from reviewer.rules.base import Autofix, Edit, Finding

if TYPE_CHECKING:
    from _typeshed import StrPath


def _offsets(text: str) -> list[int]:
    """The character offset where each line starts (and one past the end)."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _position(text: str, starts: list[int], line: int, column: int) -> int:
    """The character offset of 1-based ``line`` and 0-based UTF-8 byte ``column``."""
    if line > len(starts) - 1:
        return len(text)
    start, end = starts[line - 1], starts[line]
    raw = text[start:end]
    if raw.isascii():
        return start + min(column, len(raw))
    return start + len(raw.encode()[:column].decode(errors="ignore"))


def _range(text: str, starts: list[int], edit: Edit) -> tuple[int, int]:
    span = edit.span
    return (
        _position(text, starts, span.line, span.column),
        _position(text, starts, span.end_line, span.end_column),
    )


def apply(text: str, fixes: Iterable[Autofix]) -> tuple[str, list[Autofix]]:
    """``text`` with ``fixes`` applied, and the fixes that were (the others overlap one of them)."""
    starts = _offsets(text)
    taken: dict[tuple[int, int, str], None] = {}
    applied: list[Autofix] = []
    for fix in fixes:
        ranges = [(*_range(text, starts, edit), edit.text) for edit in fix.edits]
        fresh = [r for r in ranges if r not in taken]
        if any(
            (start < other_end and other_start < end) or (start == end == other_start == other_end)
            for start, end, _ in fresh
            for other_start, other_end, _ in taken
        ):
            continue
        taken.update(dict.fromkeys(fresh))
        applied.append(fix)
    for start, end, replacement in sorted(taken, key=lambda r: (r[0], r[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, applied


@record
class Fixed:
    """What ``--fix`` did: the findings it fixed, and files it left alone (with the reason)."""

    findings: tuple[Finding, ...]
    refused: tuple[tuple[str, str], ...]


def fixable(findings: Iterable[Finding], unsafe: bool) -> list[Finding]:
    """The findings ``--fix`` (``unsafe``: ``--unsafe-fixes``) would fix."""
    return [f for f in findings if f.autofix is not None and (f.autofix.safe or unsafe)]


def fix_files(
    root: StrPath, findings: Sequence[Finding], reviewed: dict[str, tuple[str, ...]], unsafe: bool
) -> Fixed:
    """Apply the fixes of ``findings`` to the files under ``root``. A file is changed only when
    it holds exactly the text that was reviewed (``reviewed``: path -> lines), never through a
    link or outside ``root``."""
    by_path: dict[str, list[Finding]] = {}
    for finding in fixable(findings, unsafe):
        by_path.setdefault(finding.path, []).append(finding)
    done: list[Finding] = []
    refused: list[tuple[str, str]] = []
    base = Path(root).resolve()
    for path, found in sorted(by_path.items()):
        target = base / path
        if target.is_symlink() or not target.resolve().is_relative_to(base):
            refused.append((path, "not a regular file of the repository"))
            continue
        try:
            data = target.read_bytes()
        except OSError as exc:
            refused.append((path, exc.strerror or str(exc)))
            continue
        text = data.decode("utf-8", errors="surrogateescape")
        if tuple(text.splitlines()) != reviewed.get(path):
            refused.append((path, "the file differs from the reviewed version"))
            continue
        new, applied = apply(text, [f.autofix for f in found if f.autofix is not None])
        target.write_bytes(new.encode("utf-8", errors="surrogateescape"))
        done.extend(f for f in found if f.autofix in applied)
    return Fixed(tuple(done), tuple(refused))
