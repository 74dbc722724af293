"""Which later Python a file needs, when it does not parse on the running one.

A file that uses syntax newer than the interpreter (``def f[T]()``, ``type X = ...``,
``except A, B:``, ``lazy import x``...) is not broken, and a review that skipped it is not a pass:
the engine says which version would parse it. The answer is proven, not guessed from the error
message: every construct of a later version is rewritten into syntax the running parser accepts
(``def f(``, ``X = ...``, ``except (A, B):``, ``import x``...), and only when the rewritten file
parses is the newest of those versions reported. A genuine syntax error survives the rewrite, so
it stays one.

Strings are read with the rules of Python 3.12 (PEP 701: an f-string's replacement fields may hold
any expression, quotes of the enclosing string included), which also read older code as before.
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

Version = tuple[int, int]

NEWEST_KNOWN: Version = (3, 15)
"""The newest Python whose new syntax this module knows."""
MAX_NESTING = 32
"""F-strings nested deeper than this are not read (hostile input; real code nests two or three):
the file is then reported as not parsing. It also bounds the work: each expression of a
rewritten f-string is checked once per level it is nested in."""


@dataclass(frozen=True)
class Newer:
    """A file that parses on a later Python: the version, and the construct that needs it."""

    version: Version
    construct: str
    line: int

    def describe(self, running: Version) -> str:
        return (
            f"needs Python {self.version[0]}.{self.version[1]} to parse ({self.construct}, line "
            f"{self.line}); this runs on {running[0]}.{running[1]}"
        )


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    version: Version
    construct: str


_STRING_START = re.compile(r"(?i)(rb|br|fr|rf|tr|rt|[rbuft])?('''|\"\"\"|'|\")")
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


class _Strings:
    """The string literals and comments of a file, found with Python 3.12's rules.

    ``masked`` is the text with each of them blanked (newlines kept), for finding code constructs
    with regular expressions; ``edits`` replace the f- and t-strings an older parser cannot read.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.edits: list[_Edit] = []
        self.fields: list[str] = []
        """The expressions of the f-strings replaced by edits, to be checked on their own."""
        self.ok = True
        self.depth = 0
        chars = list(text)
        position = 0
        while position < len(text):
            start, end = self._next(position)
            if start < 0:
                break
            for index in range(start, min(end, len(text))):
                if chars[index] != "\n":
                    chars[index] = " "
            position = end
        self.masked = "".join(chars)

    def _next(self, position: int) -> tuple[int, int]:
        """The span of the next string literal or comment at or after ``position``."""
        text = self.text
        while position < len(text):
            char = text[position]
            if char == "#":
                end = text.find("\n", position)
                return position, len(text) if end < 0 else end
            if char in "'\"" or char.isalpha():
                match = _STRING_START.match(text, position)
                if match:  # identifiers are skipped whole: a match starts a token
                    return position, self._string(match)
            if char.isalpha() or char == "_":
                word = _IDENTIFIER.match(text, position)
                position = word.end() if word else position + 1
                continue
            position += 1
        return -1, -1

    def _string(self, match: re.Match[str]) -> int:
        """The end of the string literal that ``match`` opens (records edits for new ones)."""
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                self.ok = False
                return len(self.text)
            return self._literal(match)
        finally:
            self.depth -= 1

    def _literal(self, match: re.Match[str]) -> int:
        prefix, quote = (match.group(1) or "").lower(), match.group(2)
        fields: list[str] = []
        needs: tuple[Version, str] | None = None
        end, inner = self._body(match.end(), quote, fields, "f" in prefix or "t" in prefix)
        if "t" in prefix:
            needs = ((3, 14), "a template string (t-string)")
        elif inner is not None:
            needs = ((3, 12), inner)
        if needs is not None and end > 0:
            newlines = self.text.count("\n", match.start(), end)
            # A plain string of the same lines: concatenation with neighbours still parses.
            placeholder = ' """' + "\n" * newlines + '""" '
            self.edits.append(_Edit(match.start(), end, placeholder, *needs))
            self.fields.extend(fields)
        return end if end > 0 else len(self.text)

    def _body(
        self, position: int, quote: str, fields: list[str], formatted: bool
    ) -> tuple[int, str | None]:
        """The end of a string's body from ``position`` (-1 if it has none), and what in it needs
        Python 3.12 (replacement fields are read only in ``formatted`` strings)."""
        text, start, needs = self.text, position, None
        while position < len(text):
            if text.startswith(quote, position):
                end = position + len(quote)
                # Before 3.12 the string ended at the first occurrence of its quote.
                if needs is None and quote in _unescaped(text[start:position]):
                    needs = "the enclosing string's quote inside an f-string"
                return end, needs
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == "\n" and len(quote) == 1:
                self.ok = False
                return -1, None
            if char == "{" and formatted:
                if text.startswith("{{", position):
                    position += 2
                    continue
                position, field_needs = self._field(position + 1, quote, fields)
                needs = needs or field_needs
                if position < 0:
                    return -1, None
                continue
            position += 1
        self.ok = False
        return -1, None

    def _field(self, position: int, quote: str, fields: list[str]) -> tuple[int, str | None]:
        """From inside a replacement field's ``{`` to just after its ``}``."""
        text, depth, start, needs = self.text, 0, position, None
        expression_end = -1
        while position < len(text):
            char = text[position]
            if char in "([{":
                depth += 1
            elif char in ")]" or (char == "}" and depth > 0):
                depth -= 1
            elif char == "}":
                if expression_end < 0:
                    expression_end = position
                fields.append(_debug_stripped(text[start:expression_end]))
                return position + 1, needs
            elif expression_end < 0 and char == "#":
                needs = needs or "a comment inside an f-string"
                newline = text.find("\n", position)
                position = len(text) if newline < 0 else newline
                continue
            elif expression_end < 0 and char == "\\":
                needs = needs or "a backslash inside an f-string's expression"
            elif expression_end < 0 and char == "\n" and len(quote) == 1:
                needs = needs or "a line break inside a single-quoted f-string"
            elif (
                expression_end < 0
                and depth == 0
                and char == "!"
                and text[position + 1 : position + 2] != "="
            ):
                expression_end = position
            elif depth == 0 and char == ":":
                if expression_end < 0:
                    expression_end = position
                position, spec_needs = self._spec(position + 1, quote, fields)
                fields.append(_debug_stripped(text[start:expression_end]))
                return position, needs or spec_needs
            elif expression_end < 0 and (char in "'\"" or char.isalpha()):
                match = _STRING_START.match(text, position)
                if match:
                    position = self._string(match)
                    nested = text[match.start() : position]
                    if "\\" in nested:
                        needs = needs or "a backslash inside an f-string's expression"
                    elif "\n" in nested and len(quote) == 1:
                        needs = needs or "a line break inside a single-quoted f-string"
                    continue
                word = _IDENTIFIER.match(text, position)
                position = word.end() if word else position + 1
                continue
            position += 1
        return -1, None

    def _spec(self, position: int, quote: str, fields: list[str]) -> tuple[int, str | None]:
        """From a format spec's start to just after the ``}`` closing its field."""
        text, needs = self.text, None
        while position < len(text):
            char = text[position]
            if char == "{":
                position, inner = self._field(position + 1, quote, fields)
                needs = needs or inner
                if position < 0:
                    return -1, None
                continue
            if char == "}":
                return position + 1, needs
            if text.startswith(quote, position) or (char == "\n" and len(quote) == 1):
                return -1, None
            position += 1
        return -1, None


def _unescaped(body: str) -> str:
    return re.sub(r"\\.", "", body, flags=re.S)


def _debug_stripped(expression: str) -> str:
    """The expression of a field, without the ``=`` of ``f"{x=}"``."""
    stripped = expression.rstrip()
    if stripped.endswith("=") and not stripped.endswith(("==", "!=", "<=", ">=")):
        return stripped[:-1]
    return expression


def _brackets(masked: str) -> dict[int, int]:
    """Each opening bracket's index -> the index of the bracket closing it (unclosed: absent)."""
    closing: dict[int, int] = {}
    stack: list[int] = []
    for index, char in enumerate(masked):
        if char in "([{":
            stack.append(index)
        elif char in ")]}" and stack:
            closing[stack.pop()] = index
    return closing


def _top_level(masked: str, brackets: dict[int, int], start: int, end: int) -> Iterator[int]:
    """Indexes in ``masked[start:end]`` outside any bracket opened there (nested brackets are
    stepped over whole, so that every index is visited once per file, however deep the nesting)."""
    index = start
    while index < end:
        char = masked[index]
        if char in "([{":
            index = brackets.get(index, end - 1) + 1
            continue
        yield index
        index += 1


def _blank(text: str) -> str:
    """Nothing in place of ``text``, its lines joined by continuations (the statement goes on)."""
    return " \\\n" * text.count("\n")


_TYPE_PARAMS = re.compile(r"\b(?:def|class)[ \t]+[^\W\d]\w*[ \t]*(\[)")
_TYPE_ALIAS = re.compile(r"(?m)(?:^|;)[ \t]*(type[ \t]+)[^\W\d]\w*[ \t]*[\[=]")
_LAZY_IMPORT = re.compile(r"(?m)(?:^|;)[ \t]*(lazy[ \t]+)(?:import|from)\b")
_EXCEPT = re.compile(r"(?m)^[ \t]*except\b[ \t]*(\*?)[ \t]*")
_STARRED_OPENING = re.compile(r"[\[{(][ \t\n]*(\*\*?)(?=[ \t]*[^\s*)\]},])")
_STAR_INDEX = re.compile(r"(\w+|[\])])[ \t]*\[[ \t]*(\*)(?!\*)")
_STAR_ANNOTATION = re.compile(r"(?<![\w*])\*[ \t]*[^\W\d]\w*[ \t]*:[ \t]*(\*)(?!\*)")
_FOR = re.compile(r"(?:async[ \t]+)?for\b")
_WORD = re.compile(r"\w")


def _code_edits(masked: str) -> Iterator[_Edit]:
    """Edits that turn the code constructs of later Pythons into older syntax."""
    brackets = _brackets(masked)
    for match in _TYPE_PARAMS.finditer(masked):
        opening = match.start(1)
        closing = brackets.get(opening, -1)
        if closing < 0:
            continue
        default = any(masked[i] == "=" for i in _top_level(masked, brackets, opening + 1, closing))
        yield _Edit(
            opening,
            closing + 1,
            _blank(masked[opening : closing + 1]),
            *(
                ((3, 13), "a type parameter default")
                if default
                else ((3, 12), "a type parameter list")
            ),
        )
    for match in _TYPE_ALIAS.finditer(masked):
        yield _Edit(match.start(1), match.end(1), "", (3, 12), "a `type` alias statement")
    for match in _LAZY_IMPORT.finditer(masked):
        yield _Edit(match.start(1), match.end(1), "", (3, 15), "a `lazy` import")
    for match in _EXCEPT.finditer(masked):
        if match.group(1):
            yield _Edit(match.start(1), match.end(1), " ", (3, 11), "`except*`")
        yield from _except_types(masked, brackets, match.end())
    for match in _STARRED_OPENING.finditer(masked):
        opening = match.start()
        closing = brackets.get(opening, -1)
        if closing >= 0 and _comprehension(masked, brackets, opening + 1, closing):
            star = match.group(1)
            yield _Edit(
                match.start(1),
                match.end(1),
                " " * len(star),
                (3, 15),
                "unpacking in a comprehension",
            )
    for match in _STAR_INDEX.finditer(masked):
        if not keyword.iskeyword(match.group(1)):  # `in [*a, *b]` is a list display
            yield _Edit(
                match.start(2), match.end(2), " ", (3, 11), "a starred expression in an index"
            )
    for match in _STAR_ANNOTATION.finditer(masked):
        yield _Edit(match.start(1), match.end(1), " ", (3, 11), "a starred annotation")


def _comprehension(masked: str, brackets: dict[int, int], start: int, end: int) -> bool:
    """The bracket's content is a comprehension: a ``for`` at its top level before any comma."""
    for index in _top_level(masked, brackets, start, end):
        if masked[index] == ",":
            return False
        if _FOR.match(masked, index) and (index == 0 or not _WORD.match(masked[index - 1])):
            return True
    return False


def _except_types(masked: str, brackets: dict[int, int], start: int) -> Iterator[_Edit]:
    """``except A, B:`` (Python 3.14) becomes ``except (A, B):``; ``except A, B as e`` stays."""
    comma, colon = False, -1
    for index in _top_level(masked, brackets, start, len(masked)):
        char = masked[index]
        if char in ")]}\n":
            break
        if char == ":":
            colon = index
            break
        comma = comma or char == ","
    if comma and colon > 0 and not re.search(r"\bas\b", masked[start:colon]):
        yield _Edit(start, start, "(", (3, 14), "exception types without parentheses")
        yield _Edit(colon, colon, ")", (3, 14), "exception types without parentheses")


def _parses(text: str, mode: str = "exec") -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text, mode=mode)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _rewrite(text: str) -> tuple[str, list[tuple[_Edit, int]], list[str]] | None:
    """``text`` with every later-Python construct rewritten, the edits made (with their lines) and
    the f-string expressions taken out; None when the strings cannot be read."""
    strings = _Strings(text)
    if not strings.ok:
        return None
    edits = sorted([*strings.edits, *_code_edits(strings.masked)], key=lambda e: (e.start, e.end))
    kept: list[_Edit] = []
    for edit in edits:  # an edit inside an earlier one (an f-string in a removed list) is moot
        if kept and edit.start < kept[-1].end:
            continue
        kept.append(edit)
    parts, position = [], 0
    for edit in kept:
        parts += [text[position : edit.start], edit.text]
        position = edit.end
    parts.append(text[position:])
    located: list[tuple[_Edit, int]] = []
    line, counted = 1, 0
    for edit in kept:
        line += text.count("\n", counted, edit.start)
        counted = edit.start
        located.append((edit, line))
    return "".join(parts), located, strings.fields


def _expressions_parse(expressions: list[str]) -> bool:
    """Every f-string expression taken out by a rewrite parses on its own (checked in one parse)."""
    parts = []
    for expression in expressions:
        rewritten = _rewrite(expression) if expression.strip() else None
        if rewritten is None:
            return False
        parts.append(f"(\n{rewritten[0]}\n)\n")
    return _parses("".join(parts))


def newer_syntax(text: str, running: Version | None = None) -> Newer | None:
    """The later Python that parses ``text`` (which does not parse here), or None when the file
    does not parse for another reason."""
    running = running or (sys.version_info.major, sys.version_info.minor)
    if running >= NEWEST_KNOWN:
        return None
    rewritten = _rewrite(text)
    if rewritten is None:
        return None
    code, edits, fields = rewritten
    needed = [(edit, line) for edit, line in edits if edit.version > running]
    if not needed or not _parses(code):
        return None
    if not _expressions_parse(fields):
        return None
    edit, line = max(needed, key=lambda item: (item[0].version, -item[1]))
    return Newer(edit.version, edit.construct, line)
