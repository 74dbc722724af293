import uvicorn

from app.config import settings


def serve() -> None:
    """Entry point of the `shop-serve` console script that the container runs."""
    uvicorn.run("app.main:app", host="0.0.0.0", port=settings.port, reload=True)


def serve_workers() -> None:
    uvicorn.run("app.main:app", host="0.0.0.0", workers=settings.workers, reload=settings.reload)
