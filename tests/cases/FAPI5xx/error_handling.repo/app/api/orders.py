"""Order endpoints."""

import logging
import traceback

import httpx
from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.deps import get_db, get_payments_client
from app.models import Order
from app.schemas import OrderIn, OrderOut
from app.services import orders

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/{order_id}", response_model=OrderOut)
def read_order(order_id: int, db: Session = Depends(get_db)) -> Order:
    try:
        return orders.get(db, order_id)
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc))  # pre-existing: not on a changed line


@router.post("/", response_model=OrderOut, status_code=201)
def create_order(order: OrderIn, db: Session = Depends(get_db)) -> Order:
    try:
        return orders.create(db, order)
    except IntegrityError as exc:
        raise HTTPException(status_code=409, detail=f"Could not save order: {exc.orig}") from exc
    except orders.OutOfStock as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc


@router.post("/{order_id}/pay", status_code=202)
async def pay_order(
    order_id: int, client: httpx.AsyncClient = Depends(get_payments_client)
) -> dict[str, str]:
    try:
        response = await client.post(f"/charges/{order_id}")
        response.raise_for_status()
    except Exception:
        logger.exception("charge failed for order %s", order_id)
    return {"status": "submitted"}


@router.post("/{order_id}/refund", status_code=202, response_model=None)
async def refund_order(
    order_id: int, client: httpx.AsyncClient = Depends(get_payments_client)
) -> dict[str, str] | JSONResponse:
    try:
        await client.post(f"/refunds/{order_id}")
    except Exception:
        logger.exception("refund failed for order %s", order_id)
        return JSONResponse(status_code=502, content={"error": "refund_failed"})
    return {"status": "refunded"}


@router.post("/{order_id}/sync", response_model=None)
async def sync_order(order_id: int, db: Session = Depends(get_db)) -> dict[str, str] | JSONResponse:
    try:
        orders.get(db, order_id)
    except Exception:
        logger.exception("sync failed")
        raise
    try:
        await push_to_warehouse(order_id)
    except Exception:
        return JSONResponse(status_code=500, content={"trace": traceback.format_exc()})
    return {"status": "synced"}


@router.get("/{order_id}/invoice")
def order_invoice(order_id: int, db: Session = Depends(get_db)) -> dict[str, str]:
    order = db.get(Order, order_id)
    if order is None:
        return {"error": "Order not found"}
    return {"url": order.invoice_url}


@router.post("/{order_id}/archive")
def archive_order(order_id: int, db: Session = Depends(get_db)) -> dict[str, str]:
    db.get_one(Order, order_id).status = "archived"
    return {"detail": "Order archived"}


@router.post("/{order_id}/cancel")
def cancel_order(order_id: int, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        orders.cancel(db, order_id)
    except Exception as exc:
        return {"error": str(exc)}  # fastapi-review: ignore[FAPI501]
    return {"status": "cancelled"}


async def push_to_warehouse(order_id: int) -> None:
    try:
        await warehouse.push(order_id)
    except Exception:
        pass  # not a route or a dependency
