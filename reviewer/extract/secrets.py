"""Which string literals of a Python file hold secrets, read from its syntax tree.

The LLM pass redacts these before anything leaves the machine (:mod:`reviewer.llm.redact`). A
literal holds a secret when it is bound to, passed as, or concatenated into something named like
a secret: an assignment or annotation target (a name, ``settings.api_key``,
``os.environ["API_KEY"]``), a keyword argument, a parameter default, a dict value under a secret
key, a side of a comparison with a secret, the fallback of an environment lookup of a secret
(``os.getenv("API_KEY", "...")``, ``os.getenv("API_KEY") or "..."``), or a cookie's value. Every
literal inside such a value counts (f-strings, implicit and ``+`` concatenation, parenthesised
and triple-quoted strings, tuples and dicts, conversions such as ``SecretStr("...")`` or
``"...".encode()``), except the key of a lookup, which names the secret rather than holding it. The walk is iterative: no input makes it recurse.
"""

from __future__ import annotations

import ast
import io
import re
import token
import tokenize
import warnings
from collections.abc import Iterator

SECRET_NAME = re.compile(
    r"password|passwd|passphrase|pwd|secret|token|api[_\-]?key|apikey|private[_\-]?key"
    r"|access[_\-]?key|credential|auth[_\-]?key|signing[_\-]?key|dsn|authorization|cookie"
    r"|session[_\-]?id|(?:^|[_\-])auth$|conn(?:ection)?[_\-]?str",
    re.IGNORECASE,
)
NOT_SECRET = re.compile(
    r"(?:url|uri|type|name|field|header|prefix|kind|location|endpoint|length|expires?|ttl"
    r"|minutes|seconds|hours|days|algorithm|scheme)$",
    re.IGNORECASE,
)
"""Names that merely mention a secret: ``tokenUrl``, ``token_type``, ``password_field``..."""
LOOKUPS = frozenset({"getenv", "get", "setdefault", "pop", "config", "env", "getattr"})
"""Calls whose first argument names a secret and whose other arguments are its fallback."""
METADATA = frozenset(
    {"env", "alias", "validation_alias", "serialization_alias", "title", "description"}
)
"""Keyword arguments that name or describe a value rather than hold it (``Field(env="KEY")``)."""
WRAPPERS = frozenset(
    {
        "str",
        "bytes",
        "bytearray",
        "SecretStr",
        "SecretBytes",
        "Secret",
        "Field",
        "fromhex",
        "b64encode",
        "b64decode",
        "urlsafe_b64encode",
        "urlsafe_b64decode",
        "unhexlify",
    }
)
"""Calls that only wrap or convert the literal they are given: a secret stays one through them,
as through a method of a literal (``"...".encode()``, ``"{}{}".format(a, b)``). Other calls
(``jwt.encode(claims, key, algorithm="HS256")``) make something else of it."""
COOKIE_SETTERS = frozenset({"set_cookie", "set_signed_cookie"})


def secret_name(name: str) -> bool:
    """``name`` says it holds a secret (a webhook's URL is one: it is its own credential)."""
    if "webhook" in name.lower():
        return True
    return SECRET_NAME.search(name) is not None and NOT_SECRET.search(name) is None


def _name(node: ast.expr) -> str | None:
    """The name a target or reference goes by: ``x``, ``obj.x``, ``obj["x"]``."""
    if isinstance(node, ast.Starred):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        key = node.slice.value
        return key if isinstance(key, str) else None
    return None


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _lookup_of_secret(node: ast.expr) -> bool:
    """``os.getenv("API_KEY")``, ``settings.get("token")``, ``os.environ["SECRET"]``."""
    if isinstance(node, ast.Subscript):
        name = _name(node)
        return name is not None and secret_name(name)
    if not (isinstance(node, ast.Call) and _callee(node) in LOOKUPS and node.args):
        return False
    key = node.args[0]
    return isinstance(key, ast.Constant) and isinstance(key.value, str) and secret_name(key.value)


def _secret(node: ast.expr) -> bool:
    """``node`` refers to a secret: a secret-named reference or a lookup of one."""
    name = _name(node)
    return (name is not None and secret_name(name)) or _lookup_of_secret(node)


def _wraps(node: ast.Call) -> bool:
    """``node`` hands on the literal it is given (see :data:`WRAPPERS`)."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Constant, ast.JoinedStr)):
        return True
    return _callee(node) in WRAPPERS


def _values(node: ast.expr) -> Iterator[ast.expr]:
    """The literals a value bound to a secret is made of (see the module's docstring)."""
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, ast.Constant):
            if isinstance(item.value, (str, bytes)):
                yield item
        elif isinstance(item, ast.JoinedStr):
            yield item
        elif isinstance(item, ast.Call) and _callee(item) in LOOKUPS:
            pending.extend(item.args[1:])
            pending.extend(k.value for k in item.keywords if k.arg == "default")
        elif isinstance(item, ast.Call) and _wraps(item):
            pending.extend(item.args)
            pending.extend(k.value for k in item.keywords if k.arg not in METADATA)
            if isinstance(item.func, ast.Attribute):
                pending.append(item.func.value)
        elif isinstance(item, ast.IfExp):
            pending.extend((item.body, item.orelse))
        elif isinstance(item, ast.Dict):
            pending.extend(item.values)
        elif isinstance(item, (ast.BinOp, ast.BoolOp, ast.Tuple, ast.List, ast.Set, ast.Starred)):
            pending.extend(
                child for child in ast.iter_child_nodes(item) if isinstance(child, ast.expr)
            )


def _bound(node: ast.AST) -> Iterator[ast.expr]:
    """The values ``node`` binds to a secret, if any."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, (ast.Tuple, ast.List)) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=False):
                    if _secret(name):
                        yield value
            elif _secret(target):
                yield node.value
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        if node.value is not None and _secret(node.target):
            yield node.value
    elif isinstance(node, ast.keyword):
        if node.arg is not None and secret_name(node.arg):
            yield node.value
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and secret_name(key.value)
            ):
                yield value
    elif isinstance(node, ast.arguments):
        positional = [*node.posonlyargs, *node.args]
        pairs = [
            *zip(positional[len(positional) - len(node.defaults) :], node.defaults, strict=True),
            *zip(node.kwonlyargs, node.kw_defaults, strict=True),
        ]
        yield from (default for arg, default in pairs if default and secret_name(arg.arg))
    elif isinstance(node, ast.Compare):
        sides = [node.left, *node.comparators]
        if any(_secret(side) for side in sides):
            yield from sides
    elif isinstance(node, ast.BoolOp):
        if any(_secret(value) for value in node.values):
            yield from node.values
    elif isinstance(node, ast.Call):
        if _lookup_of_secret(node):
            yield from node.args[1:]
            yield from (k.value for k in node.keywords if k.arg == "default")
        elif _callee(node) in COOKIE_SETTERS:
            yield from node.args[1:2]
            yield from (k.value for k in node.keywords if k.arg == "value")


def _offsets(text: str) -> list[int]:
    """The offset in ``text`` of the start of each line (1-based lines, as ``ast`` counts)."""
    starts = [0, 0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _strings(text: str, starts: list[int]) -> list[tuple[int, int, str]]:
    """Every string token (and f-string part) of ``text``: start and end offsets (tokens count
    columns in characters), and kind."""
    found: list[tuple[int, int, str]] = []
    middle = getattr(token, "FSTRING_MIDDLE", None)  # Python 3.12 and later
    for item in tokenize.generate_tokens(io.StringIO(text).readline):
        if item.type == token.STRING or item.type == middle:
            (row, col), (end_row, end_col) = item.start, item.end
            kind = "string" if item.type == token.STRING else "middle"
            found.append((starts[row] + col, starts[end_row] + end_col, kind))
    return found


def _node_range(node: ast.expr, lines: list[str], starts: list[int]) -> tuple[int, int]:
    """The character offsets of ``node`` (``ast`` gives UTF-8 byte columns)."""
    end_line = node.end_lineno or node.lineno
    end_col = node.end_col_offset or 0

    def offset(row: int, byte: int) -> int:
        text = lines[row - 1]
        column = byte if text.isascii() else len(text.encode()[:byte].decode(errors="replace"))
        return starts[row] + column

    return offset(node.lineno, node.col_offset), offset(end_line, end_col)


def secret_literals(text: str) -> list[tuple[int, int, str]] | None:
    """The string tokens of ``text`` that hold secrets, as (start, end, kind) character offsets:
    ``string`` for a whole literal with its prefix and quotes, ``middle`` for the literal part of
    an f-string (Python 3.12 and later). None when ``text`` is not valid Python."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        starts = _offsets(text)
        strings = _strings(text, starts)
    except (SyntaxError, ValueError, RecursionError, MemoryError, tokenize.TokenError):
        return None
    lines = text.split("\n")
    ranges = sorted(
        _node_range(value, lines, starts)
        for node in ast.walk(tree)
        for bound in _bound(node)
        for value in _values(bound)
    )
    merged: list[tuple[int, int]] = []  # expressions nest or are apart: their union, in order
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    chosen: list[tuple[int, int, str]] = []
    index = 0
    for start, end, kind in strings:  # in text order, as the merged ranges are
        while index < len(merged) and merged[index][1] <= start:
            index += 1
        if index < len(merged) and merged[index][0] <= start and end <= merged[index][1]:
            chosen.append((start, end, kind))
    return chosen
