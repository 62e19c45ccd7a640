"""The engine's sync against the real server: the plan follows the server, offline is told.

Injected clock, manual timers; the server is real on loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deepworkzone.api.config import Connection
from deepworkzone.core.settings import Settings
from deepworkzone.domain.clock import ManualClock
from deepworkzone.engine import events as ev
from deepworkzone.engine.engine import Engine
from deepworkzone.engine.sessions_service import SessionsService
from deepworkzone.engine.timers import ManualTimers
from tests.integration.conftest import LiveServer


def _engine(url: str, token: str, clock: ManualClock) -> tuple[Engine, list[object]]:
    engine = Engine(
        SessionsService(Connection(url, token), clock=clock),
        timers=ManualTimers(clock),
        clock=clock,
        settings=Settings(blocking_method="hosts", sync_interval_seconds=60),
    )
    seen: list[object] = []
    engine.events.subscribe(seen.append)
    return engine, seen


def _body(starts: datetime, name: str) -> dict[str, object]:
    return {
        "name": name,
        "duration": 30,
        "schedule": starts.date().isoformat(),
        "time": starts.strftime("%H:%M"),
        "timezone": "UTC",
        "website_blocker_enabled": True,
        "website_blocker": {"mode": "custom", "urls": ["blocked.example"]},
    }


def test_the_plan_follows_the_server_after_each_sync(live_server: LiveServer) -> None:
    token = live_server.create_user("me@acme.test")
    api = live_server.client(token)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    starts = (clock.now() + timedelta(hours=2)).replace(minute=0, second=0)
    first = api.post("/sessions", json=_body(starts, "Morning")).json()["id"]
    engine, seen = _engine(live_server.url, token, clock)
    engine.start()
    nxt = engine.next_session()
    assert nxt is not None and (nxt.session_id, nxt.starts_at) == (first, starts)
    assert [s.online for s in seen if isinstance(s, ev.SyncState)] == [True]

    earlier = api.post("/sessions", json=_body(starts - timedelta(hours=1), "Earlier")).json()
    clock.advance(61)
    engine.timers.run_due()  # the sync interval passed
    assert engine.next_session().session_id == earlier["id"]
    api.delete(f"/sessions/{earlier['id']}")
    engine.sync_now()
    assert engine.next_session().session_id == first
    engine.shutdown()


def test_offline_is_reported_with_its_start_and_the_queue(live_server: LiveServer) -> None:
    token = live_server.create_user("me@acme.test")
    clock = ManualClock(datetime.now(UTC))
    engine, seen = _engine("http://127.0.0.1:9", token, clock)  # nothing listens there
    engine.start()
    state = engine.status()["sync"]
    assert state["online"] is False
    assert state["offline_since"] == clock.now().isoformat().replace("+00:00", "Z")
    clock.advance(61)
    engine.timers.run_due()
    # Still the first moment it went offline, not the latest attempt.
    assert engine.status()["sync"]["offline_since"] == state["offline_since"]
    assert sum(isinstance(e, ev.SyncState) for e in seen) == 2
    engine.shutdown()
