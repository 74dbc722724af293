import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.status import HTTP_401_UNAUTHORIZED

from dispatch.auth.models import DispatchUser
from dispatch.database import DbSession
from dispatch.plugin import auth_provider

log = logging.getLogger(__name__)

InvalidCredentialException = HTTPException(
    status_code=HTTP_401_UNAUTHORIZED, detail=[{"msg": "Could not validate credentials"}]
)


def get_by_email(*, db_session, email: str) -> DispatchUser | None:
    """Returns a user object based on user email."""
    return db_session.query(DispatchUser).filter(DispatchUser.email == email).one_or_none()


def get_current_user(request: Request, db_session: DbSession) -> DispatchUser:
    """Attempts to get the current user depending on the configured authentication provider."""
    user_email = auth_provider.get_current_user(request)
    if not user_email:
        log.exception("Unable to determine user email based on configured auth provider.")
        raise InvalidCredentialException
    user = get_by_email(db_session=db_session, email=user_email)
    if user is None:
        raise InvalidCredentialException
    return user


CurrentUser = Annotated[DispatchUser, Depends(get_current_user)]
