from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from fastapi_limiter.depends import RateLimiter

from app.api.deps import DbSession
from app.errors import ApiError
from app.schemas import Token
from app.security import authenticate, issue_token

router = APIRouter()


@router.post("/token", dependencies=[Depends(RateLimiter(times=5, seconds=60))])
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DbSession) -> Token:
    user = await authenticate(db, form.username, form.password)
    if user is None:
        raise ApiError(401, "bad_credentials", "Incorrect e-mail or password")
    return Token(access_token=issue_token(user.id))
