"""Where the post-change text of files comes from: a directory, a git revision, or nowhere.

All file and git I/O of a review happens here.
"""

from __future__ import annotations

import os
import stat
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from reviewer import limits
from reviewer.errors import ReviewError
from reviewer.record import record

if TYPE_CHECKING:
    import subprocess

    from _typeshed import StrPath

    from reviewer.diff import Diff, FileChange

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "__pycache__",
        "site-packages",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
    }
)


def decode(data: bytes) -> str:
    """Decode source bytes as UTF-8, replacing invalid bytes (as the patch is decoded)."""
    return data.decode("utf-8", errors="replace")


class Sources(Protocol):
    """The repository after the change, read for context."""

    @property
    def label(self) -> str:
        """Where the files come from, for messages."""

    @property
    def complete(self) -> bool:
        """The whole repository is available (not only the changed files)."""

    def read(self, path: str) -> str | None:
        """The text of a repository-relative path, or None when it does not exist."""

    def python_files(self) -> Iterator[str]:
        """Every Python file of the repository, as repository-relative paths."""


class NoSources:
    """No context: only the diff is known."""

    label = "the diff alone"
    complete = False

    def read(self, path: str) -> str | None:
        return None

    def python_files(self) -> Iterator[str]:
        return iter(())


class MemorySources:
    """Files held in memory: a complete (if tiny) repository."""

    label = "memory"
    complete = True

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read(self, path: str) -> str | None:
        return self.files.get(path)

    def python_files(self) -> Iterator[str]:
        return iter(sorted(path for path in self.files if path.endswith(".py")))


class _Inside:
    """The regular files below a folder, never one outside it (through ``..`` or a link)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._prefix = os.path.join(root, "")
        self._folders: dict[str, str] = {}
        """Folder -> its real path: resolved once, not once per file."""

    def file(self, path: str) -> str | None:
        """The real path of ``path`` (relative to the root), when that is a regular file
        inside the root."""
        folder, name = os.path.split(os.path.join(self.root, path))
        try:
            real = self._folders.get(folder)
            if real is None:
                real = self._folders[folder] = os.path.realpath(folder)
            target = os.path.join(real, name)
            mode = os.lstat(target).st_mode
            if stat.S_ISLNK(mode) or name in ("", ".", ".."):
                target = os.path.realpath(target)
                mode = os.stat(target).st_mode
        except (OSError, ValueError):  # missing, unreadable, or a NUL in the name
            return None
        return target if stat.S_ISREG(mode) and target.startswith(self._prefix) else None


class DirectorySources:
    """A checkout on disk (``--repo DIR``, or the git work tree the command runs in)."""

    complete = True

    def __init__(self, root: StrPath) -> None:
        if not os.path.isdir(root):
            raise ReviewError(f"--repo: {os.fspath(root)} is not a directory")
        self.root = os.path.realpath(root)
        """The absolute path of the checkout, links resolved."""
        self._inside = _Inside(self.root)
        self._regular: set[str] = set()
        """Paths found by :meth:`python_files`: regular files reached without a symbolic link."""

    @property
    def label(self) -> str:
        return self.root

    def read(self, path: str) -> str | None:
        """The text of ``path``; never a file outside the root (through ``..`` or a link)."""
        if path in self._regular:
            return read_file(os.path.join(self._inside.root, path))
        target = self._inside.file(path)
        return None if target is None else read_file(target)

    def python_files(self) -> Iterator[str]:
        """Python files below the root, neither through nor as symbolic links."""
        pending = [""]
        while pending:
            folder = pending.pop()
            try:
                entries = sorted(
                    os.scandir(os.path.join(self.root, folder)), key=lambda entry: entry.name
                )
            except OSError:
                continue
            for entry in entries:
                relative = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                        pending.append(relative)
                elif entry.name.endswith(".py") and entry.is_file():
                    self._regular.add(relative)
                    yield relative


def read_file(path: str) -> str | None:
    """The text of a regular file, or None when it cannot be read or is larger than
    :data:`MAX_FILE_BYTES` (a 2 GB file is never read whole: the change to it is reviewed from
    its hunks).

    Through the file descriptor, not a buffered file object: ``open()`` adds a terminal check
    and more ``fstat``/``lseek`` calls, a third of the time a read takes, and a review reads
    each of its files several times (the project reads them again for context)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        size = os.fstat(descriptor).st_size
        if size > limits.MAX_FILE_BYTES:
            return None
        data = os.read(descriptor, size + 1)  # a regular file's read stops short only at its end
        if len(data) > size:  # it grew since: read on to its end, as read() does
            data += b"".join(iter(lambda: os.read(descriptor, 1 << 16), b""))
        return decode(data)
    except OSError:
        return None
    finally:
        os.close(descriptor)


_GIT_ENVIRONMENT = {"GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"}
"""Never fetch a missing object from a promisor remote, never prompt: a review reads what is
here."""


def _skipped_folder(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith(".")


def read_failures(sources: Sources) -> Mapping[str, str]:
    """Paths ``sources`` could not read, with the reason (only git sources have any)."""
    failures: Mapping[str, str] = getattr(sources, "failures", {})
    return failures


class _CatFile:
    """One ``git cat-file --batch`` process: every blob of a review read through one stream.

    :meth:`read_many` writes all requests at once (from a thread, so that neither pipe fills up
    while the other waits) and reads the answers in order. Objects missing from the repository
    (a partial or shallow clone) are answered as missing; git is told not to fetch them.
    """

    def __init__(self, git_dir: str) -> None:
        import subprocess  # only git sources run processes: a review of a patch never does

        self.process = subprocess.Popen(
            ["git", "--git-dir", git_dir, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ) | _GIT_ENVIRONMENT,
        )
        weakref.finalize(self, _CatFile._stop, self.process)

    @staticmethod
    def _stop(process: subprocess.Popen[bytes]) -> None:
        """End the process with its reader: closing its input ends ``git cat-file``."""
        if process.stdin is not None:
            process.stdin.close()
        process.wait()

    def read_many(self, shas: list[str]) -> Iterator[tuple[str, bytes | None, bool]]:
        """``(sha, content, present)`` for each of ``shas``, in order: content None when the
        object is missing (``present`` false) or larger than a file of the repository may be
        (``present`` true; its bytes are passed over, never held)."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None

        def send() -> None:
            try:
                stdin.write("".join(f"{sha}\n" for sha in shas).encode())
                stdin.flush()
            except OSError:
                pass  # the process died: the reads below see the end of its output

        writer = threading.Thread(target=send, daemon=True)
        writer.start()
        try:
            for sha in shas:
                header = stdout.readline().split()
                if len(header) != 3:  # "<sha> missing", or the end of the output
                    yield sha, None, False
                    continue
                size = int(header[2])
                if size > limits.MAX_FILE_BYTES:
                    remaining = size + 1  # the content and the newline after it
                    while remaining and (chunk := stdout.read(min(remaining, 1 << 16))):
                        remaining -= len(chunk)
                    yield sha, None, True
                    continue
                data = stdout.read(size)
                stdout.read(1)  # the newline after the content
                yield sha, data, True
        finally:
            writer.join()


class GitRevisionSources:
    """The tree of a git revision (the end of a ``--git`` range, or a base revision).

    The tree is listed once (``git ls-tree``); blobs are read through one ``git cat-file --batch``
    stream: the first blob asked for brings every Python file of the tree along (cross-module
    lookups read them all), later ones are read one by one through the same stream. When the
    revision is the checked-out ``HEAD``, files that are clean in the work tree are read from it
    instead. A blob that cannot be read is listed in :attr:`failures`.
    """

    complete = True

    def __init__(
        self, repo_dir: StrPath, revision: str, label: str | None = None, prefetch: bool = True
    ) -> None:
        root = _git(repo_dir, "rev-parse", "--show-toplevel", "--absolute-git-dir", what=None)
        lines = root.splitlines()
        self.work_tree = _Inside(lines[0]) if len(lines) == 2 else None
        self.git_dir = lines[-1]
        if revision.startswith("-"):
            raise ReviewError(f"{revision!r} is not a revision")
        self.sha = _git(
            repo_dir, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", what=revision
        ).strip()
        self.revision = revision
        self._label = label or f"git revision {revision}"
        listing = _git(repo_dir, "ls-tree", "-r", "-z", "--full-tree", self.sha, what=revision)
        self.blobs: dict[str, str] = {}
        """Path -> blob id, for regular files."""
        for entry in listing.split("\0"):
            meta, _, path = entry.partition("\t")
            fields = meta.split()
            if len(fields) == 3 and fields[1] == "blob" and fields[0] in ("100644", "100755"):
                self.blobs[path] = fields[2]
        self.clean = self._clean_in_work_tree(repo_dir)
        self.failures: dict[str, str] = {}
        self._texts: dict[str, bytes] = {}
        self._cat: _CatFile | None = None
        self._prefetched = not prefetch

    def _clean_in_work_tree(self, repo_dir: StrPath) -> frozenset[str]:
        """Paths whose work tree file holds this revision's blob: all but the dirty ones, when
        the revision is the checked-out ``HEAD``."""
        if self.work_tree is None:
            return frozenset()
        head = _git(repo_dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", what=None)
        if head.strip() != self.sha:
            return frozenset()
        status = _git(
            repo_dir,
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=no",
            "--no-renames",
            what=None,
        )
        dirty = {entry[3:] for entry in status.split("\0") if len(entry) > 3}
        return frozenset(path for path in self.blobs if path not in dirty)

    @property
    def label(self) -> str:
        return self._label

    def read(self, path: str) -> str | None:
        sha = self.blobs.get(path)
        if sha is None:
            return None
        inside = self.work_tree if path in self.clean else None
        target = None if inside is None else inside.file(path)
        if target is not None:
            return read_file(target)  # None when too large: then not read from git either
        data = self._texts.pop(path, None)
        if data is None:
            data = self._fetch(path, sha)
        return None if data is None else decode(data)

    def _fetch(self, path: str, sha: str) -> bytes | None:
        wanted = {path: sha}
        if not self._prefetched:
            self._prefetched = True
            wanted.update(
                (other, blob)
                for other, blob in self.blobs.items()
                if other.endswith(".py") and other not in self.clean and self._listed(other)
            )
        if self._cat is None:
            self._cat = _CatFile(self.git_dir)
        paths = list(wanted)
        found: bytes | None = None
        for other, (_, data, present) in zip(
            paths, self._cat.read_many(list(wanted.values())), strict=True
        ):
            if data is None and present:  # too large to read, as in a work tree: not a failure
                continue
            if data is None:
                self.failures[other] = (
                    f"cannot be read from {self._label}: object {wanted[other][:12]} is missing "
                    "(a partial or shallow clone?)"
                )
            elif other == path:
                found = data
            else:
                self._texts[other] = data
        return found

    @staticmethod
    def _listed(path: str) -> bool:
        return not any(_skipped_folder(part) for part in path.split("/")[:-1])

    def python_files(self) -> Iterator[str]:
        return iter(path for path in self.blobs if path.endswith(".py") and self._listed(path))


def _git(repo_dir: StrPath, *args: str, what: str | None) -> str:
    """The output of ``git ARGS`` run in ``repo_dir``; a one-line ReviewError when it fails
    (``what`` names the revision for the message; None: the repository itself)."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", *args],
            cwd=repo_dir,
            capture_output=True,
            check=False,
            env=dict(os.environ) | _GIT_ENVIRONMENT,
        )
    except OSError as exc:
        raise ReviewError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = _first_line(done.stderr.decode(errors="replace") or f"git {args[0]} failed")
        if what is None:
            raise ReviewError(f"not a git repository: {repo_dir} ({message})")
        raise ReviewError(f"git cannot resolve {what!r}: {message}")
    return done.stdout.decode("utf-8", errors="replace")


class ReversedSources:
    """The repository before a change, rebuilt from the files after it and the diff's hunks:
    a changed file is its new text with each hunk's new lines put back to its old ones. Used as
    the base of a pull request, whose diff holds every line that changed."""

    complete = True

    def __init__(self, head: Sources, diff: Diff) -> None:
        self.head = head
        self.by_old_path = {c.old_path: c for c in diff.files if c.old_path is not None}

    @property
    def label(self) -> str:
        return f"{self.head.label}, before the change"

    def read(self, path: str) -> str | None:
        change = self.by_old_path.get(path)
        if change is None:
            return self.head.read(path)
        if change.status == "deleted":  # its hunk removes every line
            return "".join(f"{line}\n" for hunk in change.hunks for line in hunk.old_lines)
        text = self.head.read(change.path)
        return None if text is None else reverse(change, text)

    def python_files(self) -> Iterator[str]:
        return self.head.python_files()


def reverse(change: FileChange, text: str) -> str | None:
    """The text of ``change``'s file before the change, from ``text`` (after it); None when
    ``text`` does not hold the hunks' new lines where they say."""
    lines = text.splitlines()
    result: list[str] = []
    position = 0  # index of the next line of ``lines`` not yet copied
    for hunk in change.hunks:
        start = hunk.start if not hunk.lines else hunk.start - 1  # "+N,0": after line N
        end = start + len(hunk.lines)
        if start < position or [line.rstrip("\r") for line in lines[start:end]] != list(hunk.lines):
            return None
        result.extend(lines[position:start])
        result.extend(hunk.old_lines)
        position = end
    result.extend(lines[position:])
    return "\n".join(result) + "\n" if result else ""


class BaseSources:
    """The base revision as a review of it needs it: the change's own files from ``base`` (where
    they were before the change), every other file from ``head``, where it is the same and
    already read (and parsed) for the head review. Files the change adds do not exist here."""

    def __init__(self, base: Sources, head: Sources, diff: Diff) -> None:
        self.base = base
        self.head = head if head.complete else base
        self.old = {c.old_path for c in diff.files if c.old_path is not None}
        self.new = {c.path for c in diff.files if c.status != "deleted"} - self.old
        self.changed_paths = frozenset(self.old | self.new)
        """Paths whose text differs between the two sides."""

    def before(self, change: FileChange) -> str | None:
        """The text of ``change``'s file before the change (None: it did not exist, or cannot be
        read). A patch written by ``diff -u`` may name the old file after another folder: then
        the new path is tried too."""
        if change.old_path is None:
            return None
        text = self.base.read(change.old_path)
        if text is None and change.old_path != change.path:
            text = self.base.read(change.path)
        return text

    @property
    def label(self) -> str:
        return self.base.label

    @property
    def complete(self) -> bool:
        return self.head.complete

    def read(self, path: str) -> str | None:
        if path in self.new:
            return None
        return (self.base if path in self.old else self.head).read(path)

    def python_files(self) -> Iterator[str]:
        listed: set[str] = set()
        for path in self.head.python_files():
            listed.add(path)
            if path not in self.new:
                yield path
        yield from sorted(p for p in self.old - listed if p.endswith(".py"))


def python_files_in(sources: DirectorySources, paths: Iterable[StrPath]) -> list[str]:
    """The Python files of ``sources`` at or below ``paths`` (files or folders), as
    repository-relative paths in order; a path outside the repository, or missing, is an error."""
    wanted: list[str] = []
    root = sources.root
    for path in paths:
        target = os.path.realpath(path)
        if not os.path.exists(target):
            raise ReviewError(f"{os.fspath(path)}: no such file or directory")
        if not _within(target, root):
            raise ReviewError(f"{os.fspath(path)}: outside the repository {root}")
        wanted.append(os.path.relpath(target, root).replace(os.sep, "/"))
    if "." in wanted:
        return list(sources.python_files())
    files = set(wanted) & {path for path in wanted if path.endswith((".py", ".pyi"))}
    folders = tuple(f"{path}/" for path in wanted if path not in files)
    found = (
        {path for path in sources.python_files() if path.startswith(folders)} if folders else set()
    )
    return sorted(files | found)


def _within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or below it (both absolute and resolved)."""
    return path == folder or path.startswith(os.path.join(folder, ""))


def work_tree_root(start: StrPath) -> str | None:
    """The root of the git work tree holding ``start``, if any (no git binary needed)."""
    folder = os.path.realpath(start)
    while not os.path.exists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


def checkout_of(start: StrPath, sha: str) -> GitRevisionSources | None:
    """Commit ``sha`` of the git repository holding ``start``, when that repository has it (as
    a workflow's checkout of a pull request has its head): read locally, from the work tree
    where it is that commit and clean. None when there is no such repository or commit."""
    root = work_tree_root(start)
    if root is None or not sha or sha.startswith("-"):
        return None
    try:
        _git(root, "cat-file", "-e", f"{sha}^{{commit}}", what=sha)
        return GitRevisionSources(root, sha, f"the local checkout of {sha[:12]}")
    except ReviewError:
        return None


@record
class GitChange:
    """What ``--git`` reviews: the patch, the files after it and the revision before it."""

    patch: str
    sources: Sources
    base: GitRevisionSources


def git_diff(repo_dir: StrPath, revision_range: str | None) -> GitChange:
    """The patch of a git range (or of the working tree against HEAD or one revision), the
    sources after it, and the base: the start of ``A..B``, the merge base of ``A...B``, the one
    revision the working tree is compared with."""
    if revision_range and revision_range.startswith("-"):
        raise ReviewError(f"--git: {revision_range!r} is not a revision range")
    toplevel = _git(repo_dir, "rev-parse", "--show-toplevel", what=None).strip()
    if not toplevel:
        raise ReviewError("--git needs a repository with a work tree")
    root = toplevel
    spec = revision_range or "HEAD"
    start, dots, end = spec.partition("...") if "..." in spec else spec.partition("..")
    if start.startswith("-") or end.startswith("-"):
        raise ReviewError(f"--git: {revision_range!r} is not a revision range")
    if dots == "...":
        merge_base = _git(root, "merge-base", start or "HEAD", end or "HEAD", what=spec).strip()
        label = f"git revision {merge_base[:12]} (merge base of {spec})"
        base = GitRevisionSources(root, merge_base, label, prefetch=False)
    else:
        base = GitRevisionSources(root, start or "HEAD", prefetch=False)
    patch = _git(root, "diff", spec, "--no-color", "--no-ext-diff", "-M", what=spec)
    sources: Sources = GitRevisionSources(root, end or "HEAD") if dots else DirectorySources(root)
    return GitChange(patch + "\n" if patch.strip() else "", sources, base)


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
