"""Output formats by name."""

from __future__ import annotations

from reviewer.report.base import Renderer
from reviewer.report.json import JsonRenderer
from reviewer.report.text import TextRenderer

FORMATS: tuple[str, ...] = ("text", "json")


def renderer(name: str, color: bool = False) -> Renderer:
    if name == "text":
        return TextRenderer(color=color)
    return {"json": JsonRenderer}[name]()
