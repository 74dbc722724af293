"""Cross-module facts: definitions in other modules of the repository, resolved lazily."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import cached_property
from typing import Any, Protocol, TypeVar

from reviewer.extract import Skipped, module_name, parse_module
from reviewer.extract.model import Assign, ClassDef, Function, Module
from reviewer.source import Sources

PYDANTIC_V2_REQUIREMENT = re.compile(r"pydantic\s*(\[[^\]]*\])?\s*(>=|==|~=)\s*2", re.IGNORECASE)
PYDANTIC_LOCKED = re.compile(r'name\s*=\s*"pydantic"\s*\n\s*version\s*=\s*"(\d+)\.')
"""The version of Pydantic a ``poetry.lock``/``uv.lock``/``pdm.lock`` installs."""
T = TypeVar("T")

PYDANTIC_V2_WORDS = re.compile(
    r"ConfigDict|field_validator|model_validator|model_config|model_dump"
)
DEPENDS_WORDS = re.compile(r"Depends|Security")
DEPENDS_CALL = re.compile(r"(?:Depends|Security)\(\s*(?:dependency\s*=\s*)?([\w.]+)")


class TextFilter(Protocol):
    """What :meth:`Project.all_modules` asks of a file's text before parsing it."""

    def search(self, text: str, /) -> object: ...


class _DependsNaming:
    """Matches text holding ``Depends(NAME``/``Security(NAME`` (or ``module.NAME``) for one of
    ``names``: the shape of :meth:`re.Pattern.search` that :meth:`Project.all_modules` needs."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def search(self, text: str) -> bool:
        return any(
            match.group(1).rsplit(".", 1)[-1] in self.names for match in DEPENDS_CALL.finditer(text)
        )


PYDANTIC_V2_NAMES = frozenset({"pydantic.field_validator", "pydantic.model_validator"})
"""Names only Pydantic 2 exports (``ConfigDict`` exists in 1.10 too, for dataclasses)."""


def _pins_pydantic_v1(text: str) -> bool:
    """The requirements keep Pydantic below version 2."""
    for match in re.finditer(
        r"pydantic\b(?![-_.\w])\s*(?:\[[^\]]*\])?\s*(?:=\s*(?=[\"']))?[\"']?([^\"'\n#;]*)",
        text,
        re.I,
    ):
        spec = match.group(1).replace(" ", "")
        if re.match(r"(\^|~|==|~=)1\b", spec) or re.search(r"<2(\.0)*(?![.\d])", spec):
            return True
    return False


class Project:
    """The changed modules plus whatever the repository context shows."""

    def __init__(self, modules: Iterable[Module], sources: Sources) -> None:
        self.changed = {module.name: module for module in modules}
        self.sources = sources
        self._parsed: dict[str, Module | None] = {}
        self._memo: dict[str, Any] = {}
        self._splits: dict[str, tuple[Module, str] | None] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A project-wide fact, computed once per review (rules run once per module, so a fact
        about the whole project must not be recomputed for each of them)."""
        if key not in self._memo:
            self._memo[key] = compute()
        value: T = self._memo[key]
        return value

    @property
    def complete(self) -> bool:
        """The whole repository is available as context."""
        return self.sources.complete

    @cached_property
    def _paths(self) -> dict[str, str]:
        paths: dict[str, str] = {}
        for path in self.sources.python_files():
            paths.setdefault(module_name(path), path)
        return paths

    def module(self, name: str) -> Module | None:
        """The module with dotted name ``name``: a changed one, or parsed from the context."""
        if name in self.changed:
            return self.changed[name]
        if name in self._parsed:
            return self._parsed[name]
        module: Module | None = None
        path = self._paths.get(name) if self.sources.complete else None
        if path is not None:
            text = self.sources.read(path)
            if text is not None:
                parsed = parse_module(path, text)
                module = None if isinstance(parsed, Skipped) else parsed
        self._parsed[name] = module
        return module

    def all_modules(self, mentioning: TextFilter | None = None) -> Iterator[Module]:
        """Every module of the repository (the changed ones when there is no context).

        With ``mentioning``, modules of the context whose text does not match it are not parsed:
        a cheap filter that keeps a small change in a large repository fast (the changed modules
        are always yielded).
        """
        yield from self.changed.values()
        if not self.sources.complete:
            return
        for name, path in self._paths.items():
            if name in self.changed:
                continue
            if name not in self._parsed:
                text = self.sources.read(path)
                if text is None or (mentioning is not None and not mentioning.search(text)):
                    continue
                parsed = parse_module(path, text)
                self._parsed[name] = None if isinstance(parsed, Skipped) else parsed
            module = self._parsed[name]
            if module is not None:
                yield module

    def _split(self, qualname: str) -> tuple[Module, str] | None:
        """The module a qualified name lives in, and the rest of the name (remembered)."""
        if qualname not in self._splits:
            self._splits[qualname] = self._find_split(qualname)
        return self._splits[qualname]

    def _find_split(self, qualname: str) -> tuple[Module, str] | None:
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[:cut])
            if name in self.changed or (self.sources.complete and name in self._paths):
                module = self.module(name)
                if module is not None:
                    return module, ".".join(parts[cut:])
        return None

    def function(self, qualname: str | None, hops: int = 0) -> tuple[Module, Function] | None:
        """The function a qualified name refers to, following up to three re-export hops: of the
        function, or of the class of a method (``pkg.Backend.logout`` when ``pkg/__init__.py``
        imports ``Backend`` from ``pkg.backend``)."""
        found = self._split(qualname) if qualname and hops <= 3 else None
        if found is None:
            return None
        module, local = found
        function = module.function(local)
        if function is not None:
            return module, function
        head, dot, rest = local.partition(".")
        target = module.import_map.get(head)
        if target and dot:
            target = f"{target}.{rest}"
        if target and target != qualname:
            return self.function(target, hops + 1)
        return None

    def cls(self, qualname: str | None) -> tuple[Module, ClassDef] | None:
        """The class a qualified name refers to, following one re-export hop."""
        found = self._split(qualname) if qualname else None
        if found is None:
            return None
        module, local = found
        class_def = module.cls(local)
        if class_def is not None:
            return module, class_def
        target = module.import_map.get(local)
        if target and target != qualname and not target.startswith(module.name + "."):
            return self.cls(target)
        return None

    def assignment(self, qualname: str | None) -> tuple[Module, Assign] | None:
        """The module-level assignment a qualified name refers to, following one re-export hop."""
        found = self._split(qualname) if qualname else None
        if found is None:
            return None
        module, local = found
        for assign in module.assignments:
            if (
                assign.function is None
                and assign.class_name is None
                and any(target.kind == "name" and target.op == local for target in assign.targets)
            ):
                return module, assign
        target = module.import_map.get(local)
        if target and target != qualname and not target.startswith(module.name + "."):
            return self.assignment(target)
        return None

    def class_kind(self, class_def: ClassDef, module: Module, depth: int = 0) -> str:
        """The kind of ``class_def``, following bases defined in other modules."""
        if class_def.kind != "class" or depth > 8:
            return class_def.kind
        for base in class_def.bases:
            found = self.cls(base.qualname)
            if found is None:
                continue
            base_kind = self.class_kind(found[1], found[0], depth + 1)
            if base_kind == "sqlmodel" and any(
                key == "table" and value.is_true for key, value in class_def.keywords
            ):
                return "sqlmodel_table"
            if base_kind != "class":
                return "sqlmodel" if base_kind == "sqlmodel_table" else base_kind
        return "class"

    def model_kind(self, qualname: str | None) -> str | None:
        """The kind of the class a qualified name refers to, or None when it is not known."""
        found = self.cls(qualname)
        if found is None:
            return None
        return self.class_kind(found[1], found[0])

    @cached_property
    def depends_targets(self) -> frozenset[str] | None:
        """Qualified names used in ``Depends(...)``/``Security(...)`` anywhere in the repository
        (calls, and markers in ``Annotated[...]`` parameter annotations), or None when the
        repository is not available as context."""
        if not self.sources.complete:
            return None
        targets: set[str] = set()
        for module in self.all_modules(mentioning=DEPENDS_WORDS):
            targets.update(module.depends_targets())
        return frozenset(targets)

    def depends_targets_of(self, module: Module) -> frozenset[str] | None:
        """Enough of :attr:`depends_targets` to tell which of ``module``'s own functions and
        classes some ``Depends``/``Security`` names (a superset: the targets that can name any
        changed module's definitions). None without the repository."""
        if not self.sources.complete:
            return None
        if "depends_targets" in self.__dict__:  # already computed in full
            return self.depends_targets
        return self._depends_targets_of_changed

    @cached_property
    def _depends_targets_of_changed(self) -> frozenset[str]:
        """``Depends``/``Security`` targets in the changed modules, and in the modules of the
        context whose text names one of the changed modules' definitions in such a call: one
        pass over the repository's text, parsing only those files (a dependency re-exported
        under another name is not followed)."""
        names: set[str] = set()
        for changed in self.changed.values():
            names.update(function.name for function in changed.functions)
            names.update(class_def.name for class_def in changed.classes)
        targets: set[str] = set()
        for other in self.all_modules(mentioning=_DependsNaming(names)):
            targets.update(other.depends_targets())
        return frozenset(targets)

    @cached_property
    def uses_pydantic_v2(self) -> bool:
        """The repository shows Pydantic 2: a lock file installs it, or (with no lock file) a
        requirement asks for it, or, with no requirement pinning Pydantic 1 either, v2-only
        names are in use (a ``model_config = ConfigDict(...)``, ``field_validator``,
        ``model_dump()``)."""
        for lock_file in ("poetry.lock", "uv.lock", "pdm.lock"):
            locked = PYDANTIC_LOCKED.search(self.sources.read(lock_file) or "")
            if locked is not None:
                return locked.group(1) != "1"
        for requirement_file in ("pyproject.toml", "requirements.txt", "setup.cfg", "setup.py"):
            text = self.sources.read(requirement_file)
            if text and PYDANTIC_V2_REQUIREMENT.search(text):
                return True
            if text and _pins_pydantic_v1(text):
                return False
        for module in self.all_modules(mentioning=PYDANTIC_V2_WORDS):
            if any(target in PYDANTIC_V2_NAMES for _, target in module.imports):
                return True
            if any(
                assign.class_name is not None
                and assign.value is not None
                and any(target.text == "model_config" for target in assign.targets)
                for assign in module.assignments
            ):
                return True  # a field named `model_config` (no value) is Pydantic 1
            if any(
                call.expr.func is not None and call.expr.func.op == "model_dump"
                for call in module.calls
            ):
                return True
        return False

    def reuse(self, other: Project, differing: Collection[str]) -> None:
        """Take the context modules ``other`` has parsed already, except those at ``differing``
        paths: for the review of another revision whose other files are the same."""
        for name, module in other._parsed.items():
            if module is not None and module.path not in differing:
                self._parsed.setdefault(name, module)
