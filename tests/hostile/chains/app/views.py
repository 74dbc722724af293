import time

from fastapi import APIRouter, Depends

from app import crud

router = APIRouter()


@router.get("/items", response_model=list[dict])
def list_items(db=Depends(lambda: None)):
    return crud.list_items(db)


@router.get("/slow")
async def slow():
    time.sleep(1)
