from fastapi import APIRouter, Security
from fastapi.security import APIKeyHeader

router = APIRouter(prefix="/catalogue")
api_key = APIKeyHeader(name="X-API-Key")


@router.get("/items")
def items(key: str = Security(api_key)):
    return lookup_items(key)
