from fastapi import FastAPI
from fastapi.testclient import TestClient

app = FastAPI()


@app.get("/items")
def items(skip: int = 0, limit: int = 100) -> list[int]:
    return list(range(skip, skip + limit))


def test_items() -> None:
    assert TestClient(app).get("/items?limit=3").json() == [0, 1, 2]
