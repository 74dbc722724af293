"""Generate a realistic FastAPI change: routers, schemas, models, dependencies and tests.

Every file is new, so every line is a changed line. Used by ``bench/speed.py`` and
``bench/llm_tokens.py``; deterministic for a given size.
"""

from __future__ import annotations

import random
from pathlib import Path

ROUTER = """import logging
import time

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_db
from app.models.{name} import {Model}
from app.schemas.{name} import {Model}Create, {Model}Out, {Model}Update
from app.security import get_current_user

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/{name}s", tags=["{name}s"])


@router.get("/", response_model=list[{Model}Out])
async def list_{name}s(
    limit: int = Query(default=50, ge=1, le=100),
    offset: int = Query(default=0, ge=0),
    db: AsyncSession = Depends(get_db),
):
    result = await db.execute(select({Model}).limit(limit).offset(offset))
    return result.scalars().all()


@router.get("/{{item_id}}", response_model={Model}Out)
async def read_{name}(item_id: int, db: AsyncSession = Depends(get_db)):
    item = await db.get({Model}, item_id)
    if item is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Not found")
    return item


@router.post("/", response_model={Model}Out, status_code=201)
async def create_{name}(
    payload: {Model}Create,
    db: AsyncSession = Depends(get_db),
    user=Depends(get_current_user),
):
    item = {Model}(**payload.model_dump(), owner_id=user.id)
    db.add(item)
    await db.commit()
    await db.refresh(item)
    logger.info("created {name} %s", item.id)
    return item


@router.patch("/{{item_id}}", response_model={Model}Out)
async def update_{name}(
    item_id: int, payload: {Model}Update, db: AsyncSession = Depends(get_db)
):
    item = await db.get({Model}, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Not found")
    for key, value in payload.model_dump(exclude_unset=True).items():
        setattr(item, key, value)
    await db.commit()
    return item


@router.delete("/{{item_id}}", status_code=204)
async def delete_{name}(
    item_id: int, db: AsyncSession = Depends(get_db), user=Depends(get_current_user)
) -> None:
    item = await db.get({Model}, item_id)
    if item is None or item.owner_id != user.id:
        raise HTTPException(status_code=404, detail="Not found")
    await db.delete(item)
    await db.commit()


@router.get("/{{item_id}}/history", response_model=list[{Model}Out])
async def history_{name}(
    item_id: int,
    limit: int = Query(default=20, ge=1, le=100),
    db: AsyncSession = Depends(get_db),
):
    query = select({Model}).where({Model}.id == item_id).order_by({Model}.created_at.desc())
    result = await db.execute(query.limit(limit))
    return result.scalars().all()


@router.get("/stats/summary")
async def stats_{name}(db: AsyncSession = Depends(get_db)) -> dict[str, int]:
    total = await db.scalar(select({Model}.id).limit(1))
    return {{"total": total or 0}}


@router.post("/{{item_id}}/archive", response_model={Model}Out)
async def archive_{name}(item_id: int, db: AsyncSession = Depends(get_db)):
    item = await db.get({Model}, item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Not found")
    item.priority = 0
    await db.commit()
    return item


def _export_row(item: {Model}) -> dict[str, object]:
    return {{"id": item.id, "title": item.title, "priority": item.priority}}


@router.post("/{{item_id}}/sync", status_code=202)
async def sync_{name}(item_id: int) -> None:
    {violation}
"""

VIOLATIONS = (
    "time.sleep(0.1)",
    "httpx.post('https://hooks.example.com/sync', json={'id': item_id})",
    "logger.debug('sync %s', item_id)",
    "async with httpx.AsyncClient() as client:\n        await client.post('/sync')",
)

SCHEMA = """from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class {Model}Base(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    priority: int = Field(default=0, ge=0, le=10)


class {Model}Create({Model}Base):
    pass


class {Model}Update(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    priority: int | None = Field(default=None, ge=0, le=10)


class {Model}Out({Model}Base):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_id: int
    created_at: datetime


class {Model}Page(BaseModel):
    items: list[{Model}Out]
    total: int = Field(ge=0)
    limit: int = Field(ge=1, le=100)
    offset: int = Field(ge=0)


class {Model}Filter(BaseModel):
    title: str | None = None
    min_priority: int = Field(default=0, ge=0, le=10)
    max_priority: int = Field(default=10, ge=0, le=10)
    created_after: datetime | None = None
    created_before: datetime | None = None

    def matches(self, item: {Model}Out) -> bool:
        if self.title and self.title not in item.title:
            return False
        if not self.min_priority <= item.priority <= self.max_priority:
            return False
        if self.created_after and item.created_at < self.created_after:
            return False
        return not (self.created_before and item.created_at > self.created_before)


class {Model}Stats(BaseModel):
    total: int
    by_priority: dict[int, int]
    oldest: datetime | None = None
    newest: datetime | None = None
"""

MODEL = """from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class {Model}(Base):
    __tablename__ = "{name}s"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None]
    priority: Mapped[int] = mapped_column(default=0)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    def __repr__(self) -> str:
        return f"<{Model} id={{self.id}} title={{self.title!r}}>"


class {Model}Audit(Base):
    __tablename__ = "{name}_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    {name}_id: Mapped[int] = mapped_column(ForeignKey("{name}s.id"))
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    details: Mapped[str | None] = mapped_column(String(2000))

    @classmethod
    def record(cls, item: {Model}, action: str, actor_id: int) -> "{Model}Audit":
        return cls(
            {name}_id=item.id,
            action=action,
            actor_id=actor_id,
            details=f"{{action}} {{item.title}}",
        )
"""

TEST = """import pytest
from httpx import ASGITransport, AsyncClient

from app.db import get_db
from app.main import create_app


@pytest.fixture
async def client(session):
    app = create_app()

    async def override_get_db():
        yield session

    app.dependency_overrides[get_db] = override_get_db
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as c:
        yield c
    app.dependency_overrides.clear()


async def test_create_{name}(client: AsyncClient) -> None:
    response = await client.post("/{name}s/", json={{"title": "x"}})
    assert response.status_code == 201
    assert response.json()["title"] == "x"


async def test_list_{name}s(client: AsyncClient) -> None:
    response = await client.get("/{name}s/?limit=10")
    assert response.status_code == 200


async def test_read_missing_{name}(client: AsyncClient) -> None:
    response = await client.get("/{name}s/999999")
    assert response.status_code == 404


async def test_update_{name}(client: AsyncClient) -> None:
    created = await client.post("/{name}s/", json={{"title": "a"}})
    item_id = created.json()["id"]
    response = await client.patch(f"/{name}s/{{item_id}}", json={{"priority": 3}})
    assert response.status_code == 200
    assert response.json()["priority"] == 3


@pytest.mark.parametrize("limit", [1, 10, 100])
async def test_history_{name}(client: AsyncClient, limit: int) -> None:
    response = await client.get(f"/{name}s/1/history?limit={{limit}}")
    assert response.status_code in (200, 404)


async def test_delete_{name}(client: AsyncClient) -> None:
    created = await client.post("/{name}s/", json={{"title": "gone"}})
    item_id = created.json()["id"]
    response = await client.delete(f"/{name}s/{{item_id}}")
    assert response.status_code == 204
    again = await client.get(f"/{name}s/{{item_id}}")
    assert again.status_code == 404
"""


def files(count: int, seed: int = 7) -> dict[str, str]:
    """``count`` files, in groups of router, schema, model and test per resource."""
    rng = random.Random(seed)
    generated: dict[str, str] = {}
    index = 0
    while len(generated) < count:
        name = f"res{index}"
        model = f"Res{index}"
        violation = rng.choice(VIOLATIONS)
        group = {
            f"app/api/{name}.py": ROUTER.format(name=name, Model=model, violation=violation),
            f"app/schemas/{name}.py": SCHEMA.format(Model=model),
            f"app/models/{name}.py": MODEL.format(Model=model, name=name),
            f"tests/test_{name}.py": TEST.format(name=name),
        }
        for path, text in group.items():
            if len(generated) < count:
                generated[path] = text
        index += 1
    return generated


def patch(generated: dict[str, str]) -> str:
    """A git-style patch adding every file."""
    parts: list[str] = []
    for path, text in generated.items():
        lines = text.splitlines()
        parts.append(
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n"
        )
        parts.extend(f"+{line}\n" for line in lines)
    return "".join(parts)


def write(generated: dict[str, str], root: Path) -> None:
    for path, text in generated.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
