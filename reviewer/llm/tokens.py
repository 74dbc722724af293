"""Input-token estimates made offline, with no tokenizer and no network.

The approximation: a run of letters costs one token per six letters (rounded up), a run of digits
one per three, a single space nothing, any other run of whitespace one, and each other symbol one:
about three characters a token on Python, which errs towards smaller chunks. It is not Claude's
tokenizer and is not checked against the API here (no network); chunking and the cost benchmark
only need it to be consistent, since they compare requests measured the same way. The API's own
counts are in the usage report of every real pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_PIECES = re.compile(r"[^\W\d_]+|\d+|\s+|[^\w\s]|_")


def estimate_tokens(text: str) -> int:
    total = 0
    for piece in _PIECES.findall(text):
        first = piece[0]
        if first.isalpha():
            total += -(-len(piece) // 6)
        elif first.isdigit():
            total += -(-len(piece) // 3)
        elif piece != " ":
            total += 1
    return total


def _texts(value: Any) -> list[str]:
    """The text blocks of a message's content (a string or a list of blocks)."""
    if isinstance(value, str):
        return [value]
    texts: list[str] = []
    for block in value:
        if block.get("type") == "text":
            texts.append(block["text"])
        elif block.get("type") == "tool_result":
            texts.extend(_texts(block.get("content", "")))
        else:
            texts.append(json.dumps(block.get("input", block), sort_keys=True))
    return texts


def request_tokens(request: Mapping[str, Any]) -> int:
    """Estimated input tokens of a Messages API request: tools, system prompt and messages."""
    texts = [json.dumps(tool, sort_keys=True) for tool in request.get("tools", ())]
    texts.extend(_texts(request.get("system", [])))
    for message in request.get("messages", ()):
        texts.extend(_texts(message["content"]))
    return sum(estimate_tokens(text) for text in texts)
