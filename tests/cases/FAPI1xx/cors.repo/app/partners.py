from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware as Cors

from app.api import partners
from app.config import settings

LOCAL_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:5173"]


def create_partner_app() -> FastAPI:
    app = FastAPI(
        title="Partner API",
        middleware=[
            Middleware(
                Cors,
                allow_origins=[
                    "https://partners.shop.example",
                    "https://portal.acme-logistics.example",
                ],
                allow_methods=["GET"],
            ),
        ],
    )
    app.include_router(partners.router)
    return app


def create_local_partner_app() -> FastAPI:
    return FastAPI(middleware=[Middleware(Cors, allow_origins=LOCAL_ORIGINS)])


def create_staging_partner_app() -> FastAPI:
    return FastAPI(middleware=[Middleware(Cors, allow_origins=settings.partner_origins)])


def create_legacy_partner_app() -> FastAPI:
    origins = ("https://legacy.acme-logistics.example",)  # fastapi-review: ignore[FAPI102]
    return FastAPI(middleware=[Middleware(Cors, allow_origins=origins)])
