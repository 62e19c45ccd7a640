"""200 seeded random edits while the real server is down, or answers 500 / 429, or drops the
connection before or after doing the work, through a real reverse proxy on loopback; once the
faults stop and the outbox is flushed, the server holds exactly the local final state."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import random
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.domain.clock import ManualClock, format_clock, parse_clock
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.engine.sync import RemoteSessions
from deepworkzone.engine.sync_service import SyncService
from deepworkzone.store.db import ThreadConnections
from tests.integration.conftest import LiveServerFactory

FAULTS = ("500-before", "429", "drop-before", "drop-after", "500-after")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class FaultProxy:
    """A reverse proxy in front of the server. Each request, with probability ``fault_rate``,
    gets one of FAULTS: answered 500 or 429 (Retry-After: 0) without reaching the server, its
    connection dropped before it is forwarded, or forwarded and then its answer dropped or
    replaced by a 500. ``off()`` closes the port (connections refused: the server is down)."""

    def __init__(self, upstream_port: int, seed: int) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.fault_rate = 0.0
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def on(self) -> None:
        if self._server is not None:
            return
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                proxy.handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

        ThreadingHTTPServer.allow_reuse_address = True
        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def off(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _choose(self) -> str:
        with self._lock:
            fault = self.rng.choice(FAULTS) if self.rng.random() < self.fault_rate else "pass"
            self.counts[fault] += 1
            return fault

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        fault = self._choose()
        if fault == "drop-before":
            return _drop(request)
        if fault in ("500-before", "429"):
            status = 500 if fault == "500-before" else 429
            return _answer(request, status, [("Retry-After", "0")], b'{"detail": "injected"}')
        status, headers, content = self._forward(request, body)
        if fault == "drop-after":
            return _drop(request)
        if fault == "500-after":
            return _answer(request, 500, [], b'{"detail": "injected after the work"}')
        _answer(request, status, headers, content)

    def _forward(
        self, request: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=10)
        try:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
            upstream.request(request.command, request.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            return answer.status, kept, content
        finally:
            upstream.close()


def _drop(request: BaseHTTPRequestHandler) -> None:
    request.close_connection = True
    with contextlib.suppress(OSError):
        request.connection.shutdown(socket.SHUT_RDWR)


def _answer(
    request: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], content: bytes
) -> None:
    request.send_response(status)
    for name, value in headers:
        if name.lower() not in ("date", "server"):
            request.send_header(name, value)
    if status not in (204, 304):
        request.send_header("Content-Length", str(len(content)))
    request.end_headers()
    if status not in (204, 304):
        request.wfile.write(content)


START = dt.date(2026, 3, 2)
TIMES = ["7:00 AM", "9:30 AM", "1:00 PM", "9:15 PM"]


class Model:
    """What the user meant: every live session's fields, by the id the app answered."""

    def __init__(self) -> None:
        self.sessions: dict[int, dict[str, Any]] = {}


def _body(rng: random.Random, name: str) -> dict[str, Any]:
    schedule = START + dt.timedelta(days=rng.randrange(30))
    body: dict[str, Any] = {
        "name": name,
        "duration": rng.randrange(5, 180),
        "schedule": schedule.isoformat(),
        "time": rng.choice(TIMES),
        "is_public": rng.random() < 0.5,
    }
    if rng.random() < 0.5:
        body.update(
            is_recurring=1,
            occurrence="daily",
            recurring_ends=(schedule + dt.timedelta(days=20)).isoformat(),
        )
    return body


def _expected_fields(model: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": model["name"],
        "duration": model["duration"],
        "schedule": model["schedule"],
        "time": format_clock(parse_clock(model["time"])),
        "is_public": model["is_public"],
        "is_recurring": model.get("is_recurring", 0),
        "deleted_occurrences": sorted(model.get("deleted", set())),
    }


def _fields(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": raw["name"],
        "duration": raw["duration"],
        "schedule": raw["schedule"],
        "time": raw["time"],
        "is_public": raw["is_public"],
        "is_recurring": raw["is_recurring"],
        "deleted_occurrences": sorted(raw.get("deleted_occurrences") or []),
    }


@pytest.mark.parametrize("seed", [20261122, 7])
def test_random_edits_through_faults_end_with_the_server_holding_the_local_state(
    live_server_factory: LiveServerFactory, tmp_path: Path, seed: int
) -> None:
    server = live_server_factory(rate_limit_per_minute=10**6)
    token = server.create_user("me@acme.test")
    proxy = FaultProxy(int(server.url.rsplit(":", 1)[1]), seed)
    proxy.on()
    proxy.fault_rate = 0.3
    rng = random.Random(seed)
    conns = ThreadConnections(tmp_path / "deepworkzone.db")
    client = SessionsClient(proxy.url, token, max_retries=2, timeout=5, sleep=lambda _s: None)
    remote = RemoteSessions(client, conns, "proxy", queue_on_failure=True)
    service = SyncService(remote, ManualClock())
    model = Model()
    done: Counter[str] = Counter()
    try:
        for step in range(200):
            if rng.random() < 0.08:  # the server goes down, or comes back
                proxy.off() if proxy._server is not None else proxy.on()
            live = sorted(model.sessions)
            recurring = [h for h in live if model.sessions[h].get("is_recurring")]
            roll = rng.random()
            if roll < 0.1:
                service.sync_once()
                done["sync"] += 1
                continue
            if roll < 0.35 or not live:
                body = _body(rng, f"s{step}")
                outcome = remote.create(SessionCreate.model_validate(body))
                model.sessions[int(outcome.raw["id"])] = body
                done["create"] += 1
            elif roll < 0.7:
                handle = rng.choice(live)
                changes: dict[str, Any] = {}
                for name in rng.sample(
                    ["duration", "name", "time", "is_public"], rng.randrange(1, 4)
                ):
                    changes[name] = {
                        "duration": rng.randrange(5, 180),
                        "name": f"s{step}-renamed",
                        "time": rng.choice(TIMES),
                        "is_public": rng.random() < 0.5,
                    }[name]
                remote.update(handle, SessionUpdate.model_validate(changes))
                model.sessions[handle].update(changes)
                done["update"] += 1
            elif roll < 0.85 and recurring:
                handle = rng.choice(recurring)
                wanted = model.sessions[handle]
                deleted = wanted.setdefault("deleted", set())
                first = dt.date.fromisoformat(wanted["schedule"])
                days = [(first + dt.timedelta(days=k)).isoformat() for k in range(21)]
                free = [d for d in days if d not in deleted]
                if len(free) < 2:
                    continue
                day = rng.choice(free)
                remote.delete(handle, dt.date.fromisoformat(day))
                deleted.add(day)
                done["occurrence"] += 1
            else:
                handle = rng.choice(live)
                remote.delete(handle)
                del model.sessions[handle]
                done["delete"] += 1

        proxy.fault_rate = 0.0
        proxy.on()
        for _ in range(5):
            state = service.sync_once()
            if state.online and state.outbox == 0 and state.error is None:
                break
        assert state.online and state.outbox == 0 and state.error is None, state
        assert remote.outbox.failed() == [] and state.conflicts == ()
    finally:
        proxy.off()
        client.close()

    with httpx.Client(base_url=server.api_url, headers={"Authorization": f"Bearer {token}"}) as api:
        on_server = {
            s["id"]: s
            for page in range(1, 5)
            for s in api.get("/sessions", params={"per_page": 100, "page": page}).json()
        }
    expected = {remote.cache.resolve(h): _expected_fields(m) for h, m in model.sessions.items()}
    assert sorted(on_server) == sorted(expected)  # nothing doubled, nothing lost
    for session_id, wanted in expected.items():
        assert _fields(on_server[session_id]) == wanted, session_id
        cached = remote.cache.get(session_id)
        assert cached is not None and _fields(cached) == wanted, session_id
    assert len(remote.cache.all()) == len(expected)
    # The run did meet every kind of fault, and every kind of edit.
    assert all(proxy.counts[f] > 0 for f in FAULTS), proxy.counts
    assert all(done[k] > 5 for k in ("create", "update", "delete", "occurrence", "sync")), done
    conns.close()
