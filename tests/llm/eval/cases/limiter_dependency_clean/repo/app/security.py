from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import settings
from app.models import User

hasher = PasswordHasher()


async def authenticate(db: AsyncSession, email: str, password: str) -> User | None:
    user = await db.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return None
    try:
        hasher.verify(user.hashed_password, password)
    except VerifyMismatchError:
        return None
    return user


def issue_token(user_id: int) -> str:
    claims = {
        "sub": str(user_id),
        "exp": datetime.now(UTC) + timedelta(minutes=15),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
