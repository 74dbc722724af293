import fastapi
from loguru import logger
from oasst_inference_server import deps, worker_utils

router = fastapi.APIRouter(
    prefix="/workers",
    tags=["workers"],
)


@router.get("/sessions/{session_id}")
async def get_worker_session(session_id: str) -> worker_utils.WorkerSession:
    redis_client = deps.redis_client
    worker_session_json = await redis_client.get(f"worker_session:{session_id}")
    if worker_session_json is None:
        raise fastapi.HTTPException(status_code=404, detail="Worker session not found")
    return worker_utils.WorkerSession.parse_raw(worker_session_json)


@router.get("/sessions")
async def list_worker_sessions() -> list[worker_utils.WorkerSession]:
    redis_client = deps.redis_client
    try:
        worker_sessions = []
        async for key in redis_client.scan_iter("worker_session:*"):
            worker_session_json = await redis_client.get(key)
            worker_session = worker_utils.WorkerSession.parse_raw(worker_session_json)
            worker_sessions.append(worker_session)
    except Exception as e:
        logger.exception(f"Error while listing worker sessions: {str(e)}")
        raise
    return worker_sessions
