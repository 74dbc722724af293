from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class TokenPayload(BaseModel):
    sub: str | None = None
    exp: int | None = None


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    created_at: datetime


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    amount: Decimal
    status: str
    customer_name: str
