"""Models for the admin tooling: never returned by the public API."""

from pydantic import BaseModel, ConfigDict


class UserInDB(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    hashed_password: str
