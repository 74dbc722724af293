from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from dispatch.database import DbSession

router = APIRouter()


class TeamContactRead(BaseModel):
    id: int
    email: str


@router.get("/{team_contact_id}", response_model=TeamContactRead)
def get_team(db_session: DbSession, team_contact_id: int):
    """Gets a team contact."""
    team = db_session.get(TeamContactRead, team_contact_id)
    if not team:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "A team contact with this id does not exist."}],
        )
    return team
