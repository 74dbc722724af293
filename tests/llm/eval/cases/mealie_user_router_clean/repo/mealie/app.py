from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from mealie.core.config import get_app_settings
from mealie.routes import router

settings = get_app_settings()

app = FastAPI(title="Mealie", version="3.0.0")
app.add_middleware(GZipMiddleware, minimum_size=1000)
app.add_middleware(SessionMiddleware, secret_key=settings.SESSION_SECRET)
app.include_router(router)
