from pydantic import BaseModel


class OrderIn(BaseModel):
    sku: str
    quantity: int


class OrderOut(BaseModel):
    id: int
    sku: str
    quantity: int
    status: str
