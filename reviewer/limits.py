"""The documented limits of a review (``docs/limits.md``).

Past each one, input is refused or skipped with a reason, never half-read, so that a review's
time and memory stay proportional to what it reviews, whatever a pull request holds.
"""

MAX_PATCH_BYTES = 64 << 20
"""A larger patch is refused (exit 2): past this, it is a vendored tree or a generated dump."""
MAX_FILE_BYTES = 2 << 20
"""A larger Python file is not parsed (generated code): listed under ``skipped``. A larger file
of the repository is not read: the change to it is reviewed from its hunks."""
MAX_FILE_PATCH_BYTES = 2 * MAX_FILE_BYTES
"""The patch of one file larger than this is not parsed (only its header is): the file is listed
under ``skipped``. A whole file rewritten fits."""
MAX_FILE_LINES = 100_000
"""Without the file, a change whose hunks reach past this line is listed under ``skipped``:
line numbers then cost no memory, whatever a hunk header says."""
MAX_FILES = 1_000
"""Python files reviewed in one change; the others are listed under ``skipped``."""
MAX_REVIEW_BYTES = 4 << 20
"""Python text reviewed in one change (the files' whole text); once reached, the remaining files
are listed under ``skipped``."""


def size(count: int) -> str:
    """``64 MiB``, ``512 KiB``: a limit in bytes, as messages show it."""
    return f"{count >> 20} MiB" if count >= 1 << 20 else f"{count >> 10} KiB"
