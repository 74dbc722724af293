from fastapi import Request, status
from fastapi.responses import RedirectResponse


def redirect(request: Request, view: str, **params: str):
    return RedirectResponse(
        url=request.url_for(view, **params), status_code=status.HTTP_303_SEE_OTHER
    )
