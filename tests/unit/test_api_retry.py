"""Retries and backoff of the client, for the conditions the real server cannot produce on
demand (5xx, a read timeout after sending). These use httpx.MockTransport; 429 and connect
errors are tested against the real server in tests/integration/test_client_ratelimit.py."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import Offline, RateLimited, ServerError
from deepworkzone.api.retry import RetryBudget, RetryPolicy, parse_retry_after

TOKEN = "dwz_secret_token_123"
Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*steps: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering each request with the next step (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        step = steps[min(len(seen), len(steps) - 1)]
        seen.append(request)
        if isinstance(step, Exception):
            raise step
        return step

    return httpx.MockTransport(handle), seen


def client(transport: httpx.MockTransport, waits: list[float], **kw: float) -> SessionsClient:
    return SessionsClient("http://api.test", TOKEN, transport=transport, sleep=waits.append, **kw)  # type: ignore[arg-type]


SESSION = {"id": 7, "name": "S", "duration": 30, "schedule": "2025-01-01", "time": "9:00 AM"}


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4.0, rng=random.Random(1))
    for attempt, ceiling in enumerate([0.5, 1.0, 2.0, 4.0, 4.0]):
        waits = {policy.backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(waits) > 40  # jittered, not one fixed value


def test_retry_after_takes_precedence_and_the_budget_caps_total_wait() -> None:
    waits: list[float] = []
    policy = RetryPolicy(max_retries=5, max_total_wait=10, sleep=waits.append)
    budget = RetryBudget(policy)
    assert budget.wait(4.0) and budget.wait(4.0)
    assert not budget.wait(4.0)  # 12 s would pass the 10 s budget
    assert len(waits) == 2 and all(4.0 <= w <= 4.5 for w in waits)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), ("2.5", 2.5), ("soon", None), (None, None), ("-4", 0.0)],
)
def test_parse_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now) == 30.0


def test_get_is_retried_on_5xx_until_it_works() -> None:
    transport, seen = scripted(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json=SESSION)
    )
    waits: list[float] = []
    assert client(transport, waits).get_session(7).id == 7
    assert len(seen) == 3 and len(waits) == 2


def test_a_5xx_that_lasts_is_a_server_error_with_exit_code_2() -> None:
    transport, seen = scripted(httpx.Response(500, json={"detail": "database on fire"}))
    waits: list[float] = []
    with pytest.raises(ServerError) as err:
        client(transport, waits, max_retries=2).list_sessions()
    assert len(seen) == 3 and err.value.exit_code == 2
    assert "500" in str(err.value) and "database on fire" in str(err.value)


def test_create_is_not_repeated_after_a_5xx_or_a_lost_answer() -> None:
    transport, seen = scripted(httpx.Response(500))
    with pytest.raises(ServerError):
        client(transport, []).create_session_json(SESSION)
    assert len(seen) == 1

    transport, seen = scripted(httpx.ReadTimeout("slow"))
    with pytest.raises(Offline) as err:
        client(transport, []).create_session_json(SESSION)
    assert len(seen) == 1 and err.value.maybe_sent


def test_create_is_retried_when_the_connection_never_opened() -> None:
    transport, seen = scripted(httpx.ConnectError("refused"), httpx.Response(201, json=SESSION))
    waits: list[float] = []
    assert client(transport, waits).create_session_json(SESSION)["id"] == 7
    assert len(seen) == 2 and len(waits) == 1


def test_put_is_retried_after_a_read_timeout() -> None:
    transport, seen = scripted(httpx.ReadTimeout("slow"), httpx.Response(200, json=SESSION))
    assert client(transport, []).update_session_json(7, {"duration": 30})["id"] == 7
    assert len(seen) == 2 and [r.method for r in seen] == ["PUT", "PUT"]


def test_a_delete_whose_first_answer_was_lost_is_done_when_the_retry_finds_nothing() -> None:
    transport, seen = scripted(httpx.Response(503), httpx.Response(404))
    client(transport, []).delete_session(7)
    assert len(seen) == 2


def test_503_retry_after_is_honoured() -> None:
    transport, _ = scripted(
        httpx.Response(503, headers={"Retry-After": "7"}), httpx.Response(200, json=[])
    )
    waits: list[float] = []
    client(transport, waits).list_sessions()
    assert len(waits) == 1 and 7 <= waits[0] <= 8


def test_429_without_retry_after_backs_off_then_reports() -> None:
    transport, seen = scripted(httpx.Response(429, json={"detail": "slow down"}))
    waits: list[float] = []
    with pytest.raises(RateLimited) as err:
        client(transport, waits, max_retries=3).list_sessions()
    assert len(seen) == 4 and len(waits) == 3 and err.value.retry_after is None
    assert waits[0] < waits[2]  # exponential: the third wait's floor is above the first's ceiling


def test_the_token_is_sent_but_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    transport, seen = scripted(httpx.Response(401, json={"detail": "bad"}))
    caplog.set_level(logging.DEBUG)
    c = client(transport, [])
    with pytest.raises(Exception) as err:
        c.list_sessions()
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in caplog.text and TOKEN not in str(err.value) and TOKEN not in repr(c)
    assert "GET /api/v1/sessions -> 401" in caplog.text
