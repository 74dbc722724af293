from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dispatch.auth.service import get_current_user
from dispatch.auth.views import auth_router, user_router
from dispatch.models import OrganizationSlug
from dispatch.signal.views import router as signal_router
from dispatch.tag.views import router as tag_router
from dispatch.team.views import router as team_router


class ErrorMessage(BaseModel):
    """Represents a single error message."""

    msg: str


class ErrorResponse(BaseModel):
    """Defines the structure for API error responses."""

    detail: list[ErrorMessage] | None = None


api_router = APIRouter(
    default_response_class=JSONResponse,
    responses={
        400: {"model": ErrorResponse},
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        404: {"model": ErrorResponse},
        500: {"model": ErrorResponse},
    },
)


def get_organization_path(organization: OrganizationSlug):
    """Dependency for validating organization slug in path."""
    pass


api_router.include_router(auth_router, prefix="/{organization}/auth", tags=["auth"])
api_router.include_router(tag_router, prefix="/{organization}/tags", tags=["tags"])

authenticated_organization_api_router = APIRouter(
    prefix="/{organization}", dependencies=[Depends(get_organization_path)]
)
authenticated_organization_api_router.include_router(
    signal_router, prefix="/signals", tags=["signals"]
)
authenticated_organization_api_router.include_router(user_router, prefix="/users", tags=["users"])
authenticated_organization_api_router.include_router(team_router, prefix="/teams", tags=["teams"])


@api_router.get("/healthcheck", include_in_schema=False)
def healthcheck():
    """Simple healthcheck endpoint."""
    return {"status": "ok"}


api_router.include_router(
    authenticated_organization_api_router, dependencies=[Depends(get_current_user)]
)
