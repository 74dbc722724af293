from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from app.api.deps import DbSession, require_admin
from app.errors import ApiError
from app.models import Payment

router = APIRouter(dependencies=[Depends(require_admin)])


@router.get("/{payment_id}")
async def read_payment(payment_id: int, db: DbSession) -> dict:
    payment = await db.get(Payment, payment_id)
    if payment is None:
        raise ApiError(404, "payment_not_found", f"No payment {payment_id}")
    return {"id": payment.id, "amount": str(payment.amount), "status": payment.status}


@router.post("/{payment_id}/refund")
async def refund_payment(payment_id: int, db: DbSession):
    payment = await db.get(Payment, payment_id)
    if payment is None:
        raise ApiError(404, "payment_not_found", f"No payment {payment_id}")
    if payment.status == "refunded":
        return JSONResponse(status_code=409, content={"message": "Payment already refunded"})
    payment.status = "refunded"
    return {"id": payment.id, "status": payment.status}
