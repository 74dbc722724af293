"""What goes into the requests: redaction, the checklist entries that apply, chunks, providers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reviewer.config import load_config
from reviewer.engine import analyze, review_change
from reviewer.errors import ReviewError
from reviewer.llm.provider import configured, provider
from reviewer.llm.redact import redact
from reviewer.llm.review import plan
from reviewer.llm.tokens import estimate_tokens, request_tokens
from reviewer.source import MemorySources, NoSources

SECRETS = {
    'SECRET_KEY = "s3cr3t-value-123"': 'SECRET_KEY = "<redacted>"',
    'api_key: str = "sk-ant-api03-abcdefghijklmnopqrstuv"': 'api_key: str = "<redacted>"',
    'url = "postgresql://app:hunter2@db:5432/app"': 'url = "postgresql://app:<redacted>@db:5432/app"',
    'h = {"Authorization": "Bearer abcdefghijklmnop1234"}': 'h = {"Authorization": "Bearer <redacted>"}',
    'Client(password="pw-long-enough", user="bob")': 'Client(password="<redacted>", user="bob")',
    'key = os.getenv("STRIPE_API_KEY", "fallback-value")': 'key = os.getenv("STRIPE_API_KEY", "<redacted>")',
    'aws = "AKIAABCDEFGHIJKLMNOP"': 'aws = "<redacted>"',
    'gh = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"': 'gh = "<redacted>"',
    'jwt_example = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk"': 'jwt_example = "<redacted>"',
    'creds = {"password": "letmein1"}': 'creds = {"password": "<redacted>"}',
}
KEPT = (
    'oauth2 = OAuth2PasswordBearer(tokenUrl="token")',
    'token_type = "bearer"',
    "password = Field(min_length=8)",
    'name = "bob"',
    'password_field = "password"',
    "hashed = hash_password(form.password)",
)


@pytest.mark.parametrize(("line", "expected"), SECRETS.items())
def test_redacts_secrets(line: str, expected: str) -> None:
    redacted = redact(line)
    assert redacted.text == expected
    assert redacted.count == 1


@pytest.mark.parametrize("line", KEPT)
def test_keeps_what_only_mentions_secrets(line: str) -> None:
    assert redact(line) == redact(line).__class__(line, 0)


def test_private_key_keeps_line_numbers() -> None:
    text = (
        "a = 1\n-----BEGIN RSA PRIVATE KEY-----\nMIIabc\ndef\n-----END RSA PRIVATE KEY-----\nb = 2"
    )
    redacted = redact(text)
    assert redacted.count == 1
    assert redacted.text.split("\n") == ["a = 1", "<redacted>", "", "", "", "b = 2"]


def _patch(path: str, code: str) -> str:
    lines = code.splitlines()
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)
    )


def _requests(code: str, path: str = "app/api/x.py", **config: Any) -> list[dict[str, Any]]:
    settings = load_config(None, config)
    change = analyze(_patch(path, code), NoSources(), settings)
    return plan(change, review_change(change, settings).findings, settings, {}).requests


def _constructs(code: str, **config: Any) -> list[str]:
    text = "".join(body["messages"][0]["content"] for body in _requests(code, **config))
    listing = text[text.index("Constructs to review") :].splitlines()
    return [line for line in listing if line.startswith("- ")]


HEAD = (
    "from fastapi import APIRouter, Depends\nfrom sqlalchemy.orm import Session\n"
    "from app.db import get_db\nfrom app.security import get_current_user, require_admin\n"
    "router = APIRouter()\n"
)


def test_write_route_without_visible_auth() -> None:
    code = HEAD + (
        '@router.post("/items")\ndef create(db: Session = Depends(get_db)):\n    return 1\n'
        '@router.delete("/items/{i}")\ndef delete(i: int, user=Depends(get_current_user)):\n'
        "    return 1\n"
        '@router.put("/items/{i}", dependencies=[Depends(require_admin)])\ndef put(i: int):\n'
        "    return 1\n"
        '@router.get("/items")\ndef read():\n    return 1\n'
    )
    assert _constructs(code) == ["- 6-8 route create: FAPI807"]


def test_router_dependencies_count_as_auth() -> None:
    code = HEAD.replace(
        "router = APIRouter()", "router = APIRouter(dependencies=[Depends(get_current_user)])"
    )
    assert _requests(code + '@router.post("/x")\ndef create():\n    return 1\n') == []


def test_auth_endpoints_and_limiters() -> None:
    code = HEAD + (
        '@router.post("/token")\ndef login(user=Depends(get_current_user)):\n    return 1\n'
        '@router.post("/password-reset")\n@limiter.limit("5/minute")\n'
        "def reset(user=Depends(get_current_user)):\n    return 1\n"
    )
    assert _constructs(code) == ["- 6-8 route login: FAPI808"]


def test_token_decoding_dependency() -> None:
    code = (
        "import jwt\nfrom fastapi import HTTPException\n\n"
        "def get_current_user(token: str):\n    payload = jwt.decode(token, 'k', algorithms=['HS256'])\n"
        "    return payload.get('sub')\n"
    )
    assert _constructs(code, ignore=["FAPI5"]) == ["- 4-6 function get_current_user: FAPI304"]


def test_queries_in_a_loop() -> None:
    code = HEAD + (
        "def totals(db: Session):\n    users = db.execute(q).scalars()\n"
        "    return [db.scalar(count(u.id)) for u in users]\n"
        "def one(db: Session):\n    return db.execute(q).scalar()\n"
    )
    assert _constructs(code) == ["- 6-8 function totals: FAPI903"]


def test_configuration_selects_entries() -> None:
    code = HEAD + '@router.post("/items")\ndef create():\n    return 1\n'
    assert _requests(code, ignore=["FAPI807"]) == []
    assert _requests(code, **{"per-path-ignores": {"app/api/*": ["FAPI8"]}}) == []
    assert _requests(code, path="tests/test_x.py") == []


def test_checklist_holds_only_entries_that_apply() -> None:
    body = _requests(HEAD + '@router.post("/items")\ndef create():\n    return 1\n')[0]
    checklist = body["system"][1]["text"]
    assert "# FAPI807 write-endpoint-without-auth (default severity: warning)" in checklist
    assert "## What it does" in checklist
    for absent in ("FAPI304", "FAPI504", "FAPI808", "FAPI903", "FAPI402"):
        assert f"# {absent}" not in checklist


def test_context_reaches_dependencies_and_models() -> None:
    files = {
        "app/security.py": (
            "from fastapi import Depends\nfrom fastapi.security import OAuth2PasswordBearer\n"
            "from app.models import User\n"
            'oauth2 = OAuth2PasswordBearer(tokenUrl="token")\n'
            "def get_current_user(token: str = Depends(oauth2)) -> User:\n    return decode(token)\n"
        ),
        "app/models.py": (
            "from sqlalchemy.orm import DeclarativeBase, Mapped, relationship\n"
            "class Base(DeclarativeBase):\n    pass\n"
            "class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int]\n"
            "    orders = relationship('Order')\n"
        ),
        "app/api/x.py": HEAD
        + "from app.models import User\n"
        + '@router.get("/users")\ndef users(db: Session = Depends(get_db),'
        " me=Depends(get_current_user)) -> list[User]:\n"
        "    return [u for u in db.execute(q).scalars()]\n",
    }
    patch = _patch("app/api/x.py", files["app/api/x.py"])
    settings = load_config(None, {})
    change = analyze(patch, MemorySources(files), settings)
    text = plan(change, [], settings, {}).requests[0]["messages"][0]["content"]
    assert "File: app/security.py (context only)" in text
    assert "5   def get_current_user(token: str = Depends(oauth2)) -> User:" in text
    assert '4   oauth2 = OAuth2PasswordBearer(tokenUrl="token")' in text
    assert "File: app/models.py (context only)" in text
    assert "7       orders = relationship('Order')" in text
    assert (
        "Imports: User = app.models.User, get_current_user = app.security.get_current_user" in text
    )


def test_chunks_fit_the_budget() -> None:
    code = HEAD + "".join(
        f'@router.post("/items{i}")\ndef create{i}(db: Session = Depends(get_db)):\n'
        f"    return {{'n': {i}, 'name': 'item number {i}'}}\n"
        for i in range(120)
    )
    requests = _requests(code, **{"token-budget": 4000})
    assert len(requests) > 2
    assert all(request_tokens(body) <= 4000 for body in requests)
    listed = [
        line
        for body in requests
        for line in body["messages"][0]["content"].splitlines()
        if line.startswith("- ") and " route create" in line
    ]
    assert len(listed) == 120
    assert len({json.dumps(body["system"]) for body in requests}) == 1  # one cached prefix


def test_token_estimate() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("def get_current_user(token):") == 11
    assert estimate_tokens("internationalization") == 4


def test_provider_selection() -> None:
    config = load_config(None, {})
    assert provider(config, {}) == "anthropic"
    assert not configured(config, {})
    assert configured(config, {"ANTHROPIC_API_KEY": "k"})
    assert configured(config, {"ANTHROPIC_AUTH_TOKEN": "t"})
    assert provider(config, {"CLAUDE_CODE_USE_BEDROCK": "1"}) == "bedrock"
    assert configured(config, {"CLAUDE_CODE_USE_BEDROCK": "1"})
    assert provider(config, {"CLAUDE_CODE_USE_VERTEX": "true"}) == "vertex"
    explicit = load_config(None, {"provider": "vertex"})
    assert provider(explicit, {"CLAUDE_CODE_USE_BEDROCK": "1"}) == "vertex"


def test_configuration_keys(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.fastapi-review]\nmodel = "claude-opus-5-5"\nmin-confidence = 0.6\n'
        'max-concurrency = 2\ntoken-budget = 30000\nmax-retries = 1\nprovider = "bedrock"\n'
    )
    config = load_config(pyproject, {})
    assert (config.model, config.min_confidence, config.max_concurrency) == (
        "claude-opus-5-5",
        0.6,
        2,
    )
    assert (config.token_budget, config.max_retries, config.provider) == (30000, 1, "bedrock")
    pyproject.write_text("[tool.fastapi-review]\nmin-confidence = 1.5\n")
    with pytest.raises(ReviewError, match="min-confidence"):
        load_config(pyproject, {})
    pyproject.write_text('[tool.fastapi-review]\nprovider = "openai"\n')
    with pytest.raises(ReviewError, match="provider"):
        load_config(pyproject, {})


def test_construct_larger_than_the_budget() -> None:
    body = "".join(
        f"    total += compute_item_number_{i}(payload, 'a long string of text')\n"
        for i in range(400)
    )
    code = HEAD + '@router.post("/big")\ndef big(payload: dict):\n    total = 0\n' + body
    requests = _requests(code, **{"token-budget": 4000})
    assert len(requests) > 3
    assert all(request_tokens(request) <= 4000 for request in requests)
    titles = [
        line
        for request in requests
        for line in request["messages"][0]["content"].splitlines()
        if line.startswith("- ") and " route big" in line
    ]
    assert titles[0].startswith("- 6-") and titles[0].endswith(" route big (part 1): FAPI807")
    assert titles[-1].endswith(f" route big (part {len(requests)}): FAPI807")
