from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql+psycopg://shop@localhost/shop", pool_size=5, max_overflow=5)
SyncSession = sessionmaker(engine)


def get_sync_db() -> Iterator[Session]:
    with SyncSession() as session:
        yield session
