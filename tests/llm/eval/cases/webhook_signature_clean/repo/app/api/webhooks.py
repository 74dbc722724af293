import stripe
from fastapi import APIRouter, Header, Request

from app.api.deps import DbSession
from app.config import settings
from app.errors import ApiError
from app.models import Payment

router = APIRouter()


@router.post("/stripe", status_code=204)
async def stripe_webhook(
    request: Request, db: DbSession, stripe_signature: str = Header(alias="Stripe-Signature")
) -> None:
    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(
            payload, stripe_signature, settings.stripe_webhook_secret
        )
    except (ValueError, stripe.error.SignatureVerificationError):
        raise ApiError(400, "invalid_signature", "Invalid Stripe signature") from None
    if event["type"] == "charge.refunded":
        payment = await db.get(Payment, int(event["data"]["object"]["metadata"]["payment_id"]))
        if payment is not None:
            payment.status = "refunded"
