from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from app.db import get_db
from app.deps import get_current_user
from app.models import User
from app.schemas import ApiKeyOut, Token
from app.security import authenticate, create_access_token, issue_api_key

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=Token)
def login_for_access_token(
    form: OAuth2PasswordRequestForm = Depends(), db: Session = Depends(get_db)
) -> dict[str, str]:
    user = authenticate(db, form.username, form.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Incorrect username or password")
    return {"access_token": create_access_token(user.id), "token_type": "bearer"}


@router.post("/api-keys", response_model=ApiKeyOut, status_code=201)
def create_api_key(user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    return issue_api_key(db, user)
