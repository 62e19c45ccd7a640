"""List answers are cached per org generation: every kind of write must show at once, also
through another server process on the same database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.integration.conftest import LiveServer, LiveServerFactory

Body = Callable[..., dict[str, Any]]


def _names(client: httpx.Client, **params: Any) -> list[str]:
    response = client.get("/sessions", params=params)
    assert response.status_code == 200
    return [s["name"] for s in response.json()]


def test_every_write_shows_in_the_next_list(live_server: LiveServer, session_body: Body) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    mate = live_server.client(live_server.create_user("mate@acme.test"))
    day = {"date": "2025-01-01"}
    assert _names(me, **day) == []

    one = me.post("/sessions", json=session_body(name="one")).json()["id"]
    assert _names(me, **day) == ["one"]
    me.put(f"/sessions/{one}", json={"name": "renamed"})
    assert _names(me, **day) == ["renamed"]

    series = me.post(
        "/sessions", json=session_body(name="daily", is_recurring=1, time="8:00 AM")
    ).json()["id"]
    assert _names(me, **day) == ["daily", "renamed"]
    me.delete(f"/sessions/{series}", params={"scope": "occurrence", "date": "2025-01-01"})
    assert _names(me, **day) == ["renamed"]

    assert _names(mate, source="user") == []
    mate.post(f"/sessions/{one}/join")
    assert _names(mate, source="user") == ["renamed"]
    mate.post(f"/sessions/{one}/leave")
    assert _names(mate, source="user") == ["renamed"]  # left, but still shared with them

    assert _names(me, completed=1) == []
    me.post(f"/sessions/{one}/complete")
    assert _names(me, completed=1) == ["renamed"]

    me.delete(f"/sessions/{one}")
    assert _names(me, **day) == []


def test_a_second_server_on_the_same_database_sees_the_first_ones_writes(
    live_server_factory: LiveServerFactory, session_body: Body
) -> None:
    first = live_server_factory()
    second = live_server_factory(db_url=first.db_url)
    token = first.create_user("me@acme.test")
    via_first, via_second = first.client(token), second.client(token)

    assert _names(via_second) == []
    session_id = via_first.post("/sessions", json=session_body(name="a")).json()["id"]
    assert _names(via_second) == ["a"]
    via_first.put(f"/sessions/{session_id}", json={"name": "b"})
    assert _names(via_second) == ["b"]
    assert via_second.get(f"/sessions/{session_id}").json()["name"] == "b"


def test_openapi_documents_the_v1_paths(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
    assert {
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/sessions/{session_id}/join",
        "/api/v1/sessions/{session_id}/leave",
        "/api/v1/sessions/{session_id}/complete",
        "/api/v1/sessions/{session_id}/participants",
        "/api/v1/api-keys",
        "/api/v1/api-keys/{key_id}",
    } <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/api/v1/sessions"]["get"]["parameters"]}
    assert {
        "org_id",
        "channel",
        "type",
        "date",
        "completed",
        "source",
        "keyword",
        "day_start",
        "day_ends",
        "page",
        "per_page",
    } <= params
