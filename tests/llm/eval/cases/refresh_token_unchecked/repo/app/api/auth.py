from datetime import UTC, datetime, timedelta

import jwt
from fastapi import APIRouter
from pydantic import BaseModel

from app.config import settings
from app.errors import ApiError
from app.schemas import Token

router = APIRouter()


class RefreshRequest(BaseModel):
    refresh_token: str


def _token(subject: str, minutes: int) -> str:
    claims = {
        "sub": subject,
        "exp": datetime.now(UTC) + timedelta(minutes=minutes),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


@router.post("/refresh", response_model=Token)
async def refresh(body: RefreshRequest) -> Token:
    try:
        claims = jwt.decode(
            body.refresh_token,
            settings.jwt_secret,
            algorithms=["HS256"],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    except jwt.InvalidTokenError:
        raise ApiError(401, "invalid_refresh_token", "Invalid refresh token") from None
    return Token(access_token=_token(claims["sub"], minutes=15))
