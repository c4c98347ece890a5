"""Limits an abusive or buggy client meets: header and body size (431, 413), upload time (408), rate per key (429)."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from typing import Any

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestLimits:
    """ASGI middleware: headers over ``max_header_bytes`` are refused with 431, a body over ``max_bytes`` with 413 and
    one not sent within ``body_timeout_s`` with 408. Activity-file uploads (paths ending in ``:import``) carry whole
    exports, so their bodies may reach ``upload_max_bytes`` instead.

    Content-Length is checked before anything is read; a chunked body is counted as it arrives. The errors are
    raised from ``receive`` as HTTPExceptions, so FastAPI answers them like any other error of the request."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, body_timeout_s: float, max_header_bytes: int, upload_max_bytes: int
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes
        self.body_timeout_s = body_timeout_s
        self.max_header_bytes = max_header_bytes

    def _too_large(self, upload: bool) -> HTTPException:
        if upload:
            detail = f"upload over {self.upload_max_bytes} bytes (import_max_request_mb); send fewer files per request"
        else:
            detail = f"request body over {self.max_bytes} bytes (max_request_bytes); send fewer items per request"
        return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail=detail)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # uvicorn's default parser (httptools) has its own, larger header limit; this one holds with either parser.
        if sum(len(name) + len(value) for name, value in scope["headers"]) > self.max_header_bytes:
            too_many = HTTPException(
                status.HTTP_431_REQUEST_HEADER_FIELDS_TOO_LARGE,
                detail=f"request headers over {self.max_header_bytes} bytes (server_max_header_bytes)",
            )
            await _answer(send, too_many)
            return
        upload = str(scope.get("path", "")).endswith(":import")
        limit = self.upload_max_bytes if upload else self.max_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _answer(send, self._too_large(upload))
            return
        deadline = asyncio.get_running_loop().time() + self.body_timeout_s
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            try:
                # A deadline on the running task, not wait_for's extra task per message.
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(
                    status.HTTP_408_REQUEST_TIMEOUT,
                    detail=f"request body not received within {self.body_timeout_s:g} s (request_body_timeout_s)",
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._too_large(upload)
            return message

        await self.app(scope, bounded_receive, send)


async def _answer(send: Send, error: HTTPException) -> None:
    body = json.dumps({"detail": error.detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """A token bucket per API key: ``per_minute`` requests a minute on average, bursts of as many.

    Kept in the process: with several workers each enforces the limit on its share, so set it per worker."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self._buckets: dict[Any, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, key: Any) -> float:
        """0 and a request counted if ``key`` may go ahead now, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self._rate

    def check(self, key: Any) -> None:
        wait = self.wait_s(key)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                detail=f"over {self.per_minute} requests a minute for this key; retry in {retry} s",
                headers={"Retry-After": str(retry)},
            )
