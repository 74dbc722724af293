from fastapi import FastAPI

from app.api import health, orders
from app.cache import cache
from app.db import database

app = FastAPI(title="Shop")
app.include_router(health.router)
app.include_router(orders.router, prefix="/orders")


@app.on_event("startup")
async def connect() -> None:
    await database.connect()


@app.on_event("shutdown")
async def disconnect() -> None:
    await database.disconnect()


app.add_event_handler("startup", cache.warm_up)  # fastapi-review: ignore[FAPI104]
