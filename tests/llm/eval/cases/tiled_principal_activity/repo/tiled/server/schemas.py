from datetime import datetime
from typing import Optional

from pydantic import BaseModel


class Principal(BaseModel):
    uuid: str
    type: str
    latest_activity: Optional[datetime] = None

    @classmethod
    def from_orm(cls, orm, latest_activity=None):
        return cls(uuid=orm.uuid, type=orm.type, latest_activity=latest_activity)
