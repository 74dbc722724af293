"""Parse changed files and build the construct model the rules read.

The only package of the engine that imports :mod:`ast`.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Set
from typing import TYPE_CHECKING

from reviewer import limits
from reviewer.diff import FileChange
from reviewer.extract.build import build_module, module_name
from reviewer.extract.model import Module
from reviewer.record import record

if TYPE_CHECKING:
    from reviewer.extract.newer import Version

RUNNING: Version = (sys.version_info.major, sys.version_info.minor)

BOM = "\ufeff"


@record
class Skipped:
    """A changed file that could not be reviewed."""

    path: str
    reason: str
    needs: Version | None = None
    """The later Python that would parse the file, when only its syntax is too new for this one."""


def _too_large(path: str) -> Skipped:
    return Skipped(
        path, f"larger than {limits.size(limits.MAX_FILE_BYTES)}: not reviewed (generated code?)"
    )


def parse_module(
    path: str,
    text: str,
    partial: bool = False,
    lines: tuple[str, ...] | None = None,
    added_lines: Set[int] = frozenset(),
) -> Module | Skipped:
    """Parse whole-file text into a :class:`Module` (``lines``: ``text``'s lines, when the caller
    holds them already; ``added_lines``: the lines a change added, as the module's); not past
    ``limits.MAX_FILE_BYTES``."""
    if len(text) > limits.MAX_FILE_BYTES:
        return _too_large(path)
    if text.startswith(BOM):  # Python reads a UTF-8 signature as no character at all
        text, lines = text[1:], None
    lines = tuple(text.splitlines()) if lines is None else lines
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        from reviewer.extract.newer import newer_syntax  # only for a file that does not parse

        newer = newer_syntax(text, RUNNING)
        if newer is not None:
            return Skipped(path, newer.describe(RUNNING), newer.version)
        return Skipped(path, f"does not parse: {exc.msg} (line {exc.lineno})")
    except (ValueError, RecursionError, MemoryError) as exc:
        return Skipped(path, f"does not parse: {type(exc).__name__}")
    return build_module(path, tree, lines, partial, added_lines)


def _parse_fragment(lines: list[str], start: int) -> ast.Module | None:
    """Parse hunk lines placed at ``start``; None when the fragment is not a statement list."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return ast.increment_lineno(tree, start - 1)


def parse_hunks(change: FileChange) -> Module | Skipped:
    """Build a partial module from the hunks alone (no post-change file available), with the
    change's added lines.

    Each hunk is dedented and parsed on its own, trimming a few lines at its edges when it starts
    or ends inside a statement; hunks that still do not parse are left out.
    """
    import textwrap  # here: only a review without the post-change files needs it

    end = max((hunk.start + len(hunk.lines) for hunk in change.hunks), default=1)
    if end > limits.MAX_FILE_LINES + 1:
        return Skipped(
            change.path,
            f"its hunks reach line {end - 1:,}, past the {limits.MAX_FILE_LINES:,} lines reviewed "
            "without the file",
        )
    if sum(len(line) + 1 for hunk in change.hunks for line in hunk.lines) > limits.MAX_FILE_BYTES:
        return _too_large(change.path)
    lines = [""] * end
    body: list[ast.stmt] = []
    for hunk in change.hunks:
        text = "\n".join(hunk.lines)
        dedented = textwrap.dedent(text.removeprefix(BOM) if hunk.start == 1 else text).split("\n")
        tree = None
        for cut_start in range(0, min(6, len(dedented))):
            for cut_end in range(0, min(6, len(dedented) - cut_start)):
                kept = dedented[cut_start : len(dedented) - cut_end]
                tree = _parse_fragment([textwrap.dedent("\n".join(kept))], hunk.start + cut_start)
                if tree is not None:
                    fragment = textwrap.dedent("\n".join(kept)).split("\n")
                    for offset, line in enumerate(fragment):
                        lines[hunk.start + cut_start + offset - 1] = line
                    body.extend(tree.body)
                    break
            if tree is not None:
                break
    if not body:
        return Skipped(change.path, "no hunk parses without the rest of the file (pass --repo)")
    tree = ast.Module(body=body, type_ignores=[])
    return build_module(change.path, tree, tuple(lines), True, change.added)


__all__ = ["Module", "Skipped", "module_name", "parse_hunks", "parse_module"]
