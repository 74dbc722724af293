"""The project's own OpenAPI helpers."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi as fastapi_openapi


def get_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Build the `openapi` method of ``app``: its schema, with the security schemes added."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = fastapi_openapi(title=app.title, version=app.version, routes=app.routes)
        schema["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        app.openapi_schema = schema
        return app.openapi_schema

    return openapi
