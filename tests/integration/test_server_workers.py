"""`deepworkzone serve --workers 2` on PostgreSQL, as a real process tree: whichever worker
takes a connection answers the same ETags, the same rate-limit counts and the same
idempotent result (all shared through the database)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psutil
import pytest

from tests.integration.conftest import SEED_SESSION
from tests.integration.server_backends import fresh_postgres

# Above what the first phase can use (8 + 4 x 20 + 1 requests), so only the last phase meets it.
RATE_LIMIT = 120
FAILED_AUTH_LIMIT = 5
DB_CONNECTIONS = 3


@dataclass
class Served:
    url: str
    db_url: str
    workers: list[psutil.Process]

    def database_connections(self) -> dict[int, int]:
        """Each worker's open connections to the database, by pid."""
        from sqlalchemy.engine import make_url

        port = make_url(self.db_url).port or 5432
        return {
            w.pid: sum(1 for c in w.net_connections(kind="tcp") if c.raddr and c.raddr.port == port)
            for w in self.workers
        }

    def token(self, email: str) -> str:
        from deepworkzone.server.accounts import ensure_user, issue_key
        from deepworkzone.server.db import make_engine, session_factory

        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as db:
                issued = issue_key(db, ensure_user(db, email, "acme"), "test", "USER")
                db.commit()
                return issued.token
        finally:
            engine.dispose()

    def call(self, method: str, path: str, token: str | None, **kw: Any) -> tuple[int, Any]:
        """One request on a new connection: (pid of the worker that took it, answer)."""
        headers = {**kw.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        with (
            httpx.Client(base_url=self.url + "/api/v1", timeout=30) as client,
            client.stream(method, path, headers=headers, **kw) as response,
        ):
            local = response.extensions["network_stream"].get_extra_info("client_addr")
            pid = self._worker_of(local[1])
            response.read()
        return pid, response

    def _worker_of(self, client_port: int) -> int:
        for worker in self.workers:
            for conn in worker.net_connections(kind="tcp"):
                if conn.raddr and conn.raddr.port == client_port:
                    return worker.pid
        raise AssertionError(f"no worker holds the connection from port {client_port}")

    def on_every_worker(
        self, method: str, path: str, token: str | None, **kw: Any
    ) -> dict[int, list[Any]]:
        """The same request on new connections until each worker answered it at least once."""
        answers: dict[int, list[Any]] = defaultdict(list)
        for _ in range(20):
            pid, response = self.call(method, path, token, **kw)
            answers[pid].append(response)
            if len(answers) == len(self.workers):
                return answers
        raise AssertionError(f"only workers {sorted(answers)} took connections")


@pytest.fixture
def served() -> Iterator[Served]:
    db_url = fresh_postgres()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deepworkzone.cli.main",
            "serve",
            "--port",
            "0",
            "--db",
            db_url,
            "--workers",
            "2",
            "--rate-limit",
            str(RATE_LIMIT),
            "--failed-auth-limit",
            str(FAILED_AUTH_LIMIT),
            "--db-connections",
            str(DB_CONNECTIONS),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        first_line = child.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/api/v1 .*, 2 workers", first_line)
        assert found, first_line
        url = f"http://127.0.0.1:{found.group(1)}"
        parent = psutil.Process(child.pid)
        deadline = time.monotonic() + 60
        while True:  # both workers started and serving
            workers = [p for p in parent.children() if "spawn" in " ".join(p.cmdline())]
            serving = [w for w in workers if any(c.status == "LISTEN" for c in w.net_connections())]
            if len(serving) == 2:
                break
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        yield Served(url, db_url, serving)
    finally:
        child.terminate()
        child.wait(timeout=30)


def _await_fresh_minute() -> None:
    """Rate-limit windows are the wall clock's minutes: start a phase well inside one."""
    if time.time() % 60 > 50:
        time.sleep(60 - time.time() % 60 + 0.1)


def test_two_workers_on_postgresql_answer_the_same(served: Served) -> None:
    _await_fresh_minute()
    token = served.token("me@acme.test")

    # Idempotency: 8 parallel POSTs with one key, over both workers: one session.
    answers: list[Any] = []
    start = threading.Barrier(8)

    def post() -> None:
        start.wait()
        answers.append(
            served.call(
                "POST", "/sessions", token, json=SEED_SESSION, headers={"Idempotency-Key": "k"}
            )
        )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for _, a in answers] == [201] * 8, [a.text for _, a in answers]
    assert len({a.json()["id"] for _, a in answers}) == 1
    session_id = answers[0][1].json()["id"]
    path = f"/sessions/{session_id}"

    # ETags: every worker names the item and the listing alike, caches warmed on each.
    items = served.on_every_worker("GET", path, token)
    assert {r.headers["ETag"] for rs in items.values() for r in rs} == {f'W/"{session_id}-1"'}
    lists = served.on_every_worker("GET", "/sessions", token)
    assert len({r.headers["ETag"] for rs in lists.values() for r in rs}) == 1
    _, put = served.call(
        "PUT", path, token, json={"duration": 77}, headers={"If-Match": f'W/"{session_id}-1"'}
    )
    assert put.status_code == 200 and put.headers["ETag"] == f'W/"{session_id}-2"'
    stale = served.on_every_worker(
        "PUT", path, token, json={"duration": 5}, headers={"If-Match": f'W/"{session_id}-1"'}
    )
    assert {r.status_code for rs in stale.values() for r in rs} == {412}
    relisted = served.on_every_worker("GET", "/sessions", token)
    assert {r.json()[0]["duration"] for rs in relisted.values() for r in rs} == {77}
    assert len({r.headers["ETag"] for rs in relisted.values() for r in rs}) == 1

    # Rate limit per key: one count over both workers, then 429 from each.
    _await_fresh_minute()
    busy = served.token("busy@acme.test")
    remaining = []
    for _ in range(RATE_LIMIT):
        _, answer = served.call("GET", "/sessions", busy)
        assert answer.status_code == 200
        remaining.append(int(answer.headers["X-RateLimit-Remaining"]))
    assert remaining == list(range(RATE_LIMIT - 1, -1, -1))
    refused = served.on_every_worker("GET", "/sessions", busy)
    assert {r.status_code for rs in refused.values() for r in rs} == {429}
    assert all(int(r.headers["Retry-After"]) >= 1 for rs in refused.values() for r in rs)

    # Failed authentications from this address: one count over both workers.
    failed = [served.call("GET", "/sessions", f"dwz_guess{i}")[1] for i in range(5)]
    assert [r.status_code for r in failed] == [401] * FAILED_AUTH_LIMIT
    blocked = served.on_every_worker("GET", "/sessions", "dwz_another-guess")
    assert {r.status_code for rs in blocked.values() for r in rs} == {429}

    # --db-connections reached each worker: after all of the above, no more than that each.
    assert all(0 < n <= DB_CONNECTIONS for n in served.database_connections().values())
