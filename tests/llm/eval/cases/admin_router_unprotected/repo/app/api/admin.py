from fastapi import APIRouter

from app.api.deps import DbSession
from app.errors import ApiError
from app.models import User

router = APIRouter()


@router.post("/users/{user_id}/deactivate", status_code=204)
async def deactivate_user(user_id: int, db: DbSession) -> None:
    user = await db.get(User, user_id)
    if user is None:
        raise ApiError(404, "user_not_found", f"No user {user_id}")
    user.is_active = False


@router.post("/users/{user_id}/promote", status_code=204)
async def promote_user(user_id: int, db: DbSession) -> None:
    user = await db.get(User, user_id)
    if user is None:
        raise ApiError(404, "user_not_found", f"No user {user_id}")
    user.is_admin = True
