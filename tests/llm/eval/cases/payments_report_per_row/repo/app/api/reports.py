from datetime import datetime

from fastapi import APIRouter, Depends, Query

from app.api.deps import DbSession, require_admin
from app.schemas import PaymentOut
from app.services import billing

router = APIRouter(dependencies=[Depends(require_admin)])


@router.get("/payments", response_model=list[PaymentOut])
async def payment_report(
    db: DbSession, since: datetime, limit: int = Query(100, le=500)
) -> list[PaymentOut]:
    return await billing.payments_since(db, since, limit)
