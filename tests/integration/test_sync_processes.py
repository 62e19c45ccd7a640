"""Two processes flushing one outbox at once, against the real server: each queued create
reaches the server exactly once (50 runs), and the local store ends consistent."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from deepworkzone.api.client import SessionsClient
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.engine.sync import RemoteSessions
from deepworkzone.store.db import connect
from tests.integration.conftest import LiveServerFactory

RUNS = 50
CREATES = 4

# A long-lived flusher: for each database path read from stdin, flush its outbox once.
WORKER = """
import json, sys
from deepworkzone.api.client import SessionsClient
from deepworkzone.engine.sync import RemoteSessions
from deepworkzone.store.db import connect
url, token, scope = sys.argv[1:4]
client = SessionsClient(url, token, max_retries=0)
print("ready", flush=True)
for line in sys.stdin:
    conn = connect(__import__("pathlib").Path(line.strip()))
    report = RemoteSessions(client, conn, scope).flush()
    conn.close()
    print(json.dumps({"sent": report.sent, "busy": report.busy,
                      "failed": len(report.failed), "remaining": report.remaining}), flush=True)
"""


def _dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _queue(path: Path, run: int) -> None:
    """Queue CREATES creates (and an update of the first) while the server is unreachable."""
    conn = connect(path)
    offline = SessionsClient(_dead_url(), "t", max_retries=0)
    remote = RemoteSessions(offline, conn, SCOPE)
    for index in range(CREATES):
        body = SessionCreate(
            name=f"run {run} #{index}", duration=30, schedule="2026-03-02", time="9:00"
        )  # type: ignore[arg-type]
        assert remote.create(body).queued
    assert remote.update(-1, SessionUpdate(duration=45)).queued
    offline.close()
    conn.close()


SCOPE = "live"


def test_two_processes_flushing_one_outbox_never_send_a_create_twice(
    live_server_factory: LiveServerFactory, tmp_path: Path
) -> None:
    live_server = live_server_factory(rate_limit_per_minute=10**6)
    token = live_server.create_user("me@acme.test")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, live_server.url, token, SCOPE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        busy_seen = 0
        for run in range(RUNS):
            path = tmp_path / f"run-{run}.db"
            _queue(path, run)
            for worker in workers:  # both start at once
                assert worker.stdin is not None
                worker.stdin.write(f"{path}\n")
                worker.stdin.flush()
            reports = []
            for worker in workers:
                assert worker.stdout is not None
                reports.append(json.loads(worker.stdout.readline()))
            assert sum(r["sent"] for r in reports) == CREATES + 1, reports
            assert all(r["failed"] == 0 for r in reports), reports
            busy_seen += sum(r["busy"] for r in reports)
            conn = connect(path)
            remote = RemoteSessions(SessionsClient(live_server.url, token), conn, SCOPE)
            assert remote.outbox.count() == 0 and not remote.outbox.failed()
            first = remote.cache.get(-1)  # the temporary id leads to the server's session
            assert first is not None and first["id"] > 0 and first["duration"] == 45
            conn.close()
    finally:
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.close()
            worker.wait(timeout=30)
    with httpx.Client(
        base_url=live_server.api_url, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        names = [
            s["name"]
            for page in range(1, RUNS * CREATES // 100 + 2)
            for s in api.get("/sessions", params={"per_page": 100, "page": page}).json()
        ]
    expected = [f"run {run} #{index}" for run in range(RUNS) for index in range(CREATES)]
    assert sorted(names) == sorted(expected)  # every create once: no duplicate, none lost
    assert busy_seen > 0  # the processes did meet on the outbox
