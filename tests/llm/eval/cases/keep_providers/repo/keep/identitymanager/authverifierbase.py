from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPBasic, OAuth2PasswordBearer

from keep.api.models.auth import AuthenticatedEntity

auth_header = APIKeyHeader(name="X-API-KEY", scheme_name="API Key", auto_error=False)
http_basic = HTTPBasic(auto_error=False)
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


class AuthVerifierBase:
    """Verifies the request's API key or bearer token and its scopes (trimmed)."""

    def __init__(self, scopes: list[str] = []) -> None:
        self.scopes = scopes

    def __call__(
        self,
        request: Request,
        api_key: str | None = Depends(auth_header),
        token: str | None = Depends(oauth2_scheme),
    ) -> AuthenticatedEntity:
        entity = self.authenticate(request, api_key, token)
        self.authorize(entity)
        return entity

    def authorize(self, entity: AuthenticatedEntity) -> None:
        if not all(scope in entity.scopes for scope in self.scopes):
            raise HTTPException(status_code=403, detail="You don't have the required permissions")
