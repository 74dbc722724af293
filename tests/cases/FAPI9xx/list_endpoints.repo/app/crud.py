from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Customer, Order
from app.pagination import Pagination


def list_orders(db: Session, paging: Pagination) -> Sequence[Order]:
    query = select(Order).order_by(Order.id).offset(paging.offset).limit(paging.limit)
    return db.scalars(query).all()


def all_customers(db: Session) -> Sequence[Customer]:
    return db.scalars(select(Customer).order_by(Customer.name)).all()


def search_orders(db: Session, sku: str, page: int, size: int) -> Sequence[Order]:
    query = select(Order).where(Order.sku == sku).offset((page - 1) * size).limit(size)
    return db.scalars(query).all()
