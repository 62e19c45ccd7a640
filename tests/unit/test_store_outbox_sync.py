"""Sending the outbox when the server fails part-way (a 5xx, which the real server cannot be
made to answer on demand): order is kept and nothing is lost or sent twice."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import ServerError
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.engine.sync import RemoteSessions
from deepworkzone.store.db import connect

SCOPE = "http://api.test"


class FlakyServer:
    """Records requests; answers 503 while ``down`` is True, else a plausible success."""

    def __init__(self) -> None:
        self.down = False
        self.unreachable = False
        self.log: list[str] = []
        self.headers: list[httpx.Headers] = []
        self.next_id = 100

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.unreachable:
            raise httpx.ConnectError("refused")
        self.log.append(f"{request.method} {request.url.path}")
        self.headers.append(request.headers)
        if self.down:
            return httpx.Response(503)
        if request.method == "GET":
            return httpx.Response(200, json=[])
        if request.method == "POST":
            self.next_id += 1
            return httpx.Response(
                201,
                json={**json.loads(request.content), "id": self.next_id},
                headers={"ETag": f'W/"{self.next_id}-1"'},
            )
        if request.method == "PUT":
            body = {"name": "x", "duration": 5, "schedule": "2025-01-01", "time": "9:00 AM"}
            body.update(json.loads(request.content))
            session_id = int(request.url.path.rsplit("/", 1)[1])
            return httpx.Response(
                200, json={**body, "id": session_id}, headers={"ETag": f'W/"{session_id}-2"'}
            )
        return httpx.Response(204)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(tmp_path / "deepworkzone.db")
    yield conn
    conn.close()


def test_a_5xx_mid_flush_stops_in_order_and_resumes_where_it_stopped(
    conn: sqlite3.Connection,
) -> None:
    server = FlakyServer()
    client = SessionsClient(SCOPE, "t", transport=httpx.MockTransport(server), max_retries=0)
    remote = RemoteSessions(client, conn, SCOPE)

    server.unreachable = True
    body = SessionCreate(name="A", duration=30, schedule="2025-01-01", time="9:00")  # type: ignore[arg-type]
    assert remote.create(body).queued
    assert remote.update(-1, SessionUpdate(duration=40)).queued
    assert remote.delete(7).queued
    assert [e.op for e in remote.outbox.pending()] == ["create", "update", "delete"]

    server.unreachable = False
    server.down = True
    report = remote.flush()
    assert isinstance(report.stopped, ServerError)
    assert (report.sent, report.remaining) == (0, 3)
    assert server.log == ["POST /api/v1/sessions"]  # stopped at the first, did not skip it

    first_key = server.headers[0]["Idempotency-Key"]
    server.down = False
    server.log.clear()
    server.headers.clear()
    report = remote.flush()
    assert (report.sent, report.remaining, report.stopped) == (3, 0, None)
    assert server.log == [
        "POST /api/v1/sessions",  # resent with the same key: the server answers the first
        "PUT /api/v1/sessions/101",  # the update followed its create to the new id
        "DELETE /api/v1/sessions/7",
    ]
    assert server.headers[0]["Idempotency-Key"] == first_key
    # The update was made on what was created: sent with the create's answer's version.
    assert server.headers[1]["If-Match"] == 'W/"101-1"'
    assert remote.cache.get(-1) == remote.cache.get(101)
    assert remote.cache.get(101) is not None and remote.cache.get(101)["duration"] == 40
