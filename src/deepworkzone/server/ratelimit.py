"""Rate limits in fixed windows (one minute by default, aligned to the clock so that every
server process agrees on them):

- per API key (``--rate-limit``, default 600 a minute), counted once the key is known to be
  valid, so random tokens cannot each get a fresh bucket;
- failed authentications (missing, unknown or revoked token) per client address
  (``--failed-auth-limit``, default 30 a minute), independent of the per-key limit.

Counts live in memory for one process, or in the database (``rate_limit_hits``, one upserted
row per bucket) so that several worker processes share them. The table holds a row per
active key and per address that failed recently; rows of past windows are swept. Every
authenticated answer carries ``X-RateLimit-Limit/Remaining/Reset``; past a limit, 429 with
``Retry-After``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import HTTPException, Request
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATE_KEY = "rate_limit"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


class Counter(Protocol):
    def add(self, bucket: str, window: int, db: Session | None = None) -> int:
        """Count one hit of ``bucket`` in window number ``window``; the count so far.
        ``db``: the request's database session, for a counter that keeps counts there."""


@dataclass
class MemoryCounter:
    """One process's counts; only the current window is kept."""

    _window: int = -1
    _counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, bucket: str, window: int, db: Session | None = None) -> int:
        with self._lock:
            if window > self._window:
                self._window = window
                self._counts.clear()  # the table never outgrows one window's callers
            elif window < self._window:
                window = self._window  # a hit that raced a rollover counts in the new one
            count = self._counts.get(bucket, 0) + 1
            self._counts[bucket] = count
            return count


# Portable upsert (SQLite >= 3.35 and PostgreSQL): a bucket's row restarts at 1 in a new
# window; a process whose clock lags a little still counts in the newest window.
_UPSERT = text(
    """
    INSERT INTO rate_limit_hits (bucket, window_no, hits) VALUES (:bucket, :window, 1)
    ON CONFLICT (bucket) DO UPDATE SET
      hits = CASE WHEN rate_limit_hits.window_no >= excluded.window_no
                  THEN rate_limit_hits.hits + 1 ELSE 1 END,
      window_no = CASE WHEN rate_limit_hits.window_no >= excluded.window_no
                       THEN rate_limit_hits.window_no ELSE excluded.window_no END
    RETURNING hits
    """
)
_SWEEP = text("DELETE FROM rate_limit_hits WHERE window_no < :window")


class DatabaseCounter:
    """Counts shared by every process on the database: one upsert per hit, committed at
    once on the request's own connection (a second connection per request could starve
    the pool: every request holding one, waiting for another)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._swept = -1
        self._lock = threading.Lock()

    def add(self, bucket: str, window: int, db: Session | None = None) -> int:
        if db is None:
            with Session(self._engine) as own:
                return self.add(bucket, window, own)
        hits = db.connection().execute(_UPSERT, {"bucket": bucket, "window": window}).scalar_one()
        with self._lock:
            sweep, self._swept = window > self._swept, max(window, self._swept)
        if sweep:  # once per window and process: rows of windows before the last one
            db.execute(_SWEEP, {"window": window - 1})
        db.commit()  # the row's lock is held only for this statement's transaction
        return int(hits)


class FixedWindowLimiter:
    """``limit`` hits per bucket in each window of ``window_seconds``.

    Without a ``clock``, windows start when the limiter is made (memory counts, one process)
    or on the wall clock's minutes (shared counts: every process must agree on them)."""

    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] | None = None,
        counter: Counter | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError("the rate limit must be at least 1 request per window")
        self.limit = limit
        self.window = window_seconds
        self.counter: Counter = counter or MemoryCounter()
        self._given_clock = clock
        if clock is not None:
            self._clock = clock
        elif isinstance(self.counter, MemoryCounter):
            started = time.monotonic()
            self._clock = lambda: time.monotonic() - started
        else:
            self._clock = time.time

    def with_limit(self, limit: int) -> FixedWindowLimiter:
        """Another limit on the same windows and counts (buckets must not overlap)."""
        return FixedWindowLimiter(limit, self.window, self._clock, self.counter)

    def with_counter(self, counter: Counter) -> FixedWindowLimiter:
        return FixedWindowLimiter(self.limit, self.window, self._given_clock, counter)

    def hit(self, bucket: str, db: Session | None = None) -> Verdict:
        now = self._clock()
        window = math.floor(now / self.window)
        count = self.counter.add(bucket, window, db)
        reset = max(1, math.ceil((window + 1) * self.window - now))
        return Verdict(count <= self.limit, self.limit, max(0, self.limit - count), reset)


@dataclass(frozen=True)
class Limits:
    per_key: FixedWindowLimiter
    failed_auth: FixedWindowLimiter

    def check_key(self, request: Request, key_id: int, db: Session) -> None:
        """Count a request of a valid key; 429 past its limit."""
        verdict = self.per_key.hit(f"key:{key_id}", db)
        _record(request, verdict)
        if not verdict.allowed:
            raise _too_many(verdict, f"rate limit exceeded: {verdict.limit} requests per minute")

    def failed(self, request: Request, unauthorized: HTTPException, db: Session) -> HTTPException:
        """The answer to a failed authentication: ``unauthorized`` (401), or 429 once the
        client's address failed too often."""
        verdict = self.failed_auth.hit(f"addr:{client_address(request)}", db)
        _record(request, verdict)
        if verdict.allowed:
            return unauthorized
        return _too_many(
            verdict,
            f"too many failed authentications from this address: {verdict.limit} per minute",
        )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _record(request: Request, verdict: Verdict) -> None:
    setattr(request.state, STATE_KEY, verdict)


def _too_many(verdict: Verdict, why: str) -> HTTPException:
    return HTTPException(
        429,
        detail=f"{why}; retry in {verdict.reset_seconds} s",
        headers={"Retry-After": str(verdict.reset_seconds)},
    )


class RateLimitMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): adds the X-RateLimit-* headers of the verdict the
    request got (see Limits, called by auth) to its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            verdict = scope.get("state", {}).get(STATE_KEY)
            if message["type"] == "http.response.start" and verdict is not None:
                extra = [(k.lower().encode(), v.encode()) for k, v in verdict.headers().items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
