import jwt
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.config import settings

PUBLIC_PREFIXES = ("/auth/", "/health", "/docs", "/openapi.json")


class RequireBearerMiddleware(BaseHTTPMiddleware):
    """Every request outside PUBLIC_PREFIXES needs a valid bearer token (401 otherwise)."""

    async def dispatch(self, request: Request, call_next):
        if request.url.path.startswith(PUBLIC_PREFIXES):
            return await call_next(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise jwt.InvalidTokenError("not a bearer token")
            claims = jwt.decode(
                token,
                settings.jwt_secret,
                algorithms=["HS256"],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
            )
        except jwt.InvalidTokenError:
            return JSONResponse(status_code=401, content={"error": {"code": "unauthorized"}})
        request.state.user_id = int(claims["sub"])
        return await call_next(request)
