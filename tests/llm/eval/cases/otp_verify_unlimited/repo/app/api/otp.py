import hmac
from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from app.api.deps import CurrentUser, DbSession
from app.errors import ApiError
from app.models import OneTimeCode

router = APIRouter()


class CodeIn(BaseModel):
    code: str


@router.post("/verify", status_code=204)
async def verify_code(body: CodeIn, user: CurrentUser, db: DbSession) -> None:
    """Confirm the 6-digit code sent by SMS to finish enabling two-factor sign-in."""
    pending = await db.scalar(
        select(OneTimeCode).where(OneTimeCode.user_id == user.id, OneTimeCode.used.is_(False))
    )
    if pending is None or pending.expires_at < datetime.now(UTC):
        raise ApiError(400, "code_expired", "Request a new code")
    if not hmac.compare_digest(pending.code, body.code):
        raise ApiError(400, "code_invalid", "Wrong code")
    pending.used = True
    user.two_factor_enabled = True
