"""Benchmark: the Sessions API server under concurrent clients, on SQLite and PostgreSQL.

Clients are threads of this process, each on its own keep-alive connection, running for a
fixed time; the server always runs in child processes (bench/serving.py). 1 client and 8 take
turns, ``--rounds`` times ``--seconds`` each, so that a load that drifts during the run (the
machine is shared) weighs on both alike; each round's ratio and the server's CPU time per
create are printed too.

- SQLite, creates per second (POST /sessions with an Idempotency-Key, as the app sends
  them) with 1 client and with 8, the real app in one process. Baseline in the same run: the
  same app with SQLite's own busy polling between writers (``--serve ... plain``: writers
  not queued, as before). Target: 8 clients at least as fast as 1.
- PostgreSQL (``--pg URL``, a database the bench may wipe; skipped without it), through
  ``deepworkzone serve --workers 1`` and ``--workers 2``: creates per second with 1 and 8
  clients (target: 8 >= 1 for each), and GET /sessions?date=D&per_page=20 on ``--sessions``
  seeded sessions with 8 clients, p50 and requests per second, next to a bare FastAPI
  endpoint answering 20 sessions (one process) with the same clients.

    python bench/bench_server.py [--pg postgresql+psycopg://...] [--seconds 2] [--rounds 3]
        [--sessions 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_sessions_list import YEAR_START, _session_fields, seed
from serving import bare_app, child_apps, cpu_seconds, serve_apps, served_command

CREATE = {"name": "bench", "type": "standard", "duration": 25, "schedule": "2026-03-02"}
CREATE |= {"time": "9:00 AM", "timezone": "UTC"}
LOAD_BEFORE = os.getloadavg()[0]


def serve(db_url: str, mode: str) -> None:
    """Child process: the real app (``plain``: writers poll SQLite's lock, the old way), or
    the bare endpoint alone (``bare``)."""
    if mode == "bare":
        payload = [_session_fields(random.Random(i), i) for i in range(20)]
        serve_apps(bare_app(payload))
        return
    import sqlite3

    from deepworkzone.server import db
    from deepworkzone.server.app import create_app

    if mode == "plain":
        db.SerializedWriters = sqlite3.Connection  # type: ignore[misc,assignment]
    serve_apps(create_app(db_url, rate_limit_per_minute=10**9))


def token_for(db_url: str, email: str) -> str:
    from deepworkzone.server.accounts import ensure_user, issue_key
    from deepworkzone.server.db import make_engine, migrate, session_factory

    engine = make_engine(db_url)
    migrate(engine)
    with session_factory(engine)() as db:
        token = issue_key(db, ensure_user(db, email, "acme"), "bench", "USER").token
        db.commit()
    engine.dispose()
    return token


def load(
    url: str, clients: int, seconds: float, request: Callable[[Any, int], Any]
) -> dict[str, float]:
    """``clients`` threads calling ``request(client, n)`` for ``seconds``: req/s and p50."""
    import httpx

    latencies: list[list[float]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def work(index: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            request(client, -1).raise_for_status()  # connect and warm up off the clock
            start.wait()
            mine = latencies[index]
            while not stop.is_set():
                t0 = time.perf_counter()
                request(client, len(mine)).raise_for_status()
                mine.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [x for mine in latencies for x in mine]
    return {
        "rps": len(every) / elapsed,
        "p50_ms": statistics.median(every) * 1000,
        "n": len(every),
        "s": elapsed,
    }


def one_vs_eight(
    url: str, seconds: float, rounds: int, request: Callable[[Any, int], Any], pid: int
) -> dict[Any, Any]:
    """1 client then 8, ``rounds`` times in turn, ``seconds`` each: a machine whose load
    drifts during the run weighs on both alike. Rates over all rounds, the server's CPU
    time per request (process ``pid``), and each round's 8-vs-1 ratio."""
    runs: dict[int, list[dict[str, float]]] = {1: [], 8: []}
    cpu = {1: 0.0, 8: 0.0}
    for _ in range(rounds):
        for clients in (1, 8):
            before = cpu_seconds(pid)
            runs[clients].append(load(url, clients, seconds, request))
            cpu[clients] += cpu_seconds(pid) - before
    out: dict[Any, Any] = {}
    for clients, rs in runs.items():
        done = sum(r["n"] for r in rs)
        out[clients] = {
            "rps": done / sum(r["s"] for r in rs),
            "cpu_ms": cpu[clients] * 1000 / done,
        }
    out["ratios"] = [e["rps"] / o["rps"] for o, e in zip(runs[1], runs[8], strict=True)]
    return out


def creates(url: str, token: str) -> Callable[[Any, int], Any]:
    headers = {"Authorization": f"Bearer {token}"}

    def post(client: Any, _n: int) -> Any:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        return client.post("/api/v1/sessions", json=CREATE, headers=headers | key)

    return post


def listing(token: str | None, path: str) -> Callable[[Any, int], Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    rng = random.Random(7)
    days = [(YEAR_START + dt.timedelta(days=rng.randrange(365))).isoformat() for _ in range(999)]

    def get(client: Any, n: int) -> Any:
        return client.get(
            path, params={"date": days[n % len(days)], "per_page": 20}, headers=headers
        )

    return get


def _listening_pid(port: int) -> int:
    import psutil

    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.pid:
            return connection.pid
    raise RuntimeError(f"nothing listens on port {port}")


def run_sqlite(seconds: float, rounds: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in ("plain", "queued"):
        with tempfile.TemporaryDirectory() as folder:
            db_url = f"sqlite:///{Path(folder) / 'bench.db'}"
            token = token_for(db_url, "bench@acme.test")
            with child_apps(__file__, db_url, mode) as (port,):
                url = f"http://127.0.0.1:{port}"
                pid = _listening_pid(port)
                out[mode] = one_vs_eight(url, seconds, rounds, creates(url, token), pid)
    return out


def run_postgres(pg_url: str, seconds: float, rounds: int, sessions: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    token = seed(pg_url, sessions)  # migrates, seeds one user's sessions
    writer = token_for(pg_url, "writer@acme.test")  # creates in another org's lists
    out: dict[str, Any] = {}
    for workers in (1, 2):
        with served_command(pg_url, workers) as (url, pid):
            out["create", workers] = one_vs_eight(url, seconds, rounds, creates(url, writer), pid)
            cpu = cpu_seconds(pid)
            out["list", workers] = load(url, 8, seconds, listing(token, "/api/v1/sessions"))
            cpu = cpu_seconds(pid) - cpu
            out["list", workers]["cpu_ms"] = cpu * 1000 / (out["list", workers]["rps"] * seconds)
    with child_apps(__file__, "-", "bare") as (port,):
        url = f"http://127.0.0.1:{port}"
        out["bare"] = load(url, 8, seconds, listing(None, "/bare"))
    return out


def _ratios(figures: dict[Any, Any]) -> str:
    return "–".join(f"{x:.2f}" for x in (min(figures["ratios"]), max(figures["ratios"])))


def _cpu(figures: dict[Any, Any]) -> str:
    return f"server CPU {figures[1]['cpu_ms']:.2f} / {figures[8]['cpu_ms']:.2f} ms per create"


def report(sqlite: dict[str, Any], pg: dict[str, Any] | None) -> bool:
    ok = True
    print(f"load average before the runs: {LOAD_BEFORE:.2f}, after: {os.getloadavg()[0]:.2f}")
    print("SQLite, POST /sessions (creates/s)  1 client  8 clients  8 vs 1  (each round)")
    for mode, label in (
        ("plain", "writers poll SQLite's lock"),
        ("queued", "writers queue (the server)"),
    ):
        one, eight = sqlite[mode][1]["rps"], sqlite[mode][8]["rps"]
        print(
            f"  {label:<36}{one:>8.0f}{eight:>11.0f}{eight / one:>9.2f}x  "
            f"({_ratios(sqlite[mode])})  {_cpu(sqlite[mode])}"
        )
    one, eight = sqlite["queued"][1]["rps"], sqlite["queued"][8]["rps"]
    ok &= eight >= one
    print(f"  target 8 clients >= 1 client: {'PASS' if eight >= one else 'FAIL'}")
    if pg is None:
        print("PostgreSQL: skipped (no --pg URL)")
        return ok
    print("PostgreSQL, POST /sessions (creates/s)  1 client  8 clients  8 vs 1  (each round)")
    pg_ok = True
    for workers in (1, 2):
        figures = pg["create", workers]
        one, eight = figures[1]["rps"], figures[8]["rps"]
        pg_ok &= eight >= one
        print(
            f"  serve --workers {workers:<22}{one:>8.0f}{eight:>11.0f}{eight / one:>9.2f}x"
            f"  ({_ratios(figures)})  {_cpu(figures)}"
        )
    print(f"  target 8 clients >= 1 client: {'PASS' if pg_ok else 'FAIL'}")
    ok &= pg_ok
    print(
        "PostgreSQL, GET /sessions?date=D&per_page=20, 8 clients"
        "   p50 ms   req/s  vs bare  server CPU ms/req"
    )
    bare = pg["bare"]["rps"]
    for label, figures in (
        ("serve --workers 1", pg["list", 1]),
        ("serve --workers 2", pg["list", 2]),
        ("bare FastAPI endpoint (1 process)", pg["bare"]),
    ):
        cpu = f"{figures['cpu_ms']:>10.2f}" if "cpu_ms" in figures else ""
        print(
            f"  {label:<52}{figures['p50_ms']:>7.2f}{figures['rps']:>8.0f}"
            f"{figures['rps'] / bare:>8.0%}{cpu}"
        )
    ratio = pg["list", 2]["rps"] / pg["list", 1]["rps"]
    print(f"  2 workers vs 1: {ratio:.2f}x the requests per second")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pg", metavar="URL", default=os.environ.get("DEEPWORKZONE_BENCH_PG_URL"))
    parser.add_argument("--seconds", type=float, default=2.0, help="per round and client count")
    parser.add_argument("--rounds", type=int, default=3, help="1 client then 8, this many times")
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--serve", nargs=2, metavar=("DB_URL", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return 0
    sqlite = run_sqlite(args.seconds, args.rounds)
    pg = run_postgres(args.pg, args.seconds, args.rounds, args.sessions) if args.pg else None
    return 0 if report(sqlite, pg) else 1


if __name__ == "__main__":
    sys.exit(main())
