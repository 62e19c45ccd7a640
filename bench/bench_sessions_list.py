"""Benchmark: GET /api/v1/sessions?date=...&per_page=20 with 10,000 sessions in the database.

A third of the sessions are recurring series. The server runs in a child process (uvicorn on
loopback, SQLite file in a temporary folder) so that the client does not share its GIL; next
to the real app it serves a bare FastAPI endpoint answering a fixed 20-session payload, and both
are measured in the same run, one sequential keep-alive client each. Targets: p50 < 15 ms and
at least 40% of the bare endpoint's throughput.

    python bench/bench_sessions_list.py [--sessions 10000] [--requests 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from serving import bare_app, child_apps, serve_apps

TARGET_P50_MS = 15.0
TARGET_RATIO = 0.40
YEAR_START = dt.date(2026, 1, 1)


def _session_fields(rng: random.Random, index: int) -> dict[str, Any]:
    schedule = YEAR_START + dt.timedelta(days=rng.randrange(365))
    body: dict[str, Any] = {
        "name": f"Session {index} {rng.choice(['writing', 'coding', 'reading', 'planning'])}",
        "type": rng.choice(["drop-in", "standard"]),
        "duration": rng.choice([25, 50, 90]),
        "schedule": schedule.isoformat(),
        "time": f"{rng.randrange(6, 22)}:{rng.choice(['00', '30'])}",
        "timezone": rng.choice(["UTC", "Europe/Paris", "America/New_York"]),
        "is_public": rng.random() < 0.5,
        "website_blocker_enabled": True,
        "website_blocker": {"mode": "preset", "category": ["social-media"], "urls": []},
    }
    if index % 3 == 0:
        kind = rng.choice(["daily", "weekly", "monthly-exact", "monthly-week"])
        ends = schedule + dt.timedelta(days=rng.randrange(30, 365))
        body.update(
            is_recurring=1,
            recurring_ends=rng.choice([None, ends.isoformat()]),
            occurrence=kind.split("-")[0],
            recurring_days=rng.sample(range(1, 8), rng.randrange(1, 4)),
            recurring_month_option="week" if kind == "monthly-week" else "exact",
            recurring_month_week_pos=rng.randrange(1, 6),
            recurring_month_week_day=rng.randrange(1, 8),
            fallback_option=rng.randrange(2),
        )
    return body


def seed(db_url: str, count: int) -> str:
    """Fill the database; return a token of the user who owns everything."""
    from deepworkzone.domain.models import SessionCreate
    from deepworkzone.server.accounts import ensure_user, issue_key
    from deepworkzone.server.db import make_engine, migrate, session_factory
    from deepworkzone.server.orm import SessionRow
    from deepworkzone.server.timeutil import utcnow
    from deepworkzone.server.wire import write_fields

    engine = make_engine(db_url)
    migrate(engine)
    rng = random.Random(20261122)
    with session_factory(engine)() as db:
        user = ensure_user(db, "bench@acme.test", "acme")
        token = issue_key(db, user, "bench", "USER").token
        now = utcnow()
        for index in range(count):
            row = SessionRow(
                org_id=user.org_id, created_by=user.id, created_at=now, updated_at=now, version=1
            )
            write_fields(row, SessionCreate.model_validate(_session_fields(rng, index)))
            db.add(row)
        db.commit()
    engine.dispose()
    return token


def serve(db_url: str) -> None:
    """Child process: the real app and a bare app answering 20 sessions."""
    from deepworkzone.server.app import create_app

    payload = [_session_fields(random.Random(i), i) for i in range(20)]
    serve_apps(create_app(db_url, rate_limit_per_minute=10**9), bare_app(payload))


def measure(
    client: Any, url: str, params: list[dict[str, str]], warm_up: int = 50
) -> dict[str, float]:
    """Sequential requests on one keep-alive connection: latency percentiles and req/s."""
    for query in params[:warm_up]:  # connections, thread pool, SQLite pages
        client.get(url, params=query).raise_for_status()
    latencies = []
    started = time.perf_counter()
    for query in params:
        t0 = time.perf_counter()
        response = client.get(url, params=query)
        latencies.append(time.perf_counter() - t0)
        response.raise_for_status()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "rps": len(params) / elapsed,
    }


def _date_queries(days: list[dt.date]) -> list[dict[str, str]]:
    return [{"date": d.isoformat(), "per_page": "20"} for d in days]


def run_clients(token: str, real_port: int, bare_port: int, requests: int) -> dict[str, Any]:
    import httpx

    rng = random.Random(7)
    every_day = [YEAR_START + dt.timedelta(days=i) for i in range(365)]
    days = [rng.choice(every_day) for _ in range(requests)]
    real_url = f"http://127.0.0.1:{real_port}/api/v1/sessions"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        # First pass, one request per day: every page is rendered for the first time.
        cold = measure(client, real_url, _date_queries(every_day), warm_up=0)
        warm = measure(client, real_url, _date_queries(days))
    with httpx.Client(timeout=10) as client:
        bare = measure(client, f"http://127.0.0.1:{bare_port}/bare", [{}] * requests)
    return {"cold": cold, "warm": warm, "bare": bare}


def report(results: dict[str, Any]) -> bool:
    cold, warm, bare = results["cold"], results["warm"], results["bare"]
    ratio = warm["rps"] / bare["rps"]
    rows = [
        ("GET /sessions?date=D, first pass", cold),
        ("GET /sessions?date=D, steady", warm),
        ("bare FastAPI endpoint", bare),
    ]
    print(f"{'endpoint (per_page=20)':<36}{'p50 ms':>8}{'p95 ms':>8}{'req/s':>8}")
    for label, figures in rows:
        print(
            f"{label:<36}{figures['p50_ms']:>8.2f}{figures['p95_ms']:>8.2f}{figures['rps']:>8.0f}"
        )
    p50_ok = warm["p50_ms"] < TARGET_P50_MS and cold["p50_ms"] < TARGET_P50_MS
    ratio_ok = ratio >= TARGET_RATIO
    print(f"p50 target < {TARGET_P50_MS:.0f} ms (both passes): {'PASS' if p50_ok else 'FAIL'}")
    print(
        f"throughput {ratio:.0%} of the bare endpoint's "
        f"(target >= {TARGET_RATIO:.0%}): {'PASS' if ratio_ok else 'FAIL'}"
    )
    return p50_ok and ratio_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--serve", metavar="DB_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    with tempfile.TemporaryDirectory() as folder:
        db_url = f"sqlite:///{Path(folder) / 'bench.db'}"
        t0 = time.perf_counter()
        token = seed(db_url, args.sessions)
        print(f"seeded {args.sessions} sessions in {time.perf_counter() - t0:.1f} s")
        with child_apps(__file__, db_url) as (real_port, bare_port):
            results = run_clients(token, real_port, bare_port, args.requests)
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
