"""The grammar of unified diffs, as ``reviewer.diff`` reads it: exact files, statuses, line numbers
and hunk text out of small patches, one boundary each. (Hostile whole patches are in
test_robustness.py; these pin the reader line by line, as unidiff read them before it.)"""

from __future__ import annotations

import pytest

from reviewer.diff import parse_diff
from reviewer.errors import ReviewError

Shape = tuple[
    str, str, list[int], list[int], str | None, list[tuple[int, tuple[str, ...], tuple[str, ...]]]
]


def shape(patch: str) -> list[Shape]:
    return [
        (
            change.path,
            change.status,
            sorted(change.added),
            sorted(change.removed),
            change.old_path,
            [(hunk.start, hunk.lines, hunk.old_lines) for hunk in change.hunks],
        )
        for change in parse_diff(patch).files
    ]


def test_a_modified_file_numbers_its_lines_on_both_sides() -> None:
    patch = (
        "diff --git a/app/m.py b/app/m.py\nindex 1..2 100644\n--- a/app/m.py\n+++ b/app/m.py\n"
        "@@ -3,4 +3,4 @@ def f():\n import a\n\n-x = 1\n+x = 2\n+y = 3\n-z = 4\n"
    )
    # The empty line is a context line whose leading space an editor stripped.
    assert shape(patch) == [
        (
            "app/m.py",
            "modified",
            [5, 6],
            [5, 6],
            "app/m.py",
            [(3, ("import a", "", "x = 2", "y = 3"), ("import a", "", "x = 1", "z = 4"))],
        )
    ]


def test_a_no_newline_marker_inside_a_hunk_is_no_line() -> None:
    patch = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n-a\n\\ No newline at end of file\n+a\n b\n"
    assert shape(patch) == [("m.py", "modified", [1], [1], "m.py", [(1, ("a", "b"), ("a", "b"))])]


@pytest.mark.parametrize("end", ["", "\\ No newline at end of file\n", "\n"])
def test_a_new_file_is_added_whole(end: str) -> None:
    patch = (
        "diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n+++ b/n.py\n"
        f"@@ -0,0 +1,2 @@\n+a = 1\n+b = 2\n{end}"
    )
    assert shape(patch) == [("n.py", "added", [1, 2], [], None, [(1, ("a = 1", "b = 2"), ())])]


def test_a_new_file_with_a_marker_among_its_lines() -> None:
    patch = "--- /dev/null\n+++ b/n.py\n@@ -0,0 +1,2 @@\n+a = 1\n\\ No newline\n+b = 2\n"
    assert shape(patch) == [("n.py", "added", [1, 2], [], None, [(1, ("a = 1", "b = 2"), ())])]


def test_renamed_deleted_and_binary_files() -> None:
    patch = (
        "diff --git a/old.py b/new.py\nsimilarity index 90%\nrename from old.py\n"
        "rename to new.py\n--- a/old.py\n+++ b/new.py\n@@ -1 +1 @@\n-a\n+b\n"
        "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n"
        "@@ -1,2 +0,0 @@\n-a\n-b\n"
        "diff --git a/logo.png b/logo.png\nindex 1..2 100644\n"
        "Binary files a/logo.png and b/logo.png differ\n"
        "diff --git a/x.bin b/x.bin\nnew file mode 100644\nGIT binary patch\nliteral 2\nJcmZ?\n\n"
        "diff --git a/same.py b/same.py\nold mode 100644\nnew mode 100755\n"
    )
    assert shape(patch) == [
        ("new.py", "renamed", [1], [1], "old.py", [(1, ("b",), ("a",))]),
        ("gone.py", "deleted", [], [1, 2], "gone.py", [(0, (), ("a", "b"))]),
        ("logo.png", "binary", [], [], "logo.png", []),
        ("x.bin", "binary", [], [], None, []),
        ("same.py", "modified", [], [], "same.py", []),
    ]


def test_a_plain_diff_of_two_files_after_a_preamble() -> None:
    """``diff -u`` output (no ``diff --git`` lines, timestamps after a tab), mailed: a hunk from
    line 0 of the old side adds the file, one to line 0 of the new side deletes it."""
    patch = (
        "From: someone\nSubject: two files\n\n"
        "--- a.py\t2026-01-01\n+++ a.py\t2026-01-02\n@@ -0,0 +1 @@\n+new = 1\n"
        "--- b.py\n+++ b.py\n@@ -1 +0,0 @@\n-old = 1\n"
    )
    assert shape(patch) == [
        ("a.py", "added", [1], [], None, [(1, ("new = 1",), ())]),
        ("b.py", "deleted", [], [1], "b.py", [(0, (), ("old = 1",))]),
    ]


def test_the_last_line_may_lack_its_newline() -> None:
    patch = "--- a/u.py\n+++ b/u.py\n@@ -1 +1 @@\n-a\n+b"
    assert shape(patch) == [("u.py", "modified", [1], [1], "u.py", [(1, ("b",), ("a",))])]


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("--- a/x.py\n+++ b/x.py\n@@ -1,5 +1,2 @@\n a\n", "Hunk is shorter than expected"),
        ("--- a/x.py\n+++ b/x.py\n@@ -1,0 +1,0 @@\n+x\n", "Hunk is longer than expected"),
        ("--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-a\n*b\n", "Hunk diff line expected: *b"),
        ("@@ -1 +1 @@\n-a\n+b\n", "Unexpected hunk found: @@ -1 +1 @@"),
        # A line that is no part of the file's patch ends it: a hunk after it has no file.
        (
            "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\nnote\n@@ -5 +5 @@\n-a\n+b\n",
            "Unexpected hunk found: @@ -5 +5 @@",
        ),
        ("--- a/x.py\n+++ b/y.py\n+++ b/z.py\n", "Target without source: +++ b/z.py"),
        ("new file mode 100644\n", "Unexpected new file found: new file mode 100644"),
        ("GIT binary patch\n", "Unexpected binary patch marker: GIT binary patch"),
        (
            "--- a/x.py\n+++ b/x.py\n\\ No newline at end of file\n",
            "Unexpected marker: \\ No newline at end of file",
        ),
    ],
)
def test_what_breaks_the_grammar_is_refused(patch: str, message: str) -> None:
    with pytest.raises(ReviewError) as refused:
        parse_diff(patch)
    assert str(refused.value) == f"cannot parse the diff: {message}"
