from uuid import UUID

from pydantic import BaseModel, UUID4


class TokenData(BaseModel):
    user_id: UUID4 | None = None
    username: str | None = None


class PrivateUser(BaseModel):
    id: UUID
    username: str
    email: str
    admin: bool = False
    login_attemps: int = 0
    locked_at: str | None = None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
