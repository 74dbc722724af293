"""What a rule is: a registered unit with an id, its documentation, examples and a check."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import ClassVar

from reviewer.extract.model import Call, Expr, Module, Span
from reviewer.extract.project import Project
from reviewer.record import record


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Tier(str, enum.Enum):
    """Whether a rule runs by default (as ruff's stable and preview rules).

    ``stable`` rules run by default; ``preview`` rules run with ``--preview`` (``preview = true``
    in the configuration) or when selected by their exact id. The tier of a rule follows its
    precision on the real-code ledger (bench/precision): see ``reviewer.rules.measured``.
    """

    STABLE = "stable"
    PREVIEW = "preview"


@record
class Edit:
    """Replace the source text of ``span`` (an empty span inserts) with ``text``. Columns are as
    in :class:`Span`: 0-based, in UTF-8 bytes."""

    span: Span
    text: str


@record
class Autofix:
    """A mechanical fix of a finding: text edits on its file.

    A ``safe`` fix keeps what the code means (a rename of a deprecated API, ``await
    asyncio.sleep`` for ``time.sleep`` in a coroutine); an unsafe one changes behaviour a
    maintainer should look at first (a bound on a query parameter, cookie flags, a guessed JWT
    algorithm). ``--fix`` applies safe fixes, ``--unsafe-fixes`` both; a pull-request comment
    offers either as a suggestion to apply in one click.
    """

    title: str
    """What the fix does, in a few words (``Await asyncio.sleep()``)."""
    edits: tuple[Edit, ...]
    safe: bool


@record
class Finding:
    rule_id: str
    name: str
    severity: Severity
    path: str
    line: int
    end_line: int
    column: int
    message: str
    fix: str
    source: str = "static"
    """``static`` for the deterministic engine, ``llm`` for the Claude pass."""
    trigger: tuple[int, int] | None = None
    """Lines (first, last) of a construct that makes the code a violation (e.g. the ``async def``
    around a blocking call): changing them also puts the finding in the change."""
    end_column: int = 0
    """1-based column just past the flagged code on ``end_line``, as SARIF's ``endColumn``
    (0: unknown)."""
    construct: str = ""
    """Qualified name of the definition the finding is on (``create_order``, ``UserOut.password``;
    "" for module-level code), set with :attr:`fingerprint` by the engine."""
    fingerprint: str = ""
    """The finding's stable identity (see :mod:`reviewer.report.fingerprint`), set by the engine."""
    autofix: Autofix | None = None
    """A mechanical fix, for the rules that have one."""

    @property
    def sort_key(self) -> tuple[str, int, int, str, int, str, str]:
        """A total order, so that reports are identical from run to run."""
        return (
            self.path,
            self.line,
            self.column,
            self.rule_id,
            self.end_line,
            self.message,
            self.source,
        )


@record
class Valid:
    """Code a rule must stay silent on."""

    code: str
    path: str = "app/main.py"


@record
class Invalid:
    """Code a rule must report, at exactly ``line`` (one finding)."""

    code: str
    line: int
    path: str = "app/main.py"


class Rule:
    """Base of every rule. Subclasses set the class attributes and the docstring, whose sections
    (What it does / Why is this bad? / Example / Use instead) are the rule's documentation."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    engine: ClassVar[str] = "static"
    tier: ClassVar[Tier] = Tier.STABLE
    cwe: ClassVar[tuple[int, ...]] = ()
    """The CWE ids of the weakness a security rule finds; a rule with one is a security rule
    (SARIF tags it ``security`` and gives it a ``security-severity``)."""
    fix: ClassVar[str] = ""
    """One line: what to write instead (shown with every finding)."""
    VALID: ClassVar[tuple[str | Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    @classmethod
    def doc(cls) -> str:
        import inspect  # here: a review shows no documentation (inspect costs 8 ms to import)

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of "What it does"."""
        lines = cls.doc().split("## What it does", 1)[-1].strip().split("\n\n", 1)[0]
        return " ".join(lines.split())

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        """Yield the findings of this rule in ``module``. LLM-owned rules have no check."""
        return iter(())

    def finding(
        self,
        module: Module,
        where: Span | Expr | Call,
        message: str,
        end_line: int | None = None,
        trigger: Span | None = None,
        autofix: Autofix | None = None,
        fix: str | None = None,
    ) -> Finding:
        """A finding of this rule on ``where``; ``fix`` words the rule's fix line for this code."""
        span = where if isinstance(where, Span) else where.span
        return Finding(
            rule_id=self.id,
            name=self.name,
            severity=self.severity,
            path=module.path,
            line=span.line,
            end_line=end_line if end_line is not None else span.end_line,
            column=span.column + 1,
            message=message,
            fix=self.fix if fix is None else fix,
            trigger=None if trigger is None else (trigger.line, trigger.end_line),
            end_column=span.end_column + 1 if span.end_column else 0,
            autofix=autofix,
        )


def cwe_text(rule: type[Rule]) -> str:
    """``CWE-89`` (several joined with commas), for the rule's page and ``explain``."""
    return ", ".join(f"CWE-{cwe}" for cwe in rule.cwe)
