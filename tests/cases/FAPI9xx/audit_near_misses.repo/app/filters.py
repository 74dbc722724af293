from fastapi import Query
from pydantic import BaseModel


class Filters(BaseModel):
    limit: int
    offset: int


def parse_filters(model: type[BaseModel]):
    """A dependency factory: `Depends(parse_filters(Model))`."""

    def dependency(limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0)) -> Filters:
        return Filters(limit=limit, offset=offset)

    return dependency


def scope_filter(model: type[BaseModel]):
    def dependency(tenant: str) -> str:
        return tenant

    return dependency
