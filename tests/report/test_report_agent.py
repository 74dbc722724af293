"""``--format agent`` on a real change: the constructs it touches, and only those."""

from __future__ import annotations

import difflib

from reviewer.config import Config
from reviewer.engine import review
from reviewer.report.agent import AgentRenderer
from reviewer.source import MemorySources

DB_BEFORE = """from collections.abc import Iterator

from sqlalchemy.orm import Session

from app.engine import SessionLocal


def get_db() -> Iterator[Session]:
    session = SessionLocal()
    yield session


def helper() -> int:
    return 1
"""
DB_AFTER = DB_BEFORE.replace(
    "    session = SessionLocal()\n    yield session\n",
    "    with SessionLocal() as session:\n        yield session\n",
)
API_BEFORE = """from fastapi import APIRouter, Depends, FastAPI, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.db import get_db

router = APIRouter(prefix="/items")


class ItemIn(BaseModel):
    name: str


class ItemOut(BaseModel):
    id: int


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_item(item: ItemIn, db: Session = Depends(get_db)) -> ItemOut:
    return ItemOut(id=1)


@router.get("/{item_id}")
def read_item(item_id: int) -> ItemOut:
    return ItemOut(id=item_id)


def create_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app
"""
API_AFTER = (
    API_BEFORE.replace("from fastapi import", "import time\n\nfrom fastapi import")
    .replace("    id: int\n", "    id: int\n    name: str\n")
    .replace(
        "    return ItemOut(id=1)\n",
        "    time.sleep(1)\n    return ItemOut(id=1, name=item.name)\n",
    )
    .replace("    app = FastAPI()\n", '    app = FastAPI(title="Items")\n')
    .replace(
        "    app.include_router(router)\n",
        '    app.add_middleware(GZipMiddleware)\n    app.include_router(router, prefix="/v1")\n',
    )
    .replace("from pydantic", "from fastapi.middleware.gzip import GZipMiddleware\nfrom pydantic")
)
OLD = "def unused() -> None:\n    return None\n"


def _diff(path: str, before: str | None, after: str | None) -> str:
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        (after or "").splitlines(keepends=True),
        "/dev/null" if before is None else f"a/{path}",
        "/dev/null" if after is None else f"b/{path}",
    )
    mode = "new file mode 100644\n" if before is None else ""
    mode += "deleted file mode 100644\n" if after is None else ""
    return f"diff --git a/{path} b/{path}\n{mode}" + "".join(lines)


def test_digest_of_a_change() -> None:
    patch = (
        _diff("app/api.py", API_BEFORE, API_AFTER)
        + _diff("app/db.py", DB_BEFORE, DB_AFTER)
        + _diff("app/old.py", OLD, None)
    )
    sources = MemorySources({"app/api.py": API_AFTER, "app/db.py": DB_AFTER})
    report = review(patch, sources, Config(select=["FAPI402"]))
    assert AgentRenderer().render(report) == EXPECTED.replace("VERSION", report.version)


EXPECTED = """\
# fastapi-review VERSION: 1 finding (1 error) in 2 Python files, on the changed lines

## Findings
- FAPI402 error `app/api.py:24` `time.sleep()` blocks the event loop
  code: `time.sleep(1)`
  fix: Use `await asyncio.sleep(...)`.

## Changed constructs

### app/api.py
- route `POST /items` create_item L22-25 async; body ItemIn; -> ItemOut; status 201; deps get_db
- model `ItemOut` (pydantic) L17-19: id, name
- app `app` = fastapi.FastAPI in create_app() L34
- middleware GZipMiddleware on `app` L35
- include_router router on `app` prefix /v1 L36

### app/db.py
- dependency `get_db` L8-10 sync, yield

## Deleted files
- app/old.py
"""


def test_digest_without_constructs_or_findings() -> None:
    patch = _diff("app/util.py", "X = 1\n", "X = 2\n")
    report = review(patch, MemorySources({"app/util.py": "X = 2\n"}), Config())
    assert AgentRenderer().render(report) == (
        f"# fastapi-review {report.version}: 0 findings in 1 Python file, on the changed lines\n\n"
        "## Findings\nNone.\n\n"
        "## Changed constructs\nNo route, dependency, model or app wiring.\n"
    )
