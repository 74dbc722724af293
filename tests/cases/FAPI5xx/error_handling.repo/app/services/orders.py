from sqlalchemy.orm import Session

from app.models import Order
from app.schemas import OrderIn


class OutOfStock(Exception):
    """Raised with a message written for clients: "Only 3 left of SKU-1"."""


def get(db: Session, order_id: int) -> Order:
    return db.get_one(Order, order_id)


def create(db: Session, order: OrderIn) -> Order:
    row = Order(sku=order.sku, quantity=order.quantity, status="new")
    db.add(row)
    db.flush()
    return row


def cancel(db: Session, order_id: int) -> None:
    db.get_one(Order, order_id).status = "cancelled"
