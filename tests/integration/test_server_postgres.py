"""The same server on PostgreSQL: runs only when DEEPWORKZONE_TEST_PG_URL names a database
it may wipe, e.g. postgresql+psycopg://postgres@127.0.0.1:55432/dwz_test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import SEED_SESSION, LiveServer, LiveServerFactory
from tests.integration.server_backends import PG_URL, fresh_postgres

pytestmark = pytest.mark.skipif(not PG_URL, reason="DEEPWORKZONE_TEST_PG_URL is not set")

Body = Callable[..., dict[str, Any]]


@pytest.fixture
def pg_server(live_server_factory: LiveServerFactory) -> LiveServer:
    return live_server_factory(db_url=fresh_postgres())


def test_the_api_works_on_postgresql(pg_server: LiveServer, session_body: Body) -> None:
    me = pg_server.client(pg_server.create_user("me@acme.test"))
    mate = pg_server.client(pg_server.create_user("mate@acme.test"))

    created = me.post("/sessions", json=SEED_SESSION)
    assert created.status_code == 201, created.text
    answer = me.get(f"/sessions/{created.json()['id']}").json()
    assert {k: answer[k] for k in SEED_SESSION} == SEED_SESSION

    series = session_body(
        name="Weekly WRITING",
        schedule="2025-01-06",
        is_recurring=1,
        occurrence="weekly",
        recurring_days=[1, 3],
        is_public=False,
        collaborator=["mate@acme.test"],
    )
    series_id = me.post("/sessions", json=series).json()["id"]
    monthly = session_body(
        name="last friday",
        schedule="2025-01-31",
        is_recurring=1,
        occurrence="monthly",
        recurring_month_option="week",
        recurring_month_week_pos=5,
        recurring_month_week_day=5,
    )
    assert me.post("/sessions", json=monthly).status_code == 201

    def names(**params: Any) -> set[str]:
        response = mate.get("/sessions", params=params)
        assert response.status_code == 200, response.text
        return {s["name"] for s in response.json()}

    assert names(date="2025-01-08") == {"Weekly WRITING"}
    assert names(date="2025-02-28") == {"last friday"}
    assert names(day_start="2025-01-01", day_ends="2025-01-05") == {"Morning Deep Work"}
    assert names(keyword="writ", channel="private", completed=0, source="user") == {
        "Weekly WRITING"
    }
    me.delete(f"/sessions/{series_id}", params={"scope": "occurrence", "date": "2025-01-08"})
    assert names(date="2025-01-08") == set()

    assert mate.post(f"/sessions/{series_id}/join", json={"date": "2025-01-13"}).status_code == 200
    people = me.get(f"/sessions/{series_id}/participants").json()
    assert [p["role"] for p in people] == ["collaborator", "owner"]
    etag = me.get(f"/sessions/{series_id}").headers["etag"]
    assert (
        me.put(
            f"/sessions/{series_id}", json={"duration": 90}, headers={"If-Match": etag}
        ).status_code
        == 200
    )
    assert (
        me.put(
            f"/sessions/{series_id}", json={"duration": 10}, headers={"If-Match": etag}
        ).status_code
        == 412
    )
