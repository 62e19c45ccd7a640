"""Per-key rate limiting: a fixed window per minute, in memory (one server process).

The window is keyed by the token's hash, so the limit follows the API key without a database
look-up; requests without a token share one bucket per client address.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepworkzone.server.tokens import token_hash

DEFAULT_PER_MINUTE = 600


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int


class FixedWindowLimiter:
    """Counts requests per key in fixed windows. Swap for a shared store to run several
    processes; the middleware only needs ``hit``."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("the rate limit must be at least 1 request per window")
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = clock()
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> Verdict:
        with self._lock:
            now = self._clock()
            if now - self._window_start >= self.window:
                # One window for all keys: the table is dropped at once, so it cannot grow
                # beyond one minute's worth of callers.
                elapsed = now - self._window_start
                self._window_start += self.window * math.floor(elapsed / self.window)
                self._counts.clear()
            count = self._counts.get(key, 0) + 1
            self._counts[key] = count
            reset = max(1, math.ceil(self._window_start + self.window - now))
        return Verdict(count <= self.limit, self.limit, max(0, self.limit - count), reset)


class RateLimitMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): adds the X-RateLimit-* headers to every API answer
    and answers 429 with Retry-After once the key's window is used up."""

    def __init__(self, app: ASGIApp, limiter: FixedWindowLimiter, prefix: str = "/api/") -> None:
        self.app = app
        self.limiter = limiter
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        verdict = self.limiter.hit(_bucket(scope))
        headers = [
            (b"x-ratelimit-limit", str(verdict.limit).encode()),
            (b"x-ratelimit-remaining", str(verdict.remaining).encode()),
            (b"x-ratelimit-reset", str(verdict.reset_seconds).encode()),
        ]
        if not verdict.allowed:
            body = b'{"detail":"rate limit exceeded: %d requests per minute; retry in %d s"}' % (
                verdict.limit,
                verdict.reset_seconds,
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(verdict.reset_seconds).encode()),
                        *headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _bucket(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return "key:" + token_hash(token.strip())
    client = scope.get("client")
    return f"addr:{client[0] if client else '?'}"
