from collections.abc import Generator

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker(bind=create_engine("sqlite:///mealie.db"))


def generate_session() -> Generator[Session, None, None]:
    with SessionLocal() as session:
        yield session
