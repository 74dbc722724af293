from fastapi import APIRouter, status

from app.schemas import (
    ApiClientCreate,
    ApiClientRead,
    ApiClientUpdate,
    BearerResponse,
    PayloadInputOutput,
    Webhook,
    WebhookCreate,
    WebhookSecret,
)
from app.store import delete_webhook

router = APIRouter(prefix="/hooks")


@router.post("", response_model=WebhookSecret, status_code=status.HTTP_201_CREATED)
async def create_webhook(body: WebhookCreate):
    return await store_webhook(body)


@router.get("/{hook_id}", response_model=Webhook)
async def read_webhook(hook_id: int):
    return await load_webhook(hook_id)


@router.delete("/{hook_id}")
async def remove_webhook(hook_id: int):
    return await delete_webhook(hook_id)


@router.post("/{hook_id}/session", response_model=BearerResponse)
async def open_session(hook_id: int):
    return await issue_hook_token(hook_id)


@router.post("/clients", response_model=ApiClientRead, status_code=status.HTTP_201_CREATED)
async def create_client(body: ApiClientCreate):
    return await store_client(body)


@router.get("/clients/{client_id}", response_model=ApiClientRead)
async def read_client(client_id: int):
    return await load_client(client_id)


@router.patch("/clients/{client_id}", response_model=ApiClientUpdate)
async def rename_client(client_id: int, body: ApiClientUpdate):
    return await rename(client_id, body)


@router.post("/normalize")
async def normalize(body: PayloadInputOutput) -> PayloadInputOutput:
    return PayloadInputOutput(data=body.data.strip())
