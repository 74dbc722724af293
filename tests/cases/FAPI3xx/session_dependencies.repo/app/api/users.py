from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app import deps
from app.deps import get_audit_session, get_db

router = APIRouter(prefix="/users", tags=["users"])

DbSession = Annotated[Session, Depends(get_db)]


@router.get("/{user_id}")
def read_user(user_id: int, db: DbSession) -> dict[str, str]:
    row = db.execute(text("select email from users where id = :id"), {"id": user_id}).one()
    return {"email": row.email}


@router.get("/stats/count")
def count_users(conn: Annotated[Connection, Depends(deps.get_reporting_connection)]) -> int:
    return int(conn.execute(text("select count(*) from users")).scalar_one())


@router.post("/{user_id}/audit", status_code=204)
def audit_user(
    user_id: int,
    audit_db: Annotated[Session, Depends(get_audit_session)],
    replica: Annotated[Session, Depends(deps.get_replica_session)],
    readonly: Annotated[Session, Depends(deps.get_readonly_session)],
) -> None:
    audit_db.execute(text("insert into audit (user_id) values (:id)"), {"id": user_id})
