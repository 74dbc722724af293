from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Principal(Base):
    __tablename__ = "principals"

    id = Column(Integer, primary_key=True)
    uuid = Column(String(36), unique=True)
    type = Column(String(16))
    identities = relationship("Identity", back_populates="principal")
    roles = relationship("Role", secondary="principal_role_association")
    api_keys = relationship("APIKey", back_populates="principal")
    sessions = relationship("Session", back_populates="principal")


class Identity(Base):
    __tablename__ = "identities"

    id = Column(String(255), primary_key=True)
    principal_id = Column(Integer, ForeignKey("principals.id"))
    latest_login = Column(DateTime(timezone=True))
    principal = relationship("Principal", back_populates="identities")


class Session(Base):
    __tablename__ = "sessions"

    id = Column(Integer, primary_key=True)
    principal_id = Column(Integer, ForeignKey("principals.id"))
    time_last_refreshed = Column(DateTime(timezone=True))
    principal = relationship("Principal", back_populates="sessions")


class APIKey(Base):
    __tablename__ = "api_keys"

    id = Column(Integer, primary_key=True)
    principal_id = Column(Integer, ForeignKey("principals.id"))
    latest_activity = Column(DateTime(timezone=True))
    principal = relationship("Principal", back_populates="api_keys")
