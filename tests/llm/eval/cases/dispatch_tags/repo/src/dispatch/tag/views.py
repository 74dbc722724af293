from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from dispatch.database import DbSession
from dispatch.tag import service

router = APIRouter()


class TagCreate(BaseModel):
    name: str
    description: str | None = None


class TagRead(TagCreate):
    id: int


@router.get("/{tag_id}", response_model=TagRead)
def get_tag(db_session: DbSession, tag_id: int):
    """Given its unique id, retrieve details about a single tag."""
    tag = service.get(db_session=db_session, tag_id=tag_id)
    if not tag:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "The requested tag does not exist."}],
        )
    return tag


@router.post("", response_model=TagRead)
def create_tag(db_session: DbSession, tag_in: TagCreate):
    """Creates a new tag."""
    return service.create(db_session=db_session, tag_in=tag_in)


@router.put("/{tag_id}", response_model=TagRead)
def update_tag(db_session: DbSession, tag_id: int, tag_in: TagCreate):
    """Updates an existing tag."""
    tag = service.get(db_session=db_session, tag_id=tag_id)
    if not tag:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "A tag with this id does not exist."}],
        )
    return service.update(db_session=db_session, tag=tag, tag_in=tag_in)


@router.delete("/{tag_id}", response_model=None)
def delete_tag(db_session: DbSession, tag_id: int):
    """Deletes a tag, returning only an HTTP 200 OK if successful."""
    tag = service.get(db_session=db_session, tag_id=tag_id)
    if not tag:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND,
            detail=[{"msg": "A tag with this id does not exist."}],
        )
    service.delete(db_session=db_session, tag_id=tag_id)
