"""429 from the real server: the headers, Retry-After honoured, the cap on waiting; and a
server that is not there at all."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import Offline, RateLimited
from deepworkzone.server.ratelimit import FixedWindowLimiter
from tests.integration.conftest import LiveServerFactory

Body = Callable[..., dict[str, Any]]


def test_rate_limit_headers_are_read_on_every_answer(
    live_server_factory: LiveServerFactory,
) -> None:
    server = live_server_factory(rate_limit_per_minute=5)
    with SessionsClient(server.url, server.create_user("me@acme.test")) as client:
        client.list_sessions()
        assert client.rate_limit is not None
        assert (client.rate_limit.limit, client.rate_limit.remaining) == (5, 4)
        assert client.rate_limit.reset is not None and 0 < client.rate_limit.reset <= 60
        client.list_sessions()
        assert client.rate_limit.remaining == 3


def test_429_is_retried_after_the_servers_retry_after_then_gives_up(
    live_server_factory: LiveServerFactory,
) -> None:
    server = live_server_factory(rate_limit_per_minute=2)
    waits: list[float] = []
    with SessionsClient(
        server.url,
        server.create_user("me@acme.test"),
        max_retries=2,
        max_total_wait=500,
        sleep=waits.append,  # records the waits; the window stays closed, so every retry is 429
    ) as client:
        client.list_sessions()
        client.list_sessions()
        with pytest.raises(RateLimited) as err:
            client.list_sessions()
    retry_after = err.value.retry_after
    assert retry_after is not None and 1 <= retry_after <= 60
    assert len(waits) == 2
    # Every wait is at least what the server asked for (plus at most a second of jitter).
    assert all(retry_after <= w <= retry_after + 1 + 1 for w in waits)
    assert err.value.limit == 2 and err.value.exit_code == 2
    assert "rate limited" in str(err.value)


def test_429_waits_no_longer_than_the_cap(live_server_factory: LiveServerFactory) -> None:
    server = live_server_factory(rate_limit_per_minute=1)
    waits: list[float] = []
    with SessionsClient(
        server.url, server.create_user("me@acme.test"), max_total_wait=5, sleep=waits.append
    ) as client:
        client.list_sessions()
        with pytest.raises(RateLimited):
            client.list_sessions()
    assert waits == []  # the server asked for up to a minute: more than the 5 s budget


def test_429_then_success_after_really_waiting(
    live_server_factory: LiveServerFactory, session_body: Body
) -> None:
    # A one-second window so the real wait is short; create is a POST, and a 429 means the
    # server did not process it, so even a create may be retried.
    server = live_server_factory(limiter=FixedWindowLimiter(2, window_seconds=1.0))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with SessionsClient(server.url, server.create_user("me@acme.test"), sleep=sleep) as client:
        sent: list[str] = []
        # The window may roll over between two calls, so go on until one had to wait.
        while not waits and len(sent) < 8:
            sent.append(f"s{len(sent)}")
            started = time.monotonic()
            client.create_session_json(session_body(name=sent[-1]))
            elapsed = time.monotonic() - started
        assert waits and waits[0] >= 1.0  # Retry-After is whole seconds, at least 1
        assert elapsed >= waits[0]  # the last create really waited, then went through
        names = sorted(s.name for s in client.list_sessions())
    assert names == sorted(sent)  # each create exactly once: a 429 was not processed


def test_no_server_is_offline_after_retrying() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nobody listens there
    waits: list[float] = []
    with SessionsClient(f"http://127.0.0.1:{port}", "t", max_retries=3, sleep=waits.append) as c:
        with pytest.raises(Offline) as err:
            c.list_sessions()
        assert len(waits) == 3
        assert all(0 < w <= c.policy.backoff_cap for w in waits)
        with pytest.raises(Offline) as create_err:
            c.create_session_json({"name": "x"})  # never sent: safe to retry, still offline
    assert err.value.exit_code == 2 and not err.value.maybe_sent
    assert not create_err.value.maybe_sent
    assert f"127.0.0.1:{port}" in str(err.value)
