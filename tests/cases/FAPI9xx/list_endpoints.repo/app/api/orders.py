from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import crud
from app.db import get_db
from app.models import Customer, Order
from app.pagination import Pagination
from app.schemas import CustomerOut, OrderOut

router = APIRouter(prefix="/orders", tags=["orders"])
DbSession = Annotated[Session, Depends(get_db)]


@router.get("/legacy", response_model=list[OrderOut])
def legacy_orders(db: Session = Depends(get_db)) -> list[Order]:
    return db.query(Order).all()


@router.get("", response_model=list[OrderOut])
def list_orders(db: DbSession, status: str | None = None) -> list[Order]:
    query = select(Order).order_by(Order.id)
    if status is not None:
        query = query.where(Order.status == status)
    return list(db.scalars(query).all())


@router.get("/recent", response_model=list[OrderOut])
def recent_orders(db: DbSession, offset: int = 0, limit: int = 100) -> list[Order]:
    query = select(Order).order_by(Order.id.desc()).offset(offset).limit(limit)
    return list(db.scalars(query).all())


@router.get("/bounded")
def bounded_orders(
    db: DbSession,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[OrderOut]:
    query = select(Order).order_by(Order.id).offset(offset).limit(limit)
    return [OrderOut.model_validate(order) for order in db.scalars(query)]


@router.get("/pages", response_model=list[OrderOut])
def paged_orders(db: DbSession, paging: Annotated[Pagination, Depends()]) -> list[Order]:
    return list(crud.list_orders(db, paging))


@router.get("/customers", response_model=list[CustomerOut])
def customers(db: DbSession) -> list[Customer]:
    return list(crud.all_customers(db))


@router.get("/search", response_model=list[OrderOut])
def search_orders(db: DbSession, sku: str, page: int = 1, size: int = Query(20, ge=1)) -> list[Order]:
    return list(crud.search_orders(db, sku, page, size))


@router.get("/export", response_model=list[OrderOut])  # fastapi-review: ignore[FAPI901]
def export_orders(db: DbSession) -> list[Order]:
    return list(db.scalars(select(Order)).all())


@router.get("/{order_id}", response_model=OrderOut)
def read_order(order_id: int, db: DbSession) -> Order | None:
    return db.get(Order, order_id)
