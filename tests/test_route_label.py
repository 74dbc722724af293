"""How routes are named: a route with an empty path reads as ``POST /`` (with its router's prefix when the module shows
it), in rule messages and the agent digest alike."""

from __future__ import annotations

import pytest

from reviewer.engine import review_source
from reviewer.extract import parse_module
from reviewer.extract.model import Module
from reviewer.rules.registry import BY_ID
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


RESOURCES = """
from fastapi import APIRouter

router = APIRouter(prefix="/orders")
other = APIRouter()


@router.get("/{order_id}")
def read_order(order_id: int):
    return {"id": order_id}


@router.get("")
def list_orders():
    return []


@other.get("/users/{user_id}/addresses")
def addresses(user_id: int):
    return []


@other.post("/")
def create_invoice_item():
    return {}


@other.get("/status")
def status():
    return {}
"""


def test_fapi201_names_the_response_model_after_the_resource() -> None:
    fixes = {f.line: f.fix for f in review_source(RESOURCES, rules=[BY_ID["FAPI201"]])}
    assert [fix.split("`")[1] for fix in fixes.values()] == [
        "response_model=OrderOut",
        "response_model=list[OrderOut]",
        "response_model=list[AddressOut]",
        "response_model=InvoiceItemOut",
        "response_model=StatusOut",
    ]
