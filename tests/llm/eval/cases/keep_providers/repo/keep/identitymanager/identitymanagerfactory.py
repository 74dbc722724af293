import os

from keep.identitymanager.authverifierbase import AuthVerifierBase


class IdentityManagerFactory:
    """
    Factory class for creating identity managers and authentication verifiers.
    """

    @staticmethod
    def get_auth_verifier(scopes: list[str] = []) -> AuthVerifierBase:
        """
        Get an instance of the authentication verifier.

        Args:
            scopes (list[str], optional): A list of scopes for the auth verifier.

        Returns:
            AuthVerifierBase: An instance of the authentication verifier.
        """
        auth_type = os.environ.get("AUTH_TYPE", "noauth").lower()
        return IdentityManagerFactory._load_manager(auth_type, "authverifier", scopes)
