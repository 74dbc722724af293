from fastapi import FastAPI
from redis.asyncio import Redis

from app import errors
from app.api import auth, orders
from app.ratelimit import AuthRateLimitMiddleware


def create_app() -> FastAPI:
    app = FastAPI(title="Shop")
    errors.register(app)
    app.add_middleware(AuthRateLimitMiddleware, redis=Redis.from_url("redis://redis:6379/0"))
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(auth.router, prefix="/auth", tags=["auth"])
    return app
