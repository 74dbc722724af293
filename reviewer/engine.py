"""The review pipeline: diff -> modules -> rules -> findings on the changed lines."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from reviewer import __version__, limits
from reviewer.config import Config
from reviewer.diff import Diff, FileChange, parse_diff, whole_files
from reviewer.extract import Skipped, parse_hunks, parse_module
from reviewer.extract.model import Module
from reviewer.extract.project import Project
from reviewer.extract.store import size
from reviewer.record import field, record, replace
from reviewer.report.fingerprint import identify
from reviewer.rules.base import Finding, Rule, Severity
from reviewer.rules.registry import BY_ID, STATIC_RULES
from reviewer.source import BaseSources, MemorySources, Sources, read_failures

if TYPE_CHECKING:
    from reviewer.llm.client import ReviewClient
    from reviewer.llm.usage import PassSummary  # 1.6 ms of start-up a static review need not pay


@record
class UnusedSuppression:
    """A suppression comment that silenced no finding: the ids it names that silenced nothing
    (empty for a bare ``# fastapi-review: ignore``)."""

    path: str
    line: int
    ids: tuple[str, ...]


@record
class Report:
    """The result of a review, which every renderer reads."""

    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...] = ()
    partial: tuple[str, ...] = ()
    """Python files reviewed from their hunks only (no post-change file was available)."""
    files: int = 0
    """Files in the change."""
    python_files: int = 0
    """Python files reviewed (whole or partially)."""
    lines: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)
    """Post-change lines of the reviewed files, for showing code next to findings."""
    change: Change | None = field(default=None, compare=False, repr=False)
    """The analysed change (diff, modules, project), for renderers that describe its constructs."""
    llm: PassSummary | None = None
    """The LLM pass, when one ran: usage, cost estimate and warnings."""
    mode: str = "touched"
    """Which findings the review kept: ``differential`` (new against the base revision, on the
    change's lines), ``touched`` (on the change's lines; no base), ``all-lines`` or ``files``
    (whole files checked with no diff: ``fastapi-review check``)."""
    base: str = ""
    """The base revision of a differential review, for messages."""
    preexisting: int = 0
    """Findings on the change's lines that the base already had (differential review only)."""
    rules: frozenset[str] = frozenset()
    """Ids of the static rules that ran: a finding of another rule is not known to be gone."""
    fixed: int = 0
    """Findings ``--fix`` fixed in the files (no longer among :attr:`findings`)."""
    unused_suppressions: tuple[UnusedSuppression, ...] = ()
    """Suppression comments of the change that silenced nothing (``--report-unused-ignores``)."""
    version: str = __version__

    @property
    def scope(self) -> str:
        """Which findings these are, in a few words (for the summary line)."""
        if self.mode == "differential":
            return f"new against {self.base} ({self.preexisting} already there not shown)"
        if self.mode == "all-lines":
            return "on every line of the changed files"
        if self.mode == "files":
            return "in whole files, with no diff"
        return "on the changed lines"

    def counts(self) -> dict[Severity, int]:
        """Findings per severity, every severity present (highest first)."""
        result = dict.fromkeys(Severity, 0)
        for finding in self.findings:
            result[finding.severity] += 1
        return result

    def code_line(self, finding: Finding) -> str:
        """The post-change text of the finding's first line, stripped ("" if unknown)."""
        lines = self.lines.get(finding.path, ())
        return lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""


P = ParamSpec("P")
T = TypeVar("T")


def _without_gc(function: Callable[P, T]) -> Callable[P, T]:
    """Pause the cyclic garbage collector while ``function`` runs.

    Extraction allocates many small acyclic objects (AST nodes, frozen dataclasses); the collector
    would rescan the growing heap again and again, making the review superlinear in the size of
    the change. Reference counting still frees everything as usual.
    """

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


def _agrees(change: FileChange, lines: tuple[str, ...]) -> bool:
    """The post-change file holds the diff's new-side text where the hunks say (``lines``, split
    by ``str.splitlines``, hold no line ending)."""
    return all(
        lines[hunk.start - 1 : hunk.start - 1 + len(hunk.lines)] == hunk.lines
        for hunk in change.hunks
    )


def load_module(change: FileChange, sources: Sources) -> Module | Skipped:
    """The module of a changed file: whole when its text is known, else from the hunks."""
    text = sources.read(change.path)
    if text is None and change.whole:  # read before, gone since: its lines were not kept
        return Skipped(change.path, "the file could not be read")
    lines = None if text is None else tuple(text.splitlines())  # split once, kept as the module's
    if lines is not None and not _agrees(change, lines):
        text = None
    whole = change.status == "added" and len(change.hunks) == 1 and change.hunks[0].start <= 1
    if text is None and whole:
        text = "\n".join(change.hunks[0].lines) + "\n"
        lines = tuple(text.splitlines())
    if text is None:
        return parse_hunks(change)
    if whole and lines == change.hunks[0].lines:
        lines = change.hunks[0].lines  # a new file's lines are its hunk's: keep them once
    return parse_module(change.path, text, lines=lines, added_lines=change.added)


_build = _without_gc(load_module)


def run_rules(
    modules: Iterable[Module],
    project: Project,
    rules: Iterable[type[Rule]],
    failures: list[Skipped] | None = None,
) -> list[Finding]:
    """Every finding of ``rules`` in ``modules``.

    With ``failures``, a rule that raises on a module (a bug of ours) is recorded there and the
    review goes on without it; without, the exception propagates (as the tests want).
    """
    instances = [rule() for rule in rules]
    findings: list[Finding] = []
    for module in modules:
        for rule in instances:
            if failures is None:
                findings.extend(rule.check(module, project))
                continue
            try:
                findings.extend(list(rule.check(module, project)))
            except Exception as exc:
                failures.append(
                    Skipped(
                        module.path,
                        f"{rule.id} failed on this file ({type(exc).__name__}: {exc}); the other "
                        "rules ran. This is a bug in fastapi-review: please report it",
                    )
                )
    return findings


def _suppressed(finding: Finding, module: Module) -> int | None:
    """The line of the comment that suppresses ``finding`` (any line of its range), or None."""
    for line in range(finding.line, finding.end_line + 1):
        ids = module.suppressions.get(line)
        if ids is not None and (not ids or finding.rule_id in ids):
            return line
    return None


def _on_changed_lines(finding: Finding, change: FileChange) -> bool:
    ranges = [(finding.line, finding.end_line)]
    if finding.trigger is not None:
        ranges.append(finding.trigger)
    return any(line in change.added for first, last in ranges for line in range(first, last + 1))


@record
class Change:
    """A parsed change: the diff, its Python files and the project around them.

    Modules are built by the project when first needed (and again when its store let them go:
    a review of a whole code base does not hold every module at once)."""

    diff: Diff
    entries: tuple[FileChange | Skipped, ...]
    """The change's Python files in diff order: one to review (its module built on demand), or
    why one is not reviewed."""
    project: Project
    base: BaseSources | None = None
    """The repository before the change, when known: the review reports what is new against it."""

    @property
    def modules(self) -> Iterator[Module]:
        """The modules of the reviewed files, in diff order, built one at a time."""
        for entry in self.entries:
            if isinstance(entry, FileChange):
                module = self.project.changed_module(entry.path)
                if module is not None:
                    yield module
                    self.project.release(entry.path)

    def modules_held_first(self) -> Iterator[tuple[int, Module]]:
        """The modules of :attr:`modules`, each with its place among :attr:`entries`, in the
        order that builds the fewest: a module the project built meanwhile (looked up from one
        reviewed before, or read by a pass over them all) comes first while its store still
        holds it, the most recently built first; the others in diff order. A whole code base
        reviewed past the store's budget then reviews most modules while they are held for
        another, instead of building them again."""
        project = self.project
        order = [(p, e.path) for p, e in enumerate(self.entries) if isinstance(e, FileChange)]
        waiting: dict[str, list[int]] = {}  # places not reviewed yet, the first last (a patch
        for place, path in reversed(order):  # may name a path twice)
            waiting.setdefault(path, []).append(place)
        fresh: list[str] = []  # paths built since, the most recent last
        seen = 0  # paths of project.built_order in fresh
        following = iter(order)
        for _ in order:
            fresh.extend(project.built_order[seen:])
            seen = len(project.built_order)
            held = None
            while fresh and held is None:
                candidate = fresh.pop()
                if waiting.get(candidate) and project.holds(candidate):
                    held = candidate
            path = held or next(path for place, path in following if place in waiting[path])
            place = waiting[path].pop()
            module = project.changed_module(path)
            if module is not None:
                yield place, module
                project.release(path)

    def module(self, path: str) -> Module | None:
        """The module of the reviewed file at ``path`` (None: not reviewed, or does not build)."""
        return self.project.changed_module(path) if path in self._reviewed else None

    @functools.cached_property
    def _reviewed(self) -> frozenset[str]:
        return frozenset(e.path for e in self.entries if isinstance(e, FileChange))

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """The Python files not reviewed, with the reason (building the modules not built yet)."""
        found: list[Skipped] = []
        for entry in self.entries:
            if isinstance(entry, Skipped):
                found.append(entry)
            elif (entry.hunks or entry.whole) and not self.project.builds(entry.path):
                found.append(self.project.skipped[entry.path])
        return tuple(found)

    def unreadable(self) -> dict[str, str]:
        """Files of the context (either side) that could not be read, with the reason."""
        failures = dict(read_failures(self.project.sources))
        if self.base is not None:
            failures.update(read_failures(self.base.base))
        return failures


def _past_limits(reviewed: int) -> str:
    if reviewed >= limits.MAX_FILES:
        return f"not reviewed: past the {limits.MAX_FILES:,} Python files reviewed in one change"
    text = limits.size(limits.MAX_REVIEW_BYTES)
    return f"not reviewed: past the {text} of Python reviewed in one change"


def analyze(patch: str, sources: Sources, config: Config, base: Sources | None = None) -> Change:
    """Parse ``patch`` and extract the modules it touches. Raises ReviewError for non-diffs.

    ``base`` is the repository before the change (only the change's own files are read from
    it): with one, the review reports only the findings the change introduces."""
    return analyze_diff(parse_diff(patch), sources, config, base)


def analyze_files(paths: Iterable[str], sources: Sources, config: Config) -> Change:
    """The change that adds the files at ``paths`` whole (how ``check`` reviews files with no
    diff); a file that cannot be read is listed as skipped."""
    unreadable: list[Skipped] = []

    def texts() -> Iterator[tuple[str, str]]:  # one file's text at a time, read again later
        for path in paths:
            text = sources.read(path)
            if text is None:
                unreadable.append(Skipped(path, "the file could not be read"))
            else:
                yield path, text

    diff = whole_files(texts())
    change = analyze_diff(diff, sources, config, capped=False)
    return replace(change, entries=change.entries + tuple(unreadable))


def analyze_diff(
    diff: Diff, sources: Sources, config: Config, base: Sources | None = None, capped: bool = True
) -> Change:
    """The Python files ``diff`` touches, to review (see :func:`analyze`).

    ``capped``: a change (which anyone can write) reviews at most ``limits.MAX_FILES`` files and
    ``limits.MAX_REVIEW_BYTES`` of Python text, which takes building its modules to count;
    files read from the user's own disk (``check``) are not capped, beyond the size of each
    file, and their modules are built when the rules need them."""
    changes = [c for c in diff.files if c.is_python and not config.excluded(c.path)]
    entries: list[FileChange | Skipped] = []
    built: dict[str, Module | Skipped] = {}
    modules = 0
    reviewed = 0  # characters of Python text, against limits.MAX_REVIEW_BYTES
    for change in changes:
        if change.skipped or (
            capped and (modules >= limits.MAX_FILES or reviewed >= limits.MAX_REVIEW_BYTES)
        ):
            entries.append(Skipped(change.path, change.skipped or _past_limits(modules)))
            continue
        entries.append(change)
        if capped:
            loaded = built[change.path] = _build(change, sources)
            if isinstance(loaded, Module):
                modules += 1
                reviewed += size(loaded)
    files = _Files(
        {entry.path: entry for entry in entries if isinstance(entry, FileChange)}, sources, built
    )
    before = None if base is None else BaseSources(base, sources, diff)
    return Change(diff, tuple(entries), Project(files.changes, files, sources), before)


class _Files:
    """The changed files of a review, as its project builds their modules (on demand, and
    again when its store let one go)."""

    def __init__(
        self, changes: dict[str, FileChange], sources: Sources, built: dict[str, Module | Skipped]
    ) -> None:
        self.changes = changes
        self.sources = sources
        self.built = built
        """Modules built to count them against the limits, until the project asks for them."""

    def build(self, path: str) -> Module | Skipped:
        held = self.built.pop(path, None)  # handed over, not kept twice
        return held if held is not None else _build(self.changes[path], self.sources)

    def texts(self, path: str) -> Iterator[str]:
        text = self.sources.read(path)
        if text is not None:
            yield text
        for hunk in self.changes[path].hunks:
            yield "\n".join(hunk.lines)


def review(patch: str, sources: Sources, config: Config, all_lines: bool = False) -> Report:
    """Review ``patch`` with the static rules."""
    return review_change(analyze(patch, sources, config), config, all_lines)


@_without_gc
def review_change(
    change: Change, config: Config, all_lines: bool = False, report_unused: bool = False
) -> Report:
    """Run the static rules over an analysed change and keep what belongs to it; with
    ``report_unused``, also list the change's suppression comments that silenced nothing.

    Module by module: each one's findings are identified and filtered while it is built, so
    that a whole code base is reviewed without holding every module."""
    project = change.project
    rules = [rule for rule in STATIC_RULES if config.admits(rule.id)]
    ran = {rule.id for rule in rules}
    found: list[Finding] = []
    kept: list[Finding] = []
    used: set[tuple[str, int, str]] = set()
    lines: dict[str, tuple[str, ...]] = {}
    each: list[tuple[int, list[Skipped], str | None, list[UnusedSuppression]]] = []
    """Per module: its place among the entries (the report lists files in diff order), its
    rules' failures, its path if partial, its unused suppressions."""
    elsewhere = False  # a finding in another module than the one checked (none of ours does)
    for place, module in change.modules_held_first():
        failed: list[Skipped] = []
        own = run_rules([module], project, rules, failed)
        found.extend(own)
        elsewhere = elsewhere or any(finding.path != module.path for finding in own)
        idle: list[UnusedSuppression] = []
        if not elsewhere:
            mine = _keep(identify(own, {module.path: module}), change, config, all_lines, used)
            kept.extend(mine)
            if mine:
                lines[module.path] = module.lines
            if report_unused:
                idle = list(_unused(module, used, ran, all_lines))
        each.append((place, failed, module.path if module.partial else None, idle))
    each.sort(key=lambda reviewed: reviewed[0])
    failures = [failure for _, failed, _, _ in each for failure in failed]
    partial = [path for _, _, path, _ in each if path is not None]
    unused = [suppression for *_, idle in each for suppression in idle]
    if elsewhere:  # identities are numbered per file: identify every file's findings together
        used.clear()
        kept = _keep(identify(found, _modules(change, found)), change, config, all_lines, used)
        if report_unused:
            unused = [u for m in change.modules for u in _unused(m, used, ran, all_lines)]
        lines = _lines(change, kept)
    kept = sorted(set(kept), key=lambda f: f.sort_key)
    mode, preexisting = "all-lines" if all_lines else "touched", 0
    if change.base is not None and not all_lines:
        introduced = _introduced(kept, change, change.base, rules)
        mode, preexisting = "differential", len(kept) - len(introduced)
        kept = introduced
    unreadable = [Skipped(path, reason) for path, reason in change.unreadable().items()]
    return Report(
        findings=tuple(kept),
        mode=mode,
        base=change.base.label if change.base is not None else "",
        preexisting=preexisting,
        rules=frozenset(ran),
        unused_suppressions=tuple(unused),
        skipped=change.skipped + tuple(unreadable) + tuple(failures),
        partial=tuple(partial),
        files=len(change.diff.files),
        python_files=len(each),
        lines={finding.path: lines[finding.path] for finding in kept},
        change=change,
    )


def _modules(change: Change, findings: Iterable[Finding]) -> dict[str, Module]:
    """The modules of the reviewed files ``findings`` are in, by path."""
    modules = {path: change.module(path) for path in {finding.path for finding in findings}}
    return {path: module for path, module in modules.items() if module is not None}


def _lines(change: Change, findings: Iterable[Finding]) -> dict[str, tuple[str, ...]]:
    """The lines of the files with ``findings``: what renderers show next to them."""
    return {path: module.lines for path, module in _modules(change, findings).items()}


def _introduced(
    findings: list[Finding], change: Change, base: BaseSources, rules: Iterable[type[Rule]]
) -> list[Finding]:
    """Of ``findings``, those whose identity the base does not have.

    Only what that needs is reviewed on the base side: the base versions of the files with a
    finding, by the rules that found something, with the head's parsed context reused for the
    files the change leaves alone. Each base module is parsed under its new path (so a renamed
    file keeps its identities), with the lines the change removed as its changed lines (rules
    that look at what a change adds see the same on both sides). A file with no base version
    (added, or unreadable) keeps all its findings.
    """
    wanted = {finding.path for finding in findings}
    modules: list[Module] = []
    for file in change.diff.files:
        if file.path not in wanted or file.old_path is None:
            continue
        text = base.before(file)
        module = None if text is None else parse_module(file.path, text, added_lines=file.removed)
        if isinstance(module, Module):
            modules.append(module)
    if not modules:
        return findings
    project = Project.of(modules, base)
    project.reuse(change.project, base.changed_paths)
    ids = {finding.rule_id for finding in findings}
    found = run_rules(modules, project, [rule for rule in rules if rule.id in ids], [])
    known = {finding.fingerprint for finding in identify(found, {m.path: m for m in modules})}
    compared = {module.path for module in modules}
    return [f for f in findings if f.path not in compared or f.fingerprint not in known]


def _unused(
    module: Module, used: set[tuple[str, int, str]], ran: set[str], all_lines: bool
) -> Iterator[UnusedSuppression]:
    """The suppression comments of ``module`` on the change's lines (every line with
    ``all_lines``) that silenced nothing. An id of a rule that did not run (not selected, or
    judged by the Claude pass) is not known to be unused; an id no rule has silences nothing."""
    silenced = {(path, line) for path, line, _ in used if path == module.path}
    for line, ids in sorted(module.suppressions.items()):
        if not all_lines and line not in module.added_lines:
            continue
        if not ids:
            if (module.path, line) not in silenced:
                yield UnusedSuppression(module.path, line, ())
            continue
        idle = sorted(
            rule_id
            for rule_id in ids
            if (rule_id in ran or rule_id not in BY_ID) and (module.path, line, rule_id) not in used
        )
        if idle:
            yield UnusedSuppression(module.path, line, tuple(idle))


def _keep(
    findings: Iterable[Finding],
    change: Change,
    config: Config,
    all_lines: bool,
    used: set[tuple[str, int, str]] | None = None,
) -> list[Finding]:
    """The findings that belong to the change and the configuration, sorted, without duplicates.

    ``used`` collects ``(path, line, rule id)`` of the suppression comments that silenced one."""
    kept: list[Finding] = []
    for finding in findings:
        module = change.module(finding.path)
        changed = change.diff.file(finding.path)
        if module is None or changed is None:
            continue
        suppressed = _suppressed(finding, module)
        if suppressed is not None:
            if used is not None:
                used.add((finding.path, suppressed, finding.rule_id))
            continue
        if not all_lines and not _on_changed_lines(finding, changed):
            continue
        if not config.enabled(finding.rule_id, finding.path):
            continue
        severity = config.severity_of(finding.rule_id, finding.path)
        if severity is not None:
            finding = replace(finding, severity=severity)
        kept.append(finding)
    return sorted(set(kept), key=lambda f: f.sort_key)


def review_llm(
    change: Change,
    report: Report,
    config: Config,
    environ: Mapping[str, str],
    all_lines: bool = False,
    progress: bool = False,
    client: ReviewClient | None = None,
) -> Report:
    """Add the LLM pass to the static ``report`` of ``change``: its findings (filtered like static
    ones, never duplicating one) and its summary. A failed pass leaves the static findings as they
    are, with warnings in the summary."""
    from reviewer.llm.review import run_pass  # the SDK is imported only when a pass runs

    found, summary = run_pass(change, report.findings, config, environ, progress, client)
    seen = {(f.rule_id, f.path, f.line) for f in report.findings}
    added = [
        f
        for f in _keep(identify(found, _modules(change, found)), change, config, all_lines)
        if (f.rule_id, f.path, f.line) not in seen
    ]
    merged = sorted({*report.findings, *added}, key=lambda f: f.sort_key)
    lines = {**_lines(change, added), **report.lines}
    return replace(report, findings=tuple(merged), llm=summary, lines=lines)


def review_source(
    code: str, path: str = "app/main.py", rules: Iterable[type[Rule]] | None = None
) -> list[Finding]:
    """Review ``code`` as a newly added file at ``path`` (the whole file is on changed lines).

    The repository context is the file alone. Used by rule examples and documentation checks.
    """
    sources = MemorySources({path: code})
    module = parse_module(path, code)
    if isinstance(module, Skipped):
        raise ValueError(f"{path}: {module.reason}")
    project = Project.of([module], sources)
    found = run_rules([module], project, STATIC_RULES if rules is None else rules)
    return sorted((f for f in found if _suppressed(f, module) is None), key=lambda f: f.sort_key)
