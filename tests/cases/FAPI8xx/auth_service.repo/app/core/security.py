import hashlib
import os
from datetime import datetime, timedelta, timezone

import jwt
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings

SECRET_KEY = os.getenv("SECRET_KEY", "dev-only-3f9a1c7e5b")
REFRESH_SECRET = os.getenv("REFRESH_SECRET")
ALGORITHM = "HS256"
TOKEN_TYPE = "bearer"
TOKEN_URL = "/auth/token"
PASSWORD_FIELD = "password"
ACCESS_TOKEN_COOKIE = "access_token"


class AuthSettings(BaseSettings):
    issuer: str = "https://auth.example.com"
    audience: str = "orders-api"
    webhook_secret: str = "whsec_8f2d0c4b1a9e"
    smtp_password: str = "changeme-before-deploy"


class LoginExample(BaseModel):
    email: str
    password: str = Field(examples=["correct-horse-battery-staple"])


def legacy_digest(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def body_etag(body: bytes) -> str:
    return hashlib.md5(body).hexdigest()


def reset_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_access_token(subject: str) -> str:
    expire = datetime.now(timezone.utc) + timedelta(minutes=30)
    return jwt.encode({"sub": subject, "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)


def decode_access_token(token: str) -> dict[str, object]:
    return jwt.decode(token, SECRET_KEY)


def decode_refresh_token(token: str, settings: AuthSettings) -> dict[str, object]:
    return jwt.decode(
        token,
        REFRESH_SECRET,
        algorithms=[ALGORITHM],
        audience=settings.audience,
        issuer=settings.issuer,
    )


def decode_service_token(token: str) -> dict[str, object]:
    return jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])


def peek_subject(token: str) -> object:
    claims = jwt.decode(token, options={"verify_signature": False})  # fastapi-review: ignore[FAPI802]
    return claims.get("sub")
