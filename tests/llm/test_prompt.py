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


def test_login_form_is_not_a_token_dependency() -> None:
    code = HEAD + (
        "from typing import Annotated\nfrom fastapi.security import OAuth2PasswordRequestForm\n"
        '@router.post("/token", dependencies=[Depends(RateLimiter(times=5, seconds=60))])\n'
        "def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]):\n    return 1\n"
    )
    assert _requests(code) == []  # limited, a form (not a token) and a login


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
    assert "Sign-up, login, token,\npassword-reset and webhook endpoints" in checklist
    assert "## Example" not in checklist  # what it flags, not the examples: tokens
    for absent in ("FAPI304", "FAPI504", "FAPI808", "FAPI903", "FAPI402"):
        assert f"# {absent}" not in checklist


def _repo_text(files: dict[str, str], changed: str) -> str:
    """The user messages of the requests for a change adding ``changed`` to a repository."""
    settings = load_config(None, {})
    change = analyze(_patch(changed, files[changed]), MemorySources(files), settings)
    the_plan = plan(change, review_change(change, settings).findings, settings, {})
    return "".join(body["messages"][0]["content"] for body in the_plan.requests)


SECURITY = (
    "from fastapi import Depends, HTTPException\nfrom fastapi.security import OAuth2PasswordBearer\n"
    "from app.models import User\n"
    'oauth2 = OAuth2PasswordBearer(tokenUrl="token")\n'
    "def get_current_user(token: str = Depends(oauth2)) -> User:\n"
    "    # a comment the model does not need\n"
    "    # and another one\n"
    "    # and a third\n"
    "    user = User.lookup(token)\n"
    "    if user is None:\n"
    "        raise HTTPException(401)\n"
    "    return user\n"
)
MODELS = (
    "from sqlalchemy.orm import DeclarativeBase, Mapped, relationship\n"
    "class Base(DeclarativeBase):\n    pass\n"
    "class User(Base):\n    __tablename__ = 'users'\n    id: Mapped[int]\n"
    "    is_active: Mapped[bool]\n    orders = relationship('Order')\n"
)


def test_facts_of_a_write_route() -> None:
    files = {
        "app/security.py": SECURITY,
        "app/models.py": MODELS,
        "app/main.py": (
            "from fastapi import FastAPI\nfrom starlette.middleware.gzip import GZipMiddleware\n"
            "from app.api import x\napp = FastAPI()\napp.add_middleware(GZipMiddleware)\n"
            'app.include_router(x.router, prefix="/x")\n'
        ),
        "app/api/x.py": HEAD
        + '@router.post("/items")\ndef create(db: Session = Depends(get_db), me=Depends(lookup)):\n'
        "    return 1\n",
    }
    text = _repo_text(files, "app/api/x.py")
    assert "- 6-8 route create: FAPI807" in text
    facts = text[text.index("- 6-8 route create") :].splitlines()[1:]
    assert facts == [
        "    POST /items on `router`",
        "    `router` is included into `app` at app/main.py:6, prefix /x, adding no dependencies",
        "    app `app` (app/main.py:4) middleware: GZipMiddleware (app/main.py:5)",
        "    effective dependencies: get_db (parameter `db`); lookup (parameter `me`)",
        "</change>",
    ]


def test_authentication_added_where_the_router_is_included() -> None:
    files = {
        "app/security.py": SECURITY,
        "app/models.py": MODELS,
        "app/main.py": (
            "from fastapi import APIRouter, Depends, FastAPI\nfrom app.api import x\n"
            "from app.security import get_current_user\n"
            "api = APIRouter()\napi.include_router(x.router)\napp = FastAPI()\n"
            "app.include_router(api, dependencies=[Depends(get_current_user)])\n"
        ),
        "app/api/x.py": HEAD
        + '@router.post("/items")\ndef create(db: Session = Depends(get_db)):\n'
        "    return 1\n",
    }
    assert _repo_text(files, "app/api/x.py") == ""  # two includes up: authenticated, not asked


def test_annotated_alias_and_router_class_count_as_authentication() -> None:
    files = {
        "app/security.py": SECURITY
        + "from typing import Annotated\nCurrentUser = Annotated[User, Depends(get_current_user)]\n"
        + "from fastapi import APIRouter\n"
        + "class UserRouter(APIRouter):\n    def __init__(self, **kwargs):\n"
        + "        super().__init__(dependencies=[Depends(get_current_user)], **kwargs)\n",
        "app/models.py": MODELS,
        "app/api/x.py": HEAD
        + "from app.security import CurrentUser, UserRouter\nusers = UserRouter()\n"
        + '@router.post("/a")\ndef alias(user: CurrentUser):\n    return 1\n'
        + '@users.post("/b")\ndef routed():\n    return 1\n',
    }
    assert _repo_text(files, "app/api/x.py") == ""


def test_dependency_one_hop_shows_its_decisive_lines() -> None:
    files = {
        "app/security.py": SECURITY,
        "app/models.py": MODELS,
        "app/api/deps.py": (
            "from fastapi import Depends\nfrom app.security import get_current_user\n"
            "from app.models import User\n"
            "def get_current_active_user(user: User = Depends(get_current_user)) -> User:\n"
            "    return user\n"
        ),
    }
    text = _repo_text(files, "app/api/deps.py")
    assert "- 4-5 function get_current_active_user: FAPI304" in text
    assert "File: app/security.py (context only)" in text
    assert "5   def get_current_user(token: str = Depends(oauth2)) -> User:" in text
    assert "10       if user is None:" in text
    assert "a comment the model does not need" not in text  # decisive lines only
    assert "OAuth2PasswordBearer" not in text  # two hops away
    assert "returns User (app/models.py:4, orm; status fields: is_active)" in text


def test_who_relies_on_an_authentication_dependency() -> None:
    """A dependency that starts returning None is judged with the routes that take it as proof
    of a signed-in user: through an alias or directly, optional or not."""
    files = {
        "app/security.py": SECURITY
        + "from typing import Annotated\nCurrentUser = Annotated[User, Depends(get_current_user)]\n"
        + "MaybeUser = Annotated[User | None, Depends(get_current_user)]\n",
        "app/models.py": MODELS,
        "app/api/x.py": HEAD
        + "from app.security import CurrentUser, MaybeUser, get_current_user\n"
        + '@router.post("/a")\ndef alias(user: CurrentUser):\n    return 1\n'
        + '@router.get("/b")\ndef page(user: MaybeUser):\n    return 1\n'
        + '@router.get("/c", dependencies=[Depends(get_current_user)])\ndef gated():\n    return 1\n'
        + "def admin(user: User = Depends(get_current_user)):\n    return user\n"
        + "def unrelated(user: User = Depends(get_db)):\n    return user\n",
    }
    text = _repo_text(files, "app/security.py")
    assert "function get_current_user: FAPI304" in text
    assert (
        "    used by 3 routes (alias POST /a, page GET /b, gated GET /c) and 1 dependency (admin), "
        "through CurrentUser, MaybeUser; 1 of them takes it as optional\n"
    ) in text
    alone = {"app/security.py": SECURITY, "app/models.py": MODELS}
    assert "    used by no route or dependency\n" in _repo_text(alone, "app/security.py")


def test_loop_with_an_awaited_query_one_hop_away() -> None:
    files = {
        "app/models.py": MODELS,
        "app/repo.py": (
            "from sqlalchemy import select\nfrom app.models import User\n"
            "async def get_user(db, user_id):\n"
            "    return await db.scalar(select(User).where(User.id == user_id))\n"
        ),
        "app/service.py": (
            "from app import repo\n"
            "async def owners(db, payments):\n"
            "    names = []\n"
            "    for payment in payments:\n"
            "        user = await repo.get_user(db, payment.user_id)\n"
            "        names.append(user.id)\n"
            "    return names\n"
        ),
    }
    text = _repo_text(files, "app/service.py")
    assert "- 2-7 function owners: FAPI903" in text
    assert (
        "    loop at 4-6 over `payments`, per item: awaits repo.get_user() "
        "(app/repo.py:3: 1 query: db.scalar) at 5"
    ) in text


def test_lazy_relationship_per_item_unless_loaded_eagerly() -> None:
    route = (
        "from sqlalchemy import select\nfrom sqlalchemy.orm import selectinload\n"
        "from app.models import User\n"
        "def report(db):\n"
        "    users = db.scalars(select(User)OPTIONS).all()\n"
        "    return [len(user.orders) for user in users]\n"
    )
    files = {"app/models.py": MODELS, "app/report.py": route.replace("OPTIONS", "")}
    text = _repo_text(files, "app/report.py")
    assert "reads user.orders (User.orders relationship, lazy by default)" in text
    eager = route.replace("OPTIONS", ".options(selectinload(User.orders))")
    assert _repo_text({"app/models.py": MODELS, "app/report.py": eager}, "app/report.py") == ""


def test_error_shapes_asked_only_when_they_differ() -> None:
    consistent = HEAD + (
        "from fastapi import HTTPException\n"
        '@router.get("/a")\ndef a():\n    raise HTTPException(404, detail="no a")\n'
        '@router.get("/b")\ndef b():\n    raise HTTPException(404, detail="no b")\n'
    )
    assert _requests(consistent) == []
    mixed = consistent + '@router.get("/c")\ndef c():\n    return {"error": "no c"}\n'
    text = _requests(mixed)[0]["messages"][0]["content"]
    assert "route c: FAPI504" in text
    assert (
        "error responses of the routes of app/api/x.py: a (router): HTTPException detail str "
        "at 9 | b (router): HTTPException detail str at 12 | c (router): dict {error} with "
        "status 200 at 15"
    ) in text


def test_rate_limiting_facts() -> None:
    login = (
        HEAD + '@router.post("/login")\ndef login(db: Session = Depends(get_db)):\n    return 1\n'
    )
    none = _repo_text({"app/api/x.py": login, "app/models.py": MODELS}, "app/api/x.py")
    assert "rate limiting in the repository: none (no slowapi, fastapi-limiter" in none
    files = {
        "app/api/x.py": login,
        "app/limits.py": (
            "from slowapi import Limiter\nfrom slowapi.util import get_remote_address\n"
            "limiter = Limiter(key_func=get_remote_address)\n"
        ),
        "app/api/y.py": HEAD
        + "from app.limits import limiter\n"
        + '@router.get("/search")\n@limiter.limit("5/minute")\ndef search():\n    return 1\n',
    }
    text = _repo_text(files, "app/api/x.py")
    assert "rate limiting in the repository: slowapi.Limiter `limiter` at app/limits.py:3" in text
    assert "routes it is applied to: search (app/api/y.py:7)" in text


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
