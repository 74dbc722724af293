"""Configuration: ``fastapi-review.toml`` (its top level) or ``[tool.fastapi-review]`` in
``pyproject.toml``, overridden by command-line flags. The repository root's file configures the
review; a folder below it with a file of its own (a monorepo's ``backend/``) configures the files
under it instead, as ruff's nearest configuration does.

A record (a frozen dataclass's fields, ``reviewer.record``) checked against its own annotations,
not a pydantic model: importing pydantic and building a model costs about 100 ms, most of the
start-up budget of a review that needs no other pydantic (the LLM pass, which validates answers
with pydantic, imports it when it runs).
"""

from __future__ import annotations

import enum
import fnmatch
import functools
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

from reviewer.errors import ReviewError
from reviewer.record import field, fields, record, replace
from reviewer.rules.base import Severity, Tier
from reviewer.rules.registry import BY_ID, expand

if TYPE_CHECKING:
    from _typeshed import StrPath

FailOn = Literal["error", "warning", "info", "never"]
Provider = Literal["anthropic", "bedrock", "vertex"]
DEFAULT_MODEL = "claude-sonnet-5-5"
CONFIG_FILES = ("fastapi-review.toml", "pyproject.toml")
"""The files a folder's configuration is read from, the first that has a table winning."""
MAX_CONFIG_BYTES = 1 << 20
"""A configuration file larger than this is refused (``pyproject.toml`` files are kilobytes)."""


def _key(name: str, bounds: tuple[float, float] | None = None) -> dict[str, Any]:
    """Field metadata: the key as written in TOML, and the bounds of a number."""
    return {"key": name, "bounds": bounds}


@record
class Config:
    """Everything that changes what a review reports."""

    select: list[str] = field(default_factory=list)
    """Rule ids or prefixes to run (empty: every rule)."""
    ignore: list[str] = field(default_factory=list)
    """Rule ids or prefixes never to report."""
    per_path_ignores: dict[str, list[str]] = field(
        default_factory=dict, metadata=_key("per-path-ignores")
    )
    """Glob -> rule ids or prefixes to ignore in matching files."""
    severity: dict[str, Severity] = field(default_factory=dict)
    """Rule id -> severity override."""
    exclude: list[str] = field(default_factory=list)
    """Globs of files never reviewed."""
    preview: bool = False
    """Also run the rules of the preview tier (one selected by its exact id runs anyway)."""
    fail_on: FailOn = field(default="error", metadata=_key("fail-on"))
    """Exit with 1 when a finding is at or above this severity."""
    model: str = DEFAULT_MODEL
    """The Claude model of the LLM pass (on Bedrock or Vertex: that provider's model id)."""
    provider: Provider | None = None
    """Where the LLM pass sends requests (default: ``CLAUDE_CODE_USE_BEDROCK``/``_VERTEX``, else
    ``anthropic``)."""
    min_confidence: float = field(default=0.6, metadata=_key("min-confidence", (0.0, 1.0)))
    """LLM findings less confident than this are dropped."""
    max_concurrency: int = field(default=4, metadata=_key("max-concurrency", (1, 32)))
    """LLM requests in flight at once."""
    token_budget: int = field(default=16_000, metadata=_key("token-budget", (4_000, 150_000)))
    """Estimated input tokens of one LLM request: larger changes are split into chunks."""
    max_retries: int = field(default=3, metadata=_key("max-retries", (0, 10)))
    """Retries of one LLM request on rate limits (429), overloads (529) and server errors."""
    time_budget: float = field(default=120.0, metadata=_key("time-budget", (1.0, 3600.0)))
    """Seconds the whole LLM pass may take; then it stops, keeping what it has, with a warning."""
    scopes: tuple[tuple[str, Config], ...] = field(default=(), metadata={"internal": True})
    """Folders below the root with a configuration of their own (deepest first): the files under
    a folder are reviewed with its configuration, whose globs are relative to that folder. Not a
    key: found by :func:`discover`."""

    def _scope(self, path: str) -> tuple[Config, str]:
        """The configuration that governs ``path`` and the path relative to its folder."""
        for folder, config in self.scopes:
            if path.startswith(f"{folder}/"):
                return config, path[len(folder) + 1 :]
        return self, path

    def admits(self, rule_id: str) -> bool:
        """The rule runs at all: selected, not ignored, and in the stable tier unless preview
        rules are on or the selection names the rule by its exact id (here or in a folder's
        configuration)."""
        return self._admits(rule_id) or any(config._admits(rule_id) for _, config in self.scopes)

    def _admits(self, rule_id: str) -> bool:
        if self.select and rule_id not in expand(self.select, "select"):
            return False
        if rule_id in expand(self.ignore, "ignore"):
            return False
        rule = BY_ID.get(rule_id)
        return (
            rule is None
            or rule.tier is Tier.STABLE
            or self.preview
            or rule_id in {selector.strip().upper() for selector in self.select}
        )

    def enabled(self, rule_id: str, path: str) -> bool:
        """Findings of ``rule_id`` in the file at ``path`` are reported."""
        config, relative = self._scope(path)
        if not config._admits(rule_id):
            return False
        for pattern, ids in config.per_path_ignores.items():
            if _matches(relative, pattern) and rule_id in expand(ids, "per-path-ignores"):
                return False
        return True

    def excluded(self, path: str) -> bool:
        """The file at ``path`` is never reviewed."""
        config, relative = self._scope(path)
        candidates = _candidates(relative)
        return any(_glob(pattern)(candidates) for pattern in config.exclude)

    def severity_of(self, rule_id: str, path: str) -> Severity | None:
        """The severity configured for ``rule_id`` in the file at ``path``, if any."""
        return self._scope(path)[0].severity.get(rule_id)


def _candidates(path: str) -> tuple[str, ...]:
    """What a glob is matched against: the path, the folders it is in, and its tails."""
    parts = path.split("/")
    heads = ["/".join(parts[:end]) for end in range(1, len(parts))]
    tails = ["/".join(parts[start:]) for start in range(1, len(parts))]
    return (path, *heads, *tails)


@functools.cache
def _glob(pattern: str) -> Callable[[tuple[str, ...]], bool]:
    """``pattern`` compiled once: it matches a path when it matches the path, a folder holding
    it (``pattern/*``) or the path's end after a ``/`` (``*/pattern``); ``*`` crosses ``/``."""
    pattern = pattern.rstrip("/")
    if not any(char in pattern for char in "*?["):
        return lambda candidates: pattern in candidates
    match = re.compile(fnmatch.translate(pattern)).match
    return lambda candidates: any(match(candidate) for candidate in candidates)


def _matches(path: str, pattern: str) -> bool:
    return _glob(pattern)(_candidates(path))


def _type_name(kind: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        kind, getattr(kind, "__name__", str(kind))
    )


def _check(where: str, value: Any, kind: Any, bounds: tuple[float, float] | None = None) -> Any:
    """``value`` checked against the annotation ``kind`` (the few shapes Config uses)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(arg) for arg in args)
            raise ReviewError(f"{where}: expected one of {choices}, got {value!r}")
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = (arg for arg in args if arg is not type(None))
        return _check(where, value, inner, bounds)
    if origin is list:
        if not isinstance(value, list):
            raise ReviewError(f"{where}: expected a list, got {value!r}")
        return [_check(f"{where}[{i}]", item, args[0]) for i, item in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ReviewError(f"{where}: expected a table, got {value!r}")
        return {key: _check(f"{where}.{key}", item, args[1]) for key, item in value.items()}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(repr(member.value) for member in kind)
            raise ReviewError(f"{where}: expected one of {choices}, got {value!r}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ReviewError(f"{where}: expected {_type_name(kind)}, got {value!r}")
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise ReviewError(f"{where}: must be between {bounds[0]} and {bounds[1]}, got {value!r}")
    if value == "":
        raise ReviewError(f"{where}: must not be empty")
    return value


def _validate(table: dict[str, Any]) -> Config:
    hints = typing.get_type_hints(Config)
    keys = [f for f in fields(Config) if not f.metadata.get("internal")]
    by_key = {f.metadata.get("key", f.name): f for f in keys}
    names = {f.name: f for f in keys}
    aliases = {"per-file-ignores": "per-path-ignores"}  # as ruff spells it
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in table.items():
        found = by_key.get(aliases.get(key, key)) or names.get(key)
        if found is None:
            raise ReviewError(f"unknown key {key!r}{_did_you_mean(key, [*by_key, *aliases])}")
        if found.name in spelled:
            raise ReviewError(f"{spelled[found.name]!r} and {key!r} are the same key: give one")
        spelled[found.name] = key
        values[found.name] = _check(key, value, hints[found.name], found.metadata.get("bounds"))
    for name in ("select", "ignore"):
        expand(values.get(name, []), "rule selection")
    for ids in values.get("per_path_ignores", {}).values():
        expand(ids, "per-path-ignores")
    if "severity" in values:
        expand(list(values["severity"]), "severity")
        values["severity"] = {key.upper(): level for key, level in values["severity"].items()}
    return Config(**values)


def _did_you_mean(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key.lower().replace("_", "-"), known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _read_toml(path: str) -> dict[str, Any]:
    """The TOML document at ``path``: a file, ``/dev/null`` or a pipe (``--config <(...)``)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ReviewError(f"{path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ReviewError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MiB: not read")
    # Imported here: a repository without a configuration file never pays for the parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        document: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ReviewError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    return document


def _table(path: str, explicit: bool) -> dict[str, Any] | None:
    """The configuration table in ``path``: the top level of a ``fastapi-review.toml``, the
    ``[tool.fastapi-review]`` table of any other file; None when the file has none."""
    data = _read_toml(path)
    if os.path.basename(path) == CONFIG_FILES[0]:
        return data
    tool = data.get("tool", {})
    section = tool.get("fastapi-review") if isinstance(tool, dict) else None
    if section is None:
        return {} if explicit else None
    if not isinstance(section, dict):
        raise ReviewError(f"{path}: [tool.fastapi-review] must be a table")
    return section


def _folder_table(folder: str) -> tuple[str, dict[str, Any]] | None:
    """The configuration a folder holds: its ``fastapi-review.toml``, else the
    ``[tool.fastapi-review]`` table of its ``pyproject.toml``; None when it holds none."""
    for name in CONFIG_FILES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            table = _table(path, explicit=False)
            if table is not None:
                return path, table
    return None


def _build(source: str | None, table: dict[str, Any], overrides: dict[str, object]) -> Config:
    merged = {**table, **{key: value for key, value in overrides.items() if value is not None}}
    try:
        return _validate(merged)
    except ReviewError as exc:
        prefix = f"{source}: " if source is not None else ""
        raise ReviewError(f"{prefix}configuration: {exc}") from None


def load_config(
    path: StrPath | None, overrides: dict[str, object], explicit: bool = False
) -> Config:
    """The configuration of a review, with ``overrides`` (the command-line flags) applied.

    ``path`` is ``--config`` (``explicit``: read whatever it is, so ``/dev/null`` and pipes work),
    the repository root folder (its ``fastapi-review.toml`` or ``pyproject.toml`` is read) or a
    file in it.
    """
    given = None if path is None else os.fspath(path)
    if given is not None and (explicit or os.path.isfile(given)):
        return _build(given, _table(given, explicit=True) or {}, overrides)
    found = _folder_table(given) if given is not None and os.path.isdir(given) else None
    return _build(found[0], found[1], overrides) if found else _build(None, {}, overrides)


def discover(
    config: Config, root: StrPath, paths: Iterable[str], overrides: dict[str, object]
) -> Config:
    """``config`` with the configurations of the folders below ``root`` that hold the files at
    ``paths`` (the nearest one above each file governs it)."""
    scopes: dict[str, Config] = {}
    seen: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for end in range(len(parts), 0, -1):
            folder = "/".join(parts[:end])
            if folder in seen:
                break
            seen.add(folder)
            found = _folder_table(os.path.join(root, folder))
            if found is not None:
                scopes[folder] = _build(found[0], found[1], overrides)
                break
    ordered = sorted(scopes.items(), key=lambda item: item[0].count("/"), reverse=True)
    return replace(config, scopes=tuple(ordered))
