from typing import Optional

from pydantic import BaseModel


class DatasetResponse(BaseModel):
    fides_key: str
    name: Optional[str] = None
    description: Optional[str] = None
    collections: list[dict] = []
