from functools import partial
from typing import List, Optional, Union

from fastapi import Depends, Query, Response, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi_pagination import Page, Params
from fastapi_pagination.ext.sqlalchemy import paginate as async_paginate
from loguru import logger
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.status import HTTP_422_UNPROCESSABLE_CONTENT

from fides.api.db.ctl_session import get_async_db
from fides.api.oauth.utils import verify_oauth_client
from fides.api.schemas.dataset import DatasetResponse
from fides.api.util.api_router import APIRouter
from fides.common.scope_registry import CTL_DATASET_READ
from fides.common.urn_registry import V1_URL_PREFIX

from fides.api.models.sql_models import Dataset as CtlDataset  # isort: skip

dataset_router = APIRouter(tags=["Dataset"], prefix=V1_URL_PREFIX)


def _dataset_validation_error_response(
    exc: PydanticValidationError,
) -> JSONResponse:
    """Return a structured 422 response for dataset validation failures.

    Scoped to dataset endpoints to avoid masking unrelated pydantic errors
    as 422s across the application.
    """
    errors = exc.errors()
    field_errors = [
        {"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")}
        for e in errors
    ]
    logger.error(
        "Dataset validation error: "
        f"{len(field_errors)} validation error(s): {field_errors}"
    )
    return JSONResponse(
        status_code=HTTP_422_UNPROCESSABLE_CONTENT,
        content={
            "detail": "The requested dataset contains data that fails validation.",
            "errors": field_errors,
        },
    )


@dataset_router.get(
    "/dataset",
    dependencies=[Security(verify_oauth_client, scopes=[CTL_DATASET_READ])],
    response_model=Union[Page[DatasetResponse], List[DatasetResponse]],
    name="List datasets (optionally paginated)",
)
async def list_dataset_paginated(
    db: AsyncSession = Depends(get_async_db),
    size: Optional[int] = Query(None, ge=1, le=100),
    page: Optional[int] = Query(None, ge=1),
    skip_validation: bool = Query(
        False,
        description="[Troubleshooting only] Skip pydantic response validation. "
        "Use this to retrieve datasets that contain data failing validation.",
    ),
) -> Union[Page[DatasetResponse], List[DatasetResponse], Response]:
    """
    Get a list of all of the Datasets.
    If any pagination parameters (size or page) are provided, then the response will be paginated.
    """
    filtered_query = select(CtlDataset)

    pagination_params = Params(page=page or 1, size=size or 50)
    results = await async_paginate(db, filtered_query, pagination_params)

    if skip_validation:
        return JSONResponse(
            content={
                "items": jsonable_encoder(
                    list(results.items)  # type: ignore[attr-defined]
                ),
                "total": results.total,  # type: ignore[attr-defined]
                "page": results.page,  # type: ignore[attr-defined]
                "size": results.size,  # type: ignore[attr-defined]
                "pages": results.pages,  # type: ignore[attr-defined]
            }
        )

    try:
        validated_items = []
        for result in results.items:  # type: ignore[attr-defined]
            validated_item = await run_in_threadpool(
                partial(DatasetResponse.model_validate, result.__dict__)
            )
            validated_items.append(validated_item)
    except PydanticValidationError as exc:
        return _dataset_validation_error_response(exc)

    results.items = validated_items  # type: ignore[attr-defined]

    return results
