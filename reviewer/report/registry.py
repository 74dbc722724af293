"""Output formats by name: add a renderer module and one line here.

A renderer's module is imported only when its format is asked for (the text renderer brings in
rich, which a JSON review does not need).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewer.report.base import Renderer

RENDERERS: dict[str, str] = {
    "text": "reviewer.report.text:TextRenderer",
    "json": "reviewer.report.json:JsonRenderer",
    "sarif": "reviewer.report.sarif:SarifRenderer",
    "github": "reviewer.report.annotations:AnnotationsRenderer",
    "markdown": "reviewer.report.markdown:MarkdownRenderer",
    "rdjson": "reviewer.report.rdjson:RdjsonRenderer",
    "agent": "reviewer.report.agent:AgentRenderer",
    "gitlab": "reviewer.report.gitlab:GitlabRenderer",
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def renderer(name: str, color: bool = False) -> Renderer:
    module, _, attribute = RENDERERS[name].partition(":")
    kind = getattr(importlib.import_module(module), attribute)
    made: Renderer = kind(color=color) if name == "text" else kind()
    return made
