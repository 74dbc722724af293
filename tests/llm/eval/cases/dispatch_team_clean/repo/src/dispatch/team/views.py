from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from dispatch.database import DbSession

router = APIRouter()


class TeamContactCreate(BaseModel):
    email: str
    name: str | None = None


class TeamContactRead(TeamContactCreate):
    id: int


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


@router.post("", response_model=TeamContactRead)
def create_team(db_session: DbSession, team_contact_in: TeamContactCreate):
    """Creates a new team contact."""
    team = db_session.query(TeamContactRead).filter_by(email=team_contact_in.email).one_or_none()
    if team:
        raise HTTPException(
            status_code=status.HTTP_400_BAD_REQUEST,
            detail=[{"msg": "A team contact with this email already exists."}],
        )
    db_session.add(team_contact_in)
    db_session.commit()
    return team_contact_in


@router.delete("/{team_contact_id}", response_model=None)
def delete_team(db_session: DbSession, team_contact_id: int):
    """Deletes a team contact."""
    team = db_session.get(TeamContactRead, team_contact_id)
    if not team:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "A team contact with this id does not exist."}],
        )
    db_session.delete(team)
    db_session.commit()
