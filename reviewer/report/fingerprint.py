"""Stable identities for findings: what a finding is about, independent of where it sits.

A fingerprint hashes the rule id, the path, the *construct* the finding is on and a normalized
form of the flagged code, never a line number or a message:

- the construct is the qualified name of the innermost definition holding the finding: a field
  (``UserOut.password``), a function or route handler (``create_order``, ``Repo.save``,
  ``outer.inner``), a class, a module-level name (``SECRET_KEY``), or ``""`` for other module-level
  code;
- the flagged code is the expression the rule points at (``time.sleep(1)``) with whitespace,
  comments, line breaks, trailing commas and quote styles normalized away; when the finding is on
  the construct itself (a route, a field) it adds nothing, so renaming a route's path or
  reflowing its decorator keeps the identity; a parameter contributes its name, an ``except``
  clause the types it catches, an assignment its targets.

So a finding keeps its fingerprint when lines are added above it, when the code is reformatted,
across force-pushes, and when the Claude pass words its message differently. Identical findings
within one construct are told apart by their order. The differential review
(:mod:`reviewer.engine`), JSON, SARIF ``partialFingerprints`` and the hidden markers of
pull-request comments all use this one value (reviewdog's rdjson has no field for it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, cast

from reviewer.extract.model import Module, Source, Span
from reviewer.record import replace
from reviewer.rules.base import Finding

FINGERPRINT_KEY = "fastapiReview/v2"
"""The key of our fingerprint in SARIF ``partialFingerprints`` (v1 hashed the line's text)."""

_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def normalize(code: str) -> str:
    """``code`` without what formatting changes: whitespace and line breaks (one space kept
    between two words), comments, backslash continuations, trailing commas before a closing
    bracket, and the choice of quotes (every string literal is written with ``"``; its content is
    kept as it is). Total: any text gives a result, however unbalanced."""
    out: list[str] = []
    index, size = 0, len(code)
    gap = False
    while index < size:
        char = code[index]
        if char in " \t\r\n\f\v" or (char == "\\" and code[index + 1 : index + 2] in ("\n", "\r")):
            gap = True
            index += 1
            continue
        if char == "#":
            end = code.find("\n", index)
            index = size if end < 0 else end
            continue
        if gap and out and out[-1][-1] in _WORD and char in _WORD:
            out.append(" ")
        gap = False
        if char in "'\"":
            quote = code[index : index + 3] if code[index : index + 3] in ('"""', "'''") else char
            start = index + len(quote)
            end = start
            while end < size and not code.startswith(quote, end):
                end += 2 if code[end] == "\\" else 1
            out.append(f'"{code[start:end]}"')
            index = end + len(quote)
            continue
        if char in ")]}" and out and out[-1] == ",":
            out.pop()
        out.append(char)
        index += 1
    return "".join(out)


def _text(source: Source, finding: Finding) -> str:
    """The flagged source text: the finding's exact span when its end column is known, else its
    lines from its first column."""
    end_column = finding.end_column - 1 if finding.end_column > 0 else None
    if end_column is None and 0 < finding.end_line <= len(source.lines):
        end_column = len(source.lines[finding.end_line - 1].encode())
    return source.segment(Span(finding.line, finding.end_line, finding.column - 1, end_column or 0))


def _same(span: Span, finding: Finding) -> bool:
    return (span.line, span.column, span.end_line) == (
        finding.line,
        finding.column - 1,
        finding.end_line,
    )


def _holds(span: Span, line: int) -> bool:
    return span.line <= line <= span.end_line


def identity(module: Module, finding: Finding) -> tuple[str, str]:
    """``(construct, anchor)`` of ``finding`` in ``module``: the qualified name of the definition
    it is on, and the normalized code it flags ("" when it flags the construct itself)."""
    line = finding.line
    for class_def in module.classes:
        for field in class_def.fields:
            if _holds(field.span, line):
                construct = f"{class_def.qualname}.{field.name}"
                return construct, "" if _same(field.span, finding) else _anchor(module, finding)
    innermost = None
    for function in module.functions:
        if function.span.line <= line <= function.body_span.end_line and (
            innermost is None or function.span.line >= innermost.span.line
        ):
            innermost = function
    if innermost is not None:
        if _same(innermost.span, finding):
            return innermost.qualname, ""
        for param in innermost.params:
            if _same(param.span, finding):
                return innermost.qualname, f"param {param.name}"
        return innermost.qualname, _anchor(module, finding)
    for assign in module.assignments:
        if assign.function is None and _holds(assign.span, line):
            construct = ",".join(normalize(target.text) for target in assign.targets)
            if assign.class_name is not None:
                construct = f"{_class_before(module, assign.class_name, line)}.{construct}"
            return construct, "" if _same(assign.span, finding) else _anchor(module, finding)
    for class_def in module.classes:
        if class_def.span.line == line:
            return class_def.qualname, "" if _same(class_def.span, finding) else "class"
    return "", _anchor(module, finding)


def _class_before(module: Module, name: str, line: int) -> str:
    """The qualified name of the last class called ``name`` that starts before ``line``
    (``UserOut.Config`` for an assignment in that class body)."""
    before = [c for c in module.classes if c.name == name and c.span.line < line]
    return max(before, key=lambda c: c.span.line).qualname if before else name


def _anchor(module: Module, finding: Finding) -> str:
    for handler in module.excepts:
        if _same(handler.span, finding):
            return "except " + ",".join(handler.types)
    for assign in module.assignments:
        if _same(assign.span, finding):
            return ",".join(normalize(target.text) for target in assign.targets) + "="
    return normalize(_text(Source(module.lines), finding))


def fingerprint(finding: Finding, construct: str, anchor: str, occurrence: int) -> str:
    """The hash of a finding's identity (on ``construct``): 20 hex digits."""
    key = "\0".join((finding.rule_id, finding.path, construct, anchor, str(occurrence)))
    return _sha256()(key.encode("utf-8")).hexdigest()[:20]


class _Digest(Protocol):
    def hexdigest(self) -> str: ...


@functools.cache
def _sha256() -> Callable[[bytes], _Digest]:
    """SHA-256, imported when a review first has a finding: CPython's own implementation when it
    has one (``_sha2`` from 3.12, ``_sha256`` before), which ``hashlib`` would take only after
    loading OpenSSL (11 million instructions, 2 ms, for the few hundred short keys of a review);
    ``hashlib``'s otherwise."""
    from importlib import import_module

    for name in ("_sha2", "_sha256"):
        try:
            return cast("Callable[[bytes], _Digest]", import_module(name).sha256)
        except (ImportError, AttributeError):
            continue
    from hashlib import sha256  # a Python built without its own hashes

    return sha256


def identify(findings: Iterable[Finding], modules: Mapping[str, Module]) -> list[Finding]:
    """``findings`` (of the modules in ``modules``, by path) with their construct and fingerprint
    set, in report order and without duplicates. Findings on the same construct and code are
    numbered in line order, so each keeps a distinct fingerprint."""
    seen: dict[tuple[str, str, str, str], int] = {}
    result: list[Finding] = []
    for finding in sorted(set(findings), key=lambda f: f.sort_key):
        module = modules.get(finding.path)
        construct, anchor = identity(module, finding) if module is not None else ("", "")
        key = (finding.rule_id, finding.path, construct, anchor)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        value = fingerprint(finding, construct, anchor, occurrence)
        result.append(replace(finding, construct=construct, fingerprint=value))
    return result
