from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql+asyncpg://shop@db/shop"
    cors_origins: list[str] = []
    jwt_secret: str
    jwt_audience: str = "shop-api"
    jwt_issuer: str = "https://auth.shop.test"
    payments_api_key: str = "sk_live_9f8e7d6c5b4a39281706"


settings = Settings()
