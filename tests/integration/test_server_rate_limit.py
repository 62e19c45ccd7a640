"""Per-key rate limit: headers on every answer, 429 with Retry-After past the limit."""

from __future__ import annotations

from tests.integration.conftest import LiveServer, LiveServerFactory


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
