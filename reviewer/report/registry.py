"""Output formats by name: add a renderer module and one line here."""

from __future__ import annotations

from reviewer.report.agent import AgentRenderer
from reviewer.report.annotations import AnnotationsRenderer
from reviewer.report.base import Renderer
from reviewer.report.json import JsonRenderer
from reviewer.report.markdown import MarkdownRenderer
from reviewer.report.rdjson import RdjsonRenderer
from reviewer.report.sarif import SarifRenderer
from reviewer.report.text import TextRenderer

RENDERERS: dict[str, type[Renderer]] = {
    "text": TextRenderer,
    "json": JsonRenderer,
    "sarif": SarifRenderer,
    "github": AnnotationsRenderer,
    "markdown": MarkdownRenderer,
    "rdjson": RdjsonRenderer,
    "agent": AgentRenderer,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def renderer(name: str, color: bool = False) -> Renderer:
    if name == "text":
        return TextRenderer(color=color)
    return RENDERERS[name]()
