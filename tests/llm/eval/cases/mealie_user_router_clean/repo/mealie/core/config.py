from functools import lru_cache

from pydantic_settings import BaseSettings


class AppSettings(BaseSettings):
    PRODUCTION: bool = False
    SECRET: str = ""
    SESSION_SECRET: str = ""
    SECURITY_MAX_LOGIN_ATTEMPTS: int = 5
    SECURITY_USER_LOCKOUT_TIME: int = 24


@lru_cache
def get_app_settings() -> AppSettings:
    return AppSettings()
