"""The head of a pull request as review context, read through the REST API."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from functools import cached_property

from reviewer import limits
from reviewer.github.client import GitHubClient, GitHubError
from reviewer.source import SKIP_DIRS, decode

CONFIGURATION = frozenset({"pyproject.toml", "setup.cfg", "requirements.txt"})
"""The files besides Python ones that a review reads (``Project.uses_pydantic_v2``)."""


def _kept(path: str) -> bool:
    """Python files and configuration: the archive's other files are never read."""
    return path.endswith((".py", ".pyi")) or path.rsplit("/", 1)[-1] in CONFIGURATION


class ApiSources:
    """The files of ``repo`` at commit ``sha``, from one archive download made on first use.

    One request whatever the size of the repository, where reading file by file would spend the
    token's rate limit on the cross-module lookups that read every module. When the archive
    cannot be had, :attr:`failure` says why and nothing is known: the change is reviewed from its
    hunks.
    """

    def __init__(self, client: GitHubClient, repo: str, sha: str) -> None:
        self.client = client
        self.repo = repo
        self.sha = sha
        self.failure: str | None = None
        """Why the archive could not be read, once that was tried and failed."""

    @property
    def complete(self) -> bool:
        return bool(self._files) or self.failure is None

    @property
    def label(self) -> str:
        return f"{self.repo}@{self.sha[:12]} (GitHub API)"

    @cached_property
    def _files(self) -> dict[str, bytes]:
        try:
            return self._download()
        except GitHubError as exc:
            self.failure = (
                f"the files of {self.repo}@{self.sha[:12]} could not be downloaded ({exc}); "
                "the change is reviewed from the diff's hunks"
            )
            return {}

    def _download(self) -> dict[str, bytes]:
        data = self.client.tarball(self.repo, self.sha)
        files: dict[str, bytes] = {}
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
                for member in archive:
                    # GitHub's archives hold one top folder, "<owner>-<repo>-<sha>/".
                    _, _, path = member.name.partition("/")
                    folders = path.split("/")[:-1]
                    if (
                        not member.isfile()
                        or member.size > limits.MAX_FILE_BYTES
                        or not _kept(path)
                    ):
                        continue
                    if any(folder in SKIP_DIRS for folder in folders):
                        continue
                    content = archive.extractfile(member)
                    if content is not None:
                        files[path] = content.read()
        except tarfile.TarError as exc:
            raise GitHubError(
                f"the archive of {self.repo}@{self.sha} is unreadable: {exc}"
            ) from None
        return files

    def read(self, path: str) -> str | None:
        data = self._files.get(path)
        return None if data is None else decode(data)

    def python_files(self) -> Iterator[str]:
        return iter(sorted(path for path in self._files if path.endswith(".py")))
