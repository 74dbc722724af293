"""Request-scoped dependencies."""

import logging
from collections.abc import Iterator

import httpx
from fastapi import Request
from sqlalchemy.orm import Session

from app.db import SessionLocal

logger = logging.getLogger(__name__)


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
        db.commit()
    except Exception:
        db.rollback()
        logger.warning("transaction rolled back")
    finally:
        try:
            db.close()
        except Exception:
            pass  # closing is best effort: the connection is discarded anyway


def get_payments_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.payments
