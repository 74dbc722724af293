"""Where the post-change text of files comes from: a directory, a git revision, or nowhere.

All file and git I/O of a review happens here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from reviewer.errors import ReviewError

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


class DirectorySources:
    """A checkout on disk (``--repo DIR``, or the git work tree the command runs in)."""

    complete = True

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise ReviewError(f"--repo: {root} is not a directory")
        self.root = root.resolve()
        self._regular: set[str] = set()
        """Paths found by :meth:`python_files`: regular files reached without a symbolic link."""

    @property
    def label(self) -> str:
        return str(self.root)

    def read(self, path: str) -> str | None:
        """The text of ``path``; never a file outside the root (through ``..`` or a link)."""
        target = self.root / path
        if path not in self._regular:
            target = target.resolve()
            if not target.is_relative_to(self.root) or not target.is_file():
                return None
        try:
            return decode(target.read_bytes())
        except OSError:
            return None

    def python_files(self) -> Iterator[str]:
        """Python files below the root, neither through nor as symbolic links."""
        pending = [""]
        while pending:
            folder = pending.pop()
            try:
                entries = sorted(os.scandir(self.root / folder), key=lambda entry: entry.name)
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


class GitRevisionSources:
    """The tree of a git revision (the end of a ``--git`` range)."""

    complete = True

    def __init__(self, repo_dir: Path, revision: str) -> None:
        import git

        try:
            self.repo = git.Repo(repo_dir, search_parent_directories=True)
            self.tree = self.repo.commit(revision).tree
        except (git.GitError, ValueError) as exc:
            raise ReviewError(f"cannot read revision {revision!r}: {_first_line(exc)}") from None
        self.revision = revision

    @property
    def label(self) -> str:
        return f"git revision {self.revision}"

    def read(self, path: str) -> str | None:
        try:
            blob = self.tree / path
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        data: bytes = blob.data_stream.read()
        return decode(data)

    def python_files(self) -> Iterator[str]:
        for item in self.tree.traverse():
            path = str(getattr(item, "path", ""))
            if getattr(item, "type", "") == "blob" and path.endswith(".py"):
                parts = path.split("/")
                if not any(part in SKIP_DIRS for part in parts[:-1]):
                    yield path


def work_tree_root(start: Path) -> Path | None:
    """The root of the git work tree holding ``start``, if any (no git binary needed)."""
    current = start.resolve()
    for folder in (current, *current.parents):
        if (folder / ".git").exists():
            return folder
    return None


def git_diff(repo_dir: Path, revision_range: str | None) -> tuple[str, Sources]:
    """The patch of a git range (or of the working tree against HEAD) and the matching sources."""
    import git

    try:
        repo = git.Repo(repo_dir, search_parent_directories=True)
    except (git.GitError, git.exc.NoSuchPathError) as exc:
        raise ReviewError(f"not a git repository: {repo_dir} ({_first_line(exc)})") from None
    if repo.working_tree_dir is None:
        raise ReviewError("--git needs a repository with a work tree")
    root = Path(repo.working_tree_dir)
    if revision_range and revision_range.startswith("-"):
        raise ReviewError(f"--git: {revision_range!r} is not a revision range")
    try:
        patch: str = repo.git.diff(revision_range or "HEAD", "--no-color", "--no-ext-diff", "-M")
        if revision_range and ".." in revision_range:
            end = revision_range.split("..")[-1].lstrip(".") or "HEAD"
            sources: Sources = GitRevisionSources(root, end)
        else:  # one revision: the working tree against it
            sources = DirectorySources(root)
    except git.GitCommandError as exc:
        message = (exc.stderr or str(exc)).strip().replace("stderr: ", "").strip("'\n ")
        raise ReviewError(
            f"git cannot resolve {revision_range or 'HEAD'!r}: {_first_line(message)}"
        ) from None
    return patch + "\n" if patch else "", sources


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
