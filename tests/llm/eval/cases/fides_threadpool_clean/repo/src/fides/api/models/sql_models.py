from sqlalchemy import JSON, Column, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Dataset(Base):
    __tablename__ = "ctl_datasets"

    id = Column(String, primary_key=True)
    fides_key = Column(String, unique=True)
    name = Column(String)
    description = Column(String)
    collections = Column(JSON)
