"""Regular expressions compiled when first used, not when their module is imported.

The rule modules hold about a hundred patterns; compiling them all took 7 ms of every start,
although a review uses those of the rules and constructs its files have.
"""

from __future__ import annotations

import re
from typing import cast


class _Deferred:
    """Stands for ``re.compile(source, flags)``: the first attribute read (``.search``) compiles
    the pattern, and every attribute read is copied onto this object, so that later reads find
    the compiled pattern's own bound method at no extra cost."""

    def __init__(self, source: str, flags: int) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        value: object = getattr(re.compile(self._source, self._flags), name)
        setattr(self, name, value)
        return value


def regex(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, compiled on first use. Use its methods (``.search``,
    ``.fullmatch``...); do not pass it to the ``re`` functions, which need a compiled pattern."""
    return cast("re.Pattern[str]", _Deferred(source, flags))
