"""Where each requested format goes: ``--format F [--output FILE]``, several pairs per run."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TextIO

from reviewer.engine import Report
from reviewer.errors import ReviewError
from reviewer.record import record
from reviewer.report.registry import renderer


@record
class Output:
    format: str
    """A name of :data:`reviewer.report.registry.FORMATS`."""
    path: str | None = None
    """The file to write, as given, or None for standard output."""


def pair_outputs(given: Sequence[tuple[str, str]]) -> list[Output]:
    """Pair each ``--output`` with the ``--format`` given just before it.

    ``given``: the ``--format`` and ``--output`` options in command-line order, each as
    ``("format", FORMAT)`` or ``("output", FILE)``. Without any ``--format`` the format is
    ``text``. At most one format goes to standard output.
    """
    formats = any(option == "format" for option, _ in given)
    outputs: list[Output] = []
    for option, value in given:
        if option == "format":
            outputs.append(Output(value))
            continue
        if value.endswith(("/", os.sep)):
            raise ReviewError(f"--output {value}: names a folder, expected a file")
        if not outputs and formats:
            raise ReviewError(f"--output {value}: give --format FORMAT before its --output")
        if not outputs:
            outputs.append(Output("text"))
        if outputs[-1].path is not None:
            raise ReviewError(f"--output {value}: one --output per --format")
        outputs[-1] = Output(outputs[-1].format, value)
    if not outputs:
        outputs.append(Output("text"))
    if sum(output.path is None for output in outputs) > 1:
        raise ReviewError(
            "several formats would go to standard output: give --output FILE to all but one"
        )
    written = [os.path.realpath(output.path) for output in outputs if output.path is not None]
    if len(set(written)) < len(written):
        raise ReviewError("two --output options name the same file")
    return outputs


def write_outputs(report: Report, outputs: Iterable[Output], stdout: TextIO, color: bool) -> None:
    """Render ``report`` once per output. ``color`` applies to text on standard output.

    Every output is attempted; a file that cannot be written raises :class:`ReviewError` after.
    """
    failures: list[str] = []
    for output in outputs:
        if output.path is None:
            stdout.write(renderer(output.format, color=color).render(report))
            stdout.flush()
            continue
        try:
            with open(output.path, "w", encoding="utf-8") as stream:
                stream.write(renderer(output.format).render(report))
        except OSError as exc:
            failures.append(f"--output {output.path}: {exc.strerror or exc}")
    if failures:
        raise ReviewError("; ".join(failures))
