import time

from redis.asyncio import Redis
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse

LIMITED_PREFIXES = ("/auth/",)
REQUESTS_PER_MINUTE = 10


class AuthRateLimitMiddleware(BaseHTTPMiddleware):
    """At most REQUESTS_PER_MINUTE requests per client IP to the authentication routes."""

    def __init__(self, app, redis: Redis) -> None:
        super().__init__(app)
        self.redis = redis

    async def dispatch(self, request: Request, call_next):
        if request.url.path.startswith(LIMITED_PREFIXES) and request.client is not None:
            key = f"rl:{request.client.host}:{int(time.time() // 60)}"
            count = await self.redis.incr(key)
            await self.redis.expire(key, 60)
            if count > REQUESTS_PER_MINUTE:
                return JSONResponse(status_code=429, content={"error": {"code": "rate_limited"}})
        return await call_next(request)
