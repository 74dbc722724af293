"""One report that every output format renders: severities, a multi-line finding, a Claude
finding, characters that need escaping, a skipped and a partial file."""

from __future__ import annotations

import pytest

from reviewer.engine import Report
from reviewer.extract import Skipped, parse_module
from reviewer.extract.model import Module
from reviewer.report.fingerprint import identify
from reviewer.rules.base import Finding, Severity

ORDERS = (
    '"""Orders."""',
    "import time",
    "",
    "import requests",
    "",
    "",
    "@router.post('/', status_code=201)",
    "async def create_order(item: str) -> dict[str, str]:",
    "    time.sleep(0.5)",
    "    with open('audit.log', 'a') as audit:  # 100% | blocking",
    "        audit.write(item)",
    "    response = requests.post(",
    "        'https://carrier.example.com/shipments',",
    "        json={'order': 1},",
    "    )",
    "    return response.json()",
)
MAIN = (
    "from fastapi import FastAPI",
    "",
    "from app.orders import router",
    "",
    "app = FastAPI()",
    "app.include_router(router)",
)


def _module(path: str, lines: tuple[str, ...]) -> Module:
    module = parse_module(path, "\n".join(lines) + "\n")
    assert isinstance(module, Module)
    return module


def make_report() -> Report:
    modules = {
        "app/orders.py": _module("app/orders.py", ORDERS),
        "app/main.py": _module("app/main.py", MAIN),
    }
    findings = (
        Finding(
            rule_id="FAPI103",
            name="app-without-factory",
            severity=Severity.INFO,
            path="app/main.py",
            line=5,
            end_line=5,
            column=1,
            message="`app` is wired at import time and no factory builds it",
            fix="Build the app in a `create_app()` factory.",
        ),
        Finding(
            rule_id="FAPI402",
            name="blocking-sleep-in-async",
            severity=Severity.ERROR,
            path="app/orders.py",
            line=9,
            end_line=9,
            column=5,
            message="`time.sleep()` blocks the event loop",
            fix="Use `await asyncio.sleep(...)`.",
        ),
        Finding(
            rule_id="FAPI404",
            name="blocking-io-in-async",
            severity=Severity.WARNING,
            path="app/orders.py",
            line=10,
            end_line=10,
            column=10,
            message="`open()` blocks 100% of the loop: a|b, c\nsecond line",
            fix="",
            source="llm",
        ),
        Finding(
            rule_id="FAPI401",
            name="blocking-http-in-async",
            severity=Severity.ERROR,
            path="app/orders.py",
            line=12,
            end_line=15,
            column=16,
            message="`requests.post()` blocks the event loop",
            fix="Use `httpx.AsyncClient` with `await`, or make the handler a plain `def`.",
        ),
    )
    return Report(
        findings=tuple(identify(findings, modules)),
        skipped=(Skipped("app/legacy.py", "syntax error at line 3: invalid syntax"),),
        partial=("app/main.py",),
        files=4,
        python_files=2,
        lines={"app/orders.py": ORDERS, "app/main.py": MAIN},
        version="9.9.9",
    )


@pytest.fixture
def report() -> Report:
    return make_report()
