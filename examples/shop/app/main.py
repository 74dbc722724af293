from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import auth, orders, users
from app.config import settings
from app.db import engine


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    await engine.dispose()


def create_app() -> FastAPI:
    app = FastAPI(title="Shop API", lifespan=lifespan)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.include_router(users.router, prefix="/users", tags=["users"])
    app.include_router(orders.router, prefix="/orders", tags=["orders"])
    app.include_router(auth.router, prefix="/auth", tags=["auth"])

    @app.on_event("startup")
    async def warm_up() -> None:
        async with engine.connect():
            pass

    return app


app = create_app()
