"""A PUT refused with 412 is rebased on the server's version field by field; both sides
changing one field is a conflict kept with both versions; and a sync with no change is one
request answered 304. Against the real server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.conflicts import EditConflict, rebase
from deepworkzone.domain.clock import ManualClock
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.engine.sync import RemoteSessions
from deepworkzone.engine.sync_service import SyncService
from deepworkzone.store.db import ThreadConnections
from tests.integration.conftest import LiveServer

Body = Callable[..., dict[str, Any]]


class Counting(httpx.HTTPTransport):
    """The real HTTP transport, recording each request's method, path and answer status."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((request.method, request.url.path, response.status_code))
        return response


def _dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def setup(live_server: LiveServer, tmp_path: Path) -> tuple[RemoteSessions, httpx.Client, Counting]:
    token = live_server.create_user("me@acme.test")
    transport = Counting()
    client = SessionsClient(live_server.url, token, transport=transport, sleep=lambda _s: None)
    remote = RemoteSessions(client, ThreadConnections(tmp_path / "dwz.db"), "live")
    return remote, live_server.client(token), transport


def _offline(remote: RemoteSessions) -> Callable[[], None]:
    """Point the remote at a dead port; answer a function that points it back."""
    online = remote.client
    remote.client = SessionsClient(_dead_url(), "t", max_retries=0)
    return lambda: setattr(remote, "client", online)


def _make(remote: RemoteSessions, **fields: Any) -> dict[str, Any]:
    body = {"name": "Base", "duration": 30, "schedule": "2026-03-02", "time": "9:00", **fields}
    return remote.create(SessionCreate.model_validate(body)).raw


def test_the_rebase_rule_field_by_field() -> None:
    base = {"name": "A", "duration": 30, "time": "9:00 AM"}
    current = {"name": "B", "duration": 30, "time": "10:00 AM"}
    send, conflicts = rebase(base, {"duration": 45, "name": "C", "time": "10:00"}, current)
    assert send == {"duration": 45}  # the server left it as it was: ours goes through
    assert conflicts == {"name": {"base": "A", "ours": "C", "theirs": "B"}}  # "10:00" = theirs


def test_a_queued_edit_goes_through_beside_another_change_of_another_field(
    setup: tuple[RemoteSessions, httpx.Client, Counting],
) -> None:
    remote, api, transport = setup
    session = _make(remote)
    back = _offline(remote)
    assert remote.update(session["id"], SessionUpdate(duration=45)).queued
    assert api.put(f"/sessions/{session['id']}", json={"name": "Renamed"}).status_code == 200
    back()
    transport.seen.clear()
    report = remote.flush()
    assert (report.sent, report.failed, report.conflicts) == (1, [], [])
    # Sent with the cached ETag, refused with 412, rebased on the server's version.
    assert [s for _m, _p, s in transport.seen] == [412, 200, 200]
    got = api.get(f"/sessions/{session['id']}").json()
    assert (got["name"], got["duration"]) == ("Renamed", 45)
    assert remote.cache.get(session["id"])["name"] == "Renamed"


def test_both_sides_changing_a_field_is_a_conflict_kept_until_resolved(
    setup: tuple[RemoteSessions, httpx.Client, Counting],
) -> None:
    remote, api, _ = setup
    session = _make(remote)
    sid = session["id"]
    back = _offline(remote)
    remote.update(sid, SessionUpdate(duration=45, time="11:00"))
    api.put(f"/sessions/{sid}", json={"duration": 50})
    back()
    state = SyncService(remote, ManualClock()).sync_once()
    assert state.online and state.outbox == 0 and len(state.conflicts) == 1
    conflict = state.conflicts[0]
    assert conflict["session_id"] == sid
    assert conflict["fields"] == {"duration": {"base": 30, "ours": 45, "theirs": 50}}
    assert conflict["theirs"]["duration"] == 50 and conflict["ours"]["duration"] == 45
    got = api.get(f"/sessions/{sid}").json()
    assert (got["duration"], got["time"]) == (50, "11:00 AM")  # the rest of ours went in
    [failed] = remote.outbox.failed()  # never dropped: kept as failed, with the record
    assert failed.conflict is not None and "duration" in (failed.last_error or "")

    remote.resolve_conflict(failed.seq, "ours")
    assert remote.flush().sent == 1
    assert api.get(f"/sessions/{sid}").json()["duration"] == 45
    assert remote.conflicts() == []


def test_keeping_theirs_forgets_our_change(
    setup: tuple[RemoteSessions, httpx.Client, Counting],
) -> None:
    remote, api, _ = setup
    sid = _make(remote)["id"]
    back = _offline(remote)
    remote.update(sid, SessionUpdate(name="Ours"))
    api.put(f"/sessions/{sid}", json={"name": "Theirs"})
    back()
    [record] = remote.flush().conflicts
    assert record.seq is not None
    remote.resolve_conflict(record.seq, "theirs")
    assert remote.outbox.failed() == [] and remote.outbox.count() == 0
    assert api.get(f"/sessions/{sid}").json()["name"] == "Theirs"


def test_an_online_edit_on_a_stale_copy_is_rebased_or_reports_the_conflict(
    setup: tuple[RemoteSessions, httpx.Client, Counting],
) -> None:
    remote, api, transport = setup
    sid = _make(remote)["id"]
    api.put(f"/sessions/{sid}", json={"name": "Elsewhere"})
    transport.seen.clear()
    remote.update(sid, SessionUpdate(duration=60))
    assert transport.seen[0][0] == "PUT" and transport.seen[0][2] == 412
    assert api.get(f"/sessions/{sid}").json()["duration"] == 60
    api.put(f"/sessions/{sid}", json={"duration": 70})
    with pytest.raises(EditConflict) as caught:
        remote.update(sid, SessionUpdate(duration=80))
    assert caught.value.record.fields["duration"]["theirs"] == 70
    assert api.get(f"/sessions/{sid}").json()["duration"] == 70


def test_a_sync_with_no_change_is_one_request_answered_304(
    setup: tuple[RemoteSessions, httpx.Client, Counting], session_body: Body
) -> None:
    remote, api, transport = setup
    for index in range(120):  # two pages of 100
        api.post("/sessions", json=session_body(name=f"S{index}"))
    clock = ManualClock()
    service = SyncService(remote, clock)
    state = service.sync_once()
    assert state.online and state.outbox == 0 and len(remote.cache.all()) == 120
    transport.seen.clear()
    state = service.sync_once()
    assert transport.seen == [("GET", "/api/v1/sessions", 304)]
    assert state.online and state.error is None
    api.post("/sessions", json=session_body(name="New"))
    transport.seen.clear()
    service.sync_once()
    assert [s for _m, _p, s in transport.seen] == [200, 200]  # a change: both pages again
    assert len(remote.cache.all()) == 121

    back = _offline(remote)
    remote.create(SessionCreate.model_validate(session_body(name="Queued")))
    offline = service.sync_once()
    assert not offline.online and offline.offline_since == clock.now() and offline.outbox == 1
    clock.advance(minutes=5)
    assert service.sync_once().offline_since == offline.offline_since  # since the first one
    back()
    state = service.sync_once()
    assert state.online and state.offline_since is None and state.outbox == 0
    assert len(remote.cache.all()) == 122
