import httpx
import requests
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.db import SessionLocal, engine
from app.models import Item
from tests.conftest import TestingSessionLocal, test_engine


def test_legacy_item_is_stored(client: TestClient) -> None:
    client.post("/items", json={"name": "legacy"})
    with SessionLocal() as db:
        assert db.scalar(select(func.count()).select_from(Item)) == 1


def test_item_is_stored(client: TestClient) -> None:
    client.post("/items", json={"name": "pen"})
    with SessionLocal() as db:
        assert db.scalar(select(func.count()).select_from(Item)) == 1


def test_items_table_exists() -> None:
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 0


def test_item_is_stored_in_the_test_database(client: TestClient, db_session: Session) -> None:
    client.post("/items", json={"name": "pen"})
    assert db_session.scalar(select(func.count()).select_from(Item)) == 1
    with TestingSessionLocal() as db:
        assert db.scalar(select(func.count()).select_from(Item)) == 1
    with test_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 1


def test_exchange_rates_are_available() -> None:
    response = requests.get("https://api.exchangerate.example.com/latest", timeout=5)
    assert response.ok


def test_health_through_the_app(client: TestClient) -> None:
    assert client.get("https://testserver/health").status_code == 200


def test_local_worker_is_up() -> None:
    assert httpx.get("http://localhost:8001/health").status_code == 200


def test_status_page() -> None:
    status = requests.get("https://status.example.com/api")  # fastapi-review: ignore[FAPI703]
    assert status.ok
