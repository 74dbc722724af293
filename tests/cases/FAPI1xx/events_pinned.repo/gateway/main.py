from fastapi import FastAPI

from gateway.cache import cache

app = FastAPI(title="Gateway")


@app.on_event("startup")
async def warm_cache() -> None:
    await cache.warm()
