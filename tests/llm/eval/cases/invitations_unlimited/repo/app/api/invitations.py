from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, EmailStr

from app.api.deps import CurrentUser
from app.mail import send_invitation

router = APIRouter()


class InvitationIn(BaseModel):
    emails: list[EmailStr]


@router.post("", status_code=202)
async def invite(body: InvitationIn, user: CurrentUser, background: BackgroundTasks) -> dict:
    """Invite colleagues: one e-mail per address, sent from our domain."""
    for email in body.emails:
        background.add_task(send_invitation, inviter=user.email, to=email)
    return {"queued": len(body.emails)}
