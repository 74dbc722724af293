from fastapi import FastAPI
from slowapi import _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from starlette.middleware.gzip import GZipMiddleware

from .api import api_router
from .rate_limiter import limiter

app = FastAPI(openapi_url="")
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)
app.add_middleware(GZipMiddleware, minimum_size=1000)

api = FastAPI(title="Dispatch", docs_url=None, openapi_url="/docs/openapi.json")
api.add_middleware(GZipMiddleware, minimum_size=1000)
api.include_router(api_router)
app.mount("/api/v1", app=api)
