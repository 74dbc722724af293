from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.deps import require_admin
from app.db_sync import get_sync_db
from app.models import Order

router = APIRouter(dependencies=[Depends(require_admin)])


@router.get("/orders")
def order_summary(limit: int = 50, offset: int = 0, db: Session = Depends(get_sync_db)) -> list[dict]:
    orders = db.scalars(select(Order).order_by(Order.id).limit(min(limit, 200)).offset(offset)).all()
    return [
        {
            "id": order.id,
            "customer": order.customer.name,
            "items": sum(item.quantity for item in order.items),
        }
        for order in orders
    ]
