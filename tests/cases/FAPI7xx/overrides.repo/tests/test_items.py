from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.auth import decode_subject, get_current_user
from app.db import SessionLocal, get_db
from app.main import app
from app.models import User
from tests.conftest import TestingSessionLocal


def admin() -> User:
    return User(id=1, email="admin@example.com", is_active=True)


@pytest.fixture
def as_admin() -> Iterator[None]:
    app.dependency_overrides[get_current_user] = admin
    yield
    app.dependency_overrides.pop(get_current_user)


def test_list_items(client: TestClient) -> None:
    response = client.get("/items")
    assert response.status_code == 200


def test_legacy_create_item() -> None:
    app.dependency_overrides[get_current_user] = admin
    response = TestClient(app).post("/items", json={"name": "legacy"})
    assert response.status_code == 201


def test_create_item_as_admin(client: TestClient, as_admin: None) -> None:
    response = client.post("/items", json={"name": "pen"})
    assert response.status_code == 201


def test_items_use_the_test_database(client: TestClient) -> None:
    app.dependency_overrides[SessionLocal] = TestingSessionLocal
    assert client.get("/items").json() == []


def test_any_token_is_accepted(client: TestClient) -> None:
    app.dependency_overrides[decode_subject] = lambda token: 1
    response = client.post("/items", json={"name": "pen"}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 201


def test_items_use_the_test_session(client: TestClient) -> None:
    app.dependency_overrides[get_db] = TestingSessionLocal
    assert client.get("/items").json() == []


def test_create_item_without_client_fixture() -> None:
    app.dependency_overrides[get_current_user] = admin
    response = TestClient(app).post("/items", json={"name": "pen"})
    assert response.status_code == 201


def test_create_item_restores_overrides() -> None:
    app.dependency_overrides[get_current_user] = admin
    try:
        response = TestClient(app).post("/items", json={"name": "pen"})
    finally:
        del app.dependency_overrides[get_current_user]
    assert response.status_code == 201


def test_create_item_known_leak() -> None:
    app.dependency_overrides[get_current_user] = admin  # fastapi-review: ignore[FAPI702]
    assert TestClient(app).post("/items", json={"name": "pen"}).status_code == 201
