"""The Sessions API server for benches, always in child processes (their own GIL, as in
production), so that the measuring client does not slow the server down or the other way.

- ``serve_apps(app, ...)``: in a bench's ``--serve`` child, each app on a free loopback port;
  prints the ports as one JSON line, then serves until the parent closes stdin.
- ``child_apps(script, *args)``: in the parent, runs ``script --serve *args`` and yields those
  ports; the child ends when the block does.
- ``served_command(db_url, workers)``: ``deepworkzone serve`` itself (``--workers N``), as a
  user runs it; yields its base URL and pid once every worker answers.
- ``cpu_seconds(pid)``: CPU time used so far by a process and its children.
- ``bare_app(payload)``: a bare FastAPI endpoint, ``GET /bare`` answering ``payload``, the
  baseline a bench compares the real app with.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def serve_apps(*apps: Any) -> None:
    import uvicorn

    servers, ports = [], []
    for app in apps:
        sock = socket.socket()
        # Accepted connections inherit it; without it Nagle + delayed ACK add 40 ms per request.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        ports.append(sock.getsockname()[1])
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        servers.append(server)
        threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not all(s.started for s in servers):
        time.sleep(0.01)
    print(json.dumps(ports), flush=True)
    sys.stdin.read()  # the parent closes stdin when done


@contextmanager
def child_apps(script: str, *args: str) -> Iterator[list[int]]:
    child = subprocess.Popen(
        [sys.executable, script, "--serve", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield json.loads(child.stdout.readline())
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def bare_app(payload: Any) -> Any:
    from fastapi import FastAPI

    bare = FastAPI()

    @bare.get("/bare")
    def answer() -> Any:
        return payload

    return bare


@contextmanager
def served_command(
    db_url: str, workers: int = 1, rate_limit: int = 10**9
) -> Iterator[tuple[str, int]]:
    child = subprocess.Popen(
        [
            *(sys.executable, "-m", "deepworkzone.cli.main", "serve", "--port", "0"),
            *("--db", db_url, "--workers", str(workers), "--rate-limit", str(rate_limit)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", child.stdout.readline())
        assert found, "deepworkzone serve did not start"
        url = f"http://127.0.0.1:{found.group(1)}"
        # Its access log goes on coming: read it, or the server stalls on a full pipe.
        threading.Thread(target=child.stdout.read, daemon=True).start()
        _await_workers(url + "/openapi.json", child.pid, workers)
        yield url, child.pid
    finally:
        child.terminate()
        child.wait(timeout=30)


def _await_workers(url: str, pid: int, workers: int) -> None:
    """Until each of the ``workers`` processes of ``deepworkzone serve`` has answered a
    request (one process: itself; several: its uvicorn workers, found by who holds the
    connection)."""
    import httpx
    import psutil

    parent = psutil.Process(pid)
    deadline = time.monotonic() + 60
    answered: set[int] = set()
    while len(answered) < workers:
        assert time.monotonic() < deadline, "the workers of deepworkzone serve did not start"
        try:
            with httpx.Client(timeout=30) as client, client.stream("GET", url) as response:
                port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
                for proc in [parent, *parent.children()]:
                    if any(c.raddr and c.raddr.port == port for c in proc.net_connections()):
                        answered.add(proc.pid)
                response.read()
        except httpx.TransportError:
            time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    import psutil

    parent = psutil.Process(pid)
    total = 0.0
    for proc in [parent, *parent.children(recursive=True)]:
        times = proc.cpu_times()
        total += times.user + times.system
    return total
