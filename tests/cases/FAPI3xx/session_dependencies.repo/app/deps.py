"""Request-scoped dependencies."""

from collections.abc import Iterator

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.db import DBSession, reporting_db


def get_db() -> Iterator[Session]:
    db = DBSession()
    yield db
    db.commit()
    db.close()


def get_audit_session() -> Session:
    return DBSession()  # pre-existing: not on a changed line


def get_reporting_connection() -> Connection:
    return reporting_db.connect()


def get_replica_session() -> Session:
    return DBSession()  # fastapi-review: ignore[FAPI303]


def get_readonly_session() -> Iterator[Session]:
    with DBSession() as db:
        yield db


def open_session() -> Session:
    """For management commands: `with open_session() as db: ...` (not a dependency)."""
    return DBSession()
