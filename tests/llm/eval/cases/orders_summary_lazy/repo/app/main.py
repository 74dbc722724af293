from fastapi import FastAPI

from app import errors
from app.api import orders, summary


def create_app() -> FastAPI:
    app = FastAPI(title="Shop")
    errors.register(app)
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(summary.router, prefix="/summary", tags=["summary"])
    return app
