from fastapi import Response, status


class AuthBackend:
    def __init__(self, cookie_name: str) -> None:
        self.cookie_name = cookie_name

    async def logout(self, token: str) -> Response:
        await revoke(token)
        response = Response(status_code=status.HTTP_204_NO_CONTENT)
        response.delete_cookie(self.cookie_name)
        return response


async def revoke(token: str) -> None:
    """Forget the session token."""
