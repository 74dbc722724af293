from fastapi import APIRouter, Depends, HTTPException

from app import crud
from app.deps import CurrentUser, SessionDep, get_current_active_superuser
from app.models import User
from app.schemas import ProfileSettings, UserCreate, UserRead, UserUpdate, UserUpdateMe

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserRead)
def read_me(current_user: CurrentUser):
    return current_user


@router.post("/signup", response_model=UserRead, status_code=201)
def signup(body: UserCreate, session: SessionDep):
    return crud.user.create(session, obj_in=body)


@router.post(
    "", response_model=UserRead, status_code=201, dependencies=[Depends(get_current_active_superuser)]
)
def create_user(body: UserCreate, session: SessionDep):
    return crud.user.create(session, obj_in=body)


@router.patch("/me", response_model=UserRead)
def update_me(body: UserUpdate, session: SessionDep, current_user: CurrentUser):
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(current_user, key, value)
    session.add(current_user)
    session.commit()
    return current_user


@router.patch("/me/profile", response_model=UserRead)
def update_profile(body: UserUpdateMe, session: SessionDep, current_user: CurrentUser):
    current_user.sqlmodel_update(body.model_dump(exclude_unset=True))
    session.add(current_user)
    session.commit()
    return current_user


@router.put("/me/settings", response_model=UserRead)
def update_settings(body: UserUpdate, session: SessionDep, current_user: CurrentUser):
    data = body.model_dump(exclude_unset=True, exclude={"is_superuser", "role"})
    current_user.sqlmodel_update(data)
    session.commit()
    return current_user


@router.put("/me/preferences", response_model=UserRead)
def update_preferences(body: ProfileSettings, session: SessionDep, current_user: CurrentUser):
    current_user.sqlmodel_update(body.model_dump(exclude_unset=True))
    session.commit()
    return current_user


@router.patch("/{user_id}", response_model=UserRead)
def update_user(
    user_id: int,
    body: UserUpdate,
    session: SessionDep,
    admin: User = Depends(get_current_active_superuser),
):
    user = crud.user.get(session, user_id)
    if user is None:
        raise HTTPException(status_code=404)
    return crud.user.update(session, db_obj=user, obj_in=body)


@router.put("/{user_id}/email", response_model=UserRead)
def change_email(user_id: int, body: UserUpdate, session: SessionDep, current_user: CurrentUser):
    user = crud.user.get(session, user_id)
    if user is None or user.id != current_user.id:
        raise HTTPException(status_code=404)
    return crud.user.update(session, db_obj=user, obj_in=body)
