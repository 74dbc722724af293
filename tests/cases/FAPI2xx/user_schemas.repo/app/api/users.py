from typing import Any

from fastapi import APIRouter, Body, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import get_db
from app.deps import get_current_user
from app.directory import handle_directory_event, queue_import
from app.internal import UserInDB
from app.models import User
from app.schemas import UserCreate, UserOut, UserSummary, UserUpdate
from app.security import hash_password

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserOut)
def read_me(user: User = Depends(get_current_user)) -> User:
    return user


@router.get("/legacy-count")
def legacy_count(db: Session = Depends(get_db)):
    return {"count": db.query(User).count()}


@router.get("", response_model=list[User])
def list_users(db: Session = Depends(get_db)):
    return db.scalars(select(User).limit(100)).all()


@router.get("/{user_id}", response_model=UserSummary)
def read_user(user_id: int, db: Session = Depends(get_db)) -> User | None:
    return db.get(User, user_id)


@router.get("/{user_id}/internal", response_model=UserInDB)
def read_user_internal(user_id: int, db: Session = Depends(get_db)):
    return db.get(User, user_id)


@router.post("", status_code=201)
def create_user(user: UserCreate, db: Session = Depends(get_db)) -> UserCreate:
    row = User(
        email=user.email,
        full_name=user.full_name,
        hashed_password=hash_password(user.password),
    )
    db.add(row)
    db.commit()
    return user


@router.patch("/{user_id}")
def update_user(
    user_id: int,
    changes: UserUpdate,
    db: Session = Depends(get_db),
) -> UserSummary:
    row = db.get(User, user_id)
    for key, value in changes.dict(exclude_unset=True).items():
        setattr(row, key, value)
    db.commit()
    return row


@router.put("/{user_id}")
def replace_user(user_id: int, user: UserUpdate, db: Session = Depends(get_db)) -> UserSummary:
    row = db.get(User, user_id)
    row.email, row.full_name = user.email, user.full_name
    db.commit()
    return row


@router.post("/import", status_code=202)
def import_users(payload: dict[str, Any], db: Session = Depends(get_db)) -> None:
    queue_import(db, payload)


@router.post("/webhooks/directory", status_code=204)
def directory_webhook(event: dict[str, Any] = Body(...)) -> None:
    handle_directory_event(event)


@router.get("/stats")
def user_stats(db: Session = Depends(get_db)):
    return {"total": db.query(User).count(), "admins": db.query(User).filter(User.is_superuser).count()}


@router.get("/count")  # fastapi-review: ignore[FAPI201]
def user_count(db: Session = Depends(get_db)):
    return {"count": db.query(User).count()}
