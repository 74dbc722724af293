from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import get_db
from app.filters import Filters, parse_filters, scope_filter
from app.models import Payment
from app.schemas import PaymentOut

router = APIRouter(prefix="/payments")


@router.get("/", response_model=list[PaymentOut])
def list_payments(
    filters: Filters = Depends(parse_filters(PaymentOut)), db: Session = Depends(get_db)
):
    query = select(Payment).offset(filters.offset).limit(filters.limit)
    return db.scalars(query).all()


@router.get("/by-tenant", response_model=list[PaymentOut])
def tenant_payments(tenant: str = Depends(scope_filter(PaymentOut)), db: Session = Depends(get_db)):
    return db.scalars(select(Payment).where(Payment.tenant == tenant)).all()
