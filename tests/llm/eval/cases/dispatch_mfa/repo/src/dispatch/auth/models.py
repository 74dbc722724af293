import bcrypt
from pydantic import BaseModel
from sqlalchemy import Column, Integer, LargeBinary, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class DispatchUser(Base):
    __tablename__ = "dispatch_user"

    id = Column(Integer, primary_key=True)
    email = Column(String, unique=True)
    password = Column(LargeBinary, nullable=False)

    def verify_password(self, password: str) -> bool:
        return bcrypt.checkpw(password.encode("utf-8"), self.password)

    @property
    def token(self) -> str:
        from dispatch.plugin import auth_provider

        return auth_provider.issue_token(self.email)


class UserLogin(BaseModel):
    email: str
    password: str


class UserLoginResponse(BaseModel):
    token: str | None = None


class UserRead(BaseModel):
    id: int
    email: str


class MfaPayload(BaseModel):
    project_id: int
    challenge_id: str
    token: str


class MfaPayloadResponse(BaseModel):
    status: str
