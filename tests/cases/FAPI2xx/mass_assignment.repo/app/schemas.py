from typing import Literal

from pydantic import BaseModel, ConfigDict


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str | None
    is_superuser: bool


class UserCreate(BaseModel):
    email: str
    password: str
    full_name: str | None = None
    is_superuser: bool = False


class UserUpdate(BaseModel):
    email: str | None = None
    full_name: str | None = None
    is_superuser: bool | None = None
    role: str | None = None


class UserUpdateMe(BaseModel):
    email: str | None = None
    full_name: str | None = None


class ProfileSettings(BaseModel):
    full_name: str | None = None
    role: Literal["member", "guest"] | None = None


class ProjectCreate(BaseModel):
    title: str
    owner_id: int


class ProjectCopy(BaseModel):
    title: str
    owner_id: int | None = None
