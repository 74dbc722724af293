from fastapi import APIRouter
from sqlalchemy import select

from app.api.deps import CurrentUser, DbSession
from app.errors import ApiError
from app.models import Order
from app.schemas import OrderOut

router = APIRouter()


@router.get("/{order_id}", response_model=OrderOut)
async def read_order(order_id: int, user: CurrentUser, db: DbSession) -> Order:
    order = await db.scalar(select(Order).where(Order.id == order_id, Order.owner_id == user.id))
    if order is None:
        raise ApiError(404, "order_not_found", f"No order {order_id}")
    return order


@router.post("/{order_id}/ship", response_model=OrderOut)
async def ship_order(order_id: int, user: CurrentUser, db: DbSession) -> Order:
    order = await db.scalar(select(Order).where(Order.id == order_id, Order.owner_id == user.id))
    if order is None:
        raise ApiError(404, "order_not_found", f"No order {order_id}")
    if order.status != "open":
        raise ApiError(409, "order_not_open", f"Order {order_id} is {order.status}")
    order.status = "shipped"
    return order


@router.post("/{order_id}/reopen", response_model=OrderOut)
async def reopen_order(order_id: int, user: CurrentUser, db: DbSession) -> Order:
    order = await db.scalar(select(Order).where(Order.id == order_id, Order.owner_id == user.id))
    if order is None:
        raise ApiError(404, "order_not_found", f"No order {order_id}")
    if order.status != "cancelled":
        raise ApiError(409, "order_not_cancelled", f"Order {order_id} is {order.status}")
    order.status = "open"
    return order
