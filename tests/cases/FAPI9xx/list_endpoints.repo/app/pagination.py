from typing import Annotated

from fastapi import Query


class Pagination:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> None:
        self.offset = (page - 1) * per_page
        self.limit = per_page
