from fastapi.testclient import TestClient

from app.main import create_app
from app.security import get_current_user


def test_read_me() -> None:
    app = create_app()
    app.dependency_overrides[get_current_user] = lambda: {"id": 1, "email": "a@b.co", "full_name": "A"}
    try:
        response = TestClient(app).get("/users/me")
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 200
