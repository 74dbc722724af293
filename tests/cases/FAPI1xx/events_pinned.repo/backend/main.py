from fastapi import FastAPI
from fastapi_utils.tasks import repeat_every

from backend.db import engine
from backend.stats import refresh_leaderboard

app = FastAPI(title="Backend")


# FastAPI 0.88 has no `lifespan=`: startup events are the only way to run this.
@app.on_event("startup")
@repeat_every(seconds=60)
def update_leaderboard() -> None:
    refresh_leaderboard(engine)
