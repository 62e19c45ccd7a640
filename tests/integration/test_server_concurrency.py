"""Concurrent writes to one session, on SQLite and on PostgreSQL: every write is a
compare-and-set on the version in SQL, so none is lost, no two answers share a version, and
the list (cached or not) and the item agree afterwards."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.integration.conftest import LiveServer, LiveServerFactory
from tests.integration.server_backends import BACKENDS, database_url

Body = Callable[..., dict[str, Any]]
WRITERS = 50
# Fields a PUT may change on its own; writer i changes FIELDS[i % len(FIELDS)].
FIELDS = ("name", "duration", "time", "is_public", "snooze_enabled")
LISTINGS: list[dict[str, str]] = [{}, {"date": "2025-01-01"}, {"keyword": "burst"}]


@pytest.fixture(params=BACKENDS)
def server(request: pytest.FixtureRequest, live_server_factory: LiveServerFactory) -> LiveServer:
    return live_server_factory(db_url=database_url(request.param))


def _change(index: int) -> dict[str, Any]:
    field = FIELDS[index % len(FIELDS)]
    value: Any = {
        "name": f"burst {index}",
        "duration": 10 + index,
        "time": f"{1 + index % 11}:{index:02d} AM",
        "is_public": index % 2 == 0,
        "snooze_enabled": index % 2 == 1,
    }[field]
    return {field: value}


def _burst(server: LiveServer, token: str, path: str, headers: dict[str, str]) -> list[Any]:
    """WRITERS parallel PUTs, each on its own connection, released at once; (index, answer)."""
    answers: list[Any] = []
    start = threading.Barrier(WRITERS)

    def put(index: int) -> None:
        with httpx.Client(base_url=server.api_url, timeout=60) as client:
            start.wait()
            answer = client.put(
                path, json=_change(index), headers={"Authorization": f"Bearer {token}", **headers}
            )
            answers.append((index, answer))

    threads = [threading.Thread(target=put, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _version(answer: httpx.Response) -> int:
    found = re.fullmatch(r'W/"\d+-(\d+)"', answer.headers["ETag"])
    assert found, answer.headers["ETag"]
    return int(found.group(1))


def _listed(client: httpx.Client, session_id: int, query: dict[str, str]) -> dict[str, Any]:
    listing = client.get("/sessions", params=query)
    assert listing.status_code == 200, listing.text
    return next(s for s in listing.json() if s["id"] == session_id)


def _create_and_warm(server: LiveServer, session_body: Body) -> tuple[str, httpx.Client, int]:
    token = server.create_user("me@acme.test")
    me = server.client(token)
    created = me.post("/sessions", json=session_body(name="burst 0"))
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    for query in LISTINGS:  # every list answer and rendering cached at version 1
        assert _listed(me, session_id, query)["name"] == "burst 0"
    return token, me, session_id


def test_of_50_puts_with_one_if_match_exactly_one_lands(
    server: LiveServer, session_body: Body
) -> None:
    token, me, session_id = _create_and_warm(server, session_body)
    path = f"/sessions/{session_id}"
    etag = me.get(path).headers["ETag"]

    answers = _burst(server, token, path, {"If-Match": etag})

    codes = sorted(a.status_code for _, a in answers)
    assert codes == [200] + [412] * (WRITERS - 1), codes
    (winner, won), *_ = [(i, a) for i, a in answers if a.status_code == 200]
    assert _version(won) == 2
    item = me.get(path)
    assert item.headers["ETag"] == won.headers["ETag"]
    assert item.json() == won.json()
    field, value = next(iter(_change(winner).items()))
    assert item.json()[field] == value
    for query in LISTINGS:
        if query.get("keyword") and field == "name" and "burst" not in str(value):
            continue
        listed = _listed(me, session_id, query)
        assert {k: listed[k] for k in FIELDS} == {k: item.json()[k] for k in FIELDS}, query
    # The losers were told why, and may retry with the new ETag.
    loser = next(a for _, a in answers if a.status_code == 412)
    assert "changed since" in loser.json()["detail"]
    retry = me.put(path, json={"duration": 5}, headers={"If-Match": won.headers["ETag"]})
    assert retry.status_code == 200 and _version(retry) == 3


def test_50_puts_without_preconditions_to_different_fields_lose_none(
    server: LiveServer, session_body: Body
) -> None:
    token, me, session_id = _create_and_warm(server, session_body)
    path = f"/sessions/{session_id}"
    before = me.get(path).json()

    answers = _burst(server, token, path, {})

    assert [a.status_code for _, a in answers] == [200] * WRITERS, [
        a.text for _, a in answers if a.status_code != 200
    ]
    by_version = {_version(a): (i, a.json()) for i, a in answers}
    # One version per write, counted in SQL: 2..51, none shared, none skipped.
    assert sorted(by_version) == list(range(2, WRITERS + 2))
    # Each answer is the one before it plus its own change: no write was made on a stale copy.
    state = {k: before[k] for k in FIELDS}
    for version in range(2, WRITERS + 2):
        index, shown = by_version[version]
        state.update(_change(index))
        assert {k: shown[k] for k in FIELDS} == state, f"version {version} lost a write"
    item = me.get(path)
    assert item.headers["ETag"] == f'W/"{session_id}-{WRITERS + 1}"'
    assert {k: item.json()[k] for k in FIELDS} == state
    for query in LISTINGS[:2]:
        assert {k: v for k, v in _listed(me, session_id, query).items() if k in FIELDS} == state


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_burst_past_the_pool_waits_for_a_connection_instead_of_opening_more(
    backend: str, live_server_factory: LiveServerFactory, session_body: Body
) -> None:
    # Each connection the pool opens is a new PostgreSQL backend process; SQLAlchemy's
    # default pool opened and closed ~100 of them in 5 s under 8 clients.
    server = live_server_factory(db_url=database_url(backend), db_connections=3)
    token, me, session_id = _create_and_warm(server, session_body)
    opened: list[object] = []
    event.listen(server.app.state.engine, "connect", lambda *_: opened.append(1))

    first = _burst(server, token, f"/sessions/{session_id}", {})
    second = _burst(server, token, f"/sessions/{session_id}", {})

    assert [a.status_code for _, a in first + second] == [200] * 2 * WRITERS
    assert _version(me.get(f"/sessions/{session_id}")) == 2 * WRITERS + 1
    # The warm-up opened some of the three; the bursts may open the rest, never a fourth.
    assert len(opened) <= 3, f"{len(opened)} connections opened for {2 * WRITERS} requests"
