"""Text that anyone can write, made safe to show: the reviewed code, and what the model says.

A file of the pull request, or the model's message about it, may hold terminal control sequences
(which clear the screen, retitle the window, fake a link or hide the lines before them), GitHub
workflow commands (``::error::`` or ``::add-mask::`` at the start of a log line) and our own
hidden markers (``<!-- fastapi-review:... -->``, which tell a rerun what it posted before).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-Z\\-_]?"  # other escapes, and a lone ESC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other C0 and C1 controls (tab and newline stay)
)
_MARKER = re.compile(r"<!--.*?-->|<!--|-->", re.DOTALL)


def terminal_safe(text: str) -> str:
    """``text`` without terminal control sequences."""
    return _CONTROL.sub("", text)


def from_model(text: str) -> str:
    """Text the model wrote, as the reports show it: no control sequences, no workflow command
    (``::`` becomes ``: :``) and no HTML comment that could pass for one of our markers."""
    return _MARKER.sub("", terminal_safe(text)).replace("::", ": :")
