from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, ORJSONResponse
from fastapi_sso.sso.github import GithubSSO

from app.auth import AuthBackend
from app.responses import redirect

api = APIRouter(prefix="/api", default_response_class=ORJSONResponse)
pages = APIRouter(prefix="/pages", default_response_class=HTMLResponse)
sso = GithubSSO("client-id", "client-secret")


@api.get("/hooks/count")
async def count_hooks():
    return {"count": await hooks_count()}


@api.get("/hooks/summary")
async def hooks_summary():
    return {"count": await hooks_count(), "failing": await failing_count()}


@api.get("/hooks/recent")  # fastapi-review: ignore[FAPI201]
async def recent_hooks():
    return await recent()


@api.get("/login/github")
async def github_login():
    with sso:
        return await sso.get_login_redirect()


@api.post("/logout")
async def logout(token: str, backend: AuthBackend = Depends(get_backend)):
    return await backend.logout(token)


@api.get("/hooks/stream")
async def stream_hooks():
    async for hook in watch_hooks():
        yield hook


@pages.get("/")
def home():
    return "<h1>Hooks</h1>"


@pages.post("/hooks/{hook_id}/archive")
async def archive(hook_id: int, request: Request):
    await archive_hook(hook_id)
    return redirect(request, "home")
