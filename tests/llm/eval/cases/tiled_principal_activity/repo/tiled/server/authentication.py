from typing import Callable, Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.future import select
from sqlalchemy.orm import selectinload
from starlette.status import HTTP_404_NOT_FOUND

from ..authn_database import orm
from ..authn_database.core import latest_principal_activity
from . import schemas
from .connection_pool import get_database_session_factory
from .core import json_or_msgpack
from .dependencies import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


async def get_current_principal(request: Request) -> Optional[schemas.Principal]:
    """Resolve the Principal from the access token or API key (trimmed)."""
    return request.state.principal


def check_scopes(request: Request, scopes: list[str] = ()) -> None:
    """Raise 401 unless the principal holds every scope (trimmed)."""


def authentication_router() -> APIRouter:
    router = APIRouter()

    @router.get(
        "/principal",
        response_model=schemas.Principal,
    )
    async def principal_list(
        request: Request,
        offset: Optional[int] = Query(0, alias="page[offset]", ge=0),
        limit: Optional[int] = Query(
            DEFAULT_PAGE_SIZE, alias="page[limit]", ge=0, le=MAX_PAGE_SIZE
        ),
        principal: Optional[schemas.Principal] = Depends(get_current_principal),
        _=Security(check_scopes, scopes=["read:principals"]),
        db_factory: Callable[[], Optional[AsyncSession]] = Depends(
            get_database_session_factory
        ),
    ):
        "List Principals (users and services)."
        request.state.endpoint = "auth"
        async with db_factory() as db:
            principal_orms = (
                (
                    await db.execute(
                        select(orm.Principal)
                        .offset(offset)
                        .limit(limit)
                        .options(
                            selectinload(orm.Principal.identities),
                            selectinload(orm.Principal.roles),
                            selectinload(orm.Principal.api_keys),
                            selectinload(orm.Principal.sessions),
                        )
                    )
                )
                .unique()
                .all()
            )
            principals = []
            for (principal_orm,) in principal_orms:
                latest_activity = await latest_principal_activity(db, principal_orm)
                principal = schemas.Principal.from_orm(
                    principal_orm, latest_activity
                ).model_dump()
                principals.append(principal)
        return json_or_msgpack(request, principals)

    @router.get(
        "/principal/{uuid}",
        response_model=schemas.Principal,
    )
    async def principal(
        request: Request,
        uuid: str,
        principal: Optional[schemas.Principal] = Depends(get_current_principal),
        _=Security(check_scopes, scopes=["read:principals"]),
        db_factory: Callable[[], Optional[AsyncSession]] = Depends(
            get_database_session_factory
        ),
    ):
        "Get information about one Principal (user or service)."
        request.state.endpoint = "auth"
        async with db_factory() as db:
            principal_orm = (
                await db.execute(
                    select(orm.Principal)
                    .filter(orm.Principal.uuid == uuid)
                    .options(
                        selectinload(orm.Principal.identities),
                        selectinload(orm.Principal.roles),
                        selectinload(orm.Principal.api_keys),
                        selectinload(orm.Principal.sessions),
                    )
                )
            ).scalar()
            if principal_orm is None:
                raise HTTPException(
                    status_code=HTTP_404_NOT_FOUND, detail=f"No such Principal {uuid}"
                )
            latest_activity = await latest_principal_activity(db, principal_orm)
        return json_or_msgpack(
            request,
            schemas.Principal.from_orm(principal_orm, latest_activity).model_dump(),
        )

    return router
