"""Benchmark: a full sync of 10,000 sessions from the real server, and a sync with no change.

The server runs in a child process (uvicorn on loopback, SQLite file in a temporary folder,
seeded like bench_sessions_list.py), so the client does not share its GIL. Measured in the
same run, each with its baseline:

- full sync: ``SyncService.sync_once()`` on an empty local store (100 pages of 100, each
  stored in the SQLite cache), against bare GETs of the same 100 pages (no parsing, no
  storing). Target < 5 s.
- sync with no change: ``sync_once()`` again (one conditional request answered 304),
  against ``GET /health``-like minimal requests (the bare endpoint of the same child).
  Target: one request, < 20 ms.

    python bench/bench_sync.py [--sessions 10000] [--repeats 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_sessions_list import seed
from serving import bare_app, child_apps, serve_apps

TARGET_FULL_S = 5.0
TARGET_NO_CHANGE_MS = 20.0


def serve(db_url: str) -> None:
    """Child process: the real app, and a bare endpoint answering {} on another port."""
    from deepworkzone.server.app import create_app

    serve_apps(create_app(db_url, rate_limit_per_minute=10**9), bare_app({}))


class Counting:
    def __init__(self) -> None:
        import httpx

        class Transport(httpx.HTTPTransport):
            def handle_request(inner, request: httpx.Request) -> httpx.Response:
                response = super().handle_request(request)
                self.seen.append(response.status_code)
                return response

        self.seen: list[int] = []
        self.transport = Transport()


def run(token: str, real: int, bare: int, repeats: int, folder: Path) -> dict[str, Any]:
    import httpx

    from deepworkzone.api.client import SessionsClient
    from deepworkzone.domain.clock import ManualClock
    from deepworkzone.engine.sync import RemoteSessions
    from deepworkzone.engine.sync_service import SyncService
    from deepworkzone.store.db import ThreadConnections

    url = f"http://127.0.0.1:{real}"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url + "/api/v1", headers=headers, timeout=30) as raw:
        raw.get("/sessions", params={"per_page": 100}).raise_for_status()  # warm the pool
        full_sync, bare_pages = [], []
        for attempt in range(3):
            counting = Counting()
            client = SessionsClient(url, token, transport=counting.transport, timeout=30)
            conns = ThreadConnections(folder / f"sync-{attempt}.db")
            service = SyncService(RemoteSessions(client, conns, "bench"), ManualClock())
            t0 = time.perf_counter()
            state = service.sync_once()
            full_sync.append(time.perf_counter() - t0)
            assert state.online and state.error is None, state
            stored = len(service.remote.cache.all())
            pages = len(counting.seen)
            t0 = time.perf_counter()
            for page in range(1, pages + 1):
                raw.get("/sessions", params={"per_page": 100, "page": page}).raise_for_status()
            bare_pages.append(time.perf_counter() - t0)
            # No change: one conditional request, answered 304.
            counting.seen.clear()
            no_change = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                service.sync_once()
                no_change.append(time.perf_counter() - t0)
            per_sync = len(counting.seen) / repeats
            assert set(counting.seen) == {304}, counting.seen[:5]
            client.close()
            conns.close()
    with httpx.Client(base_url=f"http://127.0.0.1:{bare}", timeout=10) as health:
        for _ in range(50):
            health.get("/bare")
        baseline = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            health.get("/bare").raise_for_status()
            baseline.append(time.perf_counter() - t0)
    return {
        "stored": stored,
        "pages": pages,
        "full_s": statistics.median(full_sync),
        "full_first_s": full_sync[0],
        "bare_pages_s": statistics.median(bare_pages),
        "no_change_ms": statistics.median(no_change) * 1000,
        "no_change_p95_ms": sorted(no_change)[int(len(no_change) * 0.95)] * 1000,
        "requests_per_sync": per_sync,
        "health_ms": statistics.median(baseline) * 1000,
    }


def report(r: dict[str, Any]) -> bool:
    full_ok = r["full_s"] < TARGET_FULL_S
    quiet_ok = r["no_change_ms"] < TARGET_NO_CHANGE_MS and r["requests_per_sync"] == 1
    print(
        f"full sync of {r['stored']} sessions ({r['pages']} requests): {r['full_s']:.2f} s "
        f"(median of 3; first, nothing rendered yet: {r['full_first_s']:.2f} s); bare GETs of the same pages {r['bare_pages_s']:.2f} s: "
        f"ratio {r['full_s'] / r['bare_pages_s']:.2f}x; target < {TARGET_FULL_S:.0f} s: "
        f"{'PASS' if full_ok else 'FAIL'}"
    )
    print(
        f"sync with no change: {r['requests_per_sync']:.0f} request(s), p50 "
        f"{r['no_change_ms']:.2f} ms, p95 {r['no_change_p95_ms']:.2f} ms; bare /health "
        f"{r['health_ms']:.2f} ms: ratio {r['no_change_ms'] / r['health_ms']:.2f}x; "
        f"target 1 request < {TARGET_NO_CHANGE_MS:.0f} ms: {'PASS' if quiet_ok else 'FAIL'}"
    )
    return full_ok and quiet_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--serve", metavar="DB_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        db_url = f"sqlite:///{folder / 'bench.db'}"
        token = seed(db_url, args.sessions)
        with child_apps(__file__, db_url) as (real, bare):
            results = run(token, real, bare, args.repeats, folder)
    return 0 if report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
