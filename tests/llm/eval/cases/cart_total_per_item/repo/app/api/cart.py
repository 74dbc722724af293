from decimal import Decimal

from fastapi import APIRouter
from sqlalchemy import select

from app.api.deps import CurrentUser, DbSession
from app.models import CartLine, Product

router = APIRouter()


@router.get("/total")
async def cart_total(user: CurrentUser, db: DbSession) -> dict:
    lines = (await db.scalars(select(CartLine).where(CartLine.user_id == user.id))).all()
    total = Decimal(0)
    for line in lines:
        product = await db.get(Product, line.product_id)
        if product is not None:
            total += product.price * line.quantity
    return {"lines": len(lines), "total": str(total)}
