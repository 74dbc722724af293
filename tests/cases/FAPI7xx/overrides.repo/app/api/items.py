from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import CurrentUser
from app.db import get_db
from app.models import Item

router = APIRouter(prefix="/items", tags=["items"])


class ItemIn(BaseModel):
    name: str


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


@router.get("", response_model=list[ItemOut])
def list_items(
    db: Annotated[Session, Depends(get_db)],
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[Item]:
    return list(db.scalars(select(Item).order_by(Item.id).limit(limit)))


@router.post("", response_model=ItemOut, status_code=201)
def create_item(item: ItemIn, user: CurrentUser, db: Annotated[Session, Depends(get_db)]) -> Item:
    row = Item(name=item.name)
    db.add(row)
    db.commit()
    return row
