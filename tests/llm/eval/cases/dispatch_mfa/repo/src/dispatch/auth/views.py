import logging

from fastapi import APIRouter, HTTPException, status

from dispatch.auth.models import MfaPayload, MfaPayloadResponse, UserRead
from dispatch.auth.service import CurrentUser, get_by_email
from dispatch.database import DbSession
from dispatch.models import OrganizationSlug
from dispatch.plugin import service as plugin_service
from dispatch.plugins.dispatch_core.exceptions import MfaException

log = logging.getLogger(__name__)

auth_router = APIRouter()
user_router = APIRouter()


@user_router.get("/{user_id}", response_model=UserRead)
def get_user(db_session: DbSession, user_id: int):
    """Get a user."""
    user = db_session.get(UserRead, user_id)
    if not user:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "A user with this id does not exist."}],
        )
    return user


@auth_router.get("/me", response_model=UserRead)
def get_me(*, db_session: DbSession, current_user: CurrentUser, organization: OrganizationSlug):
    return current_user


@auth_router.post("/mfa", response_model=MfaPayloadResponse)
def mfa_check(
    payload_in: MfaPayload,
    current_user: CurrentUser,
    db_session: DbSession,
):
    log.info(f"MFA check initiated for user: {current_user.email}")
    try:
        mfa_auth_plugin = plugin_service.get_active_instance(
            db_session=db_session, project_id=payload_in.project_id, plugin_type="auth-mfa"
        )
        if not mfa_auth_plugin:
            log.error(f"MFA plugin not enabled for project: {payload_in.project_id}")
            raise HTTPException(
                status_code=400, detail="MFA plugin is not enabled for the project."
            )
        status = mfa_auth_plugin.instance.validate_mfa_token(payload_in, current_user, db_session)
        return MfaPayloadResponse(status=status)
    except MfaException as e:
        log.error(f"MFA Exception occurred: {str(e)}")
        raise HTTPException(status_code=400, detail=str(e)) from e
