from fastapi import FastAPI

from app.api import items


def create_app() -> FastAPI:
    application = FastAPI(title="Inventory")
    application.include_router(items.router)
    return application


app = create_app()
