from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file="../.env", env_ignore_empty=True, extra="ignore")
    API_V1_STR: str = "/api/v1"
    SECRET_KEY: str
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60 * 24 * 8
    FRONTEND_HOST: str = "http://localhost:5173"
    PROJECT_NAME: str
    SENTRY_DSN: str | None = None
    FASTAPI_ENV: str = "production"
    EMAIL_RESET_TOKEN_EXPIRE_HOURS: int = 48


settings = Settings()  # type: ignore
