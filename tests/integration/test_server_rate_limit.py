"""Rate limits: per key, headers on every answer, 429 with Retry-After past the limit; failed
authentications per client address; counts shared by processes on one database."""

from __future__ import annotations

from sqlalchemy import select

from deepworkzone.server.orm import RateLimitHit
from deepworkzone.server.ratelimit import FixedWindowLimiter
from tests.integration.conftest import LiveServer, LiveServerFactory


def _mid_minute(per_key: int = 600) -> FixedWindowLimiter:
    """Shared counts in one wall-clock window that cannot roll over during the test."""
    return FixedWindowLimiter(per_key, clock=lambda: 1_800_000_030.0)


def test_every_api_answer_carries_the_rate_limit_headers(live_server: LiveServer) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    answers = [client.get("/sessions"), client.get("/sessions/999"), client.post("/sessions")]
    assert [a.status_code for a in answers] == [200, 404, 422]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["599", "598", "597"]
    for answer in answers:
        assert answer.headers["x-ratelimit-limit"] == "600"
        assert 1 <= int(answer.headers["x-ratelimit-reset"]) <= 60


def test_past_the_limit_the_key_gets_429_and_others_do_not(
    live_server_factory: LiveServerFactory,
) -> None:
    server = live_server_factory(rate_limit_per_minute=5)
    busy = server.client(server.create_user("busy@acme.test"))
    calm = server.client(server.create_user("calm@acme.test"))

    allowed = [busy.get("/sessions") for _ in range(5)]
    assert [a.status_code for a in allowed] == [200] * 5
    assert [a.headers["x-ratelimit-remaining"] for a in allowed] == ["4", "3", "2", "1", "0"]

    refused = busy.get("/sessions")
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["x-ratelimit-limit"] == "5"
    assert refused.headers["x-ratelimit-reset"] == str(retry_after)
    assert "rate limit exceeded: 5 requests per minute" in refused.json()["detail"]
    assert busy.post("/sessions", json={}).status_code == 429

    assert calm.get("/sessions").status_code == 200


def test_failed_authentications_are_limited_per_address_in_one_bucket(
    live_server_factory: LiveServerFactory,
) -> None:
    server = live_server_factory(
        failed_auth_per_minute=3, shared_limits=True, limiter=_mid_minute()
    )
    valid = server.client(server.create_user("me@acme.test"))
    answers = [
        server.client(token).get("/sessions")
        for token in (None, "dwz_" + "x" * 43, "dwz_random-1", "not-ours", "dwz_random-2")
    ]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0", "0"]
    refused = answers[-1]
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "too many failed authentications" in refused.json()["detail"]
    # Random tokens share the address's one row; the valid key has its own, and its limit.
    ok = valid.get("/sessions")
    assert ok.status_code == 200 and ok.headers["x-ratelimit-limit"] == "600"
    with server.app.state.sessions() as db:
        buckets = sorted(db.scalars(select(RateLimitHit.bucket)))
    assert len(buckets) == 2 and buckets[0].startswith("addr:") and buckets[1].startswith("key:")


def test_two_servers_on_one_database_share_the_limits(
    live_server_factory: LiveServerFactory,
) -> None:
    first = live_server_factory(limiter=_mid_minute(4), shared_limits=True)
    second = live_server_factory(db_url=first.db_url, limiter=_mid_minute(4), shared_limits=True)
    token = first.create_user("me@acme.test")
    a, b = first.client(token), second.client(token)
    answers = [a.get("/sessions"), b.get("/sessions"), a.get("/sessions"), b.get("/sessions")]
    assert [r.headers["x-ratelimit-remaining"] for r in answers] == ["3", "2", "1", "0"]
    assert b.get("/sessions").status_code == a.get("/sessions").status_code == 429
