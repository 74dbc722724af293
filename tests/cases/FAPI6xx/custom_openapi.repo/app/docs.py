"""OpenAPI customisation for the shop's applications."""

import functools
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

LOGO = {"url": "https://shop.example/logo.png"}


def install_openapi(app: FastAPI) -> None:
    def custom_openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        app.openapi_schema = get_openapi(title="Shop API", version="1.1.0", routes=app.routes)
        return app.openapi_schema

    app.openapi = custom_openapi


def install_legacy_openapi(legacy: FastAPI) -> None:
    def legacy_openapi() -> dict:
        return get_openapi(title="Legacy API", version="0.9.0", routes=legacy.routes)

    legacy.openapi = legacy_openapi


def install_admin_openapi(admin: FastAPI) -> None:
    def admin_openapi() -> dict:
        schema = get_openapi(title="Shop admin", version="1.0.0", routes=admin.routes)
        schema["info"]["x-logo"] = LOGO
        return schema

    admin.openapi = admin_openapi


def install_partner_openapi(partners: FastAPI) -> None:
    def partner_openapi() -> dict:
        if partners.openapi_schema is None:
            partners.openapi_schema = get_openapi(
                title="Partner API", version="2.0.0", routes=partners.routes
            )
        return partners.openapi_schema

    partners.openapi = partner_openapi()


def install_internal_openapi(internal: FastAPI) -> None:
    def internal_openapi() -> dict:  # fastapi-review: ignore[FAPI602]
        return get_openapi(title="Internal API", version="0.1.0", routes=internal.routes)

    internal.openapi = internal_openapi


@functools.cache
def versioned_openapi(app: FastAPI, version: str) -> dict:
    return get_openapi(title="Shop API", version=version, routes=app.routes)


def install_versioned_openapi(app: FastAPI, version: str) -> None:
    app.openapi = functools.partial(versioned_openapi, app, version)


def make_openapi(app: FastAPI) -> Callable[[], dict]:
    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(title="Shop API", version="1.1.0", routes=app.routes)
        return app.openapi_schema

    return openapi


def install_factory_openapi(app: FastAPI) -> None:
    app.openapi = make_openapi(app)


def export_schema(app: FastAPI) -> dict:
    """Used by `make openapi.json`: one call, no caching needed."""
    return get_openapi(title="Shop API", version="1.1.0", routes=app.routes)
