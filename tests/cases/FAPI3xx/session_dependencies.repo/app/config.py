from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql+psycopg://app@db/app"
    reporting_url: str = "postgresql+psycopg://reporting@replica/app"


settings = Settings()
