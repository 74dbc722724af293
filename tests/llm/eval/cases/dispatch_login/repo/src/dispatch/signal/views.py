from fastapi import APIRouter, Request
from pydantic import BaseModel

from dispatch.auth.service import CurrentUser
from dispatch.database import DbSession
from dispatch.rate_limiter import limiter

router = APIRouter()


class SignalInstanceCreate(BaseModel):
    raw: dict


@router.post("/instances")
@limiter.limit("1000/minute")
def create_signal_instance(
    db_session: DbSession,
    signal_instance_in: SignalInstanceCreate,
    current_user: CurrentUser,
    request: Request,
):
    """Creates a new signal instance."""
    return {"id": 1, "raw": signal_instance_in.raw}
