"""Database engines and the session factory."""

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.config import settings

engine = create_engine(settings.database_url, pool_size=10, max_overflow=20, pool_pre_ping=True)
reporting_db = create_engine(settings.reporting_url, pool_size=5, pool_pre_ping=True)
DBSession = sessionmaker(bind=engine, autoflush=False)
