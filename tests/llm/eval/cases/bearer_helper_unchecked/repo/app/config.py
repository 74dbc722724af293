from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql+asyncpg://shop@localhost/shop"
    jwt_secret: str
    jwt_issuer: str = "shop"
    jwt_audience: str = "shop-api"


settings = Settings()
