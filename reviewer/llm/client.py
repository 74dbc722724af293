"""The only module that imports ``anthropic``: sends one request, retries, returns what came back.

The SDK's own retries are off (``max_retries=0``); this module retries rate limits (429),
overloads (529), other server errors (5xx) and connection failures itself, up to ``max-retries``
times, waiting what ``retry-after`` says or else ``backoff * 2**attempt`` seconds (with jitter,
at most 30 s). Authentication, permission and unknown-model errors stop the whole pass at once.

A 200 answer is read as a stream, at most :data:`MAX_ANSWER_BYTES`, and validated here: a body that
is not JSON (truncated, an HTML page from a proxy), not a message, or too large fails that request
with a one-line reason instead of reaching the review.
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anthropic
import anyio
from pydantic import ValidationError

from reviewer.errors import scrub
from reviewer.llm.schema import TOOL_NAME
from reviewer.llm.usage import Usage

BACKOFF = 1.0
"""Seconds before the first retry when the server gives no ``retry-after``."""
MAX_DELAY = 30.0
TIMEOUT = 180.0
"""Seconds one request may take."""
FATAL = frozenset({401, 403, 404})
MAX_ANSWER_BYTES = 1 << 20
"""The largest answer read: a whole answer of ``MAX_OUTPUT_TOKENS`` is a few tens of kilobytes."""


class LlmError(Exception):
    """A request that failed for good. ``fatal`` errors would fail every other request too."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True)
class Reply:
    content: list[dict[str, Any]]
    """The answer's content blocks (text and tool use), as they are sent back in a repair."""
    tool_input: dict[str, Any] | None
    """The input of the first ``report_findings`` call, if any."""
    tool_use_id: str | None
    usage: Usage
    retries: int


def _describe(exc: anthropic.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    kind = error.get("type", "error") if isinstance(error, dict) else "error"
    message = error.get("message", "") if isinstance(error, dict) else ""
    return f"HTTP {exc.status_code} {kind}" + (f": {message}" if message else "")


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(headers[name]) * scale)
        except (KeyError, ValueError):
            continue
    return None


def _message(data: bytes, content_type: str) -> anthropic.types.Message:
    """The message in a 200 answer's body, or :class:`LlmError` saying what came instead."""
    try:
        parsed = json.loads(data)
    except ValueError:
        raise LlmError(
            f"an answer that is not JSON ({content_type or 'no content type'}, {len(data)} bytes)"
        ) from None
    try:
        return anthropic.types.Message.model_validate(parsed)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise LlmError(f"an answer that is not a message ({where}: {first['msg']})") from None


def _reply(message: anthropic.types.Message, retries: int) -> Reply:
    content: list[dict[str, Any]] = []
    tool_input: dict[str, Any] | None = None
    tool_use_id: str | None = None
    for block in message.content:
        if block.type == "text":
            content.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            content.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
            )
            if block.name == TOOL_NAME and tool_input is None:
                tool_input, tool_use_id = dict(block.input), block.id
    usage = message.usage
    return Reply(
        content=content,
        tool_input=tool_input,
        tool_use_id=tool_use_id,
        usage=Usage(
            requests=1,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens or 0,
            cache_read_input_tokens=usage.cache_read_input_tokens or 0,
        ),
        retries=retries,
    )


SdkClient = (
    anthropic.AsyncAnthropic | anthropic.AsyncAnthropicBedrock | anthropic.AsyncAnthropicVertex
)


class ReviewClient:
    """Sends Messages API requests through one SDK client, with retries."""

    def __init__(
        self,
        sdk: SdkClient,
        provider: str,
        max_retries: int,
        backoff: float = BACKOFF,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self.sdk = sdk
        self.provider = provider
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep

    def _delay(self, attempt: int, headers: Mapping[str, str] | None) -> float:
        after = _retry_after(headers)
        if after is not None:
            return min(after, MAX_DELAY)
        return min(self.backoff * 2.0**attempt, MAX_DELAY) * random.uniform(0.75, 1.0)

    async def _create(self, request: Mapping[str, Any]) -> anthropic.types.Message:
        """One request; its answer read up to :data:`MAX_ANSWER_BYTES` and validated."""
        async with self.sdk.messages.with_streaming_response.create(**request) as response:
            data = bytearray()
            async for part in response.iter_bytes():
                data += part
                if len(data) > MAX_ANSWER_BYTES:
                    raise LlmError(f"an answer larger than {MAX_ANSWER_BYTES >> 20} MiB")
            content_type = response.headers.get("content-type", "")
        return _message(bytes(data), content_type)

    async def send(self, request: Mapping[str, Any]) -> Reply:
        """The reply to ``request``, or :class:`LlmError` (never showing the key: an error body
        may echo it)."""
        try:
            return await self._attempts(request)
        except LlmError as exc:
            keys = [getattr(self.sdk, name, None) for name in ("api_key", "auth_token")]
            raise LlmError(scrub(str(exc), keys), exc.fatal) from None

    async def _attempts(self, request: Mapping[str, Any]) -> Reply:
        attempt = 0
        while True:
            headers: Mapping[str, str] | None = None
            try:
                message = await self._create(request)
                return _reply(message, attempt)
            except anthropic.APIStatusError as exc:
                if exc.status_code in FATAL:
                    raise LlmError(_describe(exc), fatal=True) from None
                if exc.status_code != 429 and exc.status_code < 500:
                    raise LlmError(_describe(exc)) from None
                if attempt >= self.max_retries:
                    raise LlmError(f"{_describe(exc)}, {attempt + 1} attempts") from None
                headers = exc.response.headers
            except anthropic.APIConnectionError as exc:
                if attempt >= self.max_retries:
                    raise LlmError(f"{exc}, {attempt + 1} attempts") from None
            except anthropic.AnthropicError as exc:
                raise LlmError(f"{self.provider}: {exc}", fatal=True) from None
            except ImportError as exc:
                raise LlmError(_missing(self.provider, exc), fatal=True) from None
            await self.sleep(self._delay(attempt, headers))
            attempt += 1

    async def aclose(self) -> None:
        await self.sdk.close()


def connect(provider: str, max_retries: int, backoff: float = BACKOFF) -> ReviewClient:
    """A client for ``provider`` (``anthropic``, ``bedrock`` or ``vertex``), configured from the
    environment as the SDK reads it (``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``, AWS and
    Google Cloud credentials and regions)."""
    sdk: SdkClient
    try:
        if provider == "bedrock":
            sdk = anthropic.AsyncAnthropicBedrock(max_retries=0, timeout=TIMEOUT)
        elif provider == "vertex":
            sdk = anthropic.AsyncAnthropicVertex(max_retries=0, timeout=TIMEOUT)
        else:
            sdk = anthropic.AsyncAnthropic(max_retries=0, timeout=TIMEOUT)
    except ImportError as exc:
        raise LlmError(_missing(provider, exc), fatal=True) from None
    except (anthropic.AnthropicError, ValueError, RuntimeError) as exc:
        raise LlmError(f"cannot set up the {provider} client: {exc}", fatal=True) from None
    return ReviewClient(sdk, provider, max_retries, backoff)


def _missing(provider: str, exc: ImportError) -> str:
    return f"the {provider} provider needs `pip install 'fastapi-review[{provider}]'` ({exc})"
