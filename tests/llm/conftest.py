"""Recorded Messages API exchanges, replayed over loopback HTTP to the real ``anthropic`` SDK.

Each fixture file in ``fixtures/`` lists exchanges in the API's wire format (status, headers,
JSON body). They are hand-written, not captured: these machines have no network. A request takes
the first unused exchange whose ``match`` text occurs in its body (``repeat`` ones stay).

An exchange can also misbehave, as a broken proxy or server would:

- ``raw``: send this text as the body instead of ``body`` (truncated JSON, an HTML page), with
  ``content_type`` (default ``application/json``);
- ``pad``: add a text block of this many bytes to the message (a huge answer);
- ``drip``: send the body one byte every ``drip`` seconds;
- ``silence``: accept the request and never answer (until the test ends);
- ``echo``: put the request's key (``x-api-key`` or ``Authorization``) into the error message,
  as some servers do.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from reviewer.cli import main
from reviewer.report.json import schema

FIXTURES = Path(__file__).parent / "fixtures"


class Replay:
    """Answers ``POST /v1/messages`` from recorded exchanges and keeps every request body."""

    def __init__(self, server: HTTPServer) -> None:
        self.exchanges: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.delay = 0.0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self.released = threading.Event()
        """Set when the test ends: a silent exchange stops waiting."""
        server.expect_request("/v1/messages", method="POST").respond_with_handler(self.handle)

    def load(self, name: str) -> None:
        self.exchanges.extend(json.loads((FIXTURES / name).read_text())["exchanges"])

    def _take(self, text: str) -> dict[str, Any] | None:
        for index, exchange in enumerate(self.exchanges):
            if exchange.get("match", "") in text:
                return exchange if exchange.get("repeat") else self.exchanges.pop(index)
        return None

    def handle(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            exchange = self._take(json.dumps(body))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self._lock:
            self.in_flight -= 1
        if exchange is None:
            exchange = {
                "status": 500,
                "body": {"type": "error", "error": {"type": "api_error", "message": "no exchange"}},
            }
        if exchange.get("silence"):
            self.released.wait(60)
        data = _body(exchange, request).encode()
        pace = float(exchange.get("drip", 0))
        return Response(
            _drip(data, pace, self.released) if pace else data,
            status=exchange.get("status", 200),
            headers={
                "content-type": exchange.get("content_type", "application/json"),
                **exchange.get("headers", {}),
            },
        )


def _body(exchange: dict[str, Any], request: Request) -> str:
    """The text of an exchange's answer, misbehaving as it says."""
    if "raw" in exchange:
        return str(exchange["raw"])
    body = json.loads(json.dumps(exchange["body"]))
    if exchange.get("pad"):
        body["content"].insert(0, {"type": "text", "text": "x" * int(exchange["pad"])})
    if exchange.get("echo"):
        sent = request.headers.get("x-api-key") or request.headers.get("authorization", "")
        body["error"]["message"] += f" (key: {sent.removeprefix('Bearer ')})"
    return json.dumps(body)


def _drip(data: bytes, pace: float, released: threading.Event) -> Iterator[bytes]:
    for index in range(len(data)):
        if released.wait(pace):
            return
        yield data[index : index + 1]


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    yield http
    http.clear()
    http.stop()


@pytest.fixture
def api(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replay]:
    """The recorded API, with the SDK pointed at it through its usual environment variables."""
    server.clear()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-for-the-loopback-server")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url_for("/").rstrip("/"))
    replay = Replay(server)
    yield replay
    replay.released.set()
    server.clear()


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, Any]:
        """The JSON on stdout; a report (not a dry run's requests) is checked against its schema."""
        data: dict[str, Any] = json.loads(self.out)
        if "findings" in data:
            jsonschema.validate(data, schema())
        return data


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Any:
    """Runs ``fastapi-review`` on a patch (a fixture name or the text), in a directory that is
    not a git work tree, with an optional ``[tool.fastapi-review]`` table."""

    def run(patch: str, *args: str, config: str = "") -> Run:
        text = (FIXTURES / patch).read_text() if patch.endswith(".patch") else patch
        monkeypatch.chdir(tmp_path)
        # Every rule runs: the fixtures' static findings include preview rules (FAPI806).
        preview = "" if "preview" in config else "preview = true\n"
        (tmp_path / "pyproject.toml").write_text(f"[tool.fastapi-review]\n{preview}{config}")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        with pytest.raises(SystemExit) as exited:
            main(["-", *args])
        captured = capsys.readouterr()
        assert isinstance(exited.value.code, int)
        return Run(exited.value.code, captured.out, captured.err)

    return run
