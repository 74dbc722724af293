from fastapi import FastAPI

from app import errors
from app.api import orders, otp


def create_app() -> FastAPI:
    app = FastAPI(title="Shop")
    errors.register(app)
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(otp.router, prefix="/auth/otp", tags=["auth"])
    return app
