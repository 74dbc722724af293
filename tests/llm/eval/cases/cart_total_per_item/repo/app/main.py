from fastapi import FastAPI

from app import errors
from app.api import cart, orders


def create_app() -> FastAPI:
    app = FastAPI(title="Shop")
    errors.register(app)
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(cart.router, prefix="/cart", tags=["cart"])
    return app
