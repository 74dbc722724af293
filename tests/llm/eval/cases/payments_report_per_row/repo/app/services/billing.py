from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Payment
from app.repositories import customers
from app.schemas import PaymentOut


async def payments_since(db: AsyncSession, since: datetime, limit: int) -> list[PaymentOut]:
    """The payments of a period with the name of the customer who paid."""
    payments = (
        await db.scalars(
            select(Payment).where(Payment.created_at >= since).order_by(Payment.id).limit(limit)
        )
    ).all()
    report = []
    for payment in payments:
        customer = await customers.get_customer(db, payment.customer_id)
        report.append(
            PaymentOut(
                id=payment.id,
                amount=payment.amount,
                status=payment.status,
                customer_name=customer.name if customer else "",
            )
        )
    return report
