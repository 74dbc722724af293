from pydantic import BaseModel


class Webhook(BaseModel):
    id: int
    url: str


class WebhookCreate(BaseModel):
    url: str


class WebhookSecret(Webhook):
    secret: str


class BearerResponse(BaseModel):
    access_token: str
    token_type: str


class ApiClientRead(BaseModel):
    id: int
    name: str
    client_secret: str


class ApiClientCreate(BaseModel):
    name: str


class ApiClientUpdate(BaseModel):
    name: str | None = None


class PayloadInputOutput(BaseModel):
    """Echoed back as it is, by design: one model for both directions."""

    data: str
