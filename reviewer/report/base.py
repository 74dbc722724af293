"""The one interface every output format implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from reviewer.engine import Report


class Renderer(Protocol):
    name: ClassVar[str]
    """The value of ``--format``."""

    def render(self, report: Report) -> str:
        """The whole report as text, ending with a newline."""
