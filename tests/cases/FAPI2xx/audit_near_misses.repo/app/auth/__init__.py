from app.auth.backend import AuthBackend

__all__ = ["AuthBackend"]
