from sqlalchemy.orm.session import Session

from mealie.core.security.providers.credentials_provider import CredentialsProvider
from mealie.schema.user.auth import CredentialsRequestForm


def get_auth_provider(session: Session, data: CredentialsRequestForm) -> CredentialsProvider:
    return CredentialsProvider(session, data)
