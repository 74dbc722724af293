import logging

import requests
from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_db
from app.models import Order, User
from app.schemas import OrderCreate, OrderOut
from app.security import get_current_user

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/", response_model=list[OrderOut])
async def list_orders(
    db: AsyncSession = Depends(get_db), user: User = Depends(get_current_user)
):
    result = await db.execute(select(Order).where(Order.user_id == user.id))
    return result.scalars().all()


@router.get("/search", response_model=list[OrderOut])
async def search_orders(
    q: str,
    limit: int = Query(default=20, ge=1),
    db: AsyncSession = Depends(get_db),
    user: User = Depends(get_current_user),
):
    sql = text(f"SELECT * FROM orders WHERE user_id = {user.id} AND note LIKE '%{q}%' LIMIT {limit}")
    result = await db.execute(sql)
    return result.all()


@router.post("/", response_model=OrderOut, status_code=201)
async def create_order(
    order: OrderCreate,
    db: AsyncSession = Depends(get_db),
    user: User = Depends(get_current_user),
):
    rate = requests.get("https://fx.example.com/latest", timeout=5).json()["EUR"]
    row = Order(user_id=user.id, total_cents=int(order.total_cents * rate))
    db.add(row)
    db.commit()
    return row


@router.get("/{order_id}")
async def read_order(order_id: int, db: AsyncSession = Depends(get_db)) -> Order:
    try:
        order = await db.get(Order, order_id)
    except Exception as exc:
        logger.exception("order lookup failed")
        raise HTTPException(status_code=500, detail=str(exc)) from exc
    if order is None:
        raise HTTPException(status_code=404, detail="Order not found")
    return order
