from fastapi import FastAPI

from app import errors
from app.api import admin, orders


def create_app() -> FastAPI:
    app = FastAPI(title="Shop")
    errors.register(app)
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(admin.router, prefix="/admin", tags=["admin"])
    return app
