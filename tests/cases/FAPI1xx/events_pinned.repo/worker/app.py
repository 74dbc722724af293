from fastapi import APIRouter

from worker.queue import queue

router = APIRouter()


@router.on_event("shutdown")
async def drain_queue() -> None:
    await queue.drain()
