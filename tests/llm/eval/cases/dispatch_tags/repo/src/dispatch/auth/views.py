import logging

from fastapi import APIRouter, HTTPException, status

from dispatch.auth.models import UserRead
from dispatch.auth.service import CurrentUser, get_by_email
from dispatch.database import DbSession
from dispatch.models import OrganizationSlug

log = logging.getLogger(__name__)

auth_router = APIRouter()
user_router = APIRouter()


@user_router.get("/{user_id}", response_model=UserRead)
def get_user(db_session: DbSession, user_id: int):
    """Get a user."""
    user = db_session.get(UserRead, user_id)
    if not user:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "A user with this id does not exist."}],
        )
    return user


@auth_router.get("/me", response_model=UserRead)
def get_me(*, db_session: DbSession, current_user: CurrentUser, organization: OrganizationSlug):
    return current_user
