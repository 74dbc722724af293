from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.reports import exports


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await exports.storage.connect()
    yield
    await exports.storage.close()


def create_app(debug: bool = False) -> FastAPI:
    app = FastAPI(title="Reports", debug=debug, lifespan=lifespan)
    app.include_router(exports.router, prefix="/exports")
    return app


app = create_app()
