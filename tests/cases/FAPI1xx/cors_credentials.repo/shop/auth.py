from fastapi import HTTPException, Request

from shop.sessions import load_session


def current_customer(request: Request):
    session = load_session(request.cookies.get("shop_session"))
    if session is None:
        raise HTTPException(status_code=401)
    return session.customer
