from fastapi import FastAPI

from app import errors
from app.api import auth, orders


def create_app() -> FastAPI:
    app = FastAPI(title="Shop")
    errors.register(app)
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(auth.router, prefix="/auth", tags=["auth"])
    return app
