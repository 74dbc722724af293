"""A route with an empty path reads as ``POST /`` (with its router's prefix when the module shows
it), in rule messages and the agent digest alike."""

from __future__ import annotations

import pytest

from reviewer.extract import parse_module
from reviewer.extract.model import Module
from reviewer.rules.schemas import route_label

CODE = """
from fastapi import APIRouter, FastAPI

app = FastAPI()
items = APIRouter(prefix="/items")


@app.post("")
def create_root(): ...


@items.post("")
def create_item(): ...


@items.get("/{item_id}")
def read_item(item_id: int): ...


@items.api_route("", methods=["PUT"])
def replace_items(): ...
"""


@pytest.fixture(scope="module")
def module() -> Module:
    parsed = parse_module("app/main.py", CODE)
    assert isinstance(parsed, Module)
    return parsed


def test_labels(module: Module) -> None:
    labels = {route.handler.name: route_label(module, route) for route in module.routes}
    assert labels == {
        "create_root": "POST /",
        "create_item": "POST /items",
        "read_item": "GET /items/{item_id}",
        "replace_items": "route /items",
    }


def test_paths(module: Module) -> None:
    assert [module.route_path(route) for route in module.routes] == [
        "/",
        "/items",
        "/items/{item_id}",
        "/items",
    ]
