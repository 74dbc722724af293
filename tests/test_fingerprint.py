"""Finding identities: what survives (lines added above, reformatting, a renamed route path, a
reworded message) and what does not (another construct, other code), and one value in every
output that carries it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_run import Result

from reviewer.config import Config
from reviewer.diff import parse_diff
from reviewer.engine import Report, review
from reviewer.github.review import Conversation, markers, plan_review
from reviewer.report.fingerprint import FINGERPRINT_KEY, fingerprint, normalize
from reviewer.rules.base import Finding, Severity
from reviewer.source import MemorySources

ORDERS = """\
import time

import requests
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class UserOut(BaseModel):
    name: str
    password: str


@router.get("/orders/{order_id}", response_model=UserOut)
async def read_order(order_id: int):
    time.sleep(1)
    return requests.get("https://carrier.example.com/orders", timeout=5).json()
"""

REFORMATTED = '''\
"""Orders, with lines added above every finding and the code reformatted."""
import time

import requests
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter()


class UserOut(BaseModel):
    """What clients see."""

    name: str
    password: str  # kept for the legacy client


@router.get(
    '/v2/orders/{order_id}',  # a new path
    response_model=UserOut,
)
async def read_order(order_id: int):
    time.sleep( 1 )
    return requests.get(
        'https://carrier.example.com/orders',
        timeout=5,
    ).json()
'''


def findings(code: str, path: str = "app/orders.py") -> list[Finding]:
    lines = code.splitlines()
    patch = f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n"
    patch += "".join(f"+{line}\n" for line in lines)
    config = Config(preview=True)  # FAPI202 is a preview rule; it is an example of a field here
    return list(review(patch, MemorySources({path: code}), config).findings)


def identities(code: str) -> dict[tuple[str, str], str]:
    return {(f.rule_id, f.construct): f.fingerprint for f in findings(code)}


def test_the_example_has_a_finding_of_each_kind() -> None:
    assert sorted(identities(ORDERS)) == [
        ("FAPI202", "UserOut.password"),
        ("FAPI401", "read_order"),
        ("FAPI402", "read_order"),
    ]


def test_survives_lines_above_reformatting_and_a_new_route_path() -> None:
    before, after = findings(ORDERS), findings(REFORMATTED)
    assert [f.line for f in before] != [f.line for f in after]
    assert identities(REFORMATTED) == identities(ORDERS)


def test_another_construct_or_other_code_is_another_finding() -> None:
    moved = ORDERS.replace("async def read_order", "async def show_order")
    assert (
        identities(moved)[("FAPI402", "show_order")]
        != identities(ORDERS)[("FAPI402", "read_order")]
    )
    other = ORDERS.replace("time.sleep(1)", "time.sleep(delay)").replace(
        "order_id: int", "delay: int"
    )
    assert (
        identities(other)[("FAPI402", "read_order")]
        != identities(ORDERS)[("FAPI402", "read_order")]
    )
    renamed_field = ORDERS.replace("password: str", "hashed_password: str")
    assert ("FAPI202", "UserOut.hashed_password") in identities(renamed_field)


def test_twins_in_one_construct_are_numbered_in_line_order() -> None:
    twice = ORDERS.replace("    time.sleep(1)\n", "    time.sleep(1)\n    time.sleep(1)\n")
    sleeps = [f for f in findings(twice) if f.rule_id == "FAPI402"]
    assert len({f.fingerprint for f in sleeps}) == 2
    assert sleeps[0].fingerprint == identities(ORDERS)[("FAPI402", "read_order")]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("f( a ,\n  b, )", "f(a,b)"),
        ("x = [1,\n 2,\n]  # note", "x=[1,2]"),
        ("'it''s'", '"it""s"'),
        ("'''doc\n  string'''", '"doc\n  string"'),
        ("'a # not a comment'  # a comment", '"a # not a comment"'),
        ('"say \\"hi\\""', '"say \\"hi\\""'),
        ("not  x if y else\\\n z", "not x if y else z"),
        ("lambda x:x", "lambda x:x"),
        ("(unbalanced, 'open", '(unbalanced,"open"'),
    ],
)
def test_normalize(code: str, expected: str) -> None:
    assert normalize(code) == expected


def test_json_sarif_and_github_carry_one_fingerprint(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "orders.py").write_text(ORDERS)
    patch = tmp_path / "orders.patch"
    lines = ORDERS.splitlines()
    patch.write_text(
        f"--- /dev/null\n+++ b/app/orders.py\n@@ -0,0 +1,{len(lines)} @@\n"
        + "".join(f"+{line}\n" for line in lines)
    )
    monkeypatch.chdir(tmp_path)

    def review(fmt: str) -> dict[str, Any]:
        result = run(str(patch), "--repo", str(tmp_path), "--no-llm", "--preview", "--format", fmt)
        assert result.code == 1, result.err
        data: dict[str, Any] = json.loads(result.out)
        return data

    in_json = [(f["rule_id"], f["construct"], f["fingerprint"]) for f in review("json")["findings"]]
    results = review("sarif")["runs"][0]["results"]
    in_sarif = [
        (
            r["ruleId"],
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            r["partialFingerprints"][FINGERPRINT_KEY],
        )
        for r in results
    ]
    assert in_json == in_sarif
    assert {(rule, construct) for rule, construct, _ in in_json} == set(identities(ORDERS))

    found = tuple(findings(ORDERS))
    plan = plan_review(
        Report(findings=found),
        parse_diff(patch.read_text()),
        "0" * 40,
        fail_on="error",
        request_changes=False,
        conversation=Conversation("github-actions[bot]"),
    )
    assert plan.review is not None
    marked = [markers(comment["body"])[0] for comment in plan.review["comments"]]
    assert marked == [(fingerprint, rule) for rule, _, fingerprint in in_json]


def test_the_fingerprint_is_sha256_of_the_identity() -> None:
    """The hash is SHA-256 whichever implementation computes it (CPython's own, which spares a
    review loading OpenSSL, or hashlib's): fingerprints must not change between runs."""
    finding = Finding("FAPI402", "n", Severity.ERROR, "app/h.py", 3, 3, 4, "m", "f")
    key = "FAPI402\0app/h.py\0function:handler\0time.sleep(1)\x002"
    expected = hashlib.sha256(key.encode()).hexdigest()[:20]
    assert fingerprint(finding, "function:handler", "time.sleep(1)", 2) == expected
