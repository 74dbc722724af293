from fastapi import FastAPI

from .authentication import authentication_router


def build_app(settings) -> FastAPI:
    app = FastAPI()
    app.include_router(authentication_router(), prefix="/api/v1/auth")
    return app
