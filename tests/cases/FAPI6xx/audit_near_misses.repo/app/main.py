from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi as fastapi_openapi

from app.openapi import get_openapi

app = FastAPI(title="Ledger", version="3.0.0")
app.openapi = get_openapi(app)

admin = FastAPI(title="Ledger admin", version="3.0.0")
_schemas: dict[str, dict[str, Any]] = {}


def admin_openapi() -> dict[str, Any]:
    if "admin" not in _schemas:
        _schemas["admin"] = fastapi_openapi(
            title=admin.title, version=admin.version, routes=admin.routes
        )
    return _schemas["admin"]


admin.openapi = admin_openapi

reports = FastAPI(title="Ledger reports", version="3.0.0")


def reports_openapi() -> dict[str, Any]:
    schema = fastapi_openapi(title=reports.title, version=reports.version, routes=reports.routes)
    schema["info"]["x-audience"] = "finance"
    return schema


reports.openapi = reports_openapi

exports = FastAPI(title="Ledger exports", version="3.0.0")
exports.openapi = fastapi_openapi(title=exports.title, version="3.0.0", routes=exports.routes)
