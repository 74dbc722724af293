"""Secrets out of the text before anything leaves the machine.

Redaction replaces the secret itself with ``<redacted>`` and keeps everything else, line breaks
included, so line numbers stay right. It errs towards redacting: a placeholder that looked like a
secret costs the reviewer nothing, a key that reached a third party cannot be taken back.

Two passes. When the text is Python, its syntax tree says which string literals are secrets
(:func:`reviewer.extract.secrets.secret_literals`: bound to, passed as or concatenated into
something named like a secret, however the literal is written). Then, on any text, patterns find
what has a recognisable shape wherever it is: known token formats, private keys, URL
credentials (``user:pass@``), ``?api_key=`` query strings, ``Password=`` in connection strings,
webhook URLs, ``Bearer`` credentials, and ``name = "..."`` lines for text that does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.extract.secrets import secret_literals

PLACEHOLDER = "<redacted>"

_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?-----END \1PRIVATE KEY-----", re.DOTALL
)
"""A PEM private key block, possibly over many lines."""

_TOKENS = re.compile(
    r"""
    \bsk-ant-[A-Za-z0-9_\-]{16,}                       # Anthropic
    | \bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}               # OpenAI-style
    | \b[spr]k_(?:live|test)_[A-Za-z0-9]{10,}          # Stripe
    | \b(?:AKIA|ASIA)[0-9A-Z]{16}\b                    # AWS access key id
    | \bgh[pousr]_[A-Za-z0-9]{30,}                     # GitHub tokens
    | \bgithub_pat_[A-Za-z0-9_]{30,}
    | \bglpat-[A-Za-z0-9_\-]{20,}                      # GitLab
    | \bxox[abposr]-[A-Za-z0-9\-]{10,}                 # Slack
    | \bAIza[0-9A-Za-z_\-]{35}                         # Google API key
    | \beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}  # a JWT
    """,
    re.VERBOSE,
)
"""Tokens recognisable by their shape, wherever they appear."""

_URL_PASSWORD = re.compile(
    r"""(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'"]*:)(?!<redacted>)([^\s@/'"]+)(@)"""
)
"""The password of ``scheme://user:password@host`` (database and broker URLs)."""

_QUERY = re.compile(
    r"""(?i)([?&](?:api[_\-]?key|apikey|access[_\-]?token|auth[_\-]?token|token|key|secret"""
    r"""|client[_\-]?secret|password|passwd|pwd|sig|signature)=)((?!<redacted>)[^&#\s'"]+)"""
)
"""A credential in a URL's query string: ``?api_key=...``, ``&token=...``."""

_CONNECTION = re.compile(
    r"""(?i)([;"']\s*(?:password|passwd|pwd)\s*=\s*)((?!<redacted>)[^;'"\s]+)"""
)
"""The password of an ADO/ODBC connection string: ``Server=db;Password=...;``."""

_WEBHOOK = re.compile(
    r"""(?i)(https?://(?:hooks\.slack\.com/services/|(?:ptb\.|canary\.)?discord(?:app)?\.com"""
    r"""/api/webhooks/|[\w.\-]*webhook\.office\.com/webhookb2/))((?!<redacted>)[^\s'"]+)"""
)
"""The secret path of a Slack, Discord or Teams incoming webhook."""

_BEARER = re.compile(r"(\b(?:Bearer|Basic|Token)\s+)([A-Za-z0-9._~+/\-]{12,}=*)")
"""Credentials of an ``Authorization`` header written out."""

_NAME = (
    r"[\w\-]*(?:password|passwd|passphrase|pwd|secret|token|api[_\-]?key|apikey|private[_\-]?key"
    r"|access[_\-]?key|credential|auth[_\-]?key|signing[_\-]?key|dsn)[\w\-]*"
)
_ASSIGNED = re.compile(
    rf"""(?ix)
    ( \b{_NAME} ['"]?                     # a secret-like name, maybe a quoted dict key
      \s* (?: : \s* [\w\[\]., |]+? \s* )?  # an optional annotation
      [:=] \s* [rbuRBU]{{0,2}} )           # = or : and a string prefix
    (['"])                                # the opening quote
    ((?!<redacted>)[^'"\n]{{3,}})         # the value
    (\2)
    """
)
"""A string literal given to a secret-like name: ``SECRET_KEY = "..."``, ``password="..."``,
``"api_key": "..."``, ``token: str = "..."``."""

_DEFAULTED = re.compile(
    rf"""(?ix)
    ( (?:getenv|environ\.get|config|env)\s*\(\s*['"]{_NAME}['"]\s*,\s*(?:default\s*=\s*)? )
    (['"]) ((?!<redacted>)[^'"\n]{{3,}}) (\2)
    """
)
"""The literal default of an environment lookup of a secret: ``os.getenv("API_KEY", "...")``."""


_NOT_SECRET = re.compile(
    r"(?:url|uri|type|name|field|header|prefix|kind|location|endpoint|length|expires?|ttl|minutes"
    r"|seconds|hours|days|algorithm|scheme)['\"]?$",
    re.IGNORECASE,
)
"""Names that merely mention a secret: ``tokenUrl``, ``token_type``, ``password_field``..."""


def _assigned(match: re.Match[str]) -> str:
    name = match[1].split("=")[0].split(":")[0].strip()
    if _NOT_SECRET.search(name):
        return match[0]
    return f"{match[1]}{match[2]}{PLACEHOLDER}{match[4]}"


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_PEM, lambda m: PLACEHOLDER + "\n" * m[0].count("\n")),
    (_TOKENS, lambda m: PLACEHOLDER),
    (_URL_PASSWORD, lambda m: f"{m[1]}{PLACEHOLDER}{m[3]}"),
    (_QUERY, lambda m: f"{m[1]}{PLACEHOLDER}"),
    (_CONNECTION, lambda m: f"{m[1]}{PLACEHOLDER}"),
    (_WEBHOOK, lambda m: f"{m[1]}{PLACEHOLDER}"),
    (_BEARER, lambda m: f"{m[1]}{PLACEHOLDER}"),
    (_ASSIGNED, _assigned),
    (_DEFAULTED, lambda m: f"{m[1]}{m[2]}{PLACEHOLDER}{m[4]}"),
)


@dataclass(frozen=True)
class Redacted:
    text: str
    count: int
    """How many secrets were replaced."""


_PREFIX = re.compile(r"[A-Za-z]*")
_SCHEME = re.compile(r"(?:Bearer|Basic|Token)\s+")
"""The scheme of an ``Authorization`` value, which stays: it tells the reviewer what is sent."""


def _literal(token: str) -> tuple[str, str]:
    """``token`` (a string literal with its prefix and quotes) redacted, and what it held."""
    prefix = _PREFIX.match(token)
    start = prefix.end() if prefix else 0
    quote = token[start : start + 3] if token[start : start + 3] in ('"""', "'''") else token[start]
    content = token[start + len(quote) : len(token) - len(quote)]
    newlines = "\n" * content.count("\n")
    scheme = _SCHEME.match(content)
    kept = scheme[0] if scheme else ""
    return f"{token[:start]}{quote}{kept}{PLACEHOLDER}{newlines}{quote}", content


def _tree_pass(text: str) -> str:
    """``text`` with the string literals its syntax tree shows to be secrets redacted."""
    found = secret_literals(text)
    if not found:
        return text
    parts: list[str] = []
    done = 0
    for start, end, kind in found:
        original = text[start:end]
        if kind == "middle":
            replaced, content = PLACEHOLDER + "\n" * original.count("\n"), original
        else:
            replaced, content = _literal(original)
        if not content.strip() or PLACEHOLDER in content:
            continue
        parts += [text[done:start], replaced]
        done = end
    parts.append(text[done:])
    return "".join(parts)


def redact(text: str) -> Redacted:
    """``text`` with every secret found replaced by ``<redacted>``; as many lines as before."""
    before = text.count(PLACEHOLDER)
    text = _tree_pass(text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return Redacted(text, text.count(PLACEHOLDER) - before)
