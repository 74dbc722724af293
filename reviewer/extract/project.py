"""Cross-module facts: definitions in other modules of the repository, resolved lazily."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import cached_property
from typing import Any, Protocol, TypeVar

from reviewer.extract import Skipped, module_name, parse_module
from reviewer.extract.build import HTTP_METHODS
from reviewer.extract.model import Assign, ClassDef, Function, Module
from reviewer.extract.store import ModuleStore
from reviewer.patterns import regex
from reviewer.source import Sources

PYDANTIC_V2_REQUIREMENT = regex(r"pydantic\s*(\[[^\]]*\])?\s*(>=|==|~=)\s*2", re.IGNORECASE)
PYDANTIC_LOCKED = regex(r'name\s*=\s*"pydantic"\s*\n\s*version\s*=\s*"(\d+)\.')
"""The version of Pydantic a ``poetry.lock``/``uv.lock``/``pdm.lock`` installs."""
T = TypeVar("T")

PYDANTIC_V2_WORDS = regex(r"ConfigDict|field_validator|model_validator|model_config|model_dump")
DEPENDS_WORDS = regex(r"Depends|Security")
DEPENDS_CALL = regex(r"(?:Depends|Security)\(\s*(?:dependency\s*=\s*)?([\w.]+)")


class TextFilter(Protocol):
    """What :meth:`Project.all_modules` asks of a file's text before parsing it."""

    def search(self, text: str, /) -> object: ...


class _DependsNaming:
    """Matches text holding ``Depends(NAME``/``Security(NAME`` (or ``module.NAME``) for one of
    the ``names`` (asked for when first needed): the shape of :meth:`re.Pattern.search` that
    :meth:`Project.all_modules` needs."""

    def __init__(self, names: Callable[[], set[str]]) -> None:
        self._names = names
        self.names: set[str] | None = None

    def search(self, text: str) -> bool:
        for match in DEPENDS_CALL.finditer(text):
            if self.names is None:  # only when some text names a dependency
                self.names = self._names()
            if match.group(1).rsplit(".", 1)[-1] in self.names:
                return True
        return False


ROUTE_DECORATOR_NAMES = HTTP_METHODS | {"api_route"}
"""Attribute names (lower-cased) of the decorator calls that declare a route (``build.route``)."""
_AT = regex(r"@([^\r\n]*)")
"""An ``@`` and what follows it on its physical line."""
_INDENT = " \t\f\ufeff"
_NAMED_METHOD = regex(
    r"\.[ \t\f]*(?:get|post|put|patch|delete|head|options|trace|api_route)(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
_GOES_ON = regex(r"[(\[{\\'\"]")
"""What a logical line needs to hold a call or go on past its physical line: a bracket, a
backslash or a string (a triple-quoted one spans lines)."""
_CLASS_NAME = regex(r"class[ \t\f\\\r\n]+([^\x00-/:-@\[-^`{-\x7f]+)")
"""A class statement's name as written (a non-ASCII one is normalised by the parser): letters,
digits, ``_`` and any non-ASCII character, spelt as what is not the rest of ASCII: the same set
as the word characters with every non-ASCII one, which spelt with the word escape took 2 ms of
every start to compile."""
_DECORATOR_WINDOW = 8192
"""Characters of text read to find where a decorator ends (a longer one is taken as a route)."""


def _decorator_names_route(text: str, at: int) -> bool:
    """The decorator starting at ``text[at]`` (``@``) may call ``<anything>.get(...)`` (or
    another route method): its tokens, to the end of its logical line, hold a ``.`` followed by
    such a name. When that cannot be told (the decorator goes on past the text read), yes."""
    import io
    import tokenize
    import unicodedata

    window = text[at : at + _DECORATOR_WINDOW]
    if "\r" in window:  # Python reads a lone carriage return as a line break, as tokenize does not
        window = window.replace("\r\n", "\n").replace("\r", "\n")
    after_dot = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(window).readline):
            if token.type == tokenize.NEWLINE:
                return token.string != "\n"  # not a real line break: the window ended
            if (
                after_dot
                and token.type == tokenize.NAME
                and unicodedata.normalize("NFKC", token.string).lower() in ROUTE_DECORATOR_NAMES
            ):
                return True
            after_dot = token.type == tokenize.OP and token.string == "."
    except (tokenize.TokenError, SyntaxError):
        return True
    return True


def may_declare_route(text: str) -> bool:
    """The module parsed from ``text`` may declare a route: a sure filter (it is false only when
    no decorator can be a ``<receiver>.<method>(...)`` call), for the changed modules, where
    skipping one that declares a route would lose findings.

    A decorator that fits on its line with no bracket, backslash or string (``@property``) is
    no call; one whose line shows ``.get``/``.post``... may be a route; the others are read
    token by token to the end of their logical line."""
    for match in _AT.finditer(text):
        at = before = match.start()
        while before > 0 and text[before - 1] in _INDENT:
            before -= 1
        if before > 0 and text[before - 1] not in "\r\n":
            continue  # not first on its line: a decorator is (even after a backslash-joined line)
        rest = match.group(1)
        if _NAMED_METHOD.search(rest):
            return True
        if _GOES_ON.search(rest) and _decorator_names_route(text, at):
            return True
    return False


def class_names(text: str) -> Iterator[str]:
    """The name of every class the module parsed from ``text`` defines, as the parser reads it
    (and perhaps other words that follow ``class``): sure, for a filter on class names."""
    import unicodedata

    for match in _CLASS_NAME.finditer(text):
        name = match.group(1)
        yield name if name.isascii() else unicodedata.normalize("NFKC", name)


class MayDeclare:
    """A sure text filter (see :class:`TextFilter`): true for the text of every module that
    declares a route or a class whose name ``class_name`` matches. For the changed modules of
    :meth:`Project.modules_mentioning`, where the context's filters (cheap, and blind to rare
    shapes) would lose findings: a whole code base checked has every module changed."""

    def __init__(self, class_name: re.Pattern[str]) -> None:
        self.class_name = class_name

    def search(self, text: str) -> bool:
        if any(self.class_name.search(name) for name in class_names(text)):
            return True
        return may_declare_route(text)


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


class _Summary:
    """The names a module defines and imports, kept after the store lets the module go: a
    lookup of a name the module does not define, or only re-exports, is answered without
    building it again."""

    __slots__ = ("assigned", "classes", "functions", "imports", "name")

    def __init__(self, module: Module) -> None:
        self.name = module.name
        self.functions = frozenset(function.qualname for function in module.functions)
        self.classes = frozenset(
            name for class_def in module.classes for name in (class_def.name, class_def.qualname)
        )
        self.imports = module.import_map
        self.assigned = frozenset(
            target.op
            for assign in module.assignments
            if assign.function is None and assign.class_name is None
            for target in assign.targets
            if target.kind == "name"
        )


class ChangedFiles(Protocol):
    """The changed files of a review, as a :class:`Project` builds their modules."""

    def build(self, path: str) -> Module | Skipped:
        """The module of the changed file at ``path`` (the same each time)."""
        ...

    def texts(self, path: str) -> Iterable[str]:
        """The texts the module at ``path`` is built from: a word is in its lines only if it is
        in one of these (so a pass for a word need not build a module that cannot hold it)."""
        ...


class _Built:
    """Changed modules built already (a review of one file, the base side of a review)."""

    def __init__(self, modules: Iterable[Module]) -> None:
        self.modules = {module.path: module for module in modules}

    def build(self, path: str) -> Module | Skipped:
        return self.modules[path]

    def texts(self, path: str) -> Iterable[str]:
        return ("\n".join(self.modules[path].lines),)


class Project:
    """The changed modules plus whatever the repository context shows.

    Modules are built when first needed and held in a :class:`ModuleStore`: past its budget (a
    review of a whole code base) a module let go is built again, the same way, when needed again.
    """

    def __init__(
        self,
        paths: Iterable[str],
        files: ChangedFiles,
        sources: Sources,
        store: ModuleStore | None = None,
    ) -> None:
        """The project whose changed files are at ``paths``, their modules built by ``files``."""
        self._changed: dict[str, list[str]] = {}
        for path in paths:
            self._changed.setdefault(module_name(path), []).append(path)
        self._files = files
        self.store = store if store is not None else ModuleStore()
        self.skipped: dict[str, Skipped] = {}
        """Changed files whose module does not build, by path."""
        self._built: set[str] = set()
        self.built_order: list[str] = []
        """Changed paths in the order their modules were built (again when built again): what
        the engine reviews first, while the store still holds it (see :meth:`holds`)."""
        self.sources = sources
        self._parsed: dict[str, str | None] = {}
        """Names of context modules read so far: the path, when the module built."""
        self._memo: dict[str, Any] = {}
        self._splits: dict[str, tuple[str, str] | None] = {}
        self._kinds: dict[str, str | None] = {}
        self._summaries: dict[tuple[str, str], _Summary] = {}
        """What each module built so far defines and imports, by its key in the store."""

    @classmethod
    def of(cls, modules: Iterable[Module], sources: Sources) -> Project:
        """The project whose changed modules are ``modules``, already built."""
        built = _Built(modules)
        return cls(built.modules, built, sources)

    def changed_module(self, path: str) -> Module | None:
        """The module of the changed file at ``path`` (None when it does not build)."""
        return self.store.get(("changed", path), lambda: self._build_changed(path))

    def release(self, path: str) -> None:
        """Done with the changed module at ``path`` for now (see :meth:`ModuleStore.release`)."""
        self.store.release(("changed", path))

    def holds(self, path: str) -> bool:
        """The store holds the changed module at ``path`` now (asking for it builds nothing)."""
        return self.store.held(("changed", path)) is not None

    def _build_changed(self, path: str) -> Module | None:
        loaded = self._files.build(path)
        if isinstance(loaded, Skipped):
            self.skipped[path] = loaded
            return None
        self._built.add(path)
        self.built_order.append(path)
        self._summaries["changed", path] = _Summary(loaded)
        return loaded

    def builds(self, path: str) -> bool:
        """The changed file at ``path`` builds a module (built once to know, then remembered)."""
        if path in self._built:
            return True
        return path not in self.skipped and self.changed_module(path) is not None

    def _changed_path(self, name: str) -> str | None:
        """The path of the changed module called ``name`` (of the last such file that builds)."""
        for path in reversed(self._changed.get(name, ())):
            if self.builds(path):
                return path
        return None

    def _changed_known(self, name: str) -> bool:
        """``name`` is known, without building, to be a changed module that builds."""
        return any(path in self._built for path in self._changed.get(name, ()))

    def _changed_named(self, name: str) -> Module | None:
        path = self._changed_path(name)
        return None if path is None else self.changed_module(path)

    def _context(self, name: str, path: str) -> Module | None:
        """The module of the context's file at ``path`` (read and built again when let go)."""

        def build() -> Module | None:
            text = self.sources.read(path)
            parsed = parse_module(path, text) if text is not None else None
            if not isinstance(parsed, Module):
                return None
            self._summaries["context", name] = _Summary(parsed)
            return parsed

        return self.store.get(("context", name), build)

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
        changed = self._changed_named(name)
        if changed is not None:
            return changed
        if name in self._parsed:
            known = self._parsed[name]
            return None if known is None else self._context(name, known)
        path = self._paths.get(name) if self.sources.complete else None
        module = self._context(name, path) if path is not None else None
        self._parsed[name] = None if module is None else path
        return module

    def all_modules(self, mentioning: TextFilter | None = None) -> Iterator[Module]:
        """Every module of the repository (the changed ones when there is no context).

        With ``mentioning``, modules of the context whose text does not match it are not parsed:
        a cheap filter that keeps a small change in a large repository fast (the changed modules
        are always yielded). The changed modules come in diff order while the store holds them
        all; past its budget, those it holds come first (see :meth:`_changed_cheap_first`).
        """
        yield from self._changed_cheap_first()
        yield from self._context_modules(mentioning)

    def _any_order(self, mentioning: TextFilter) -> Iterator[Module]:
        """The modules of :meth:`all_modules` that ``mentioning`` matches, the changed ones
        among them too, in an order that builds the fewest: for a fact that depends neither on
        the order nor on modules that do not hold those words."""
        return self.modules_mentioning(mentioning, mentioning)

    def modules_mentioning(self, changed: TextFilter, context: TextFilter) -> Iterator[Module]:
        """The changed modules whose text ``changed`` matches and the modules of the context
        whose text ``context`` matches, in an order that builds the fewest: for a fact that
        depends neither on the order nor on modules that do not hold those words."""
        yield from self._changed_cheap_first(changed)
        yield from self._context_modules(context)

    def _changed_cheap_first(self, mentioning: TextFilter | None = None) -> Iterator[Module]:
        """The changed modules (with ``mentioning``, only those that may hold its words): those
        the store holds first (no building), then the others from the last, so that the ones
        the rules review next are held after a pass over them all."""
        later: list[str] = []
        for name, paths in self._changed.items():
            if mentioning is not None and len(paths) == 1 and paths[0] not in self._built:
                path = paths[0]  # status unknown: build only if its text holds the words
                if path in self.skipped or not self._mentions(path, mentioning):
                    continue
                later.append(path)
                continue
            found = self._changed_path(name)
            if found is None or (mentioning is not None and not self._mentions(found, mentioning)):
                continue
            held = self.store.held(("changed", found))
            if held is None:
                later.append(found)
            else:
                yield held
        for path in reversed(later):
            module = self.changed_module(path)
            if module is not None:
                yield module
                self.release(path)

    def _mentions(self, path: str, words: TextFilter) -> bool:
        return any(words.search(text) for text in self._files.texts(path))

    def _context_modules(self, mentioning: TextFilter | None) -> Iterator[Module]:
        if not self.sources.complete:
            return
        for name, path in self._paths.items():
            if self._changed_known(name):
                continue
            text = None
            if name not in self._parsed:
                text = self.sources.read(path)
                if text is None or (mentioning is not None and not mentioning.search(text)):
                    continue
            if self._changed_path(name) is not None:  # built to know, only when it matters
                continue
            if text is not None:
                parsed = parse_module(path, text)
                self._parsed[name] = path if isinstance(parsed, Module) else None
                if isinstance(parsed, Module):
                    self._summaries["context", name] = _Summary(parsed)
                    self.store.put(("context", name), parsed)
            known = self._parsed[name]
            module = None if known is None else self._context(name, known)
            if module is not None:
                yield module

    def _split(self, qualname: str) -> tuple[str, str] | None:
        """The name of the module a qualified name lives in, and the rest of the name
        (remembered)."""
        if qualname not in self._splits:
            self._splits[qualname] = self._find_split(qualname)
        return self._splits[qualname]

    def _built_module(self, name: str) -> Module:
        """The module called ``name``, which built before (so it builds again)."""
        module = self.module(name)
        assert module is not None
        return module

    def _summary(self, name: str) -> _Summary:
        """What the module called ``name``, which built before, defines and imports."""
        path = self._changed_path(name)
        key = ("changed", path) if path is not None else ("context", name)
        summary = self._summaries.get(key)
        if summary is None:  # parsed by another project (see :meth:`reuse`)
            summary = self._summaries[key] = _Summary(self._built_module(name))
        return summary

    def _builds(self, name: str) -> bool:
        """The module called ``name`` builds (built once to know, then remembered)."""
        if self._changed_path(name) is not None:
            return True
        if name in self._parsed:
            return self._parsed[name] is not None
        return self.module(name) is not None

    def _find_split(self, qualname: str) -> tuple[str, str] | None:
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[:cut])
            known = self._changed_path(name) is not None or (
                self.sources.complete and name in self._paths
            )
            if known and self._builds(name):
                return name, ".".join(parts[cut:])
        return None

    def function(self, qualname: str | None, hops: int = 0) -> tuple[Module, Function] | None:
        """The function a qualified name refers to, following up to three re-export hops: of the
        function, or of the class of a method (``pkg.Backend.logout`` when ``pkg/__init__.py``
        imports ``Backend`` from ``pkg.backend``)."""
        found = self._split(qualname) if qualname and hops <= 3 else None
        if found is None:
            return None
        name, local = found
        summary = self._summary(name)
        if local in summary.functions:
            module = self._built_module(name)
            function = module.function(local)
            assert function is not None
            return module, function
        head, dot, rest = local.partition(".")
        target = summary.imports.get(head)
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
        name, local = found
        summary = self._summary(name)
        if local in summary.classes:
            module = self._built_module(name)
            class_def = module.cls(local)
            assert class_def is not None
            return module, class_def
        target = summary.imports.get(local)
        if target and target != qualname and not target.startswith(summary.name + "."):
            return self.cls(target)
        return None

    def assignment(self, qualname: str | None) -> tuple[Module, Assign] | None:
        """The module-level assignment a qualified name refers to, following one re-export hop."""
        found = self._split(qualname) if qualname else None
        if found is None:
            return None
        name, local = found
        summary = self._summary(name)
        if local in summary.assigned:
            module = self._built_module(name)
            for assign in module.assignments:
                if (
                    assign.function is None
                    and assign.class_name is None
                    and any(
                        target.kind == "name" and target.op == local for target in assign.targets
                    )
                ):
                    return module, assign
        target = summary.imports.get(local)
        if target and target != qualname and not target.startswith(summary.name + "."):
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
        """The kind of the class a qualified name refers to, or None when it is not known
        (remembered: asked again for every module, it need not keep the class's module)."""
        if qualname is None:
            return None
        if qualname not in self._kinds:
            found = self.cls(qualname)
            self._kinds[qualname] = None if found is None else self.class_kind(found[1], found[0])
        return self._kinds[qualname]

    @cached_property
    def depends_targets(self) -> frozenset[str] | None:
        """Qualified names used in ``Depends(...)``/``Security(...)`` anywhere in the repository
        (calls, and markers in ``Annotated[...]`` parameter annotations), or None when the
        repository is not available as context."""
        if not self.sources.complete:
            return None
        targets: set[str] = set()
        for module in self._any_order(mentioning=DEPENDS_WORDS):
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
        targets: set[str] = set()
        for changed in self._changed_cheap_first(DEPENDS_WORDS):
            targets.update(changed.depends_targets())
        for other in self._context_modules(mentioning=_DependsNaming(self._definition_names)):
            targets.update(other.depends_targets())
        return frozenset(targets)

    def _definition_names(self) -> set[str]:
        """The names of the changed modules' functions and classes (one pass over them)."""
        names: set[str] = set()
        for changed in self._changed_cheap_first():
            names.update(function.name for function in changed.functions)
            names.update(class_def.name for class_def in changed.classes)
        return names

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
        for module in self._any_order(mentioning=PYDANTIC_V2_WORDS):
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
        for name, path in other._parsed.items():
            if path is not None and path not in differing:
                self._parsed.setdefault(name, path)
                held = other.store.held(("context", name))
                if held is not None and self._parsed[name] == path:
                    self.store.put(("context", name), held)
