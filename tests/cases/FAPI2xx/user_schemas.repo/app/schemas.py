from pydantic import BaseModel, ConfigDict, EmailStr, Field


class UserBase(BaseModel):
    email: EmailStr
    full_name: str = Field(min_length=1, max_length=100)


class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=128)


class UserUpdate(UserBase):
    pass


class UserOut(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    is_superuser: bool


class UserSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    role: str


class LegacyUserOut(BaseModel):
    id: int
    full_name: str

    class Config:
        orm_mode = True


class ProfileRead(BaseModel):
    bio: str
    password: str = Field(exclude=True)
    is_admin: bool  # fastapi-review: ignore[FAPI202]


class PasswordAudit(BaseModel):
    user_id: int
    password_hash: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class ApiKeyOut(BaseModel):
    id: int
    api_key: str
