from fastapi import FastAPI

from keep.api.routes import providers


def get_app() -> FastAPI:
    app = FastAPI(title="Keep API", version="0.1.0")
    app.include_router(providers.router, prefix="/providers", tags=["providers"])
    return app
