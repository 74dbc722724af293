from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Customer


async def get_customer(db: AsyncSession, customer_id: int) -> Customer | None:
    return await db.scalar(select(Customer).where(Customer.id == customer_id))
