from fastapi.testclient import TestClient

from app.db import SessionLocal
from app.main import create_app
from app.security import get_current_user

app = create_app()


def fake_session():
    yield None


def test_list_orders_requires_user() -> None:
    app.dependency_overrides[SessionLocal] = fake_session
    app.dependency_overrides[get_current_user] = lambda: {"id": 1}
    response = TestClient(app).get("/orders/")
    assert response.status_code == 200
