import redis.asyncio as redis
from oasst_inference_server.settings import settings


# create async redis client
def make_redis_client():
    redis_client = redis.Redis(
        host=settings.redis_host, port=settings.redis_port, db=settings.redis_db, decode_responses=True
    )
    return redis_client


redis_client = make_redis_client()
