"""FAPI8xx: security.

Every rule here skips test modules: fixtures hash, log, hard-code and decode tokens on purpose.
Names are judged by their words (``SECRET_KEY`` -> ``secret``, ``key``) and mostly by the last
one, the head noun: ``access_token`` is a token, ``token_type`` and ``token_url`` are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from reviewer.extract.model import Assign, Call, ClassDef, Expr, Function, Module, Span
from reviewer.extract.project import Project
from reviewer.patterns import regex
from reviewer.record import record
from reviewer.rules.base import Autofix, Edit, Finding, Invalid, Rule, Severity, Tier, Valid
from reviewer.rules.helpers import (
    argument_edit,
    assignments_in,
    bound_params,
    callee,
    callee_named,
    calls_to,
    calls_where,
    depends_targets,
    depends_targets_of,
    enclosing_scopes,
    method_calls,
    replace_edit,
    split_words,
    value_literals,
    writes,
)

# -- names ------------------------------------------------------------------------------------

PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pw", "passphrase"})
HASH_WORDS = frozenset({"hash", "hashed", "hashes", "digest", "encrypted", "crypted", "bcrypt"})
STATE_WORDS = frozenset(
    {
        "invalid",
        "expired",
        "bad",
        "wrong",
        "incorrect",
        "missing",
        "revoked",
        "malformed",
        "weak",
        "failed",
        "sentinel",
    }
)
"""Words that say a name holds no live credential (``INVALID_TOKEN``, ``wrong_password``), or a
value is an error code (``"token_expired"``)."""
NOISE_SUFFIXES = frozenset(
    {"bytes", "str", "string", "value", "val", "raw", "plain", "input", "b64", "hex", "encoded"}
)
SECRET_HEADS = frozenset(
    {"password", "passwd", "passphrase", "secret", "token", "apikey", "secretkey"}
)
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "secret",
        "private",
        "signing",
        "encryption",
        "access",
        "client",
        "master",
        "hmac",
        "jwt",
        "auth",
        "app",
    }
)
PUBLIC_TOKENS = frozenset(
    {
        "page",
        "next",
        "continuation",
        "pagination",
        "cursor",
        "csrf",
        "xsrf",
        "cancellation",
        "cancel",
        "name",
        "has",
        "is",
        "no",
        "sync",
        "reservation",
        # language-model vocabulary
        "eos",
        "bos",
        "pad",
        "sep",
        "cls",
        "mask",
        "unk",
        "special",
        "first",
        "output",
        "prompt",
        "completion",
    }
)
AUTH_COOKIE_WORDS = frozenset(
    {
        "session",
        "sessionid",
        "sessid",
        "sid",
        "token",
        "auth",
        "jwt",
        "access",
        "refresh",
        "accesstoken",
        "refreshtoken",
        "authtoken",
        "login",
        "remember",
        "bearer",
    }
)


AUTH_COOKIE_SUFFIXES = ("session", "token")
"""Run-together cookie names: ``fakesession``, ``authtoken``, ``usersession``."""
COOKIE_HINT_HEADS = frozenset(
    {
        "method",
        "methods",
        "provider",
        "type",
        "hint",
        "redirect",
        "url",
        "next",
        "expiry",
        "expires",
    }
)
"""Head nouns of cookies that describe a login rather than carry it: ``last_login_method``,
``auth_provider``, ``login_redirect``, ``session_expiry``; the frontend reads them."""


def _head(words: tuple[str, ...]) -> tuple[str, str]:
    """The head noun of a name and the word before it, ignoring suffixes like ``_bytes``."""
    kept = list(words)
    while len(kept) > 1 and kept[-1] in NOISE_SUFFIXES:
        kept.pop()
    return (kept[-1] if kept else "", kept[-2] if len(kept) > 1 else "")


@lru_cache(maxsize=8192)
def _is_password(identifier: str) -> bool:
    """``password``, ``new_password``, ``plain_pwd``, ``password_bytes``: a password."""
    return _head(split_words(identifier))[0] in PASSWORD_WORDS


@lru_cache(maxsize=8192)
def _is_plain_password(identifier: str) -> bool:
    """A password that does not say it is hashed (``password``, not ``hashed_password``)."""
    words = split_words(identifier)
    return _head(words)[0] in PASSWORD_WORDS and not HASH_WORDS.intersection(words)


@lru_cache(maxsize=8192)
def _is_secret_name(identifier: str) -> bool:
    """``secret_key``, ``JWT_SECRET``, ``api_key``, ``access_token``, ``db_password``; not
    ``token_type``, ``token_url``, ``password_field``, ``cache_key``, ``next_page_token`` or
    ``hashed_password``."""
    words = split_words(identifier)
    if HASH_WORDS.intersection(words) or STATE_WORDS.intersection(words):
        return False
    head, previous = _head(words)
    if head == "token":
        return previous not in PUBLIC_TOKENS
    if head == "key":
        return previous in KEY_QUALIFIERS
    return head in SECRET_HEADS


def _is_auth_cookie(name: str) -> bool:
    """A cookie that authenticates: ``session``, ``access_token``, ``connect.sid``, ``jwt``,
    ``fakesession``, ``authtoken``... CSRF cookies are excluded: the double-submit pattern needs
    them readable by scripts."""
    lowered = name.lower()
    if "csrf" in lowered or "xsrf" in lowered:
        return False
    if _head(tuple(word for word in split_words(name) if word != "cookie"))[0] in COOKIE_HINT_HEADS:
        return False
    words = set(split_words(name))
    return bool(words & AUTH_COOKIE_WORDS) or any(
        word.endswith(AUTH_COOKIE_SUFFIXES) for word in words
    )


def _identifier(expr: Expr) -> str | None:
    """The name an expression reads: ``x``, ``obj.x`` and ``obj["x"]`` all read ``x``."""
    if expr.kind in ("name", "attribute"):
        return expr.op
    if expr.kind == "subscript" and len(expr.items) == 2:
        return expr.items[1].string
    return None


def _receiver(expr: Expr) -> Expr | None:
    """``obj`` in ``obj.x`` or ``obj["x"]``."""
    if expr.kind in ("attribute", "subscript") and expr.items:
        return expr.items[0]
    return None


def _root(expr: Expr) -> str | None:
    """The leftmost name of a dotted expression: ``jwt`` in ``jwt.api_jwt.decode``."""
    while expr.kind == "attribute" and expr.items:
        expr = expr.items[0]
    return expr.op if expr.kind == "name" else None


def _operands(expr: Expr, imported: frozenset[str]) -> Iterator[Expr]:
    """The names an expression reads its data from, skipping called functions and imported
    names: ``(salt + password).encode()`` reads ``salt`` and ``password``; ``f(user)`` reads
    ``user``; ``os.urandom(16)`` reads nothing."""
    if expr.kind == "name" and expr.op in imported:
        return
    if _identifier(expr) is not None:
        yield expr
        return
    if expr.kind == "call":
        func = expr.func
        if func is not None and func.kind == "attribute":
            yield from _operands(func.items[0], imported)
        for arg in [*expr.args, *(value for _, value in expr.kwargs)]:
            yield from _operands(arg, imported)
        return
    for item in expr.items:
        yield from _operands(item, imported)


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)


def _is_false(expr: Expr | None) -> bool:
    return expr is not None and expr.kind == "bool" and expr.value is False


def _has_spread(call: Expr) -> bool:
    return any(name == "**" for name, _ in call.kwargs)


def _func_text(call: Expr) -> str:
    return call.func.text if call.func is not None else call.qualname or "call"


def _is_orm_model(project: Project, qualname: str | None) -> bool:
    return project.model_kind(qualname) in ("orm", "sqlmodel_table")


# -- FAPI801 ----------------------------------------------------------------------------------

FAST_HASHES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "blake2b",
        "blake2s",
    }
)
HASH_VERBS = frozenset(
    {"hash", "hashed", "hashing", "digest", "encrypt", "encode", "verify", "check", "make", "set"}
)
NOT_PASSWORD_CONTEXT = frozenset({"token", "reset", "code", "otp", "link", "url", "policy"})
RANDOM_INPUT = frozenset({"token", "nonce", "otp", "code", "key", "secret", "random", "uuid"})
USER_RECORD_WORDS = frozenset({"user", "account", "member", "customer"})
BREACH_WORDS = frozenset({"pwned", "hibp", "breach", "breached", "leaked", "compromised"})
"""Have I Been Pwned's range API takes the SHA-1 of a password: a lookup, not storage."""
COMPARE_DIGEST = frozenset({"hmac.compare_digest", "secrets.compare_digest"})
SLOW_HASH_PACKAGES = frozenset({"bcrypt", "argon2", "passlib", "pwdlib", "scrypt"})
KDFS = frozenset({"hashlib.pbkdf2_hmac", "hashlib.scrypt"})


def _spells_password(module: Module) -> bool:
    """Some text of ``module`` may name a password: each check of FAPI801 starts from a name
    (of a variable, attribute, argument, function, key or setting) whose words include one of
    :data:`PASSWORD_WORDS`, and every such name is written in the module (a module without one
    is most modules)."""
    return writes(module, PASSWORD_WORDS, any_case=True)


def _from_hashlib(name: str) -> bool:
    """A name :func:`_hashed_data` can know: only ``hashlib``'s functions hash fast."""
    return name.startswith("hashlib.")


def _hashed_data(call: Call) -> Expr | None:
    """The data a fast ``hashlib`` hash is computed over, or None for another call."""
    name = call.qualname
    if name == "hashlib.new":
        algorithm = call.expr.arg(0, "name")
        if algorithm is not None and (algorithm.string or "").lower() in FAST_HASHES:
            return call.expr.arg(1, "data")
        return None
    package, _, attr = name.rpartition(".")
    if package == "hashlib" and attr in FAST_HASHES:
        return call.expr.arg(0, "string") or call.expr.kwarg("data")
    hashed_with = package.removeprefix("hashlib.")
    if attr == "update" and hashed_with != package and hashed_with in FAST_HASHES:
        return call.expr.arg(0)
    return None


def _slow_hash_follows(call: Call, module: Module) -> bool:
    """The function of ``call`` also runs a password hasher (``bcrypt.hashpw``,
    ``pwd_context.hash``, ``PasswordHasher().hash``...): the fast hash pre-hashes or peppers the
    password before it, as for bcrypt's 72-byte limit."""
    for other in module.calls:
        if other.function != call.function or other is call:
            continue
        func = other.expr.func
        if other.qualname.split(".", 1)[0] in SLOW_HASH_PACKAGES or other.qualname in KDFS:
            return True
        if (
            func is not None
            and func.kind == "attribute"
            and func.op in ("hash", "hashpw")
            and _root(func) not in ("hashlib", None)
        ):
            return True
    return False


def _mentions_password(identifier: str) -> bool:
    words = set(split_words(identifier))
    return bool(words & PASSWORD_WORDS) and not words & NOT_PASSWORD_CONTEXT


def _password_context(call: Call, module: Module) -> bool:
    """The hash call sits in a password function (``hash_password``, ``verify_password``) or is
    bound to a password name (``password_hash = ...``, ``User(hashed_password=...)``)."""
    function = module.function(call.function)
    if function is not None:
        words = set(split_words(function.name))
        if _mentions_password(function.name) and words & HASH_VERBS:
            return True
    for assign in assignments_in(module, call.function):
        if (
            assign.value is not None
            and _within(call.span, assign.value.span)
            and any(_mentions_password(_identifier(target) or "") for target in assign.targets)
        ):
            return True
    for outer in module.calls:
        if outer.function == call.function and any(
            _within(call.span, value.span) and _mentions_password(name)
            for name, value in outer.expr.kwargs
        ):
            return True
    return False


def _unwrap_encoding(expr: Expr) -> Expr:
    """``x.encode("utf-8")`` -> ``x``."""
    func = expr.func
    while func is not None and func.kind == "attribute" and func.op in ("encode", "decode"):
        expr = func.items[0]
        func = expr.func
    return expr


def _is_user_record(expr: Expr | None, project: Project) -> bool:
    """An ORM instance, or a name that says it holds a user (``user``, ``db_user``, ``account``)."""
    if expr is None:
        return False
    if _is_orm_model(project, expr.type):
        return True
    identifier = _identifier(expr)
    return identifier is not None and bool(USER_RECORD_WORDS.intersection(split_words(identifier)))


def _is_plain_password_value(expr: Expr) -> bool:
    identifier = _identifier(expr)
    return identifier is not None and _is_plain_password(identifier)


VALIDATORS = frozenset({"field_validator", "validator"})
HASHING_WORDS = frozenset({"hash", "hashpw", "hashed", "encrypt"})


def _hashes(call: Call) -> bool:
    """``hash_password(v)``, ``get_password_hash(v)``, ``pwd_context.hash(v)``, ``bcrypt...``."""
    words = set(split_words(call.expr.last_name))
    return bool(words & HASHING_WORDS) or call.qualname.split(".", 1)[0] in SLOW_HASH_PACKAGES


def _validator_hashes(
    project: Project, type_name: str, field: str, shadowed: frozenset[str] = frozenset()
) -> bool:
    """The Pydantic model ``type_name``, or a base, hashes ``field`` in a validator
    (``@field_validator("password") def hash(cls, v): return hash_password(v)``). A validator of a
    base that the subclass redefines under the same name (``shadowed``) no longer runs."""
    found = project.cls(type_name)
    if found is None or len(shadowed) > 16:
        return False
    module, class_def = found
    names: set[str] = set(shadowed)
    for function in module.functions:
        if function.class_name != class_def.name or function.name in shadowed:
            continue
        names.add(function.name)
        if any(
            (decorator.func or decorator).last_name in VALIDATORS
            and any(arg.string == field for arg in decorator.args)
            for decorator in function.decorators
        ) and any(_hashes(call) for call in module.calls_in(function)):
            return True
    return any(
        _validator_hashes(project, base.qualname, field, frozenset(names) | {class_def.name})
        for base in class_def.bases
        if base.qualname
    )


def _types_of(name: Expr, module: Module, function: str | None) -> list[str]:
    """The types a name may hold: its known type, or every class of its parameter's annotation
    (``user_in: UserRegister | UserCreate``)."""
    if name.type:
        return [name.type]
    found = module.function(function)
    param = found.param(name.op) if found is not None and name.kind == "name" else None
    if param is None or param.annotation is None:
        return []
    return [
        node.qualname
        for node in param.annotation.walk()
        if node.kind in ("name", "attribute") and node.qualname and node.op != "None"
    ]


def _hashed_by_model(value: Expr, module: Module, function: str | None, project: Project) -> bool:
    """``value`` reads the password field of a Pydantic model whose validator already hashed it
    (``user_in.password``, with ``user_in: UserCreate``), directly or through a local of the
    function (``password = bytes(user_in.password, "utf-8")``)."""
    sources = _locals(module, function, value.op) if value.kind == "name" else [value]
    if not sources:
        return False
    for source in sources:
        reads = [
            node
            for node in source.walk()
            if node.kind == "attribute" and _is_plain_password(node.op) and node.items
        ]
        if not reads:
            return False
        for read in reads:
            types = _types_of(read.items[0], module, function)
            if not types or not all(
                _validator_hashes(project, type_name, read.op) for type_name in types
            ):
                return False
    return True


def _stored_plain_password(expr: Expr, project: Project) -> bool:
    """``user.password`` or ``db_user["password"]``: a plain password field of a user record."""
    return _is_plain_password_value(expr) and _is_user_record(_receiver(expr), project)


def _plain_comparison(operands: Iterable[Expr], project: Project) -> Expr | None:
    """The stored plain password (``user.password``) compared with another plain password value,
    or None."""
    sides = [_unwrap_encoding(operand) for operand in operands]
    if len(sides) != 2 or not all(_is_plain_password_value(side) for side in sides):
        return None
    receivers = {receiver.text for side in sides if (receiver := _receiver(side)) is not None}
    if len(receivers) == 1 and all(_receiver(side) is not None for side in sides):
        return None
    return next((side for side in sides if _stored_plain_password(side, project)), None)


CONFIG_WORDS = frozenset({"settings", "config", "conf", "cfg", "configuration", "env", "environ"})
ENV_LOOKUPS = frozenset({"os.getenv", "os.environ.get"})


def _is_configuration(expr: Expr) -> bool:
    """``settings``, ``app.config``, ``get_settings()``, ``os.environ``: where configured values
    are read from."""
    if expr.kind == "call" and expr.func is not None:
        expr = expr.func
    return any(word in CONFIG_WORDS for word in split_words(expr.text))


def _configured_password(expr: Expr, project: Project) -> bool:
    """A password read from the configuration: ``settings.METRICS_PASSWORD``,
    ``os.environ["ADMIN_PASSWORD"]``, ``os.getenv("BASIC_AUTH_PASSWORD")``, or a module-level
    name assigned from one of them."""
    expr = _unwrap_encoding(expr)
    identifier = _identifier(expr)
    receiver = _receiver(expr)
    if identifier is not None and receiver is not None:
        return _is_plain_password(identifier) and _is_configuration(receiver)
    if expr.kind == "call" and expr.qualname in ENV_LOOKUPS:
        key = expr.arg(0, "key")
        return key is not None and key.string is not None and _is_plain_password(key.string)
    if expr.kind == "name" and _is_plain_password(expr.op):
        found = project.assignment(expr.qualname)
        value = found[1].value if found is not None else None
        return value is not None and value.kind != "name" and _configured_password(value, project)
    return False


class WeakPasswordHash(Rule):
    """
    ## What it does
    Flags passwords hashed with a fast `hashlib` hash (`md5`, `sha1`, `sha256`, `sha512`,
    `blake2b`...), and passwords stored in or compared with a user record in plain text.

    A hash is about a password when the hashed data reads a password name (`password`,
    `form.password`, `plain_pwd`), or, failing that, when the call sits in a password function
    (`hash_password`, `verify_password`) or is bound to a password name (`password_hash = ...`)
    and hashes named data that is not a token, nonce or key. Plain-text storage is a password value
    passed as `password=` to an ORM model, or assigned to `user.password`; a plain-text comparison
    is `==`/`!=`/`compare_digest` between `user.password` and another password value.

    A password checked against a configured one with `==`/`!=` is reported too
    (`credentials.password == settings.METRICS_PASSWORD`, or against `os.environ[...]`,
    `os.getenv(...)`, or a module-level name read from them): `==` stops at the first differing
    character, so response times reveal the secret; `secrets.compare_digest` does not.

    ## Why is this bad?
    Fast hashes are built for throughput: a leaked table of SHA-256 password hashes is cracked
    with a GPU at billions of guesses per second, salted or not. A plain-text password column
    hands every password to whoever reads the database or a backup.

    ## Example
    ```python
    import hashlib


    def hash_password(password: str) -> str:
        return hashlib.sha256(password.encode()).hexdigest()
    ```

    ## Use instead
    ```python
    from pwdlib import PasswordHash

    password_hash = PasswordHash.recommended()  # argon2


    def hash_password(password: str) -> str:
        return password_hash.hash(password)
    ```
    `bcrypt`, `argon2-cffi` or a passlib `CryptContext(schemes=["argon2", "bcrypt"])` work too.

    ## Known problems
    `hashlib` used for checksums, ETags, cache keys or token digests is not reported, and neither
    is `hashlib.pbkdf2_hmac`/`hashlib.scrypt` (key derivation functions made for passwords), nor
    a fast hash that pre-hashes the password for a password hasher in the same function
    (`bcrypt.hashpw(b64encode(sha256(password).digest()), salt)`), nor the SHA-1 a
    breached-password lookup sends to Have I Been Pwned (in a function named like `is_pwned`,
    `check_breached_password`).
    A column named `password` that really holds a hash is only reported when the stored value is
    itself a password name. A password read from a Pydantic model that hashes that field in a
    validator (`@field_validator("password") def hash(cls, v): return hash_password(v)`, on the
    model or a base) is already hashed when it reaches the ORM, also through a local
    (`password = bytes(user_in.password, "utf-8")`); the model is found from the parameter's
    annotation, and every class of a union must hash.
    """

    id = "FAPI801"
    cwe = (916,)
    name = "weak-password-hash"
    severity = Severity.ERROR
    fix = "Hash passwords with argon2 or bcrypt (`pwdlib`, `argon2-cffi`, passlib `CryptContext`)."
    VALID = (
        "import hashlib\ndef etag(body: bytes) -> str:\n    return hashlib.md5(body).hexdigest()",
        "import hashlib\nimport os\ndef hash_password(password: str) -> bytes:\n"
        "    salt = hashlib.sha256(os.urandom(60)).hexdigest().encode()\n"
        "    return hashlib.pbkdf2_hmac('sha512', password.encode(), salt, 100_000)",
        "import hashlib\ndef create_password_reset_token(user):\n"
        "    token = secrets.token_urlsafe(32)\n"
        "    digest = hashlib.sha256(token.encode()).hexdigest()\n    return token, digest",
        "def signup(form):\n    if form.password != form.password_confirm:\n        raise ValueError",
        "import base64\nimport hashlib\nimport bcrypt\ndef hash_password(password: str) -> bytes:\n"
        "    digest = base64.b64encode(hashlib.sha256(password.encode()).digest())\n"
        "    return bcrypt.hashpw(digest, bcrypt.gensalt())",
        "import hashlib\ndef is_pwned(password: str) -> bool:\n"
        "    digest = hashlib.sha1(password.encode()).hexdigest().upper()\n"
        "    return digest[5:] in fetch_range(digest[:5])",
        "import secrets\ndef check(credentials):\n"
        "    return secrets.compare_digest(credentials.password.encode(), b'swordfish')",
        "import secrets\ndef metrics_auth(credentials):\n"
        "    return secrets.compare_digest(credentials.password, settings.METRICS_PASSWORD)",
        # Configured, but compared with nothing a client sends.
        "def ready():\n    return settings.ADMIN_PASSWORD != ''",
        "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase): ...\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "def create(payload):\n    return User(password=hash_password(payload.password))",
        # The request model hashes the password in a validator before the ORM sees it.
        "import bcrypt\nfrom pydantic import BaseModel, field_validator\n"
        "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase): ...\n"
        "class Account(Base):\n    __tablename__ = 'accounts'\n"
        "class AccountIn(BaseModel):\n    password: str\n"
        "    @field_validator('password', mode='before')\n    @classmethod\n"
        "    def hash_it(cls, v):\n        return bcrypt.hashpw(v.encode(), bcrypt.gensalt())\n"
        "def create(account_in: AccountIn):\n    password = bytes(account_in.password)\n"
        "    return Account(password=password)",
        Valid(
            "import hashlib\ndef make_user(password):\n"
            "    return hashlib.md5(password.encode()).hexdigest()",
            path="tests/factories.py",
        ),
    )
    INVALID = (
        Invalid(
            "import hashlib\ndef hash_password(password: str) -> str:\n"
            "    return hashlib.sha256(password.encode()).hexdigest()",
            line=3,
        ),
        Invalid(
            "from hashlib import md5\ndef register(form):\n"
            "    digest = md5(form.password.encode()).hexdigest()\n    save(form.email, digest)",
            line=3,
        ),
        Invalid(
            "import hashlib\ndef get_password_hash(raw: str) -> str:\n"
            "    return hashlib.sha1(f'{SALT}{raw}'.encode()).hexdigest()",
            line=3,
        ),
        Invalid(
            "import hashlib\ndef store(user, pw):\n    h = hashlib.sha512()\n"
            "    h.update(pw.encode())\n    user.password_hash = h.hexdigest()",
            line=4,
        ),
        Invalid(
            "def login(form, db):\n    user = db.get_user(form.username)\n"
            "    if user is None or user.password != form.password:\n        raise Denied()",
            line=3,
        ),
        Invalid(
            "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase): ...\n"
            "class User(Base):\n    __tablename__ = 'users'\n"
            "def create(payload):\n    return User(email=payload.email, password=payload.password)",
            line=6,
        ),
        Invalid(
            "def change_password(current_user, body):\n    current_user.password = body.new_password",
            line=2,
        ),
        # Spelt otherwise: a passphrase, a pwd (the module's text filter must keep both).
        Invalid(
            "def change_passphrase(current_user, body):\n"
            "    current_user.passphrase = body.new_passphrase",
            line=2,
        ),
        Invalid("def reset(user, form):\n    user.pwd = form.new_pwd", line=2),
        # A configured password compared with `==`.
        Invalid(
            "def metrics_auth(credentials: HTTPBasicCredentials = Depends(security)):\n"
            "    if credentials.password != settings.METRICS_PASSWORD:\n"
            "        raise HTTPException(401)",
            line=2,
        ),
        Invalid(
            "import os\nADMIN_PASSWORD = os.getenv('ADMIN_PASSWORD')\ndef check(password: str):\n"
            "    return password == ADMIN_PASSWORD",
            line=4,
        ),
        # A validator that only checks the password does not hash it.
        Invalid(
            "from pydantic import BaseModel, field_validator\n"
            "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase): ...\n"
            "class Account(Base):\n    __tablename__ = 'accounts'\n"
            "class AccountIn(BaseModel):\n    password: str\n"
            "    @field_validator('password')\n    @classmethod\n"
            "    def not_empty(cls, v):\n        if not v:\n"
            "            raise ValueError('empty')\n        return v\n"
            "def create(account_in: AccountIn):\n    return Account(password=account_in.password)",
            line=15,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test or not _spells_password(module):
            return
        yield from self._fast_hashes(module)
        yield from self._plain_storage(module, project)
        yield from self._plain_comparisons(module, project)
        yield from self._configured_comparisons(module, project)

    def _fast_hashes(self, module: Module) -> Iterator[Finding]:
        for call in calls_where(module, _from_hashlib):
            data = _hashed_data(call)
            if (
                data is not None
                and self._hashes_password(call, data, module)
                and not _slow_hash_follows(call, module)
            ):
                yield self.finding(
                    module, call, f"`{_func_text(call.expr)}()` is a fast hash, not a password hash"
                )

    def _plain_storage(self, module: Module, project: Project) -> Iterator[Finding]:
        """``User(password=form.password)`` and ``user.password = form.password``."""
        storing = {  # the callees passed a password: only these are looked up in other modules
            call.expr.qualname or ""
            for call in module.calls
            if call.expr.kwargs and any(map(_is_plain_password, dict(call.expr.kwargs)))
        }
        for call in calls_to(module, [name for name in storing if _is_orm_model(project, name)]):
            for name, value in call.expr.kwargs:
                if (
                    _is_plain_password(name)
                    and _is_plain_password_value(value)
                    and not _hashed_by_model(value, module, call.function, project)
                ):
                    message = (
                        f"`{_func_text(call.expr)}({name}=...)` stores the password in plain text"
                    )
                    yield self.finding(module, call, message)
        for assign in module.assignments:
            if assign.value is None or not _is_plain_password_value(assign.value):
                continue
            if _hashed_by_model(assign.value, module, assign.function, project):
                continue
            for target in assign.targets:
                if target.kind == "attribute" and _stored_plain_password(target, project):
                    message = f"`{target.text}` stores the password in plain text"
                    yield self.finding(module, assign.span, message)

    def _configured_comparisons(self, module: Module, project: Project) -> Iterator[Finding]:
        """``credentials.password == settings.METRICS_PASSWORD``: a timing leak."""
        for compare in module.compares:
            if not set(compare.ops) <= {"==", "!="} or len(compare.operands) != 2:
                continue
            configured = [side for side in compare.operands if _configured_password(side, project)]
            others = [side for side in compare.operands if side not in configured]
            if (
                len(configured) == 1
                and others
                and _is_plain_password_value(_unwrap_encoding(others[0]))
            ):
                yield self.finding(
                    module,
                    compare.span,
                    f"`{others[0].text}` is compared with the configured `{configured[0].text}` "
                    "by `==`, which leaks its length and prefix through timing: use "
                    "`secrets.compare_digest`",
                )

    def _plain_comparisons(self, module: Module, project: Project) -> Iterator[Finding]:
        """``user.password == form.password`` and ``compare_digest(user.password, ...)``."""
        compared: list[tuple[Span, tuple[Expr, ...]]] = [
            (call.span, call.expr.args) for call in calls_to(module, COMPARE_DIGEST)
        ]
        compared += [
            (compare.span, compare.operands)
            for compare in module.compares
            if set(compare.ops) <= {"==", "!="}
        ]
        for span, operands in compared:
            stored = _plain_comparison(operands, project)
            if stored is not None:
                yield self.finding(module, span, f"`{stored.text}` is compared in plain text")

    @staticmethod
    def _hashes_password(call: Call, data: Expr, module: Module) -> bool:
        if any(
            BREACH_WORDS.intersection(split_words(scope or ""))
            for scope in enclosing_scopes(call.function)
        ):
            return False
        imported = frozenset(local for local, _ in module.imports)
        names = [_identifier(operand) or "" for operand in _operands(data, imported)]
        if any(_is_password(name) for name in names):
            return True
        if not names or any(RANDOM_INPUT.intersection(split_words(name)) for name in names):
            return False
        return _password_context(call, module)


# -- FAPI802, FAPI803 -------------------------------------------------------------------------

JWT_DECODE = frozenset(
    {"jwt.decode", "jwt.decode_complete", "jwt.api_jwt.decode", "jose.jwt.decode"}
)
JWT_ENCODE = frozenset({"jwt.encode", "jwt.api_jwt.encode", "jose.jwt.encode"})


def _jwt_calls(module: Module, names: frozenset[str]) -> Iterator[Call]:
    """Calls of PyJWT/python-jose functions ``names``, imported in this module (authlib's
    ``jwt.decode`` resolves to ``authlib.jose.jwt.decode`` and is not one of them)."""
    calls = [] if module.is_test else calls_to(module, names)
    imported = {local for local, _ in module.imports} if calls else set()
    for call in calls:
        func = call.expr.func
        if func is not None and _root(func) in imported:
            yield call


def _jwt_options(
    call: Expr, module: Module | None = None, function: str | None = None
) -> dict[str, Expr]:
    """The literal ``options={...}`` of a decode call (the fourth positional argument), or the
    dict literal a local of ``function`` is bound to, when it is bound once
    (``options = {"verify_aud": False}`` ... ``jwt.decode(t, k, options=options)``)."""
    options = call.arg(3, "options")
    if options is not None and options.kind == "name" and module is not None:
        values = _locals(module, function, options.op)
        options = values[0] if len(values) == 1 else None
    if options is None or options.kind != "dict":
        return {}
    return {
        key.string: value
        for key, value in zip(options.keys, options.items, strict=True)
        if key is not None and key.string is not None
    }


def _signature_off(call: Expr, module: Module | None = None, function: str | None = None) -> bool:
    """``options={"verify_signature": False}``, or PyJWT 1's ``verify=False``."""
    options = _jwt_options(call, module, function)
    return _is_false(options.get("verify_signature")) or _is_false(call.kwarg("verify"))


EXPIRY_WORDS = frozenset({"exp", "expiry", "expiration", "expired", "expires", "expire"})
PURPOSE_CLAIMS = frozenset({"iss", "aud", "type", "typ", "token_type", "scope", "purpose"})
AUTH_WORDS = frozenset(
    {
        "auth",
        "authenticate",
        "authenticated",
        "authorize",
        "authorization",
        "current",
        "verify",
        "validate",
        "permission",
        "permissions",
        "require",
        "principal",
        "credentials",
        "guard",
    }
)
"""Words of functions that authenticate a request (``get_current_user``, ``verify_token``,
``require_admin``), or call something that does."""
REQUEST_PARTS = frozenset({"headers", "cookies", "query_params"})


def _scope(module: Module, function: str | None) -> list[str | None]:
    """``function`` and the functions of the module that call it by name: a decode helper's
    result is often checked by its caller (``payload = _decode(t)``, ``_check_expiry(payload)``)."""
    if function is None:
        return [None]
    owner, _, name = function.rpartition(".")
    receivers = {"self", "cls", owner.rpartition(".")[2]} if owner else set()
    callers = {
        call.function
        for call in module.calls
        if (func := call.expr.func) is not None
        and func.op == name
        and (
            func.kind == "name"
            or (
                func.kind == "attribute"
                and func.items[0].kind == "name"
                and func.items[0].op in receivers
            )
        )
    }
    return [function, *sorted(caller for caller in callers if caller and caller != function)]


def _scope_exprs(module: Module, function: str | None) -> Iterator[Expr]:
    """Every expression node of ``function`` and its callers in the module."""
    scopes = set(_scope(module, function))
    roots: list[Expr] = [call.expr for call in module.calls if call.function in scopes]
    roots += [
        operand
        for compare in module.compares
        if compare.function in scopes
        for operand in compare.operands
    ]
    roots += [
        assign.value
        for assign in module.assignments
        if assign.function in scopes and assign.value is not None
    ]
    for root in roots:
        yield from root.walk()


def _reads_claim(node: Expr, claims: frozenset[str]) -> bool:
    """``payload["exp"]``, ``payload.get("exp")`` or ``claims.exp`` for a claim of ``claims``."""
    if node.kind == "subscript" and len(node.items) == 2:
        return node.items[1].string in claims
    func = node.func
    if node.kind == "call" and func is not None and func.kind == "attribute" and func.op == "get":
        key = node.arg(0)
        return key is not None and key.string in claims
    return node.kind == "attribute" and node.op in claims & {"exp", "iss", "aud"}


def _checks_expiry(module: Module, function: str | None) -> bool:
    """The decoding function, or a caller in the module, checks the expiry itself: it reads
    ``exp`` or calls a function about expiry (``_validate_token_expiry(payload)``)."""
    return any(
        _reads_claim(node, frozenset({"exp"}))
        or (node.kind == "call" and bool(EXPIRY_WORDS.intersection(split_words(node.last_name))))
        for node in _scope_exprs(module, function)
    )


def _checks_purpose(module: Module, function: str | None) -> bool:
    """The decoding function, or a caller in the module, checks a claim that binds the token to
    its use: ``iss``, ``aud``, ``type``, ``token_type``, ``scope``... (``if payload.get("type")
    != "access": raise``), which is what ``audience=``/``issuer=`` would do."""
    return any(_reads_claim(node, PURPOSE_CLAIMS) for node in _scope_exprs(module, function))


def _from_request(expr: Expr, module: Module, function: str | None, depth: int = 0) -> bool:
    """``expr`` reads the request's headers or cookies (``request.headers["Authorization"]``),
    directly or through locals of ``function``."""
    for node in expr.walk():
        if node.kind == "attribute" and node.op in REQUEST_PARTS:
            return True
        if (node.string or "").lower() == "authorization":
            return True
        if (
            node.kind == "name"
            and depth < 2
            and any(
                _from_request(value, module, function, depth + 1)
                for value in _locals(module, function, node.op)
            )
        ):
            return True
    return False


def _authenticates(call: Call, module: Module, project: Project) -> bool:
    """The decode serves authentication: the token comes from the request, or the decoding
    function (or a caller in the module) is a route, a dependency, or named for authentication
    (``get_current_user``, ``verify_token``)."""
    token = call.expr.arg(0, "jwt") or call.expr.arg(0, "token")
    if token is not None and _from_request(token, module, call.function):
        return True
    handlers = {route.handler.qualname for route in module.routes}
    dependencies = {*(depends_targets_of(module, project) or ()), *depends_targets(module)}
    for scope in _scope(module, call.function):
        if scope is None:
            continue
        if scope in handlers or {scope, f"{module.name}.{scope}"} & dependencies:
            return True
        if AUTH_WORDS.intersection(split_words(scope.rpartition(".")[2])):
            return True
    return False


UNVERIFIED_HEADER = frozenset({"get_unverified_header", "get_unverified_headers"})


def _locals(module: Module, function: str | None, name: str) -> list[Expr]:
    """The values local ``name`` is assigned in ``function`` (or the scope it is read from)."""
    assigned = _Where(module, function, frozenset(), False).assignments(name)
    return [assign.value for assign in assigned if assign.value is not None]


def _is_unverified_header(expr: Expr, module: Module, function: str | None) -> bool:
    """``jwt.get_unverified_header(token)``, or a local bound to it."""
    if expr.kind == "call":
        return expr.last_name in UNVERIFIED_HEADER
    return expr.kind == "name" and any(
        value.kind == "call" and value.last_name in UNVERIFIED_HEADER
        for value in _locals(module, function, expr.op)
    )


def _from_unverified_header(
    expr: Expr, module: Module, function: str | None, depth: int = 0
) -> bool:
    """``expr`` reads the ``alg`` of the token's unverified header, directly or through locals of
    ``function`` (``header = jwt.get_unverified_header(token)``, ``alg = header["alg"]``)."""
    for node in expr.walk():
        func = node.func
        if node.kind == "subscript" and node.items[1].string == "alg":
            header: Expr | None = node.items[0]
        elif func is not None and func.kind == "attribute" and func.op == "get":
            key = node.arg(0)
            header = func.items[0] if key is not None and key.string == "alg" else None
        else:
            header = None
        if header is not None and _is_unverified_header(header, module, function):
            return True
        if node.kind == "name" and depth < 2:
            for value in _locals(module, function, node.op):
                if _from_unverified_header(value, module, function, depth + 1):
                    return True
    return False


def _says_unverified(function: str | None) -> bool:
    """The enclosing function's name says its claims are unverified (``get_unverified_claims``),
    like PyJWT's own ``get_unverified_header``."""
    return function is not None and "unverified" in split_words(function)


def _requires_exp(options: dict[str, Expr]) -> bool:
    """``options={"require": [..., "exp"]}``: the token must carry an expiry that the code checks
    itself (against an injected clock) rather than through PyJWT's ``verify_exp``."""
    required = options.get("require")
    return required is not None and any(item.string == "exp" for item in required.items)


def _checks_algorithm(module: Module, function: str | None) -> bool:
    """``function`` compares an algorithm (``if header["alg"] not in ALLOWED: raise``): the
    header's choice is checked against a list before it is used."""
    for compare in module.compares:
        if compare.function != function:
            continue
        for operand in compare.operands:
            for node in operand.walk():
                index = node.items[1].string if node.kind == "subscript" else None
                name = node.op if node.kind in ("name", "attribute") else None
                key = node.arg(0) if node.kind == "call" and node.last_name == "get" else None
                if index == "alg" or (key is not None and key.string == "alg"):
                    return True
                if name is not None and {"alg", "algorithm"} & set(split_words(name)):
                    return True
    return False


ANY_ALGORITHM = "accepts any signing algorithm (no `algorithms=` list)"


def _algorithms_fix(call: Expr) -> Autofix | None:
    """``algorithms=["HS256"]`` on a decode that pins none. Unsafe: HS256 is the usual choice
    for a shared secret, but the algorithm must be the one the tokens are issued with."""
    algorithms = call.arg(2, "algorithms")
    edit = (
        argument_edit(call, 'algorithms=["HS256"]')
        if algorithms is None
        else replace_edit(algorithms, '["HS256"]')
    )
    if edit is None:
        return None
    return Autofix(
        'Pin `algorithms=["HS256"]` (check it is the one you issue)', (edit,), safe=False
    )


class JwtSignatureUnverified(Rule):
    """
    ## What it does
    Flags `jwt.decode(...)` (PyJWT, python-jose) that does not pin the signing algorithms, allows
    the `none` algorithm, or turns signature or expiry verification off.

    Pinning means an `algorithms=` keyword or a third positional argument, that is not read from
    the token's own header (`algorithms=[jwt.get_unverified_header(token)["alg"]]`) unless the
    function checks that algorithm against a list first. Verification is off
    with `options={"verify_signature": False}`, `options={"verify_exp": False}` (literal, or a
    local bound once to a dict literal) or PyJWT 1's `verify=False`. Test modules are not checked.

    The signature off is reported where the decode serves authentication: the token is read from
    the request's headers or cookies, or the decoding function, or a function of the module that
    calls it, is a route, a dependency, or named for it (`get_current_user`, `verify_token`,
    `authenticate`, `require_admin`). Reading the claims of a token for display or diagnostics
    is not. Expiry off is not reported when that function or a caller in the module reads `exp`
    itself or calls an expiry check (`_validate_token_expiry(payload)`).

    ## Why is this bad?
    Without an algorithm list the token's own header chooses how it is checked: an attacker signs
    with `none`, or with HS256 using the server's public RSA key as the HMAC secret. With the
    signature off, anyone can mint any claims; with expiry off, a stolen token works forever.

    ## Example
    ```python
    import jwt


    def decode_token(token: str) -> dict[str, object]:
        return jwt.decode(token, settings.secret_key)
    ```

    ## Use instead
    ```python
    import jwt


    def decode_token(token: str) -> dict[str, object]:
        return jwt.decode(token, settings.secret_key, algorithms=["HS256"])
    ```

    ## Known problems
    Options or algorithms held in a variable are taken as given. authlib is not checked: its
    algorithms are fixed where the `JsonWebToken` instance is built, and claims are verified by
    `claims.validate()`, not by `decode`. `jwt.get_unverified_header()` and python-jose's
    `get_unverified_claims()` say what they do and are not reported, and so is a decode with the
    signature off inside a function whose own name says `unverified`. Expiry verification off is
    not reported when the literal options also `require` the `exp` claim: the code checks the
    expiry itself, against its own clock.
    A helper that decodes without the signature and is only called from another module by an
    authenticating function is missed: callers are followed within the module only.
    """

    id = "FAPI802"
    cwe = (347,)
    name = "jwt-signature-unverified"
    severity = Severity.ERROR
    fix = 'Pass `algorithms=["HS256"]` (the algorithms you issue) and keep every verification on.'
    VALID = (
        "import jwt\ndef f(t, key):\n    return jwt.decode(t, key, algorithms=['HS256'])",
        "from jose import jwt\ndef f(t, key):\n    return jwt.decode(t, key, settings.ALGORITHM)",
        "from authlib.jose import jwt\ndef f(t, key):\n    return jwt.decode(t, key)",
        "def f(jwt, t):\n    return jwt.decode(t)",
        "import jwt\ndef f(t, key, **opts):\n    return jwt.decode(t, key, **opts)",
        "import jwt\ndef f(t, jwks):\n    kid = jwt.get_unverified_header(t)['kid']\n"
        "    key = jwks[kid]\n    return jwt.decode(t, key, algorithms=[key['alg']])",
        "import jwt\ndef f(t, key):\n    alg = jwt.get_unverified_header(t)['alg']\n"
        "    if alg not in ALLOWED:\n        raise ValueError(alg)\n"
        "    return jwt.decode(t, key, algorithms=[alg])",
        Valid(
            "import jwt\ndef test_token(client):\n"
            "    claims = jwt.decode(issue(), options={'verify_signature': False})",
            path="tests/test_auth.py",
        ),
        "import jwt\nclass Handler:\n    def get_unverified_claims(self, t):\n"
        "        return jwt.decode(t, options={'verify_signature': False})",
        "import jwt\ndef verify(t, key, now):\n"
        "    claims = jwt.decode(t, key, algorithms=['HS256'],\n"
        "                        options={'require': ['exp'], 'verify_exp': False})\n"
        "    return now < claims['exp']",
        # Shown on a profile page; no authentication reads these claims.
        "import jwt\ndef id_token_claims(raw_id_token):\n"
        "    return jwt.decode(raw_id_token,\n"
        "                      options={'verify_signature': False, 'verify_exp': False})",
        # Expiry off to read the expiry of one's own token.
        "import jwt\ndef session_expires_at(t, key):\n"
        "    claims = jwt.decode(t, key, algorithms=['HS256'], options={'verify_exp': False})\n"
        "    return claims.get('exp')",
        # The caller checks the expiry right after the helper decodes.
        "import jwt\ndef _peek(t, key):\n"
        "    return jwt.decode(t, key, algorithms=['HS256'], options={'verify_exp': False})\n"
        "def load(t, key):\n    payload = _peek(t, key)\n"
        "    _reject_expired(payload)\n    return payload",
    )
    INVALID = (
        Invalid("import jwt\ndef f(t, key):\n    return jwt.decode(t, key)", line=3),
        Invalid(
            "import jwt\ndef signed_with(t, key):\n"
            "    jwt.decode(t, key, algorithms=['HS256'], options={'verify_exp': False})",
            line=3,
        ),
        Invalid(
            "from jose import jwt\ndef f(t, key):\n"
            "    return jwt.decode(t, key, algorithms=['HS256', 'none'])",
            line=3,
        ),
        Invalid(
            "import jwt\ndef get_current_user(t):\n"
            "    return jwt.decode(t, options={'verify_signature': False})",
            line=3,
        ),
        # A helper whose caller authenticates with its claims.
        Invalid(
            "import jwt\ndef claims_of(t):\n"
            "    return jwt.decode(t, options={'verify_signature': False})\n"
            "def authenticate(t):\n    return load_user(claims_of(t)['sub'])",
            line=3,
        ),
        # The token comes straight from the request.
        Invalid(
            "import jwt\ndef tenant_of(request):\n"
            "    token = request.headers['Authorization'].split()[1]\n"
            "    opts = {'verify_signature': False}\n"
            "    return jwt.decode(token, options=opts)['tenant']",
            line=5,
        ),
        Invalid(
            "import jose.jwt\ndef f(t, k):\n"
            "    return jose.jwt.decode(t, k, algorithms=['RS256'], options={'verify_exp': False})",
            line=3,
        ),
        Invalid(
            "import jwt as pyjwt\ndef verify_token(t, k):\n    return pyjwt.decode(t, k, verify=False)",
            line=3,
        ),
        Invalid(
            "from jwt import decode\ndef f(t, k):\n    return decode(t, k, algorithms=None)", line=3
        ),
        Invalid(
            "import jwt\ndef f(t, k):\n    header = jwt.get_unverified_header(t)\n"
            "    return jwt.decode(t, k, algorithms=[header['alg']])",
            line=4,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _jwt_calls(module, JWT_DECODE):
            options = _jwt_options(call.expr, module, call.function)
            problems = self._problems(
                call.expr,
                options,
                trusted=_says_unverified(call.function)
                or not _authenticates(call, module, project),
                expiry_checked=_checks_expiry(module, call.function),
                signature_off=_signature_off(call.expr, module, call.function),
            )
            algorithms = call.expr.arg(2, "algorithms")
            if (
                algorithms is not None
                and _from_unverified_header(algorithms, module, call.function)
                and not _checks_algorithm(module, call.function)
            ):
                problems.append("takes its algorithms from the token's own unverified header")
            if problems:
                fix = _algorithms_fix(call.expr) if problems == [ANY_ALGORITHM] else None
                yield self.finding(
                    module,
                    call,
                    f"`{_func_text(call.expr)}()` {' and '.join(problems)}",
                    autofix=fix,
                )

    @staticmethod
    def _problems(
        call: Expr,
        options: dict[str, Expr],
        *,
        trusted: bool,
        expiry_checked: bool,
        signature_off: bool,
    ) -> list[str]:
        problems: list[str] = []
        algorithms = call.arg(2, "algorithms")
        if signature_off:
            if not trusted:
                problems.append("does not verify the signature")
        elif (algorithms is None or algorithms.kind == "none") and not _has_spread(call):
            problems.append(ANY_ALGORITHM)
        if algorithms is not None:
            names = [algorithms, *algorithms.items] if algorithms.kind != "str" else [algorithms]
            if any((name.string or "").lower() == "none" for name in names):
                problems.append("allows the `none` algorithm")
        if (
            _is_false(options.get("verify_exp"))
            and not _requires_exp(options)
            and not expiry_checked
            and not (signature_off and trusted)
        ):
            problems.append("does not check expiry")
        return problems


class JwtClaimsUnchecked(Rule):
    """
    ## What it does
    Flags `jwt.decode(...)` (PyJWT, python-jose) that checks neither the audience (`audience=`)
    nor the issuer (`issuer=`) of the token. Test modules are not checked.

    ## Why is this bad?
    A token signed with the same key for another service, environment or purpose (an e-mail
    confirmation token, a staging token) is accepted as a login here. Pinning `aud`/`iss` binds
    the token to this API.

    ## Example
    ```python
    import jwt


    def decode_token(token: str) -> dict[str, object]:
        return jwt.decode(token, settings.secret_key, algorithms=["HS256"])
    ```

    ## Use instead
    ```python
    import jwt


    def decode_token(token: str) -> dict[str, object]:
        return jwt.decode(
            token,
            settings.secret_key,
            algorithms=["HS256"],
            audience="orders-api",
            issuer="https://auth.example.com",
        )
    ```

    ## Known problems
    A decode that turns `verify_aud` or `verify_iss` off in its options (literal, or a local dict
    bound once) made that choice in plain sight and is not reported; one that does not verify
    the signature at all is FAPI802's. Neither is a decode whose function, or a caller in the
    module, checks a claim that binds the token to its use (`iss`, `aud`, `type`, `token_type`,
    `scope`: `if payload.get("type") != "access": raise`).
    Calls passing `**kwargs` or more than four positional arguments are not reported.
    """

    id = "FAPI803"
    tier = Tier.PREVIEW
    cwe = (345,)
    name = "jwt-claims-unchecked"
    severity = Severity.INFO
    fix = "Pass `audience=` and/or `issuer=` to `jwt.decode` and set them when issuing tokens."
    VALID = (
        "import jwt\ndef f(t, k):\n    return jwt.decode(t, k, algorithms=['HS256'], audience='api')",
        "from jose import jwt\ndef f(t, k):\n"
        "    return jwt.decode(t, k, algorithms=['RS256'], issuer=settings.ISSUER)",
        "from jose import jwt\ndef f(t, k):\n"
        "    return jwt.decode(t, k, algorithms=['HS256'], options={'verify_aud': False})",
        "import jwt\ndef f(t):\n    return jwt.decode(t, options={'verify_signature': False})",
        "import jwt\ndef f(t, k, **kw):\n    return jwt.decode(t, k, algorithms=['HS256'], **kw)",
        # The issuer is checked by hand (two accepted issuers), so it is off in the options.
        "import jwt\ndef f(t, k):\n    options = {'verify_aud': False, 'verify_iss': False}\n"
        "    claims = jwt.decode(t, k, algorithms=['RS256'], options=options)\n"
        "    if claims.get('iss') not in ISSUERS:\n        raise ValueError('issuer')",
        # The raw helper; the checked wrapper right below binds the token's purpose.
        "import jwt\ndef decode_unsafe(t, k):\n    return jwt.decode(t, k, algorithms=['HS256'])\n"
        "def decode(t, k, kind):\n    claims = decode_unsafe(t, k)\n"
        "    if claims.get('type') != kind:\n        raise ValueError(kind)\n    return claims",
    )
    INVALID = (
        Invalid(
            "import jwt\ndef f(t, k):\n    return jwt.decode(t, k, algorithms=['HS256'])", line=3
        ),
        Invalid(
            "from jose import jwt\nasync def current_user(token: str):\n"
            "    payload = jwt.decode(token, SECRET, algorithms=[ALGORITHM])\n    return payload",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in _jwt_calls(module, JWT_DECODE):
            expr = call.expr
            if expr.kwarg("audience") or expr.kwarg("issuer") or _has_spread(expr):
                continue
            if len(expr.args) > 4 or _signature_off(expr, module, call.function):
                continue
            options = _jwt_options(expr, module, call.function)
            if _is_false(options.get("verify_aud")) or _is_false(options.get("verify_iss")):
                continue
            if _checks_purpose(module, call.function):
                continue
            yield self.finding(
                module, call, f"`{_func_text(expr)}()` checks neither the audience nor the issuer"
            )


# -- FAPI804 ----------------------------------------------------------------------------------

SQL_TEXT = frozenset(
    {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "sqlmodel.text"}
)
SQL_FETCH = frozenset(
    {"raw", "fetch", "fetchall", "fetchone", "fetchrow", "fetchval", "fetch_all", "fetch_one"}
)
SQL_LOOK = regex(
    r"\b(select\b.*\bfrom|insert\s+into|update\b.*\bset|delete\s+from|where|order\s+by"
    r"|group\s+by|(create|drop|alter)\s+(table|index|view|schema)|truncate|pragma|vacuum)\b",
    re.IGNORECASE | re.DOTALL,
)
SAFE_TYPES = frozenset(
    {"int", "float", "bool", "uuid.UUID", "decimal.Decimal", "datetime.datetime", "datetime.date"}
)
SAFE_CALLS = frozenset(
    {"int", "float", "len", "bool", "abs", "round", "math.ceil", "math.floor", "math.trunc"}
)
NUMBER_PICKS = frozenset({"max", "min"})
"""``max(1, ceil(seconds))``: a number when every argument is one."""
SQL_STRUCTURE = frozenset(
    {
        "table",
        "tables",
        "tbl",
        "tablename",
        "schema",
        "column",
        "columns",
        "col",
        "cols",
        "index",
        "view",
        "database",
        "dbname",
        "placeholder",
        "placeholders",
        "where",
        "clause",
        "clauses",
        "condition",
        "conditions",
        "predicate",
    }
)
"""Words of names that hold SQL identifiers or fragments the code builds, which cannot be bound
as parameters (``table_name``, ``self.schema``, ``database``, ``db_name``)."""
CONSTANT = regex(r"_*[A-Z][A-Z0-9_]*")
MAX_DEPTH = 4
SANITIZER_WORDS = frozenset(
    {"sanitize", "sanitized", "quote", "quoted", "escape", "escaped", "identifier", "ident"}
)
"""Functions whose name says they make a value safe to splice: ``sanitize_identifier(key)``,
``_quote_identifier(name)``, ``build_postgres_identifier(id)``."""
VALIDATOR_WORDS = frozenset({"validate", "validated", "valid", "allowed", "safe", "ensure"})
REGEX_CHECKS = frozenset({"re.match", "re.fullmatch", "re.search"})
TRANSPARENT_CALLS = frozenset({"str", "repr"})
ENUM_BASES = frozenset({"Enum", "StrEnum", "IntEnum", "IntFlag", "Flag"})
PLACEHOLDER_LIST = regex(r"[\[(]?\s*(['\"])(\?|%s|\$\d+|:\w+)\1\s+for\s")
"""A comprehension of bind placeholders: ``["?" for _ in ids]``."""


def _sql_sink(call: Call) -> tuple[str, bool] | None:
    """``(label, is_sql)`` for a call that runs its first argument as SQL; ``is_sql`` is False
    for method names that other libraries share (``execute``, ``fetch``...), whose string must
    then look like SQL."""
    if call.qualname in SQL_TEXT:
        return "text", True
    func = call.expr.func
    if func is None or func.kind != "attribute":
        return None
    if func.op == "exec_driver_sql":
        return func.op, True
    if func.op.startswith("execute") or func.op in SQL_FETCH:
        return func.op, False
    return None


def _sql_calls(module: Module, project: Project) -> list[Call]:
    """The calls of ``module`` that can run SQL: by :func:`_sql_sink`, or a repository function
    (which :func:`_wrapped_sql` looks into)."""
    return calls_where(
        module,
        lambda name: name in SQL_TEXT or callee_named(project, name) is not None,
        lambda name: name == "exec_driver_sql" or name.startswith("execute") or name in SQL_FETCH,
    )


def _wrapped_sql(
    call: Call, project: Project, scope: tuple[Module, Function] | None = None, depth: int = 0
) -> tuple[str, bool, Expr] | None:
    """A repository function or method that passes one of its parameters on as SQL
    (``Database.fetchall(self, query)`` running ``self.cursor.execute(query)``), up to two
    wrappers deep: ``(label, is_sql, the argument of this call that becomes the SQL)``."""
    found = callee(project, call.expr, scope) if depth < 2 else None
    if found is None:
        return None
    module, function = found
    bound = bound_params(function, call.expr)
    for inner in module.calls_in(function):
        sink = _sql_sink(inner)
        if sink is not None:
            argument = _sql_argument(inner.expr)
            label, is_sql = sink
        else:
            wrapped = _wrapped_sql(inner, project, found, depth + 1)
            if wrapped is None:
                continue
            label, is_sql, argument = wrapped
        if argument is not None and argument.kind == "call" and argument.qualname in SQL_TEXT:
            argument = argument.arg(0)
        if argument is not None and argument.kind == "name" and argument.op in bound:
            wrapper = call.expr.func.text if call.expr.func is not None else function.name
            return f"{wrapper}() -> {label}", is_sql, bound[argument.op]
    return None


def _sql_argument(call: Expr) -> Expr | None:
    if call.args:
        return call.args[0]
    for name in ("query", "sql", "statement", "text"):
        value = call.kwarg(name)
        if value is not None:
            return value
    return None


def _pieces(expr: Expr) -> tuple[list[str], list[Expr]]:
    """The literal text of a built string and the values spliced into it."""
    literals: list[str] = []
    values: list[Expr] = []
    if expr.kind == "str":
        literals.append(expr.string or "")
    elif expr.kind == "fstring":
        literals.append(str(expr.value or ""))
        values.extend(expr.items)
    elif expr.kind == "binop" and expr.op == "+":
        for item in expr.items:
            if item.kind in ("str", "fstring", "binop") or item.is_built_string:
                more, spliced = _pieces(item)
                literals += more
                values += spliced
            else:
                values.append(item)
    elif expr.kind == "binop" and expr.op == "%":
        literals, values = _pieces(expr.items[0])
        right = expr.items[1]
        values += right.items if right.kind in ("tuple", "dict") else [right]
    elif expr.is_built_string and expr.func is not None:
        literals += _pieces(expr.func.items[0])[0]
        values += [*expr.args, *(value for _, value in expr.kwargs)]
    else:
        values.append(expr)
    return literals, values


def _how(expr: Expr) -> str:
    if expr.kind == "fstring":
        return "an f-string"
    if expr.kind == "binop":
        return f"`{expr.op}`"
    return "`.format()`"


def _is_migration(module: Module) -> bool:
    """An Alembic revision or environment: it runs once, from the deploy, on the migration's
    own constants and the database's own rows and catalog, never on a request."""
    if not any(target.startswith("alembic") for _, target in module.imports):
        return False
    revision = any(
        assign.function is None
        and any(target.kind == "name" and target.op == "revision" for target in assign.targets)
        for assign in module.assignments
    )
    return revision or module.path.rsplit("/", 1)[-1] == "env.py"


def _is_enum(project: Project, type_name: str | None, depth: int = 0) -> bool:
    """``type_name`` is an Enum class of the project (or the standard library's)."""
    if type_name is None or depth > 4:
        return False
    if type_name.rpartition(".")[2] in ENUM_BASES and type_name.startswith("enum."):
        return True
    found = project.cls(type_name)
    if found is None:
        return False
    return any(
        (base.qualname or base.op).rpartition(".")[2] in ENUM_BASES
        or _is_enum(project, base.qualname, depth + 1)
        for base in found[1].bases
    )


@record
class _Where:
    """Where a spliced value is read: its module and function, and the function's parameters
    (``from_client``: the function is a route handler, so they come from the request)."""

    module: Module
    function: str | None
    params: frozenset[str]
    from_client: bool
    project: Project | None = None

    @property
    def owner(self) -> str | None:
        """The class the function is a method of."""
        found = self.module.function(self.function)
        return found.class_name if found is not None else None

    def validated(self, name: str) -> bool:
        """The function passes ``name`` to a check (``if not validate_tenant_id(tenant_id):
        raise``, ``if re.match(DATE_RE, expr):``) before splicing it."""
        for call in self.module.calls:
            if call.function != self.function:
                continue
            checks = call.qualname in REGEX_CHECKS or bool(
                VALIDATOR_WORDS.intersection(split_words(call.expr.last_name))
            )
            if checks and any(
                arg.kind == "name" and arg.op == name
                for arg in [*call.expr.args, *(value for _, value in call.expr.kwargs)]
            ):
                return True
        return False

    def class_constant(self, expr: Expr) -> bool:
        """``cls.X``/``self.X`` bound at class level to a number or string literal
        (``_threshold: ClassVar[float] = 0.5``), in the class or one of its bases."""
        receiver = expr.items[0] if expr.items else None
        owner = self.owner
        if receiver is None or receiver.kind != "name" or receiver.op not in ("self", "cls"):
            return False
        found = self.module.cls(owner) if owner is not None else None
        classes: list[tuple[Module, ClassDef]] = [(self.module, found)] if found else []
        for module, class_def in classes:
            if any(
                self._literal_field(assign, class_def.name, expr.op)
                for assign in module.assignments
            ):
                return True
            if self.project is None or len(classes) > 8:
                continue
            for base in class_def.bases:
                based = self.project.cls(base.qualname) if base.qualname else None
                if based is not None and based not in classes:
                    classes.append(based)
        return False

    @staticmethod
    def _literal_field(assign: Assign, class_name: str, name: str) -> bool:
        return (
            assign.class_name == class_name
            and assign.function is None
            and assign.value is not None
            and assign.value.kind in ("number", "str", "bool")
            and any(target.kind == "name" and target.op == name for target in assign.targets)
        )

    def typed_safe(self, expr: Expr) -> bool:
        """An enum member (a parameter typed with an Enum, ``self.value`` in an Enum's method),
        the key of a ``ZoneInfo`` (a validated zone name), or the result of a function of the
        module annotated to return a number."""
        if expr.kind == "name" and self.project is not None and _is_enum(self.project, expr.type):
            return True
        if expr.kind == "attribute" and expr.items:
            receiver = expr.items[0]
            if receiver.type == "zoneinfo.ZoneInfo" and expr.op == "key":
                return True
            if (
                expr.op in ("value", "name")
                and receiver.kind == "name"
                and receiver.op == "self"
                and self.project is not None
                and self.owner is not None
                and _is_enum(self.project, f"{self.module.name}.{self.owner}")
            ):
                return True
            if expr.op == "name" and SQL_STRUCTURE.intersection(split_words(receiver.text)):
                return True  # ``column.name``, ``column.table.name``: a schema object's name
        if expr.kind == "call" and expr.func is not None and expr.func.kind == "name":
            found = self.module.function(expr.func.op)
            annotation = found.returns_annotation if found is not None else None
            return annotation is not None and annotation.text in ("int", "float", "bool")
        return False

    def assignments(self, name: str) -> list[Assign]:
        """The assignments to local ``name`` in the innermost scope that has any."""
        for scope in enclosing_scopes(self.function):
            found = [
                assign
                for assign in assignments_in(self.module, scope)
                if any(target.kind == "name" and target.op == name for target in assign.targets)
            ]
            if found:
                return found
        return []

    def appended(self, name: str) -> Iterator[Expr]:
        """Values added to local list ``name`` with ``append``/``extend``/``insert``."""
        for call in self.module.calls:
            func = call.expr.func
            if (
                call.function == self.function
                and func is not None
                and func.kind == "attribute"
                and func.op in ("append", "extend", "insert")
                and func.items[0].kind == "name"
                and func.items[0].op == name
            ):
                yield from call.expr.args[-1:]

    def allow_listed(self, name: str) -> bool:
        """The function checks ``name`` against literal strings (``if op in ("IN", "NOT IN"):``,
        ``if op not in ("asc", "desc"): raise``)."""
        return any(
            compare.function == self.function
            and compare.left.kind == "name"
            and compare.left.op == name
            and compare.ops in (("in",), ("not in",))
            and compare.comparators[0].kind in ("tuple", "list", "set")
            and all(item.kind == "str" for item in compare.comparators[0].items)
            for compare in self.module.compares
        )

    def unsafe(self, expr: Expr, depth: int = 0, seen: frozenset[str] = frozenset()) -> bool:
        """``expr`` may carry outside data: not a literal, a constant, a number-typed value, or a
        local built only from those (``seen``: the locals being expanded, so that
        ``sql = f"NOT {sql}"`` is decided by ``sql``'s other assignments)."""
        if depth > MAX_DEPTH:
            return True
        if expr.kind in ("str", "bytes", "number", "bool", "none"):
            return False
        if expr.kind in ("name", "attribute") and (
            CONSTANT.fullmatch(expr.op) or expr.op == "__tablename__" or expr.type in SAFE_TYPES
        ):
            return False
        if self.typed_safe(expr) or (expr.kind == "attribute" and self.class_constant(expr)):
            return False
        if expr.kind == "other" and PLACEHOLDER_LIST.match(expr.text):
            return False
        if expr.kind == "attribute" and expr.op in ("value", "name"):
            # ``Status.DRAFT.value``: an enum member's value
            member = expr.items[0]
            return not (member.kind == "attribute" and CONSTANT.fullmatch(member.op))
        if (
            expr.kind in ("name", "attribute")
            and (SQL_STRUCTURE.intersection(split_words(expr.op)) or expr.op.lower() == "db_name")
            and not (self.from_client and expr.op in self.params)
        ):
            return False
        if expr.kind == "binop" and expr.op not in ("+", "%"):
            return any(self.unsafe(item, depth + 1, seen) for item in expr.items)
        if expr.kind in ("fstring", "binop") or expr.is_built_string:
            return any(self.unsafe(value, depth + 1, seen) for value in _pieces(expr)[1])
        if expr.kind in ("list", "tuple", "set", "dict"):
            return any(self.unsafe(item, depth + 1, seen) for item in expr.items)
        if expr.kind == "subscript":
            # ``TEMPLATES[op]``: a value picked from a container of safe values
            return self.unsafe(expr.items[0], depth + 1, seen)
        if expr.kind == "call":
            func = expr.func
            words = set(split_words(expr.last_name))
            if expr.qualname in SAFE_CALLS or words & (SANITIZER_WORDS | SQL_STRUCTURE):
                return False  # ``int(x)``, ``quote_identifier(x)``, ``_build_where(...)``
            if expr.qualname in TRANSPARENT_CALLS and not expr.kwargs:
                return any(self.unsafe(arg, depth + 1, seen) for arg in expr.args)
            if expr.qualname in NUMBER_PICKS and not expr.kwargs:
                return any(self.unsafe(arg, depth + 1, seen) for arg in expr.args)
            if func is not None and func.kind == "attribute" and func.op == "join":
                return func.items[0].kind != "str" or any(
                    self.unsafe(arg, depth + 1, seen) for arg in expr.args
                )
            return True
        if expr.kind == "name" and (self.allow_listed(expr.op) or self.validated(expr.op)):
            return False
        if expr.kind != "name" or expr.op in self.params:
            return True
        if expr.op in seen:
            return False
        assigned = self.assignments(expr.op)
        values = [assign.value for assign in assigned if assign.value is not None]
        return (
            not values
            or len(values) < len(assigned)
            or any(
                self.unsafe(value, depth + 1, seen | {expr.op})
                for value in [*values, *self.appended(expr.op)]
            )
        )


class SqlStringBuilding(Rule):
    """
    ## What it does
    Flags SQL built with an f-string, `.format()`, `%` or `+` and passed to `execute()`, `text()`
    or another call that runs it.

    The calls are `execute*`, `exec_driver_sql`, `text`, `raw`, `fetch`, `fetchall`, `fetchone`,
    `fetchrow`, `fetchval`, `fetch_all` and `fetch_one`, with the string as first argument,
    directly or through a local variable of the same function (the finding is then on the line
    that builds the string). A function or method of the repository that hands one of its
    parameters to such a call, up to two wrappers deep (`Database.fetchall(self, query)` running
    `self.cursor.execute(query, params)`, `run_sql(session, sql)` running
    `session.execute(text(sql))`), is such a call too. Test modules are not checked.

    Only strings that splice in a value that may come from outside are reported: literals,
    `UPPER_CASE` constants, `Model.__tablename__`, values typed `int`/`float`/`bool`/`UUID`/
    `datetime`, enum members' `.value`, arithmetic on those, `int()`/`len()`/`math.ceil()`...,
    `max()`/`min()` of those, items of containers of those, and locals built only from those are
    safe, and so is a name the function checks against literal strings
    (`if op in ("IN", "NOT IN"):`). SQL built at import time (module or class level: `server_default=text(f"'{X}'")`, a
    module constant) cannot hold request data and is not reported. So are names that say they hold SQL
    identifiers or fragments built by the code (`table_name`, `self.schema`, `db_name`,
    `columns`, `placeholders`), unless they are parameters of the route handler itself. For the
    method names other libraries share (`execute`, `fetch`, `raw`...) the string must also read
    like SQL (`SELECT ... FROM`, `INSERT INTO`, `WHERE`, `ORDER BY`...); whatever goes to
    `text()` and `exec_driver_sql()` is SQL.

    Also safe: a value passed through a function whose name says it sanitizes, quotes or
    escapes (`sanitize_identifier(key)`, `_quote_identifier(name)`) or builds a fragment
    (`_build_where(...)`), `str()` of a safe value, a name the function checks first
    (`if not validate_tenant_id(tenant_id): raise`, `if re.match(DATE_RE, expr):`), `cls.X` or
    `self.X` bound to a literal at class level (also in a base class), a parameter typed with an
    Enum and `self.value` inside an Enum, the `key` of a `ZoneInfo`, the call of a function of
    the module annotated `-> int`, the `.name` of a schema object (`column.name`,
    `column.table.name`), names of SQL fragments (`where`, `clause`, `conditions`), and a
    comprehension of bind placeholders (`",".join(["?" for _ in ids])`).

    Alembic migrations (a module importing `alembic` with a module-level `revision`, and
    Alembic's `env.py`) are not checked: they run once from the deploy, on the migration's own
    constants and on the database's own rows and catalog, and they must splice identifiers that
    cannot be bound. A request never reaches them.

    ## Why is this bad?
    A value spliced into SQL text is SQL: `name = "x' OR '1'='1"` reads every row, and worse.
    Bound parameters send the values separately, so the database never parses them as SQL.

    ## Example
    ```python
    from sqlalchemy import text


    @router.get("/users")
    async def find_users(name: str, db: AsyncSession = Depends(get_db)) -> list[UserOut]:
        result = await db.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
        return result.all()
    ```

    ## Use instead
    ```python
    from sqlalchemy import text


    @router.get("/users")
    async def find_users(name: str, db: AsyncSession = Depends(get_db)) -> list[UserOut]:
        result = await db.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
        return result.all()
    ```
    Or build the query with SQLAlchemy Core/ORM expressions (`select(User).where(...)`).

    ## Known problems
    A helper that splices a `table`, `column` or `where` parameter is trusted: its callers are
    not followed. A migration that splices values read from rows a user wrote (second-order
    injection) is missed. A value chosen by a conditional expression or a comprehension other
    than placeholders is not followed and is reported. A placeholder list stored under another name than `placeholders` is reported; an
    expanding `bindparam` (SQLAlchemy) or `= ANY($1)` (asyncpg) avoids building it.
    """

    id = "FAPI804"
    tier = Tier.PREVIEW
    cwe = (89,)
    name = "sql-string-building"
    severity = Severity.WARNING
    fix = (
        "Use bound parameters (`text('... = :name')` with a params dict, or `?`/`$1` placeholders)."
    )
    VALID = (
        # The wrapper gets a parameterised query.
        "import sqlite3\nclass Database:\n    def __init__(self, path):\n"
        "        self.conn = sqlite3.connect(path)\n"
        "    def fetchall(self, query, params=()):\n"
        "        return self.conn.execute(query, params).fetchall()\n"
        "db = Database('app.db')\n@app.get('/users')\ndef users(name: str):\n"
        "    return db.fetchall('SELECT * FROM users WHERE name = ?', (name,))",
        "def f(db, name):\n    db.execute(text('SELECT * FROM users WHERE name = :n'), {'n': name})",
        "def f(cur, name):\n    cur.execute('SELECT * FROM users WHERE name = ?', (name,))",
        "TABLE = 'users'\ndef f(cur, uid):\n    cur.execute(f'SELECT * FROM {TABLE} WHERE id = ?', (uid,))",
        "def f(cur, limit: int):\n    cur.execute(f'SELECT * FROM users LIMIT {limit}')",
        "def f(redis, key):\n    return redis.execute_command(f'GET {key}')",
        "async def has_column(conn, table_name):\n"
        "    return await conn.execute(f'PRAGMA table_info({table_name})')",
        "from sqlalchemy import text\ndef create_database(conn, db_name):\n"
        "    conn.execute(text(f'CREATE DATABASE \"{db_name}\"'))",
        "def f(cur, ids):\n    placeholders = ', '.join('?' * len(ids))\n"
        "    cur.execute(f'SELECT * FROM t WHERE id IN ({placeholders})', ids)",
        "def f(db, name):\n    conditions = ['active']\n    if name:\n"
        "        conditions.append('name = :name')\n"
        "    sql = 'SELECT * FROM users WHERE ' + ' AND '.join(conditions)\n"
        "    return db.execute(text(sql), {'name': name})",
        Valid(
            "def test_f(cur, name):\n    cur.execute(f'SELECT * FROM users WHERE name = {name!r}')",
            path="tests/test_users.py",
        ),
        "from math import ceil\ndef f(conn, seconds, timeout: int):\n"
        "    ms = max(1, ceil(seconds * 1000))\n"
        "    conn.exec_driver_sql(f\"SET LOCAL lock_timeout = '{ms}ms'\")\n"
        "    conn.execute(f'PRAGMA busy_timeout = {int(timeout) * 1000}')",
        "import sqlalchemy as sa\nclass Server(Base):\n"
        "    status = Column(String(20), server_default=sa.text(f\"'{Status.DRAFT.value}'\"))",
        "STAGES = ('a', 'b')\nSQL = f\"INSERT INTO t ({', '.join(s for s in STAGES)}) VALUES ($1)\"\n"
        "async def f(db):\n    await db.execute_raw(SQL)",
        "import sqlalchemy as sa\ndef f(column, op, value):\n"
        "    templates = {'LIKE': '{column} LIKE :value', 'ILIKE': 'lower({column}) LIKE :value'}\n"
        "    return sa.text(templates[op].format(column=column)).bindparams(value=value)",
        "import sqlalchemy as sa\ndef f(column, op):\n    if op in ('IN', 'NOT IN'):\n"
        "        return sa.text(f'({column} {op} :values)')",
        "import sqlalchemy as sa\ndef f(col_ref, negate):\n"
        "    template = f'({col_ref} = :value)'\n    if negate:\n"
        "        template = f'NOT {template}'\n    return sa.text(template)",
        # An Alembic revision renaming constraints listed in the migration itself.
        Valid(
            "from alembic import op\nrevision = 'a1b2c3'\ndown_revision = None\n"
            "RENAMES = (('old_uq', 'new_uq', 'workflow'),)\ndef upgrade():\n"
            "    for old, new, table in RENAMES:\n"
            '        op.execute(f\'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"\')',
            path="alembic/versions/a1b2c3_rename.py",
        ),
        # Checked, sanitized and built-by-helper identifiers (schema names cannot be bound).
        "from sqlalchemy import text\ndef drop_schema(conn, tenant_id):\n"
        "    if not validate_tenant_id(tenant_id):\n        raise ValueError(tenant_id)\n"
        "    conn.execute(text(f'DROP SCHEMA IF EXISTS \"{tenant_id}\" CASCADE'))",
        "def add_field(cur, key):\n    column = sanitize_identifier(key)\n"
        "    cur.execute(f'ALTER TABLE entries ADD COLUMN {column} TEXT')",
        "from sqlalchemy import text\nasync def count(session, where):\n"
        "    return await session.execute(text(f'SELECT COUNT(*) FROM orgs o WHERE {where}'))",
        # Settings that cannot be bound, from constants, class constants and typed helpers.
        "from sqlalchemy import text\nTHRESHOLD = 0.3\ndef _timeout_ms() -> int:\n"
        "    return 500\nclass Search:\n    _similarity: float = 0.5\n    @classmethod\n"
        "    def run(cls, db):\n"
        "        db.execute(text('SET pg_trgm.similarity_threshold = ' + str(THRESHOLD)))\n"
        "        db.execute(text(f'SET pg_trgm.word_similarity_threshold = {cls._similarity}'))\n"
        "        db.execute(text(f'SET LOCAL statement_timeout = {_timeout_ms()}'))",
        "from enum import StrEnum\nfrom sqlalchemy import text\nclass Interval(StrEnum):\n"
        "    day = 'day'\n    def sql(self):\n        return text(f\"'1 {self.value}'::interval\")",
        "from zoneinfo import ZoneInfo\nfrom sqlalchemy import text\n"
        "async def f(session, timezone: ZoneInfo):\n"
        "    await session.execute(text(f\"SET LOCAL TIME ZONE '{timezone.key}'\"))",
        # Placeholders from a comprehension; a reflected column's own name.
        "def f(db, table, ids):\n    marks = ','.join(['?' for _ in ids])\n"
        "    db.execute_sql(f'DELETE FROM {table} WHERE id IN ({marks})', ids)",
        "def f(engine, column):\n"
        "    engine.execute(f'SELECT COUNT(DISTINCT {column.name}) FROM {column.table.name}')",
    )
    INVALID = (
        # Through a thin wrapper of the driver.
        Invalid(
            "import sqlite3\nclass Database:\n    def __init__(self, path):\n"
            "        self.conn = sqlite3.connect(path)\n"
            "    def fetchall(self, query, params=()):\n"
            "        return self.conn.execute(query, params).fetchall()\n"
            "db = Database('app.db')\n@app.get('/users')\ndef users(name: str):\n"
            "    return db.fetchall(f\"SELECT * FROM users WHERE name = '{name}'\")",
            line=10,
        ),
        Invalid(
            "from sqlalchemy import text\nasync def f(db, name):\n"
            "    return await db.execute(text(f\"SELECT * FROM users WHERE name = '{name}'\"))",
            line=3,
        ),
        Invalid(
            "def f(cur, email):\n    query = \"SELECT id FROM users WHERE email = '%s'\" % email\n"
            "    cur.execute(query)",
            line=2,
        ),
        Invalid(
            "async def f(conn, order):\n"
            "    return await conn.fetch('SELECT * FROM items ORDER BY {}'.format(order))",
            line=2,
        ),
        Invalid(
            "def f(cur, name):\n    sql = 'SELECT * FROM users WHERE 1 = 1'\n"
            '    sql += " AND name = \'" + name + "\'"\n    cur.execute(sql)',
            line=3,
        ),
        Invalid(
            "@router.get('/export')\ndef export(conn, table: str):\n"
            "    conn.exec_driver_sql(f'VACUUM {table}')",
            line=3,
        ),
        # The check is on another name; `str()` does not make a value safe.
        Invalid(
            "from sqlalchemy import text\ndef f(conn, tenant_id, name):\n"
            "    if not validate_tenant_id(tenant_id):\n        raise ValueError(tenant_id)\n"
            "    conn.execute(text(f\"SELECT * FROM t WHERE name = '{name}'\"))",
            line=5,
        ),
        Invalid(
            "from sqlalchemy import text\ndef f(db, name):\n"
            "    db.execute(text('SELECT * FROM users WHERE name = ' + str(name)))",
            line=3,
        ),
        # Outside a migration, `op.execute`-style code is checked like any other.
        Invalid(
            "from sqlalchemy import text\ndef rename(conn, new_name):\n"
            "    conn.execute(text(f\"UPDATE action SET name = '{new_name}'\"))",
            line=3,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if _is_migration(module):
            return
        reported: set[Span] = set()
        for call in [] if module.is_test else _sql_calls(module, project):
            sink = _sql_sink(call)
            argument = _sql_argument(call.expr) if sink else None
            if sink is None and call.function is not None:
                wrapped = _wrapped_sql(call, project)
                if wrapped is not None:
                    sink, argument = wrapped[:2], wrapped[2]
            if sink is None or argument is None or call.function is None:
                continue
            label, is_sql = sink
            function = module.function(call.function)
            handler = any(route.handler.qualname == call.function for route in module.routes)
            where = _Where(module, call.function, self._params(function), handler, project)
            if argument.is_built_string:
                literals, _ = _pieces(argument)
                if where.unsafe(argument) and (is_sql or SQL_LOOK.search(" ".join(literals))):
                    yield self.finding(
                        module,
                        argument,
                        f"SQL built with {_how(argument)} is passed to `{label}()`",
                    )
                continue
            if argument.kind != "name":
                continue
            assigned = where.assignments(argument.op)
            literals = [
                text
                for assign in assigned
                if assign.value is not None
                for text in _pieces(assign.value)[0]
            ]
            if not (is_sql or SQL_LOOK.search(" ".join(literals))):
                continue
            for assign in assigned:
                value = assign.value
                if (
                    value is None
                    or not value.is_built_string
                    or assign.function is None
                    or assign.span in reported
                ):
                    continue
                if where.unsafe(value):
                    reported.add(assign.span)
                    yield self.finding(
                        module,
                        assign.span,
                        f"SQL in `{argument.op}` is built with {_how(value)} and passed to "
                        f"`{label}()` on line {call.span.line}",
                    )

    @staticmethod
    def _params(function: Function | None) -> frozenset[str]:
        return frozenset(param.name for param in function.params) if function else frozenset()


# -- FAPI805 ----------------------------------------------------------------------------------

LOG_METHODS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "fatal",
        "log",
        "msg",
        "trace",
        "success",
    }
)
LOG_PACKAGES = ("logging.", "loguru.", "structlog.")
LOGGED_HEADS = frozenset({"authorization", "cookie", "cookies", "credentials"})
PASSWORD_ACTIONS = frozenset({"update", "reset", "change", "forgot", "set", "verify", "check"})
TERMINAL_PROMPTS = frozenset({"input", "getpass.getpass"})
LOG_OPTIONS = frozenset({"exc_info", "stack_info", "stacklevel", "sep", "end", "file", "flush"})
TRANSPARENT = frozenset({"str", "repr", "dict", "list", "dumps", "format"})
SECRET_TYPES = frozenset(
    {"OAuth2PasswordRequestForm", "OAuth2PasswordRequestFormStrict", "HTTPBasicCredentials"}
)
TOKENIZERS = frozenset(
    {
        "transformers",
        "tokenizers",
        "tiktoken",
        "sentencepiece",
        "nltk",
        "spacy",
        "vllm",
        # parsers, whose tokens are pieces of source text
        "lark",
        "pyparsing",
        "ply",
        "pygments",
        "sqlparse",
        "tokenize",
        # ONVIF cameras, whose media profiles are named by a "token"
        "onvif",
    }
)
"""Packages in whose vocabulary a bare ``token`` is not a credential."""
LOOKUP_VERBS = frozenset({"search", "list", "find", "query", "count"})
"""``search_secrets(...)`` returns records about secrets, not a secret value."""
PLAIN_CALLS = frozenset({"bool", "len", "isinstance", "hasattr", "callable", "int"})


def _is_logged_secret_name(identifier: str) -> bool:
    """A secret name, or a header/cookie/credentials name that carries one; not an action named
    after a password (``UPDATE_USER_PASSWORD``, ``reset_password``: a route or a function)."""
    words = split_words(identifier)
    head, previous = _head(words)
    if head in PASSWORD_WORDS and words[0] in PASSWORD_ACTIONS:
        return False
    if _is_secret_name(identifier):
        return True
    return head in LOGGED_HEADS or (head in ("header", "headers") and previous.startswith("auth"))


def _in_cli_command(call: Call, module: Module) -> bool:
    """The call sits in a click/Typer command (``@cli.command()``): its output is for the
    operator at the terminal who ran it."""
    for scope in enclosing_scopes(call.function):
        function = module.function(scope)
        if function is not None and any(
            (decorator.func or decorator).last_name == "command"
            for decorator in function.decorators
        ):
            return True
    return False


def _is_interactive(module: Module) -> bool:
    """The module prompts the operator at a terminal (``input()``, ``getpass``): its prints
    answer that operator, like a CLI command's."""
    return any(call.qualname in TERMINAL_PROMPTS for call in module.calls)


def _is_masked(value: Expr, module: Module, function: str | None) -> bool:
    """A local reassigned to a masked copy of itself (``key = key[:8] + "*" * 15``)."""
    if value.kind != "name":
        return False
    return any(
        node.kind == "str" and node.string and set(node.string) == {"*"}
        for assigned in _locals(module, function, value.op)
        for node in assigned.walk()
    )


def _is_log_call(call: Call, module: Module) -> bool:
    func = call.expr.func
    if func is None:
        return False
    if func.kind == "name":
        return (
            call.qualname == "print"
            and not call.in_main_guard
            and not _in_cli_command(call, module)
            and not _is_interactive(module)
        )
    if func.kind != "attribute" or func.op not in LOG_METHODS:
        return False
    receiver = func.items[0]
    owner = (receiver.type or receiver.qualname or "") + "."
    name = (_identifier(receiver) or "").lower()
    return owner.startswith(LOG_PACKAGES) or name.endswith("logger") or name in ("log", "_log")


def _logged_values(expr: Expr) -> Iterator[Expr]:
    """The values that end up in the log line: through f-strings, ``%``/``+``/``.format``,
    containers and ``str()``/``repr()``/``dict()``/``json.dumps()``."""
    if expr.kind in ("str", "bytes", "number", "bool", "none"):
        return
    if expr.kind in ("fstring", "binop", "dict", "list", "tuple", "set"):
        for item in expr.items:
            yield from _logged_values(item)
        return
    if expr.kind == "call" and (expr.last_name in TRANSPARENT or expr.is_built_string):
        for value in [*expr.args, *(value for _, value in expr.kwargs)]:
            yield from _logged_values(value)
        return
    yield expr


def _harmless_source(value: Expr) -> bool:
    """A value that cannot hold a credential whatever it is named: a flag or count
    (``bool(...)``, ``len(...)``, a comparison), a field of a mapping under a key that is no
    secret name (``cursor["start_page_token"]``, ``chunk.get("answer_piece")``), the token of a
    lock (``lock.local.token``), or records found by a lookup (``service.search_secrets(...)``)."""
    while value.kind == "await" and value.items:
        value = value.items[0]
    if value.kind in ("number", "bool", "none"):
        return True
    func = value.func
    if value.kind == "call" and (
        value.qualname in PLAIN_CALLS
        or split_words(value.last_name)[:1] in {(v,) for v in LOOKUP_VERBS}
    ):
        return True
    key: Expr | None = None
    container: Expr | None = None
    if value.kind == "subscript" and len(value.items) == 2:
        container, key = value.items
    elif func is not None and func.kind == "attribute" and func.op == "get":
        container, key = func.items[0], value.arg(0)
    if container is not None and key is not None and key.string is not None:
        return not _looked_up_secret(container, key.string)
    return value.kind == "attribute" and "lock" in split_words(value.text)


def _harmless_local(value: Expr, module: Module, function: str | None) -> bool:
    """A local whose every assignment in ``function`` is a :func:`_harmless_source`, or a token
    in a function that handles a lock (``def redis_lock_dump(lock, ...)``)."""
    if value.kind != "name":
        return False
    found = module.function(function)
    if found is not None and any(
        param.name == "lock" or (param.annotation and param.annotation.text.endswith("Lock"))
        for param in found.params
    ):
        return _head(split_words(value.op))[0] == "token"
    assigned = [
        assign.value
        for assign in _Where(module, function, frozenset(), False).assignments(value.op)
        if assign.value is not None
    ]
    return bool(assigned) and all(_harmless_source(source) for source in assigned)


def _is_request(expr: Expr | None) -> bool:
    if expr is None:
        return False
    if expr.type is not None and expr.type.rsplit(".", 1)[-1] in ("Request", "WebSocket"):
        return True
    return _identifier(expr) in ("request", "req", "websocket")


IDENTITY_ASSERTIONS = frozenset({"jwt", "assertion", "oidc"})
"""Words of the headers in which a proxy hands over the caller's signed identity
(``x-amzn-oidc-data``, ``x-goog-iap-jwt-assertion``, ``cf-access-jwt-assertion``)."""


def _looked_up_secret(container: Expr, key: str) -> bool:
    """``headers["Authorization"]``, ``request.cookies.get("session")``, ``data["password"]``,
    ``headers["x-amzn-oidc-data"]`` (a signed identity token)."""
    if _is_logged_secret_name(key):
        return True
    words = set(split_words(key))
    if (
        words & IDENTITY_ASSERTIONS
        and "identity" not in words
        and (_identifier(container) == "headers")
    ):
        return True
    return _identifier(container) == "cookies" and _is_auth_cookie(key)


class SecretLogged(Rule):
    """
    ## What it does
    Flags a logging call or `print` that writes a password, token, secret, API key,
    `Authorization` header, cookie, or the whole `request.headers`.

    Loggers are `logging`, loguru and structlog ones and any `*logger`/`log` object. Also
    reported: `request.cookies` as a whole, an `OAuth2PasswordRequestForm` or
    `HTTPBasicCredentials`, and a Pydantic model whose repr shows a plain password field.

    Values are followed through f-strings, `%`-style arguments, `.format()`, `extra={...}`,
    containers and `str()`/`repr()`/`dict()`/`json.dumps()`; any other call (`mask(token)`,
    `len(password)`) is taken as a redaction. A local of any name is followed one step back to
    what it was read from: `value = request.cookies.get("session")` then `print(value)`,
    `data = request.headers["x-amzn-oidc-data"]` then `log.debug("%s", data)` (the headers in
    which a proxy hands over a signed identity, `x-amzn-oidc-data`, `*-jwt-assertion`, count as
    secrets). `token_type`, `token_count` or `password_changed`
    are not secrets, and neither are `has_token`, `name_token`, `cancel_token`, nor a bare
    `token` in a module that imports a tokenizer, a parser or an ONVIF client (`transformers`,
    `tiktoken`, `lark`, `onvif`...), nor actions named after a password
    (`UPDATE_USER_PASSWORD`, `reset_password`). What flows into a local decides over its name:
    a local bound only to a flag or count (`bool(...)`, `len(...)`), to a field read under a key
    that is no secret name (`cursor["start_page_token"]`, `chunk.get("answer_piece")`), or to the
    records a lookup returns (`search_secrets(...)`) is not a secret; nor is a lock's token
    (`lock.local.token`, or a `*_token` in a function that takes a lock). A local reassigned to a masked copy of itself
    (`key = key[:8] + "*" * 15`) is redacted. A `print` under `if __name__ == "__main__":`, in a
    click/Typer command (`@cli.command()`) or in a module that prompts with `input()`/`getpass`
    is a script's output for the operator, not a log.

    ## Why is this bad?
    Logs are copied to aggregators, shared in tickets and kept for months, with far weaker access
    control than the credential store: a logged bearer token or session cookie is a live login.

    ## Example
    ```python
    @router.post("/token")
    async def login(form: OAuth2PasswordRequestForm = Depends()) -> Token:
        logger.info("login attempt %s with %s", form.username, form.password)
        return await authenticate(form)
    ```

    ## Use instead
    ```python
    @router.post("/token")
    async def login(form: OAuth2PasswordRequestForm = Depends()) -> Token:
        logger.info("login attempt %s", form.username)
        return await authenticate(form)
    ```
    """

    id = "FAPI805"
    tier = Tier.PREVIEW
    cwe = (532,)
    name = "secret-logged"
    severity = Severity.WARNING
    fix = "Log an identifier (user id, token id, header names) instead of the secret value."
    VALID = (
        # A local read from a header that carries no secret, or only the caller's identity.
        "import logging\nlog = logging.getLogger(__name__)\ndef f(request):\n"
        "    agent = request.headers.get('user-agent')\n"
        "    who = request.headers['x-amzn-oidc-identity']\n    log.info('%s %s', agent, who)",
        "import logging\nlogger = logging.getLogger(__name__)\n"
        "def f(user, token_type):\n    logger.info('login %s %s', user.id, token_type)",
        "import logging\ndef f(request):\n"
        "    logging.info('ua=%s', request.headers.get('user-agent'))",
        "def f(usage):\n    print(f'{usage.total_tokens} tokens used')",
        "import logging\nlogger = logging.getLogger(__name__)\n"
        "def f(token):\n    logger.debug('token %s', mask(token))",
        "def f(form):\n    raise ValueError(f'bad password {form.password}')",
        "import logging\nfrom transformers import AutoTokenizer\n"
        "def f(tokenizer, ids):\n    for token in tokenizer.convert_ids_to_tokens(ids):\n"
        "        logging.info('token %s', token)",
        "import typer\ncli = typer.Typer()\n@cli.command()\ndef create_token(user: str):\n"
        "    token = issue(user)\n    print(f'Token: {token}')",
        Valid(
            "import logging\ndef test_login(token):\n    logging.info('using %s', token)",
            path="tests/test_auth.py",
        ),
        "import logging\ndef f(api_key):\n    if api_key:\n"
        "        api_key = api_key[:4] + '*' * 12\n    logging.debug('key %s', api_key)",
        "def setup():\n    master_key = input('Master key: ')\n"
        "    print(f'export OPENAI_API_KEY={master_key}')",
        "import logging\ndef f(payload):\n"
        "    logging.debug('duplicate reservation %s', payload.reservation_token)",
        "import logging\nfrom app.routes import UPDATE_USER_PASSWORD\n"
        "def f():\n    logging.warning('rotate it via %s', UPDATE_USER_PASSWORD)",
        # A flag, a page token from a cursor, an answer piece, a parser token, a lock's token.
        "import logging\nlogger = logging.getLogger(__name__)\n"
        "def f(session, cursor, chunk):\n"
        "    has_token = bool(session.overrides and 'oauth_token' in session.overrides)\n"
        "    start_token = cursor['start_page_token']\n    new_token = chunk.get('answer_piece')\n"
        "    logger.debug('%s %s %s', has_token, start_token, new_token)",
        "from lark import Token\nimport logging\ndef visit(node):\n"
        "    token = node.children[0]\n    logging.debug('child %s', token)",
        "import logging\ndef dump(lock, raw):\n    local_token = lock.local.token\n"
        "    remote_token = raw.get(lock.name)\n"
        "    logging.warning('lock %s %s', local_token, remote_token)",
        "import logging\nasync def check(service, name):\n"
        "    defined_secret = await service.search_secrets(names={name})\n"
        "    logging.info('found %s', defined_secret)",
    )
    INVALID = (
        # A secret under another name, just read from the request.
        Invalid(
            "def f(request):\n    value = request.cookies.get('session')\n"
            "    print('cookie', value)",
            line=3,
        ),
        Invalid(
            "import logging\nlog = logging.getLogger(__name__)\nasync def f(request):\n"
            "    data = request.headers['x-amzn-oidc-data']\n    log.debug('oidc data %s', data)",
            line=5,
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "def f(form):\n    logger.info(f'login {form.username} {form.password}')",
            line=4,
        ),
        Invalid(
            "class UserManager:\n    async def on_after_forgot_password(self, user, token):\n"
            "        print(f'User {user.id} forgot their password. Reset token: {token}')",
            line=3,
        ),
        Invalid(
            "from fastapi import Request\nimport logging\nlog = logging.getLogger('app')\n"
            "async def mw(request: Request, call_next):\n"
            "    log.debug('headers: %s', dict(request.headers))\n    return await call_next(request)",
            line=5,
        ),
        Invalid(
            "def f(request):\n    print('auth', request.headers['Authorization'])",
            line=2,
        ),
        Invalid(
            "from loguru import logger\ndef f(access_token):\n"
            "    logger.info('issued', extra={'token': access_token})",
            line=3,
        ),
        Invalid(
            "from fastapi.security import HTTPBasicCredentials\nimport logging\n"
            "def f(credentials: HTTPBasicCredentials):\n    logging.warning('denied %r', credentials)",
            line=4,
        ),
        Invalid(
            "import logging\ndef f(request):\n"
            "    logging.info('sid=%s', request.cookies.get('session_id'))",
            line=3,
        ),
        # A field read under a secret key is a secret, whatever the local is called.
        Invalid(
            "import logging\ndef f(payload):\n    start = payload['access_token']\n"
            "    start_token = start\n    logging.info('got %s', payload.get('refresh_token'))",
            line=5,
        ),
        Invalid(
            "import logging\nfrom pydantic import BaseModel\n"
            "class UserCreate(BaseModel):\n    email: str\n    password: str\n"
            "def f(user_in: UserCreate):\n    logging.info('signup %s', user_in)",
            line=7,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test:
            return
        nlp = any(target.split(".")[0] in TOKENIZERS for _, target in module.imports)
        printed = calls_to(module, ("print",))
        for call in printed + method_calls(module, LOG_METHODS):
            if not _is_log_call(call, module):
                continue
            arguments = [*call.expr.args]
            arguments += [value for name, value in call.expr.kwargs if name not in LOG_OPTIONS]
            for argument in arguments:
                secret = next(
                    (
                        found
                        for v in _logged_values(argument)
                        if not _is_masked(v, module, call.function)
                        and not _harmless_local(v, module, call.function)
                        and not (v.kind == "attribute" and _harmless_source(v))
                        and (
                            found := self._secret(v, project, nlp)
                            or self._read_secret(v, module, call.function, project, nlp)
                        )
                    ),
                    None,
                )
                if secret is not None:
                    verb = (
                        "writes {} to stdout, which ends up in the logs"
                        if call.qualname == "print"
                        else "logs {}"
                    )
                    message = f"`{_func_text(call.expr)}()` {verb.format(secret)}"
                    yield self.finding(module, call, message)
                    break

    @staticmethod
    def _secret(value: Expr, project: Project, nlp: bool) -> str | None:
        """How the log line would show a secret, or None. In a module that uses a tokenizer
        (``nlp``), a bare ``token`` is a piece of text."""
        func = value.func
        if func is not None and func.kind == "attribute" and func.op == "get":
            key = value.arg(0)
            name = key.string if key is not None else None
            secret = name is not None and _looked_up_secret(func.items[0], name)
        elif value.kind == "subscript":
            index = value.items[1].string
            secret = index is not None and _looked_up_secret(value.items[0], index)
        elif value.kind == "attribute" and value.op in ("headers", "cookies"):
            secret = _is_request(value.items[0])
        elif value.kind in ("name", "attribute"):
            secret = _is_logged_secret_name(value.op) and not (nlp and value.op == "token")
            if not secret and value.type and SecretLogged._shows_password(value.type, project):
                return f"`{value.text}`, whose repr shows the password"
        else:
            secret = False
        return f"`{value.text}`" if secret else None

    @staticmethod
    def _read_secret(
        value: Expr, module: Module, function: str | None, project: Project, nlp: bool
    ) -> str | None:
        """A local with an innocent name holding a secret it was just read from
        (``value = request.cookies.get("session")``, ``data = request.headers["x-amzn-oidc-data"]``,
        ``raw = request.headers.get("Authorization")``): assignments in the same function, one
        step back."""
        if value.kind != "name" or function is None:
            return None
        for assigned in _locals(module, function, value.op):
            if assigned.kind == "await":
                assigned = assigned.items[0]
            if assigned.kind in ("subscript", "call") and SecretLogged._secret(
                assigned, project, nlp
            ):
                return f"`{value.op}`, read from `{assigned.text}`"
        return None

    @staticmethod
    def _shows_password(type_name: str, project: Project) -> bool:
        """Instances of ``type_name`` print a password: a credentials form, or a Pydantic model
        with a plain ``password`` field that is not a ``SecretStr`` nor ``repr=False``."""
        if type_name.startswith("fastapi.security.") and type_name.rsplit(".", 1)[-1] in (
            SECRET_TYPES
        ):
            return True
        found = project.cls(type_name)
        if found is None:
            return False
        module, class_def = found
        if project.class_kind(class_def, module) not in ("pydantic", "sqlmodel", "sqlmodel_table"):
            return False
        for model_field in class_def.fields:
            annotation = model_field.annotation.text if model_field.annotation else ""
            default = model_field.default
            hidden = default is not None and _is_false(default.kwarg("repr"))
            if _is_plain_password(model_field.name) and "Secret" not in annotation and not hidden:
                return True
        return False


# -- FAPI806 ----------------------------------------------------------------------------------

EXAMPLE_KEYS = frozenset(
    {
        "example",
        "examples",
        "json_schema_extra",
        "schema_extra",
        "openapi_examples",
        "openapi_extra",
    }
)
ENV_LOOKUPS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
DEFAULT_WRAPPERS = frozenset({"Field", "SecretStr", "SecretBytes"})
PLACEHOLDER = regex(
    r"change|your|example|placeholder|replace|dummy|fake|mock|sample|xxx|redacted|todo|here"
    r"|fill[-_ ]?me|not[-_]?needed|localhost"
    r"|not[-_]?a?[-_]?(real|secret)|<[^>]*>|\$\{|\{\{|\*\*\*|\.\.\.",
    re.IGNORECASE,
)
PUBLIC_KEY_PREFIXES = ("phc_", "pk_live_", "pk_test_")
"""Keys made to ship in client code: PostHog project keys, Stripe publishable keys."""
BRACKETED = regex(r"\[[A-Z0-9_ -]+\]|<\|[\w -]+\|>")
"""A marker in a text stream: ``[TURN_END]``, ``<|endoftext|>``."""
REGEX = regex(r"\[[^\]]+\][+*?{]|^\^.*\$$|\(\?[:=!<P]")
"""A regular expression: a character class with a quantifier, ``^...$``, a ``(?:`` group."""
CREDENTIAL_WORDS = frozenset(
    {"secret", "key", "apikey", "password", "passwd", "pwd", "pass", "token", "jwt", "private"}
)
DUMMY_WORDS = PASSWORD_WORDS | {"secret", "admin", "test", "pass", "root", "user"}
"""A dummy password is one of these words and digits: ``password1234``, ``admin123``."""
SEED_WORDS = frozenset({"seed", "seeds", "e2e", "fixture", "fixtures", "demo"})
NAME_VOCABULARY = PASSWORD_WORDS | {
    "secret",
    "token",
    "key",
    "api",
    "apikey",
    "access",
    "refresh",
    "x",
    "auth",
    "authorization",
    "bearer",
    "id",
    "client",
    "private",
    "jwt",
    "oauth",
}
FILE_SUFFIXES = (".pem", ".key", ".json", ".crt", ".txt", ".env")
CODE = regex(r"[a-z]+(?:[_.:-][a-z]+)+")
"""A lower-case code of words: ``token_expired``, ``password-too-weak``."""
SNAKE = regex(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
MARKER = regex(r"__\w+__")
"""A dunder sentinel: ``"__team_scope_auth_check__"``."""


def _is_label(value: str, name: str) -> bool:
    """``value`` names the thing rather than holding a secret: a header name (``x-goog-api-key``),
    a URN, a namespaced code ending with the name's words (``USERNAME_PASSWORD =
    "profile-username-password"``), or a parameter name ending with it (``{"token":
    "watsonx_token"}``)."""
    words = split_words(value)
    name_words = split_words(name)
    if value.startswith("urn:") or (value.startswith("x-") and CODE.fullmatch(value)):
        return True
    if CODE.fullmatch(value) and len(name_words) > 1 and words[-len(name_words) :] == name_words:
        return True
    return (
        len(name_words) == 1 and SNAKE.fullmatch(value) is not None and words[-1] == name_words[0]
    )


def _is_word_label(value: str) -> bool:
    """Lower-case words joined by ``-``, ``.`` or ``:`` with no credential word among them:
    ``no-check``, ``health-probe``, ``copilot-agent``: a label, not a generated secret."""
    return (
        CODE.fullmatch(value) is not None
        and "_" not in value
        and not CREDENTIAL_WORDS.intersection(split_words(value))
    )


def _is_hardcoded_secret(value: str, name: str) -> bool:
    """An 8+ character literal bound to ``name`` that is not empty-ish, a placeholder, an
    environment variable name, a header/field name (``x-api-key``, ``access_token``), a label
    made of the name's own words (``INVALID_TOKEN = "invalid_token"``), an error code
    (``"token_expired"``), a sentence, a path or a URL."""
    words = set(split_words(value))
    return not (
        len(value) < 8
        or value.startswith(PUBLIC_KEY_PREFIXES)
        or BRACKETED.fullmatch(value)
        or REGEX.search(value)
        or _is_word_label(value)
        or value.rstrip("0123456789!@#.").lower() in DUMMY_WORDS
        or bool(words & SEED_WORDS)
        or any(char.isspace() for char in value)
        or PLACEHOLDER.search(value)
        or len(set(value)) == 1
        or MARKER.fullmatch(value)
        or _is_label(value, name)
        or ("_" in value and CONSTANT.fullmatch(value))
        or words <= NAME_VOCABULARY | set(split_words(name))
        or (CODE.fullmatch(value) is not None and bool(words & STATE_WORDS))
        or value.startswith(("/", "./", "../", "~/"))
        or "://" in value
        or value.lower().endswith(FILE_SUFFIXES)
    )


STRING_KINDS = ("str", "bytes")
DEFAULT_KINDS = frozenset({*STRING_KINDS, "call"})
"""The kinds of value :func:`_default_literal` can find a literal in."""


def _default_literal(value: Expr) -> Expr | None:
    """The string (or bytes) literal a value falls back to: ``"x"``, ``b"x"``, ``Field("x")``,
    ``Field(default="x")``, ``SecretStr("x")``, ``os.getenv("X", "x")``."""
    if value.kind in STRING_KINDS:
        return value
    if value.kind != "call":
        return None
    if value.last_name in DEFAULT_WRAPPERS:
        found = value.arg(0, "default")
    elif value.qualname in ENV_LOOKUPS:
        found = value.arg(1, "default")
    else:
        return None
    return found if found is not None and found.kind in STRING_KINDS else None


CREDENTIAL_FORMATS = {
    "Stripe live key": r"(?:sk|rk)_live_[0-9a-zA-Z]{24,}",
    "GitHub token": r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b"
    r"|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
    "AWS access key id": r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
    "Slack token": r"xox[abposr]-\d{6,}-[0-9A-Za-z-]{8,}",
    "Slack webhook URL": r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}"
    r"/[A-Za-z0-9]{20,}",
    "Google API key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "OpenAI key": r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"
    r"|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{80,}",
    "Anthropic key": r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}",
    "private key": r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY"
    r"(?: BLOCK)?-----\s*[A-Za-z0-9+/=\s]{64,}",
    "SendGrid key": r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    "GitLab token": r"\bglpat-[A-Za-z0-9_-]{20,}",
    "npm token": r"\bnpm_[A-Za-z0-9]{36}\b",
    "PyPI token": r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
}
"""The shapes of live credentials, which give them away whatever name holds them. Hand-written
rather than taken from ``detect-secrets``: measured on the same labelled literals it found more
(22 of 23 formats against 17: fine-grained GitHub tokens, Google, Anthropic, npm and PyPI keys
and the new OpenAI keys are missing there), reported none of the 26 placeholders and near misses
(against 6), ran twice as fast per literal, and needs no new dependency (see the rule's page)."""
CREDENTIAL = regex("|".join(f"(?P<g{i}>{p})" for i, p in enumerate(CREDENTIAL_FORMATS.values())))
CREDENTIAL_NAMES = tuple(CREDENTIAL_FORMATS)
FORMAT_PLACEHOLDER = regex(
    r"x{6,}|X{6,}|0{8,}|\*{4,}|\.\.\.|your|example|dummy|fake|sample|test|<|>", re.IGNORECASE
)


def credential_format(value: str) -> str | None:
    """The kind of live credential ``value`` holds by its shape (``Stripe live key``), or None;
    placeholders (``sk_live_xxxx…``, ``AKIAIOSFODNN7EXAMPLE``, masked values) are not."""
    for match in CREDENTIAL.finditer(value):
        text = match.group(0)
        if FORMAT_PLACEHOLDER.search(text) or len(set(text)) <= 10:
            continue
        return CREDENTIAL_NAMES[int((match.lastgroup or "g0")[1:])]
    return None


@record
class _Candidate:
    name: str
    literal: Expr


def _dict_entries(module: Module) -> Iterator[tuple[str, Expr]]:
    """``(key, value)`` of every dict with string keys in the module's values."""
    for node in value_literals(module).dicts:
        for key, value in zip(node.keys, node.items, strict=True):
            if key is not None and key.string is not None:
                yield key.string, value


def _named_values(module: Module) -> list[tuple[str, Expr]]:
    """Every ``(name, value)`` a literal can be bound to: assignment targets, keyword
    arguments, dict keys, parameter defaults, environment variable names."""
    named: list[tuple[str, Expr]] = []
    for assign in module.assignments:
        if assign.value is not None:
            for target in assign.targets:
                identifier = _identifier(target)
                if identifier is not None:
                    named.append((identifier, assign.value))
    for call in module.calls:
        expr = call.expr
        if expr.kwargs:
            named.extend(expr.kwargs)
        if expr.qualname in ENV_LOOKUPS:
            name = expr.arg(0, "key")
            if name is not None and name.string is not None:
                named.append((name.string, expr))
    named.extend(_dict_entries(module))
    for function in module.functions:
        named.extend((p.name, p.default) for p in function.params if p.default is not None)
    return named


def _is_test_package(path: str) -> bool:
    """A folder of test or load-test code: ``api-tests/``, ``integration_tests/``,
    ``testing/``, ``app-benchmark/``."""
    return any(
        part.endswith(("-test", "-tests", "_test", "_tests"))
        or part == "testing"
        or "benchmark" in part
        for part in path.split("/")[:-1]
    )


def _is_seed_data(path: str) -> bool:
    """A module that loads seed, demo or fixture data (``scripts/seeds_load.py``)."""
    return bool(SEED_WORDS.intersection(split_words(path.rsplit("/", 1)[-1].removesuffix(".py"))))


def _main_guard_lines(module: Module) -> range:
    """The lines of the module's ``if __name__ == "__main__":`` block: a script's manual run."""
    for compare in module.compares:
        operands = compare.operands
        if compare.function is None and any(
            o.kind == "name" and o.op == "__name__" for o in operands
        ):
            start = compare.span.line + 1
            end = start
            while end <= len(module.lines) and (
                not module.lines[end - 1].strip() or module.lines[end - 1][:1].isspace()
            ):
                end += 1
            return range(start, end)
    return range(0)


class HardcodedSecret(Rule):
    """
    ## What it does
    Flags a string (or bytes) literal of 8 or more characters bound to a secret name
    (`secret_key`, `JWT_SECRET`, `password`, `access_token`, `api_key`, `private_key`...) outside
    test modules.

    Bound means an assignment, a class field default (also `Field("...")`), a keyword argument,
    a dict value or a parameter default, the literal fallback of
    `os.getenv("SECRET_KEY", "...")`, or the key argument of `jwt.encode`/`jwt.decode`.

    The name's head noun decides: `token_type`, `token_url`, `password_field`, `secret_name`,
    `cache_key`, `next_page_token` and `hashed_password` are not secrets, nor are names that say
    the value is no live credential (`INVALID_TOKEN`, `wrong_password`). Placeholders
    (`changeme`, `your-secret-here`, `<token>`, `xxx`, `${SECRET}`), environment variable names,
    header and field names (`x-api-key`, `access_token`), labels made of the name's own words
    (`github_token = "github_token"`), error codes (`"token_expired"`), sentences, paths, URLs,
    URNs, dunder sentinels (`"__none__"`), one repeated character (`"AAAAAAAA"`), namespaced codes
    ending with the name's words (`TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token"`)
    and parameter names (`{"token": "watsonx_token"}`) are not reported, nor are OpenAPI examples
    (`examples=`, `json_schema_extra`). Neither are keys made to ship in client code (PostHog
    `phc_`, Stripe `pk_live_`/`pk_test_`), stream markers (`"[TURN_END]"`), regular expressions,
    labels of lower-case words with no credential word among them (`"no-check"`,
    `"health-probe"`), dummy passwords of one word and digits (`"password1234"`), values naming
    seed or e2e data, `localhost`, and the placeholders `fillmein` and `not-needed`.

    Test modules are skipped, and so are test and load-test packages (`api-tests/`,
    `integration_tests/`, `testing/`, `*benchmark*/`), seed-data modules (`seeds_load.py`,
    `demo_fixtures.py`) and a module's `if __name__ == "__main__":` block.

    ## Known problems
    A real password written as lower-case words joined by hyphens with no credential word
    (`"correct-horse-battery"`) reads as a label and is missed.

    A literal shaped like a live credential is reported whatever holds it (a setting named
    `STRIPE`, a dict, a call argument): Stripe live keys (`sk_live_…`, `rk_live_…`), GitHub
    tokens (`ghp_…`, `github_pat_…`), AWS access key ids (`AKIA…`), Slack tokens and webhook
    URLs (`xoxb-…`), Google API keys (`AIza…`), OpenAI and Anthropic keys, private key blocks
    with a body, SendGrid, GitLab, npm and PyPI tokens. Placeholders of those shapes
    (`sk_live_xxxxxxxx…`, `AKIAIOSFODNN7EXAMPLE`, masked `sk_live_****1234`) and test-mode keys
    (`sk_test_…`) are not. The formats are a hand-written set rather than `detect-secrets`'
    plugins: on 23 labelled credential shapes and 26 near misses the set found 22 and reported
    no near miss, where the plugins found 17 (no fine-grained GitHub, Google, Anthropic, npm or
    PyPI key, nor OpenAI's newest keys) and reported 6 placeholders; over the 206,165 string
    literals of four real applications it took 32 µs per literal against 60 µs, and it adds no
    dependency. Entropy alone is not used: hashes, ids and encoded data have it too.

    ## Why is this bad?
    The secret ships with every clone, fork, image layer and CI log of the repository, and
    cannot be rotated without a release. A default for the development box ends up in
    production the day the environment variable is missing.

    ## Example
    ```python
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        secret_key: str = "9f1c2d7e4b8a6f3e"
    ```

    ## Use instead
    ```python
    from pydantic import SecretStr
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        secret_key: SecretStr  # required: read from SECRET_KEY
    ```
    """

    id = "FAPI806"
    tier = Tier.PREVIEW
    cwe = (798,)
    name = "hardcoded-secret"
    severity = Severity.WARNING
    fix = "Read the secret from the environment or a secret store, with no literal default."
    VALID = (
        "import os\nSECRET_KEY = os.getenv('SECRET_KEY')",
        "TOKEN_TYPE = 'bearer'\nTOKEN_URL = '/api/v1/token'\nPASSWORD_FIELD = 'password'",
        "SECRET_KEY = 'changeme-in-production'",
        "API_KEY_HEADER = APIKeyHeader(name='X-API-Key')\nACCESS_TOKEN_COOKIE = 'access_token'",
        "from pydantic import BaseModel, Field\nclass Login(BaseModel):\n"
        "    password: str = Field(examples=['correct-horse-battery'])\n"
        "    model_config = {'json_schema_extra': {'example': {'password': 'hunter2hunter2'}}}",
        "fake_users = {'alice': {'hashed_password': '$2b$12$EixZaYVK1fsbw1ZfbX3OXe'}}",
        "class OAuthError:\n    INVALID_TOKEN = 'invalid_token'\n"
        "    expired_token = 'token_expired'\n    reset_token = 'reset_password_bad_token'\n"
        "    github_token = 'github_token'",
        Valid("SECRET_KEY = 'test-secret-key-123'", path="tests/conftest.py"),
        "SENTINEL_API_KEY = '__flat_cost__'\nXGOOGLE_API_KEY = 'x-goog-api-key'\n"
        "TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token'\n"
        "TIME_TO_FIRST_TOKEN = 'gen_ai.server.time_to_first_token'\n"
        "USERNAME_PASSWORD = 'profile-username-password'\nID_TOKEN = 'AAAAAAAAAAAAAAAA'",
        # Placeholders and test keys of credential shapes.
        "STRIPE = 'sk_live_' 'xxxxxxxxxxxxxxxxxxxxxxxx'\nSTRIPE_TEST = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'\n"
        "AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'\nMASKED = 'sk_live_' '****************1234'",
        "def auth_params():\n    return {'token': 'watsonx_token'}\n"
        "def fallback():\n    return Auth(token='failed-to-connect-to-db', api_key='mock-key-1')",
        # Keys meant for client code, a stream marker, a regex, a header label, a placeholder.
        "POSTHOG_API_KEY = 'phc_Q2x7Hc9vLm4TzR1wYkP8sB3dNf6GjA0eUi5oVqXyZ'\n"
        "STRIPE_PUBLISHABLE_KEY = 'pk_live_51HxYzAbCdEf'\nEND_TOKEN = '[TURN_END]'\n"
        '_MEDIA_TOKEN = r"[!#$%&\'*+.^_`|~A-Za-z0-9-]+"\n'
        "HEADERS = {'X-Atlassian-Token': 'no-check'}\nAES_SECRET_KEY = 'fillmein'",
        # A label passed where an auth object wants a key; a dummy dev password.
        "def probe():\n    return UserAuth(api_key='health-probe')\n"
        "def create_dev_user(superuser_password: str = 'password1234'): ...",
        Valid("CLIENT_SECRET = 'polar-sso-b8f2c1'", path="server/scripts/seeds_load.py"),
        Valid("DEFAULT_PASSWORD = 'x8Kp2mQz9'", path="packages/app-benchmark/runner.py"),
        Valid("API_TOKEN = 'x8Kp2mQz9wLr'", path="services/api-tests/conftest_helpers.py"),
        "def run(): ...\nif __name__ == '__main__':\n    password = 'kafka-9Xq2'\n    run()",
    )
    INVALID = (
        Invalid(
            "SECRET_KEY = '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7'",
            line=1,
        ),
        Invalid(
            "import os\n\nJWT_SECRET = os.getenv('JWT_SECRET', 'super-secret-jwt-key')", line=3
        ),
        Invalid(
            "from pydantic_settings import BaseSettings\nclass Settings(BaseSettings):\n"
            "    database_password: str = 'p4ssw0rd!2024'",
            line=3,
        ),
        Invalid(
            "app.add_middleware(SessionMiddleware, secret_key='s3ss10n-k3y-v4lu3')",
            line=1,
        ),
        Invalid("client = Client(config={'api_key': 'sk_live_51HxYz'})", line=1),
        Invalid(
            "import secrets\ndef check(credentials):\n"
            "    correct_password_bytes = b'swordfish'\n"
            "    return secrets.compare_digest(credentials.password.encode(), correct_password_bytes)",
            line=3,
        ),
        Invalid(
            "import jwt\ndef issue(claims):\n    return jwt.encode(claims, 'mysecretkey', 'HS256')",
            line=3,
        ),
        # Shaped like a live credential, whatever the name.
        Invalid("STRIPE = 'sk_live_' '51Hq8ZtLkR2vNw7xPc4mYs9dJf3B'", line=1),
        Invalid(
            "GITHUB = {'auth': 'ghp_' 'k3N8vQ2mX7pL4wR9tY6sZ1cB5dF0gH2jK4nM'}",
            line=1,
        ),
        Invalid("boto3.client('s3', aws_access_key_id='AKIA' 'Q3ZK7MX2WB5NR8TP')", line=1),
        # Hyphenated words with a credential word are a password, not a label.
        Invalid("KAFKA_PASSWORD = 'admin-secret'", line=1),
        # Outside the main guard, the module's settings still count.
        Invalid(
            "import os\nSECRET = os.environ.get('SECRET', 'x8Kp2mQz9wLr')\n"
            "if __name__ == '__main__':\n    print(SECRET)",
            line=2,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        if module.is_test or _is_test_package(module.path) or _is_seed_data(module.path):
            return
        named = _named_values(module)
        candidates = list(self._candidates(module, named))
        credentials = [
            (literal, kind)
            for literal in value_literals(module).strings
            if (kind := credential_format(str(literal.value or ""))) is not None
        ]
        if not candidates and not credentials:
            return
        examples = [value.span for name, value in named if name.lower() in EXAMPLE_KEYS]
        script = _main_guard_lines(module)
        reported: set[Span] = set()
        for candidate in candidates:
            span = candidate.literal.span
            if span in reported or any(_within(span, example) for example in examples):
                continue
            if span.line in script:
                continue
            if _is_hardcoded_secret(str(candidate.literal.value or ""), candidate.name):
                reported.add(span)
                yield self.finding(module, span, f"hardcoded secret in `{candidate.name}`")
        for literal, kind in credentials:  # a literal found twice (same span) is reported once
            span = literal.span
            if span in reported or any(_within(span, example) for example in examples):
                continue
            reported.add(span)
            yield self.finding(module, span, f"hardcoded {kind} in a string literal")

    @staticmethod
    def _candidates(module: Module, named: list[tuple[str, Expr]]) -> Iterator[_Candidate]:
        for name, value in named:
            if value.kind not in DEFAULT_KINDS:
                continue
            literal = _default_literal(value)
            if literal is not None and _is_secret_name(name):
                yield _Candidate(name, literal)
        for call in _jwt_calls(module, JWT_DECODE | JWT_ENCODE):
            key = call.expr.arg(1, "key")
            if key is not None and key.kind in STRING_KINDS:
                yield _Candidate(f"{_func_text(call.expr)}(key=...)", key)


# -- FAPI807, FAPI808 (LLM) -------------------------------------------------------------------


class WriteEndpointWithoutAuth(Rule):
    """
    ## What it does
    Flags a POST/PUT/PATCH/DELETE route that changes data with no authentication or
    authorization dependency; public sign-up and login are excepted.

    Authentication is a `Depends(get_current_user)`-style or `Security(...)` parameter, or
    `dependencies=[...]` on the route, its router, its `include_router` or the app, or a
    middleware that authenticates. Report only when the change shows there is none: a router or
    app configured outside the diff may carry the dependency. Sign-up, login, token,
    password-reset and webhook endpoints (which verify a signature instead) are excepted.

    ## Why is this bad?
    Anyone who finds the URL can change or delete data. Authentication forgotten on one route of
    an otherwise protected router is a classic broken-access-control bug, and OpenAPI publishes
    the route to whoever looks.

    ## Example
    ```python
    @router.delete("/projects/{project_id}", status_code=204)
    async def delete_project(project_id: int, db: AsyncSession = Depends(get_db)) -> None:
        await crud.delete_project(db, project_id)
    ```

    ## Use instead
    ```python
    @router.delete("/projects/{project_id}", status_code=204)
    async def delete_project(
        project_id: int,
        user: User = Depends(get_current_user),
        db: AsyncSession = Depends(get_db),
    ) -> None:
        await crud.delete_project(db, project_id, owner=user)
    ```
    """

    id = "FAPI807"
    cwe = (862,)
    name = "write-endpoint-without-auth"
    severity = Severity.WARNING
    engine = "llm"
    fix = "Require the current user (or an API key/scope) with a dependency on the route or router."


class AuthEndpointWithoutRateLimit(Rule):
    """
    ## What it does
    Flags login, token, password-reset and write-heavy endpoints with no rate limiting.

    The endpoints are login, token, password-reset, sign-up and OTP/verification-code routes,
    and routes that are expensive to call (bulk imports, e-mail or SMS sending). Rate limiting
    is a limiter dependency or decorator (`slowapi`'s `@limiter.limit`, `fastapi-limiter`'s
    `RateLimiter`), a limiting middleware, or lockout logic in the handler.

    ## Why is this bad?
    An unthrottled login endpoint invites credential stuffing and password guessing; an
    unthrottled reset or OTP endpoint lets anyone brute-force codes or spam users' inboxes and
    phones at your expense.

    ## Example
    ```python
    @router.post("/auth/token")
    async def login(form: OAuth2PasswordRequestForm = Depends()) -> Token:
        return await authenticate(form.username, form.password)
    ```

    ## Use instead
    ```python
    from fastapi_limiter.depends import RateLimiter


    @router.post("/auth/token", dependencies=[Depends(RateLimiter(times=5, seconds=60))])
    async def login(form: OAuth2PasswordRequestForm = Depends()) -> Token:
        return await authenticate(form.username, form.password)
    ```
    A limit at the gateway or reverse proxy works too; say so in a comment next to the route.
    """

    id = "FAPI808"
    cwe = (307,)
    name = "auth-endpoint-without-rate-limit"
    severity = Severity.INFO
    engine = "llm"
    fix = (
        "Rate-limit the endpoint per client and account (slowapi, fastapi-limiter or the gateway)."
    )


# -- FAPI809 ----------------------------------------------------------------------------------


def _constant_string(key: Expr, module: Module) -> str | None:
    """The literal a module-level constant is bound to (``SESSION_COOKIE = "sid"``)."""
    if key.kind != "name":
        return None
    for assign in module.assignments:
        targets = [target.op for target in assign.targets if target.kind == "name"]
        if assign.function is None and key.op in targets and assign.value is not None:
            return assign.value.string
    return None


def _holds_secret(value: Expr | None) -> bool:
    """The cookie value reads a secret name: ``token``, ``access_token``, ``f"Bearer {jwt_token}"``."""
    return value is not None and any(
        found.kind in ("name", "attribute") and _is_secret_name(found.op)
        for found in _logged_values(value)
    )


def _auth_cookie(call: Expr, module: Module) -> str | None:
    """The name of the authentication cookie a ``set_cookie`` call sets, or None. The name comes
    from a literal, a module constant, or the name of the key's variable
    (``SESSION_COOKIE_NAME``, ``settings.refresh_cookie``); a cookie whose value is a token
    (``value=access_token``) authenticates whatever it is called."""
    key = call.arg(0, "key")
    if key is None:
        return None
    literal = key.string if key.string is not None else _constant_string(key, module)
    judged = literal if literal is not None else _identifier(key)
    shown = literal if literal is not None else key.text
    if judged is not None and ("csrf" in judged.lower() or "xsrf" in judged.lower()):
        return None
    if (judged is not None and _is_auth_cookie(judged)) or _holds_secret(call.arg(1, "value")):
        return shown
    return None


def _is_deletion(call: Expr) -> bool:
    """``set_cookie`` that clears the cookie: no value, an empty one, or ``max_age=0``."""
    value = call.arg(1, "value")
    if value is None or value.string == "":
        return True
    return any(
        (found := call.arg(index, name)) is not None and found.kind == "number" and found.value == 0
        for index, name in ((2, "max_age"), (3, "expires"))
    )


def _cookie_fix(call: Expr) -> Autofix | None:
    """``httponly=True``/``secure=True`` on a ``set_cookie`` call: added when missing, a false or
    None value made true. Unsafe: a cookie marked Secure is no longer sent over plain HTTP (a
    local development server), and scripts can no longer read an HttpOnly one."""
    edits: list[Edit] = []
    missing: list[str] = []
    for index, flag in ((7, "httponly"), (6, "secure")):
        value = call.arg(index, flag)
        if value is None:
            missing.append(f"{flag}=True")
        elif value.kind == "none" or _is_false(value):
            edits.append(replace_edit(value, "True"))
    if missing:
        added = argument_edit(call, ", ".join(missing))
        if added is None:
            return None
        edits.append(added)
    if not edits:
        return None
    return Autofix("Set `httponly=True, secure=True`", tuple(edits), safe=False)


class InsecureCookie(Rule):
    """
    ## What it does
    Flags `set_cookie(...)` for a session or auth cookie without `httponly=True` or without
    `secure=True`, and says so when the cookie is also `samesite="none"` (sent with every
    cross-site request, which browsers allow only on `Secure` cookies).

    Auth cookies have a name like `session`, `sid`, `access_token`, `refresh_token`, `auth` or
    `jwt` (also run together: `usersession`, `authtoken`), or hold a token whatever their name
    (`set_cookie(settings.cookie_name, access_token)`). A cookie named for what describes a
    login rather than what carries it (`last_login_method`, `auth_provider`, `login_redirect`)
    is a hint for the frontend, which must read it. One finding per call names what is missing.
    Test modules are not checked.

    A flag given as an expression (`secure=settings.cookie_secure`) counts as set. Leaving out
    `samesite` is fine: Starlette sends `SameSite=Lax` by default (`samesite=None` leaves the
    attribute out, and browsers apply `Lax`); an explicit `"none"` with `secure=True` is a
    deliberate cross-site setup. CSRF cookies are not reported: the double-submit pattern needs
    them readable by scripts. Neither is a `set_cookie` that clears the cookie (no value, `""`,
    or `max_age=0`): it carries no secret.

    ## Why is this bad?
    Without `HttpOnly` any injected script reads the session; without `Secure` it travels over
    plain HTTP to anyone on the network; with `SameSite=None` other sites' requests carry it
    (CSRF), and browsers drop such a cookie unless it is also `Secure`.

    ## Example
    ```python
    @router.post("/login")
    async def login(response: Response, form: OAuth2PasswordRequestForm = Depends()) -> None:
        token = await authenticate(form)
        response.set_cookie("access_token", token)
    ```

    ## Use instead
    ```python
    @router.post("/login")
    async def login(response: Response, form: OAuth2PasswordRequestForm = Depends()) -> None:
        token = await authenticate(form)
        response.set_cookie("access_token", token, httponly=True, secure=True, samesite="lax")
    ```
    """

    id = "FAPI809"
    cwe = (1004, 614)
    name = "insecure-cookie"
    severity = Severity.WARNING
    fix = 'Set `httponly=True, secure=True, samesite="lax"` (or "strict") on auth cookies.'
    VALID = (
        "def f(response, token):\n"
        "    response.set_cookie('session', token, httponly=True, secure=True, samesite='strict')",
        "def f(response):\n    response.set_cookie('theme', 'dark')",
        "def f(response, value):\n    response.set_cookie('csrftoken', value, secure=True)",
        "def f(response, token):\n"
        "    response.set_cookie(key='access_token', value=token, httponly=True,"
        " secure=settings.secure_cookies)",
        "def f(response, token):\n    response.set_cookie(**cookie_options(token))",
        "def logout(response):\n    response.set_cookie('access_token', '', max_age=0)",
        "def f(response, csrf_token):\n"
        "    response.set_cookie(settings.csrf_cookie_name, csrf_token, secure=True)",
        # Which login method was used last: a hint the sign-in page reads, no credential.
        "def remember_method(response, method):\n"
        "    response.set_cookie('app_last_login_method', value=method, httponly=False,"
        " secure=True)",
        Valid(
            "def test_login(response, token):\n    response.set_cookie('session', token)",
            path="tests/test_login.py",
        ),
        # `samesite=None` leaves the attribute out: browsers apply Starlette's default, Lax.
        "def f(resp, token):\n    resp.set_cookie(\n        key='refreshToken',\n"
        "        value=token,\n        httponly=True,\n        secure=True,\n"
        "        samesite=None,\n    )",
        # A deliberate cross-site cookie, sent over HTTPS only.
        "def f(response, token):\n    response.set_cookie('session', token, httponly=True,"
        " secure=True, samesite='none')",
    )
    INVALID = (
        Invalid("def f(response, token):\n    response.set_cookie('access_token', token)", line=2),
        Invalid(
            "def login(self, response, token):\n"
            "    response.set_cookie(key=self.cookie_name, value=token, httponly=True)",
            line=2,
        ),
        Invalid(
            "SESSION_COOKIE = 'sid'\ndef f(response, sid):\n"
            "    response.set_cookie(SESSION_COOKIE, sid, httponly=True, secure=False)",
            line=3,
        ),
        Invalid(
            "def f(resp, token):\n    resp.set_cookie(\n        key='refreshToken',\n"
            "        value=token,\n        httponly=True,\n        samesite='None',\n    )",
            line=2,
        ),
    )

    def check(self, module: Module, project: Project) -> Iterator[Finding]:
        for call in [] if module.is_test else method_calls(module, ("set_cookie",)):
            expr = call.expr
            cookie = _auth_cookie(expr, module)
            if cookie is None or _has_spread(expr) or _is_deletion(expr):
                continue
            missing = [
                f"`{flag}=True`"
                for index, flag in ((7, "httponly"), (6, "secure"))
                if (value := expr.arg(index, flag)) is None
                or value.kind == "none"
                or _is_false(value)
            ]
            if not missing:
                continue
            samesite = expr.arg(8, "samesite")
            cross_site = samesite is not None and (samesite.string or "").lower() == "none"
            if cross_site and "`secure=True`" in missing:
                reason = 'is `samesite="none"` (sent cross-site) without `secure=True`'
                missing.remove("`secure=True`")
                if missing:
                    reason += f" and is set without {' and '.join(missing)}"
            else:
                reason = f"is set without {' and '.join(missing)}"
            yield self.finding(
                module, call, f"auth cookie `{cookie}` {reason}", autofix=_cookie_fix(expr)
            )
