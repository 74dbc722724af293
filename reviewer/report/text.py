"""``--format text``: for people at a terminal (rich colours) or reading a log (plain)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from reviewer.engine import Report
from reviewer.report.safe import terminal_safe

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(report: Report) -> str:
    parts = [_plural(count, s.value) for s, count in report.counts().items() if count]
    head = _plural(len(report.findings), "finding")
    if parts:
        head += f" ({', '.join(parts)})"
    head += f" in {_plural(report.python_files, 'Python file')}, {report.scope}"
    if report.skipped:
        head += f"; {len(report.skipped)} skipped"
        newer = [s.needs for s in report.skipped if s.needs is not None]
        if newer:
            verb = "needs" if len(newer) == 1 else "need"
            head += f" ({len(newer)} {verb} Python {'.'.join(map(str, max(newer)))} to parse)"
    if report.partial:
        head += f"; {len(report.partial)} reviewed from the diff alone (pass --repo for context)"
    if report.fixed:
        head += f"; {report.fixed} fixed"
    return head


class TextRenderer:
    name: ClassVar[str] = "text"

    def __init__(self, color: bool = False) -> None:
        self.color = color

    def render(self, report: Report) -> str:
        from rich.console import Console  # only when text is rendered: summary() needs no rich
        from rich.markup import escape

        def show(text: str) -> str:
            """Text from the reviewed files or the model, on one line of a terminal."""
            return escape(terminal_safe(text).replace("\n", " "))

        console = Console(
            force_terminal=self.color,
            no_color=not self.color,
            width=10_000 if not self.color else None,
            highlight=False,
            soft_wrap=True,
        )
        with console.capture() as capture:
            for finding in report.findings:
                style = STYLES[finding.severity.value]
                console.print(
                    f"[bold]{show(finding.path)}:{finding.line}:{finding.column}[/bold] "
                    f"[{style}]{finding.rule_id} {finding.severity.value}[/{style}] "
                    f"{show(finding.message)} [dim]({finding.name})[/dim]"
                )
                code = report.code_line(finding)
                if code:
                    console.print(f"  [dim]{finding.line:>5} |[/dim] {show(code)}")
                if finding.fix:
                    console.print(f"  [green]fix:[/green] {show(finding.fix)}")
                if finding.autofix is not None:
                    flag = "--fix" if finding.autofix.safe else "--unsafe-fixes"
                    console.print(
                        f"  [green]fixable[/green] with {flag}: {show(finding.autofix.title)}"
                    )
            for skipped in report.skipped:
                console.print(
                    f"[yellow]skipped[/yellow] {show(skipped.path)}: {show(skipped.reason)}"
                )
            for path in report.partial:
                console.print(
                    f"[dim]partial[/dim] {show(path)}: reviewed from the diff's hunks only"
                )
            for unused in report.unused_suppressions:
                names = ", ".join(unused.ids) or "every rule"
                console.print(
                    f"[yellow]unused suppression[/yellow] {show(unused.path)}:{unused.line}: "
                    f"{show(names)} silenced nothing"
                )
            console.print(f"[bold]{escape(summary(report))}[/bold]")
            if report.llm is not None and not report.llm.skipped:
                console.print(f"[dim]{escape(report.llm.describe())}[/dim]")
        return capture.get()
