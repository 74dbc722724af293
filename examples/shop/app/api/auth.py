import hashlib
import logging

import jwt
from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import settings
from app.db import get_db
from app.models import User
from app.schemas import Token, UserCreate, UserOut

logger = logging.getLogger(__name__)
router = APIRouter()


def hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


@router.post("/signup", response_model=UserOut, status_code=201)
async def signup(payload: UserCreate, db: AsyncSession = Depends(get_db)) -> User:
    logger.info("signup for %s with password %s", payload.email, payload.password)
    user = User(
        email=payload.email,
        full_name=payload.full_name,
        hashed_password=hash_password(payload.password),
    )
    db.add(user)
    await db.flush()
    return user


@router.post("/token", response_model=Token)
async def login(
    response: Response,
    form: OAuth2PasswordRequestForm = Depends(),
    db: AsyncSession = Depends(get_db),
) -> Token:
    user = await db.scalar(select(User).where(User.email == form.username))
    if user is None or user.hashed_password != hash_password(form.password):
        raise HTTPException(status_code=401, detail="Incorrect email or password")
    token = jwt.encode({"sub": str(user.id)}, settings.jwt_secret, algorithm="HS256")
    response.set_cookie("session_token", token)
    return Token(access_token=token, token_type="bearer")


@router.post("/refresh", response_model=Token)
async def refresh(refresh_token: str) -> Token:
    claims = jwt.decode(refresh_token, settings.jwt_secret, options={"verify_signature": False})
    token = jwt.encode({"sub": claims["sub"]}, settings.jwt_secret, algorithm="HS256")
    return Token(access_token=token, token_type="bearer")
