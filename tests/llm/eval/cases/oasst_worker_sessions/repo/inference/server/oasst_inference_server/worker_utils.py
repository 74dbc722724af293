import uuid

import pydantic


class WorkerSession(pydantic.BaseModel):
    id: str = pydantic.Field(default_factory=lambda: str(uuid.uuid4()))
    worker_id: str
    requests_in_flight: int = 0
